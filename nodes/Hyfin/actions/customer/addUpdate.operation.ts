import type { IDataObject, INodeExecutionData, INodeProperties, IExecuteFunctions, ResourceMapperValue } from 'n8n-workflow';

import { parseCustomer, readExternalId } from '../../schemas/customer';
import type { PhoneFormat } from '../../schemas/phone';
import { DEFAULT_TIMEOUT_MS } from '../../transport';
import { siteUrl, type HyfinConnection } from '../../transport/connection';
import { runOperation, type ItemPlan, type RunOptions } from '../execution';
import { parameterPerItem } from '../parameters';
import { describeConflicts, fromInputItem, fromMappedFields } from './mapping';

/** Customer → Add or Update: `POST {base_url}/api/v3/site/{site_id}/customer/addUpdate`, once per item. */

const showFor = { show: { resource: ['customer'], operation: ['addUpdate'] } };

const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	displayOptions: showFor,
	options: [
		{
			displayName: 'Default Country Code',
			name: 'defaultCountryCode',
			type: 'string',
			default: '1',
			placeholder: '44',
			description: 'With Phone Format E.164: the country calling code of numbers given without one (1 for the US and Canada)',
		},
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
			displayName: 'Max Concurrent Requests',
			name: 'maxConcurrent',
			type: 'number',
			default: 10,
			typeOptions: { minValue: 1, maxValue: 100, numberPrecision: 0 },
			description:
				'The most requests to have under way at once. Fewer are sent while Hyfin answers 429 or 503, and more again as it recovers.',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			default: 5,
			typeOptions: { minValue: 0, maxValue: 10, numberPrecision: 0 },
			description:
				'How many times to try one request again when Hyfin is busy or unreachable (429, 5xx, a dropped connection, a timeout). Only that item is retried; rejected records never are.',
		},
		{
			displayName: 'Phone Format',
			name: 'phoneFormat',
			type: 'options',
			default: 'asGiven',
			description: 'How to send Mobile Phone',
			options: [
				{ name: 'As Given', value: 'asGiven', description: 'Send the number as it came, e.g. (111) 222-3333' },
				{
					name: 'Digits Only',
					value: 'digitsOnly',
					description: "Only the digits, as Hyfin's own Get Customer returns them, e.g. 1112223333",
				},
				{ name: 'E.164', value: 'e164', description: 'International format with the Default Country Code, e.g. +11112223333' },
			],
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
			displayName: 'Report Unmapped Columns',
			name: 'reportUnmappedColumns',
			type: 'boolean',
			default: false,
			description: 'Whether to add, with Map Automatically, the input columns that no field used to each output item, as unmapped_columns',
		},
		{
			displayName: 'Request Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			default: 30,
			typeOptions: { minValue: 1, maxValue: 3600 },
			description: 'How long to wait for Hyfin to answer one request',
		},
		{
			displayName: 'Send Empty Fields',
			name: 'sendEmptyFields',
			type: 'boolean',
			default: false,
			description:
				"Whether to send empty optional fields as empty strings (as Hyfin's own sample does) instead of leaving them out. Whether Hyfin then clears the stored value is not documented.",
		},
	],
};

export const description: INodeProperties[] = [
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
			"Map each field by hand (expressions work), or map automatically from input fields named like Hyfin's: external_ID, first_name, last_name, account_name, mobile_phone, email, notes, active, and notify_phone / notify_email (flat, or nested in notification_options)",
		displayOptions: showFor,
	},
	options,
];

interface AddUpdateOptions extends RunOptions {
	defaultCountryCode?: string | null;
	dryRun?: boolean;
	includeSentFields?: boolean;
	phoneFormat?: PhoneFormat;
	reportUnmappedColumns?: boolean;
	sendEmptyFields?: boolean;
	timeoutSeconds?: number;
}

const ENDPOINT = 'customer/addUpdate';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	// Read whole: n8n's own per-field type check would throw before ours could name the item.
	const columnsOf = parameterPerItem<ResourceMapperValue>(this, 'columns', 'The "Fields" parameter');
	return await runOperation<AddUpdateOptions>(this, options, (itemIndex, connection, chosen) =>
		planItem(items[itemIndex], itemIndex, connection, chosen, columnsOf(itemIndex)),
	);
}

const COUNTRY_CODE = /^\+?\d{1,3}$/;

/** Reads, maps and checks one item; decides what to send for it, or why nothing is sent. */
function planItem(
	item: INodeExecutionData,
	itemIndex: number,
	connection: HyfinConnection,
	options: AddUpdateOptions,
	columns: ResourceMapperValue,
): ItemPlan {
	const auto = columns.mappingMode === 'autoMapInputData' ? fromInputItem(item.json) : undefined;
	const raw = auto ? auto.raw : fromMappedFields(columns.value);
	const annotations = auto && options.reportUnmappedColumns ? { unmapped_columns: auto.unmapped } : undefined;

	const phoneFormat = options.phoneFormat ?? 'asGiven';
	const defaultCountryCode = options.defaultCountryCode === undefined ? '1' : options.defaultCountryCode?.trim();
	if (phoneFormat === 'e164' && (defaultCountryCode === undefined || !COUNTRY_CODE.test(defaultCountryCode))) {
		const given = defaultCountryCode === undefined ? 'empty' : `"${defaultCountryCode}"`;
		return {
			kind: 'failed',
			message: `The option "Default Country Code" must be a country calling code of 1 to 3 digits, such as 44, but for item ${itemIndex} it is ${given}`,
		};
	}
	const parsed = parseCustomer(raw, { sendEmptyFields: options.sendEmptyFields, phoneFormat, defaultCountryCode });
	const conflicts = auto?.conflicts ?? [];
	if (!parsed.ok || conflicts.length > 0) {
		const { errors, hints } = describeConflicts(conflicts);
		if (!parsed.ok) {
			// A field two columns claim was left out, so the schema may call it missing: say why instead.
			const claimed = new Set(conflicts.map(({ field }) => `missing ${field}`));
			parsed.errors.forEach((error, index) => {
				if (claimed.has(error)) return;
				errors.push(error);
				hints.push(parsed.hints[index]);
			});
		}
		const rejection = { source: 'validation' as const, errors, hints, externalId: readExternalId(raw.external_id) };
		return { kind: 'rejected', rejection, annotations };
	}
	const customer = parsed.customer;
	const externalId = customer.external_id;
	const url = siteUrl(connection, ENDPOINT);
	const body = customer as unknown as IDataObject;
	if (options.dryRun) {
		const json = { success: true, dryRun: true, external_id: externalId, request: { method: 'POST', url, body } };
		return { kind: 'output', json, annotations };
	}
	return {
		kind: 'send',
		connection,
		request: { method: 'POST', url, body, timeoutMs: (options.timeoutSeconds ?? DEFAULT_TIMEOUT_MS / 1000) * 1000 },
		externalId,
		succeeded: (answer) => ({ success: true, action: answer.action, _id: answer._id, external_id: externalId }),
		sent: options.includeSentFields ? body : undefined,
		annotations,
	};
}
