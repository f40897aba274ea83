import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MS } from '../transport';
import { DEFAULT_CEILING } from '../transport/capacity';
import { DEFAULT_MAX_RETRIES } from '../transport/retry';
import type { RunOptions } from './execution';

/**
 * The options every operation shares (how a run sends, retries and reports), written once.
 * Each operation's "Options" collection is these plus its own, in the editor's alphabetical order.
 */

const maxConcurrent: INodeProperties = {
	displayName: 'Max Concurrent Requests',
	name: 'maxConcurrent',
	type: 'number',
	default: DEFAULT_CEILING,
	typeOptions: { minValue: 1, maxValue: 100, numberPrecision: 0 },
	description:
		'The most requests to have under way at once. The node finds how many Hyfin takes, up to this: it sends more while answers come back fast and clean, fewer on 503 or slow answers, and after a 429 paces requests to the rate Hyfin allows.',
};

const maxRetries: INodeProperties = {
	displayName: 'Max Retries',
	name: 'maxRetries',
	type: 'number',
	default: DEFAULT_MAX_RETRIES,
	typeOptions: { minValue: 0, maxValue: 10, numberPrecision: 0 },
	description:
		'How many times to try one request again when Hyfin is busy or unreachable (429, 5xx, a dropped connection, a timeout). Only that item is retried; rejected records never are, and a request that notifies the customer only when Hyfin says it did nothing.',
};

const timeoutSeconds: INodeProperties = {
	displayName: 'Request Timeout (Seconds)',
	name: 'timeoutSeconds',
	type: 'number',
	default: 30,
	typeOptions: { minValue: 1, maxValue: 3600 },
	description: 'How long to wait for Hyfin to answer one request',
};

const dryRun: INodeProperties = {
	displayName: 'Dry Run',
	name: 'dryRun',
	type: 'boolean',
	default: false,
	description: 'Whether to only validate each item and output the request that would be sent, sending nothing to Hyfin',
};

const rejectedRecords: INodeProperties = {
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
		{ name: 'Treat as Errors', value: 'error', description: "Fail the item, as the node's On Error setting says" },
	],
};

/** Options of operations that send a record they read from the input. */
export const recordOptions: INodeProperties[] = [
	{
		displayName: 'Include Sent Fields',
		name: 'includeSentFields',
		type: 'boolean',
		default: false,
		description: 'Whether to add the request body that was sent to each output item, under "sent"',
	},
	{
		displayName: 'Report Unmapped Columns',
		name: 'reportUnmappedColumns',
		type: 'boolean',
		default: false,
		description: 'Whether to add, with Map Automatically, the input columns that no field used to each output item, as unmapped_columns',
	},
	{
		displayName: 'Send Empty Fields',
		name: 'sendEmptyFields',
		type: 'boolean',
		default: false,
		description:
			"Whether to send empty optional text fields as empty strings (as Hyfin's own sample does) instead of leaving them out. Whether Hyfin then clears the stored value is not documented.",
	},
];

/** Options of a Get. */
export const getOptions: INodeProperties[] = [
	{
		displayName: 'If Not Found',
		name: 'ifNotFound',
		type: 'options',
		default: 'outputItem',
		description: 'What to do when Hyfin has no record with that external ID',
		options: [
			{ name: 'Output an Item', value: 'outputItem', description: 'Output found: false with what Hyfin said, for an IF node to branch on' },
			{ name: 'Fail the Item', value: 'fail', description: "Fail the item, as the node's On Error setting says" },
		],
	},
	{
		displayName: 'Numbers as Numbers',
		name: 'convertNumbers',
		type: 'boolean',
		default: false,
		description:
			'Whether to turn amounts and quantities Hyfin sends as text (unit_price: "15.00") into numbers (15). Off, the record is output exactly as Hyfin sent it.',
	},
];

/** Options every operation has. */
const runOptions: INodeProperties[] = [dryRun, maxConcurrent, maxRetries, rejectedRecords, timeoutSeconds];

/** An operation's "Options" collection: the shared ones and its own, sorted as the editor lists them. */
export function optionsCollection(resource: string, operation: string, own: INodeProperties[]): INodeProperties {
	const options = [...runOptions, ...own].sort((a, b) => a.displayName.localeCompare(b.displayName));
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { resource: [resource], operation: [operation] } },
		options,
	};
}

/** The options an operation reads per item, beyond the run's. */
export interface ItemOptions extends RunOptions {
	dryRun?: boolean;
	timeoutSeconds?: number;
	includeSentFields?: boolean;
	reportUnmappedColumns?: boolean;
	sendEmptyFields?: boolean;
	ifNotFound?: 'outputItem' | 'fail';
	convertNumbers?: boolean;
}

export const timeoutMsOf = (options: ItemOptions) =>
	options.timeoutSeconds === undefined ? DEFAULT_TIMEOUT_MS : options.timeoutSeconds * 1000;

/** One operation of a resource: how the editor names it, its parameters, and how it runs. */
export interface Operation {
	operation: INodePropertyOptions & { value: string; action: string };
	description: INodeProperties[];
	execute: (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;
}

/** A resource from its operations: the "Operation" selector, every operation's parameters, and each by its value. */
export function resourceOf(resource: string, list: Operation[]) {
	const selector: INodeProperties = {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options: list.map((entry) => entry.operation),
		// Every resource starts with Add or Update (a literal, as n8n's lint rules want).
		default: 'addUpdate',
	};
	return {
		description: [selector, ...list.flatMap((entry) => entry.description)],
		operations: Object.fromEntries(list.map((entry) => [entry.operation.value, entry])),
	};
}
