import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	ResourceMapperValue,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { parseCustomer, readExternalId } from '../../schemas/customer';
import { hyfinRequest, CREDENTIAL_NAME, DEFAULT_TIMEOUT_MS } from '../../transport';
import { readConnection, siteUrl, type ConnectionResult } from '../../transport/connection';
import {
	failureError,
	itemLabel,
	settleFailure,
	settleRejection,
	type RejectedRecords,
} from '../results';
import { fromInputItem, fromMappedFields } from './mapping';

/** Customer → Add or Update: `POST {base_url}/api/v3/site/{site_id}/customer/addUpdate`, once per item. */

const showFor = { show: { resource: ['customer'], operation: ['addUpdate'] } };

export const properties: INodeProperties[] = [
	{
		displayName: 'Fields',
		name: 'columns',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			resourceMapper: {
				resourceMapperMethod: 'getCustomerFields',
				mode: 'add',
				fieldWords: { singular: 'field', plural: 'fields' },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: true,
			},
		},
		description:
			'Map each field by hand (expressions work), or map automatically from input fields named like Hyfin\'s: external_ID, first_name, last_name, account_name, mobile_phone, email, notes, active, and notify_phone / notify_email (flat, or nested in notification_options)',
		displayOptions: showFor,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: showFor,
		options: [
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description: 'Whether to only validate each record and output the request that would be sent, sending nothing to Hyfin',
			},
			{
				displayName: 'Include Sent Fields',
				name: 'includeSentFields',
				type: 'boolean',
				default: false,
				description: 'Whether to add the request body that was sent to each output item, under "sent"',
			},
			{
				displayName: 'Rejected Records',
				name: 'rejectedRecords',
				type: 'options',
				default: 'outputItems',
				description: 'What to do with a record that Hyfin, or the checks before sending, would not accept',
				options: [
					{
						name: 'Output as Items',
						value: 'outputItems',
						description: 'Output it with success false and the errors, so an IF node can branch on it; the workflow goes on',
					},
					{
						name: 'Treat as Errors',
						value: 'error',
						description: "Fail the item, as the node's On Error setting says",
					},
				],
			},
			{
				displayName: 'Request Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				default: 30,
				typeOptions: { minValue: 1 },
				description: 'How long to wait for Hyfin to answer one request',
			},
			{
				displayName: 'Send Empty Fields',
				name: 'sendEmptyFields',
				type: 'boolean',
				default: false,
				description:
					'Whether to send empty optional fields as empty strings (as Hyfin\'s own sample does) instead of leaving them out. Whether Hyfin then clears the stored value is not documented.',
			},
		],
	},
];

export const description = properties;

interface AddUpdateOptions {
	dryRun?: boolean;
	includeSentFields?: boolean;
	rejectedRecords?: RejectedRecords;
	sendEmptyFields?: boolean;
	timeoutSeconds?: number;
}

const ENDPOINT = 'customer/addUpdate';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const credentials = await this.getCredentials(CREDENTIAL_NAME);
	const connection = readConnection(credentials);
	const accessToken = typeof credentials.accessToken === 'string' ? credentials.accessToken : undefined;

	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		output.push(await addUpdateItem(this, items[itemIndex], itemIndex, connection, accessToken));
	}
	return [output];
}

async function addUpdateItem(
	context: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	connection: ConnectionResult,
	accessToken: string | undefined,
): Promise<INodeExecutionData> {
	const options = context.getNodeParameter('options', itemIndex, {}) as AddUpdateOptions;
	const rejectedRecords = options.rejectedRecords ?? 'outputItems';
	// Read whole: n8n's own per-field type check would throw before ours could name the item.
	const columns = context.getNodeParameter('columns', itemIndex) as ResourceMapperValue;
	const raw = columns.mappingMode === 'autoMapInputData' ? fromInputItem(item.json) : fromMappedFields(columns.value);

	const parsed = parseCustomer(raw, { sendEmptyFields: options.sendEmptyFields });
	if (!parsed.ok) {
		const externalId = readExternalId(raw.external_id);
		return settleRejection(context, { source: 'validation', ...parsed, externalId }, itemIndex, rejectedRecords);
	}
	const customer = parsed.customer;
	const externalId = customer.external_id;
	const label = itemLabel(itemIndex, externalId);

	if (!connection.ok) {
		return settleFailure(context, new NodeOperationError(context.getNode(), connection.message, { itemIndex }), itemIndex);
	}
	const url = siteUrl(connection.connection, ENDPOINT);
	const body = customer as unknown as IDataObject;
	if (options.dryRun) {
		return {
			json: { success: true, dryRun: true, external_id: externalId, request: { method: 'POST', url, body } },
			pairedItem: { item: itemIndex },
		};
	}

	const answer = await hyfinRequest(context, connection.connection, {
		method: 'POST',
		url,
		body,
		timeoutMs: (options.timeoutSeconds ?? DEFAULT_TIMEOUT_MS / 1000) * 1000,
	});
	const sent = options.includeSentFields ? body : undefined;

	switch (answer.kind) {
		case 'success': {
			const json: IDataObject = {
				success: true,
				action: answer.body.action,
				_id: answer.body._id,
				external_id: externalId,
			};
			if (sent) json.sent = sent;
			return { json, pairedItem: { item: itemIndex } };
		}
		case 'rejected':
			return settleRejection(
				context,
				{ source: 'hyfin', errors: answer.errors, hints: answer.errors, externalId, sent },
				itemIndex,
				rejectedRecords,
			);
		case 'failure':
			return settleFailure(context, failureError(context, answer.failure, itemIndex, label, accessToken), itemIndex);
	}
}
