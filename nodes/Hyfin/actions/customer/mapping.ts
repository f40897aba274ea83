import type { IDataObject } from 'n8n-workflow';

import { customerFields, notificationFlags, type CustomerFieldId } from '../../schemas/customer';

/** A record in Hyfin's request shape, values still as the input gave them (the schema reads them). */
export type RawCustomer = Record<string, unknown>;

/** Where Hyfin nests the two notification flags. */
type NestedFlags = 'notification_options';

type Target = CustomerFieldId | NestedFlags;

/**
 * Column names that mean a Hyfin field, compared in canonical form (see `canonical`): Hyfin's own
 * name and the names spreadsheets, forms and CRMs commonly use.
 */
const COLUMN_NAMES: Record<Target, string[]> = {
	external_id: ['externalid', 'customerid', 'customernumber', 'customerno'],
	first_name: ['firstname', 'givenname', 'forename'],
	last_name: ['lastname', 'surname', 'familyname'],
	account_name: ['accountname', 'company', 'companyname', 'business', 'businessname', 'organization', 'organisation'],
	mobile_phone: ['mobilephone', 'phone', 'mobile', 'cell', 'cellphone', 'mobilenumber', 'phonenumber', 'cellnumber', 'mobilephonenumber'],
	email: ['email', 'emailaddress'],
	notes: ['notes', 'note'],
	active: ['active', 'isactive'],
	notify_phone: ['notifyphone', 'notifybytext', 'notifytext', 'notifybysms'],
	notify_email: ['notifyemail', 'notifybyemail'],
	notification_options: ['notificationoptions'],
};

/** `First Name`, `firstName`, `FIRST_NAME`, `first-name` → `firstname`. */
export function canonical(column: string): string {
	return column
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.toLowerCase()
		.replace(/[\s_\-.:/]+/g, '');
}

const FIELD_BY_NAME = new Map<string, Target>(
	Object.entries(COLUMN_NAMES).flatMap(([field, names]) => names.map((name) => [name, field as CustomerFieldId])),
);

const isFlag = (id: string): id is (typeof notificationFlags)[number] => (notificationFlags as readonly string[]).includes(id);

/** Nests the two notification flags as Hyfin does; a flat flag wins over the nested one. */
function nest(fields: Partial<Record<Target, unknown>>): RawCustomer {
	const raw: RawCustomer = {};
	const nested = fields.notification_options ?? undefined;
	const flags: IDataObject = isPlainObject(nested) ? { ...nested } : {};
	for (const field of customerFields) {
		const value = fields[field.id];
		if (value === undefined) continue;
		if (isFlag(field.id)) flags[field.id] = value;
		else raw[field.id] = value;
	}
	if (nested !== undefined && !isPlainObject(nested)) {
		// Not an object: keep it so validation reports `invalid notification_options`.
		raw.notification_options = nested;
	} else if (Object.keys(flags).length > 0) {
		raw.notification_options = flags;
	}
	return raw;
}

/** "Map Each Column Manually": the resource mapper's values, one per field id. */
export function fromMappedFields(values: IDataObject | null | undefined): RawCustomer {
	const fields: Partial<Record<CustomerFieldId, unknown>> = {};
	for (const field of customerFields) fields[field.id] = values?.[field.id];
	return nest(fields);
}

export interface AutoMapping {
	raw: RawCustomer;
	/** Fields that two or more columns claim: the item is not sent rather than guessed. */
	conflicts: Array<{ field: Target; columns: string[] }>;
	/** Input columns that no field uses. */
	unmapped: string[];
}

/**
 * "Map Automatically": input columns named like Hyfin's fields, in any case or spacing
 * (`First Name`, `firstName`, `FIRST_NAME`), or by a common synonym (`Phone`, `E-mail`, `Company`).
 * The flags may come nested as `notification_options`, as Hyfin's own sample has them, or flat.
 */
export function fromInputItem(json: IDataObject): AutoMapping {
	const columnsByField = new Map<Target, string[]>();
	const unmapped: string[] = [];
	for (const column of Object.keys(json)) {
		const field = FIELD_BY_NAME.get(canonical(column));
		if (!field) {
			unmapped.push(column);
			continue;
		}
		columnsByField.set(field, [...(columnsByField.get(field) ?? []), column]);
	}
	const fields: Partial<Record<Target, unknown>> = {};
	const conflicts: AutoMapping['conflicts'] = [];
	for (const [field, columns] of columnsByField) {
		if (columns.length > 1) conflicts.push({ field, columns });
		else fields[field] = json[columns[0]];
	}
	return { raw: nest(fields), conflicts, unmapped };
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

function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
