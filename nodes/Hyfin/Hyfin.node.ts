import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { resources, router } from './actions/router';
import { getCustomerFields, getInvoiceFields, getPaymentFields, getProductFields } from './methods/resourceMapping';

export class Hyfin implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hyfin',
		name: 'hyfin',
		icon: { light: 'file:hyfin.svg', dark: 'file:hyfin.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Request payments by text and email with Hyfin, and keep its customers, products and payments in sync',
		defaults: { name: 'Hyfin' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hyfinApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Customer', value: 'customer' },
					{ name: 'Invoice', value: 'invoice' },
					{ name: 'Payment', value: 'payment' },
					{ name: 'Product', value: 'product' },
				],
				default: 'customer',
			},
			...Object.values(resources).flatMap((resource) => resource.description),
		],
	};

	methods = {
		resourceMapping: { getCustomerFields, getInvoiceFields, getPaymentFields, getProductFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
