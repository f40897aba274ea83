import type { INodeProperties } from 'n8n-workflow';

import * as addUpdate from './addUpdate.operation';

/** The Customer resource: its operations, and each operation's fields. A new operation is one new file, listed here. */

export const operations = { addUpdate };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['customer'] } },
		options: [
			{
				name: 'Add or Update',
				value: 'addUpdate',
				description: 'Add a customer, or update the one with the same external ID',
				action: 'Add or update a customer',
			},
		],
		default: 'addUpdate',
	},
	...addUpdate.description,
];
