import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import * as customer from './customer/Customer.resource';
import * as invoice from './invoice/Invoice.resource';
import type { Operation } from './options';
import * as payment from './payment/Payment.resource';
import * as product from './product/Product.resource';

/** Every resource, as the node's Resource parameter lists them. */
export const resources: Record<string, { description: import('n8n-workflow').INodeProperties[]; operations: Record<string, Operation> }> = {
	customer,
	invoice,
	product,
	payment,
};

/** Hands the node's execution to the chosen resource's operation. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const chosen = resources[resource]?.operations[operation];
	if (!chosen) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	return await chosen.execute.call(this);
}
