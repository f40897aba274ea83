import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as customer from './actions/customer/Customer.resource';
import { router } from './actions/router';
import { getCustomerFields } from './methods/resourceMapping';

export class Hyfin implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hyfin',
		name: 'hyfin',
		icon: { light: 'file:hyfin.svg', dark: 'file:hyfin.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Keep customers in sync with Hyfin, the payments app that requests payments by text and email',
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
				options: [{ name: 'Customer', value: 'customer' }],
				default: 'customer',
			},
			...customer.description,
		],
	};

	methods = {
		resourceMapping: { getCustomerFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
