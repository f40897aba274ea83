import type { FieldType, IDataObject, ResourceMapperField } from 'n8n-workflow';
import { z } from 'zod';

import { isPlausiblePhone } from './phone';
import { canonical, readBoolean, readChoice, readDate, readDateTime, readList, readMoney, readQuantity, readText } from './values';

/**
 * One table per Hyfin record (its request table), from which the record's zod schema, its fields
 * in n8n's resource mapper, the column names Map Automatically knows and its table in the README
 * are all made. A record is read in Hyfin's request shape: a field whose `path` has two parts
 * (`totals.total`) sits in an object, which an input may also give whole.
 */

export type FieldKind =
	'id' | 'text' | 'phone' | 'email' | 'url' | 'money' | 'quantity' | 'date' | 'dateTime' | 'boolean' | 'choice' | 'list';

export interface FieldSpec {
	/** The field's id in the node (resource mapper, README); unique within the record. */
	id: string;
	displayName: string;
	kind: FieldKind;
	/** Where Hyfin takes it: `['email']`, or `['totals', 'total']`. Default: `[id]`. */
	path?: readonly [string] | readonly [string, string];
	required?: boolean;
	/** What Hyfin's table says, shortened, plus how the node reads it; for the README. */
	description: string;
	choices?: readonly string[];
	/** More column names that mean this field, for Map Automatically (compared canonically). */
	columns?: readonly string[];
	/** The message for a value of the wrong type; default: `<name> must be text` and so on. */
	invalid?: string;
}

export interface RecordSpec {
	/** Hyfin's name for it: `customer`, `invoice`. */
	name: string;
	fields: readonly FieldSpec[];
	/** Objects of nested fields, and what to say when an input's value there is not an object. */
	groups?: Readonly<Record<string, { invalid: string; columns?: readonly string[] }>>;
}

/** The options that change how a record is read, per run or per item. */
export interface ReadOptions {
	/** Send blank optional text fields as `""` instead of leaving them out. */
	sendEmptyFields?: boolean;
}

export const pathOf = (field: FieldSpec): readonly string[] => field.path ?? [field.id];

const TEXT_KINDS: ReadonlySet<FieldKind> = new Set(['id', 'text', 'phone', 'email', 'url']);

// A local part, an @, a domain with a dot; Hyfin's own rules are not documented.
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const isUrl = (text: string) => {
	try {
		const url = new URL(text);
		return url.protocol === 'https:' || url.protocol === 'http:';
	} catch {
		return false;
	}
};

function defaultInvalid(field: FieldSpec): string {
	switch (field.kind) {
		case 'boolean':
			return `${field.displayName} must be true or false (yes/no and 1/0 work too)`;
		case 'money':
			return `${field.displayName} must be an amount, like 15.00`;
		case 'quantity':
			return `${field.displayName} must be a number`;
		case 'date':
			return `${field.displayName} must be a date, like 2026-12-31`;
		case 'dateTime':
			return `${field.displayName} must be a date and time, like 2026-12-31T14:30:00Z`;
		case 'list':
			return `${field.displayName} must be a list`;
		default:
			return `${field.displayName} must be text`;
	}
}

/** One field's zod schema: its reader, its type, and the rules of its kind. */
function fieldSchema(field: FieldSpec, options: ReadOptions): z.ZodTypeAny {
	const label = field.displayName;
	const invalid_type_error = field.invalid ?? defaultInvalid(field);
	const keepEmpty = options.sendEmptyFields === true && !field.required;
	switch (field.kind) {
		case 'boolean':
			return z.preprocess(readBoolean, z.boolean({ invalid_type_error }).optional());
		case 'money':
			return z.preprocess(readMoney(label), z.number({ invalid_type_error }).optional());
		case 'quantity':
			return z.preprocess(readQuantity(label), z.number({ invalid_type_error }).optional());
		case 'date':
			return z.preprocess(readDate(label), z.string({ invalid_type_error }).optional());
		case 'dateTime':
			return z.preprocess(readDateTime(label), z.string({ invalid_type_error }).optional());
		case 'choice':
			return z.preprocess(readChoice(label, field.choices ?? []), z.string({ invalid_type_error }).optional());
		case 'list':
			return z.preprocess(readList(label), z.array(z.unknown(), { invalid_type_error }).optional());
		default: {
			const textKind = field.kind === 'id' ? 'id' : field.kind === 'phone' ? 'phone' : 'text';
			const text = z.preprocess(readText(keepEmpty, textKind, label), z.string({ invalid_type_error }).optional());
			if (field.kind === 'phone') {
				return text.refine(
					(phone) => !phone || isPlausiblePhone(phone as string),
					`${label} needs 7 to 15 digits (spaces, dashes, dots, slashes, brackets and a leading + are fine)`,
				);
			}
			if (field.kind === 'email')
				return text.refine((email) => !email || EMAIL.test(email as string), `${label} must look like name@example.com`);
			if (field.kind === 'url')
				return text.refine((url) => !url || isUrl(url as string), `${label} must be a web address starting with https://`);
			return text;
		}
	}
}

