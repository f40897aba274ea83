import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, ResourceMapperValue } from 'n8n-workflow';

import { describeConflicts, fromInputItem, fromMappedFields, type ParseResult, type RawRecord, type RecordSpec } from '../schemas/record';
import { readExternalId } from '../schemas/values';
import { siteUrl, type HyfinConnection } from '../transport/connection';
import { runOperation, type ItemPlan } from './execution';
import { optionsCollection, recordOptions, timeoutMsOf, type ItemOptions } from './options';
import { parameterPerItem } from './parameters';

/**
 * An Add or Update operation: one record read from each input item (mapped by hand or
 * automatically), checked against its table, and sent to Hyfin's `<record>/addUpdate`.
 */
export interface UpsertConfig<O extends ItemOptions> {
	resource: string;
	spec: RecordSpec;
	/** `customer/addUpdate`, under `/api/v3/site/{site_id}/`. */
	endpoint: string;
	/** The node's resource-mapper method that lists the fields. */
	mapperMethod: string;
	/** The "Fields" parameter's help text. */
	fieldsHelp: string;
	/** Options beyond the shared ones. */
	options?: INodeProperties[];
	/** Whether sending the same record twice leaves the same state. */
	repeatable: boolean;
	/** For one that does not: what to check before running an item again. */
	unclear?: string;
	/** Reads one mapped record: the body to send, or what is wrong with it. */
	parse: (raw: RawRecord, options: O, itemIndex: number) => ParseResult<IDataObject> | { ok: false; failed: string };
	/** The output item for Hyfin's success answer; default `{ success, action, _id, external_id }`. */
	output?: (answer: IDataObject, externalId: string) => IDataObject;
}

/** The record from one input item, as mapped, with what Map Automatically found on the way. */
export interface MappedRecord {
	raw: RawRecord;
	conflicts: Array<{ field: string; columns: string[] }>;
	annotations?: IDataObject;
}

/** Reads one item's record through the "Fields" mapping. */
export function mapRecord(spec: RecordSpec, columns: ResourceMapperValue, json: IDataObject, options: ItemOptions): MappedRecord {
	if (columns.mappingMode !== 'autoMapInputData') return { raw: fromMappedFields(spec, columns.value), conflicts: [] };
	const auto = fromInputItem(spec, json);
	const annotations = options.reportUnmappedColumns ? { unmapped_columns: auto.unmapped } : undefined;
	return { raw: auto.raw, conflicts: auto.conflicts, annotations };
}

/** The "Fields" parameter: n8n's resource mapper over a record's table. */
export function fieldsParameter(
	resource: string,
	operation: string,
	mapperMethod: string,
	help: string,
	dependsOn?: string[],
): INodeProperties {
	return {
		displayName: 'Fields',
		name: 'columns',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			resourceMapper: {
				resourceMapperMethod: mapperMethod,
				mode: 'add',
				fieldWords: { singular: 'field', plural: 'fields' },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: true,
			},
			...(dependsOn ? { loadOptionsDependsOn: dependsOn } : {}),
		},
		description: help,
		displayOptions: { show: { resource: [resource], operation: [operation] } },
	};
}

/** The "Fields" parameter's value for each item, read whole: n8n's own per-field check would throw before ours could name the item. */
export const columnsPerItem = (context: IExecuteFunctions) =>
	parameterPerItem<ResourceMapperValue>(context, 'columns', 'The "Fields" parameter');

/**
 * What to do with one parsed record: reject it (naming every problem, conflicts first), output
 * the request a dry run would send, or send it.
 */
export function planRecord(
	mapped: MappedRecord,
	parsed: ParseResult<IDataObject> | { ok: false; failed: string },
	connection: HyfinConnection,
	options: ItemOptions,
	config: { endpoint: string; repeatable: boolean; unclear?: string; output?: UpsertConfig<ItemOptions>['output'] },
	extra: Partial<Extract<ItemPlan, { kind: 'send' }>> = {},
): ItemPlan {
	const { annotations, conflicts } = mapped;
	if ('failed' in parsed) return { kind: 'failed', message: parsed.failed };
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
		const rejection = { source: 'validation' as const, errors, hints, externalId: readExternalId(mapped.raw.external_id) };
		return { kind: 'rejected', rejection, annotations };
	}
	const body = parsed.record;
	const externalId = String(body.external_id);
	const url = siteUrl(connection, config.endpoint);
	if (options.dryRun) {
		return {
			kind: 'output',
			json: { success: true, dryRun: true, external_id: externalId, request: { method: 'POST', url, body } },
			annotations,
		};
	}
	const output =
		config.output ?? ((answer: IDataObject) => ({ success: true, action: answer.action, _id: answer._id, external_id: externalId }));
	return {
		kind: 'send',
		connection,
		request: { method: 'POST', url, body, timeoutMs: timeoutMsOf(options), repeatable: config.repeatable },
		externalId,
		succeeded: (answer) => output(answer, externalId),
		sent: options.includeSentFields ? body : undefined,
		unclear: config.unclear,
		annotations,
		...extra,
	};
}

/** Builds an Add or Update operation: its parameters, and how it runs. */
export function upsertOperation<O extends ItemOptions>(config: UpsertConfig<O>) {
	const options = optionsCollection(config.resource, 'addUpdate', [...recordOptions, ...(config.options ?? [])]);
	const description: INodeProperties[] = [fieldsParameter(config.resource, 'addUpdate', config.mapperMethod, config.fieldsHelp), options];

	async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const columnsOf = columnsPerItem(this);
		return await runOperation<O>(this, options, (itemIndex, connection, chosen) => {
			const mapped = mapRecord(config.spec, columnsOf(itemIndex), items[itemIndex].json, chosen);
			return planRecord(mapped, config.parse(mapped.raw, chosen, itemIndex), connection, chosen, config as UpsertConfig<ItemOptions>);
		});
	}
	return { description, execute };
}
