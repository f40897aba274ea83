import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import * as customer from './customer/Customer.resource';

type OperationExecute = (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

const resources: Record<string, Record<string, { execute: OperationExecute }>> = {
	customer: customer.operations,
};

/** Hands the node's execution to the chosen resource's operation. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const chosen = resources[resource]?.[operation];
	if (!chosen) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	return await chosen.execute.call(this);
}