/** A value at a path of a parsed record. */
export function valueAt(record: IDataObject, path: readonly string[]): unknown {
	const [first, second] = path;
	const top = record[first];
	if (second === undefined) return top;
	return top && typeof top === 'object' && !Array.isArray(top) ? (top as IDataObject)[second] : undefined;
}

const isBlank = (value: unknown) => value === undefined || value === '';

/** Reports an issue as `missing <path>` rather than `invalid <path>`. */
export const MISSING = { missing: true } as const;

/** The record's schema: every field read and checked, then the required ones, then `rules`. */
export function recordSchema(spec: RecordSpec, options: ReadOptions, rules?: (record: IDataObject, ctx: z.RefinementCtx) => void) {
	const shape: Record<string, z.ZodTypeAny> = {};
	const nested: Record<string, Record<string, z.ZodTypeAny>> = {};
	for (const field of spec.fields) {
		const [first, second] = pathOf(field);
		if (second === undefined) shape[first] = fieldSchema(field, options);
		else (nested[first] ??= {})[second] = fieldSchema(field, options);
	}
	for (const [group, fields] of Object.entries(nested)) {
		const invalid_type_error = spec.groups?.[group]?.invalid ?? `${group} must be an object`;
		shape[group] = z.preprocess((value) => (value === null ? undefined : value), z.object(fields, { invalid_type_error }).optional());
	}
	return z.object(shape).superRefine((record: IDataObject, ctx) => {
		// Required fields are checked here, with the other rules, so one pass reports every problem.
		for (const field of spec.fields) {
			if (!field.required || !isBlank(valueAt(record, pathOf(field)))) continue;
			ctx.addIssue({
				code: z.ZodIssueCode.custom,
				path: [...pathOf(field)],
				message: `${field.displayName} is required: map a value to it`,
				params: MISSING,
			});
		}
		rules?.(record, ctx);
	});
}

export type ParseResult<T> =
	| { ok: true; record: T }
	| {
			ok: false;
			/** Hyfin's own style: `missing last_name`, `invalid email`. */
			errors: string[];
			/** One sentence per problem, naming the field and what to do. */
			hints: string[];
	  };

/**
 * Validates and coerces one record in Hyfin's request shape. zod stops at a value of the wrong
 * type before the record-wide rules run; so the field is set aside and the rest checked again,
 * to report every problem of the record at once.
 */
