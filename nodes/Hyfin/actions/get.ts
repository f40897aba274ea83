import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { siteUrl } from '../transport/connection';
import { runOperation } from './execution';
import { getOptions, optionsCollection, timeoutMsOf, type ItemOptions } from './options';
import { externalIdPerItem } from './parameters';

/**
 * A Get operation: `GET /api/v3/site/{site_id}/<record>/{external_id}` for each item. Hyfin answers
 * the record itself; it is output as sent, with `found: true`. A record that does not exist is an
 * item with `found: false` (or a failed item, if asked).
 */
export interface GetConfig {
	resource: string;
	/** `customer`, as the path and messages name it. */
	what: string;
	/** Keys whose numeric text becomes a number with "Numbers as Numbers", anywhere in the record. */
	numberKeys: readonly string[];
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** The record with numeric text under `keys` turned into numbers, at any depth. */
export function numbersAsNumbers(value: unknown, keys: ReadonlySet<string>): unknown {
	if (Array.isArray(value)) return value.map((entry) => numbersAsNumbers(entry, keys));
	if (!value || typeof value !== 'object') return value;
	return Object.fromEntries(
		Object.entries(value).map(([key, entry]) => [
			key,
			keys.has(key) && typeof entry === 'string' && NUMERIC.test(entry.trim()) ? Number(entry) : numbersAsNumbers(entry, keys),
		]),
	);
}

export function getOperation(config: GetConfig) {
	const show = { show: { resource: [config.resource], operation: ['get'] } };
	const options = optionsCollection(config.resource, 'get', getOptions);
	const description: INodeProperties[] = [
		{
			displayName: 'External ID',
			name: 'externalId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 39772634',
			description: `The ${config.what}'s external ID: the ID it has in your system, as it was sent to Hyfin`,
			displayOptions: show,
		},
		options,
	];
	const numberKeys = new Set(config.numberKeys);

	async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const externalIdOf = externalIdPerItem(this, 'External ID', config.what);
		return await runOperation<ItemOptions>(this, options, (itemIndex, connection, chosen) => {
			const read = externalIdOf(itemIndex);
			if ('rejection' in read) return { kind: 'rejected', rejection: read.rejection };
			const { externalId } = read;
			if (externalId === '.' || externalId === '..') {
				// In a path, `.` and `..` mean "this folder" and "the folder above": the request would ask for something else.
				return {
					kind: 'failed',
					message: `External ID "${externalId}" of item ${itemIndex} cannot be looked up: Hyfin's address for it would mean another path`,
				};
			}
			const url = siteUrl(connection, `${config.what}/${encodeURIComponent(externalId)}`);
			if (chosen.dryRun) {
				return { kind: 'output', json: { success: true, dryRun: true, external_id: externalId, request: { method: 'GET', url } } };
			}
			return {
				kind: 'send',
				connection,
				request: { method: 'GET', url, timeoutMs: timeoutMsOf(chosen), repeatable: true, reading: 'record' },
				externalId,
				succeeded: (record: IDataObject) => ({
					found: true,
					...((chosen.convertNumbers ? numbersAsNumbers(record, numberKeys) : record) as IDataObject),
				}),
				notFound: { fail: chosen.ifNotFound === 'fail', what: config.what },
			};
		});
	}
	return { description, execute };
}