export function parseWith<T>(schema: z.ZodTypeAny, raw: Record<string, unknown>): ParseResult<T> {
	const errors: string[] = [];
	const hints: string[] = [];
	const reported = new Set<string>();
	let input = raw;
	for (let pass = 0; pass < 3; pass++) {
		const result = schema.safeParse(input);
		if (result.success) {
			if (pass === 0) return { ok: true, record: withoutUndefined(result.data as IDataObject) as T };
			break;
		}
		const wrongType = new Set<string>();
		for (const issue of result.error.issues) {
			const field = String(issue.path[0]);
			// A field set aside is reported already; without it, the next pass would call it missing.
			if (reported.has(field)) continue;
			const missing = issue.code === 'custom' && issue.params?.missing === true;
			const error = `${missing ? 'missing' : 'invalid'} ${issue.path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${part}`)).join('')}`;
			if (issue.code === 'invalid_type') wrongType.add(field);
			if (errors.includes(error)) continue;
			errors.push(error);
			hints.push(issue.message);
		}
		if (wrongType.size === 0) break;
		wrongType.forEach((field) => reported.add(field));
		input = Object.fromEntries(Object.entries(input).filter(([key]) => !wrongType.has(key)));
	}
	return { ok: false, errors, hints };
}

/** Left-out fields stay out of the request body (JSON would drop them anyway; outputs show it). */
function withoutUndefined(record: IDataObject): IDataObject {
	const clean: IDataObject = {};
	for (const [key, value] of Object.entries(record)) {
		if (value === undefined) continue;
		if (value && typeof value === 'object' && !Array.isArray(value)) {
			const inner = withoutUndefined(value as IDataObject);
			if (Object.keys(inner).length > 0) clean[key] = inner;
			continue;
		}
		clean[key] = value;
	}
	return clean;
}

/** Schemas by record and options: building one costs more than using it, and a run uses one or two. */
export function schemaCache<O>(build: (options: O) => z.ZodTypeAny, keyOf: (options: O) => string) {
	const schemas = new Map<string, z.ZodTypeAny>();
	return (options: O) => {
		const key = keyOf(options);
		let schema = schemas.get(key);
		if (!schema) {
			if (schemas.size >= 32) schemas.clear();
			schema = build(options);
			schemas.set(key, schema);
		}
		return schema;
	};
}

/** A record's schema per Send Empty Fields, for records with no rules beyond their fields'. */
export const plainSchema = (spec: RecordSpec) =>
	schemaCache(
		(options: ReadOptions) => recordSchema(spec, options),
		(options) => String(options.sendEmptyFields === true),
	);

/** Validates and coerces one record with no rules beyond its fields' (see parseWith). */
export function recordParser(spec: RecordSpec) {
	const schemaFor = plainSchema(spec);
	return (raw: RawRecord, options: ReadOptions = {}) => parseWith<IDataObject>(schemaFor(options), raw);
}

const MAPPER_TYPES: Record<FieldKind, FieldType> = {
	id: 'string',
	text: 'string',
	phone: 'string',
	email: 'string',
	url: 'string',
	// Read as text by the node (`1,234.50`, `$15`), so n8n's own number check must not refuse them first.
	money: 'string',
	quantity: 'string',
	date: 'string',
	dateTime: 'string',
	boolean: 'boolean',
	choice: 'options',
	list: 'array',
};

/**
 * The record's fields for n8n's resource mapper. The editor gives a boolean field `false` the
 * moment it is shown, so booleans start out of the mapping ("removed", to add from the field
 * list): shown, an untouched Active would deactivate every record it updates.
 */
export function mapperFields(fields: readonly FieldSpec[]): ResourceMapperField[] {
	return fields.map((field) => ({
		id: field.id,
		displayName: field.displayName,
		type: MAPPER_TYPES[field.kind],
		required: field.required === true,
		defaultMatch: field.id === 'external_id',
		canBeUsedToMatch: false,
		display: true,
		removed: field.kind === 'boolean',
		...(field.choices ? { options: field.choices.map((choice) => ({ name: choice, value: choice })) } : {}),
	}));
}

/** The README's table of a record's fields. */
export function fieldTable(fields: readonly FieldSpec[]): string {
	const rows = fields.map(
		(field) =>
			`| ${field.displayName} | \`${pathOf(field).join('.')}\` | ${field.kind}${field.choices ? `: ${field.choices.map((c) => `\`${c}\``).join(', ')}` : ''} | ${field.required ? 'yes' : ''} | ${field.description} |`,
	);
	return ['| field | sent as | kind | required | notes |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

export const isPlainObject = (value: unknown): value is IDataObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A record in Hyfin's request shape, values still as the input gave them (the schema reads them). */
export type RawRecord = Record<string, unknown>;

/** Puts each field's value at its path; an object given for a group is kept, and a field given flat wins over it. */
function nest(spec: RecordSpec, valueOf: (field: FieldSpec) => unknown, groupOf: (group: string) => unknown): RawRecord {
	const raw: RawRecord = {};
	const groups = new Map<string, IDataObject>();
	for (const field of spec.fields) {
		const [first, second] = pathOf(field);
		const value = valueOf(field);
		if (second === undefined) {
			if (value !== undefined) raw[first] = value;
			continue;
		}
		if (!groups.has(first)) {
			let whole = groupOf(first);
			// A reference given as its id alone (a sheet's "Invoice" column holding INV-1) is that id.
			const byId = spec.fields.some((candidate) => pathOf(candidate)[0] === first && pathOf(candidate)[1] === 'external_id');
			if (byId && (typeof whole === 'string' || typeof whole === 'number')) whole = { external_id: whole };
			if (whole !== undefined && whole !== null && !isPlainObject(whole)) {
				// Not an object: kept, so validation reports `invalid <group>`.
				raw[first] = whole;
				continue;
			}
			groups.set(first, isPlainObject(whole) ? { ...whole } : {});
		}
		const group = groups.get(first);
		if (group && value !== undefined) group[second] = value;
	}
	for (const [name, group] of groups) if (Object.keys(group).length > 0 && raw[name] === undefined) raw[name] = group;
	return raw;
}

/** "Map Each Column Manually": the resource mapper's values, one per field id. */
export function fromMappedFields(spec: RecordSpec, values: IDataObject | null | undefined): RawRecord {
	return nest(
		spec,
		(field) => values?.[field.id],
		() => undefined,
	);
}

export interface AutoMapping {
	raw: RawRecord;
	/** Fields that two or more columns claim: the item is not sent rather than guessed. */
	conflicts: Array<{ field: string; columns: string[] }>;
	/** Input columns that no field uses. */
	unmapped: string[];
}

/** Every name a column may have for each field and group, canonical, for one record. */
const columnIndexes = new WeakMap<RecordSpec, Map<string, string>>();

function columnIndex(spec: RecordSpec): Map<string, string> {
	let index = columnIndexes.get(spec);
	if (!index) {
		index = new Map();
		for (const field of spec.fields) {
			for (const name of [field.id, pathOf(field).join('.'), ...(field.columns ?? [])]) index.set(canonical(name), field.id);
		}
		for (const [group, { columns }] of Object.entries(spec.groups ?? {})) {
			for (const name of [group, ...(columns ?? [])]) index.set(canonical(name), `group:${group}`);
		}
		columnIndexes.set(spec, index);
	}
	return index;
}

/**
 * "Map Automatically": input columns named like Hyfin's fields, in any case or spacing
 * (`First Name`, `firstName`, `FIRST_NAME`), or by a common synonym (`Phone`, `E-mail`); a group
 * (`notification_options`, `totals`) may come whole as an object, or as its fields.
 */
export function fromInputItem(spec: RecordSpec, json: IDataObject): AutoMapping {
	const index = columnIndex(spec);
	const columnsByTarget = new Map<string, string[]>();
	const unmapped: string[] = [];
	for (const column of Object.keys(json)) {
		const target = index.get(canonical(column));
		if (!target) {
			unmapped.push(column);
			continue;
		}
		columnsByTarget.set(target, [...(columnsByTarget.get(target) ?? []), column]);
	}
	const conflicts: AutoMapping['conflicts'] = [];
	const value = (target: string) => {
		const columns = columnsByTarget.get(target);
		if (!columns) return undefined;
		if (columns.length > 1) return undefined;
		return json[columns[0]];
	};
	for (const [target, columns] of columnsByTarget) {
		if (columns.length > 1) conflicts.push({ field: target.replace(/^group:/, ''), columns });
	}
	const raw = nest(
		spec,
		(field) => value(field.id),
		(group) => value(`group:${group}`),
	);
	return { raw, conflicts, unmapped };
}

/** Hyfin-style errors and hints for fields that two or more columns claim. */
export function describeConflicts(conflicts: AutoMapping['conflicts']): { errors: string[]; hints: string[] } {
	return {
		errors: conflicts.map(({ field }) => `ambiguous ${field}`),
		hints: conflicts.map(({ field, columns }) => {
			const named = columns.map((column) => `"${column}"`).join(' and ');
			return `Columns ${named} ${columns.length === 2 ? 'both' : 'all'} mean ${field}: rename or remove all but one, or map the fields by hand`;
		}),
	};
}

/** Whether a field holds a text kind (the kinds Send Empty Fields applies to). */
export const isTextKind = (field: FieldSpec) => TEXT_KINDS.has(field.kind);
