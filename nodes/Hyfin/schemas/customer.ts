import { z } from 'zod';

import { formatPhone, isPlausiblePhone, type PhoneFormat } from './phone';

export { countDigits, isPlausiblePhone } from './phone';

/**
 * What Hyfin's Add/Update Customer endpoint accepts, and how values as spreadsheets and forms
 * give them are read. This schema is the single source of a customer record's shape: the request
 * body type is inferred from it, and the node's field list is derived from `customerFields`.
 */

/** The fields of Hyfin's request table, in its order, as the node shows them. */
export const customerFields = [
	{ id: 'external_id', displayName: 'External ID', type: 'string' },
	{ id: 'first_name', displayName: 'First Name', type: 'string' },
	{ id: 'last_name', displayName: 'Last Name', type: 'string' },
	{ id: 'account_name', displayName: 'Account Name', type: 'string' },
	{ id: 'mobile_phone', displayName: 'Mobile Phone', type: 'string' },
	{ id: 'email', displayName: 'Email', type: 'string' },
	{ id: 'notes', displayName: 'Notes', type: 'string' },
	{ id: 'active', displayName: 'Active', type: 'boolean' },
	{ id: 'notify_phone', displayName: 'Notify by Text', type: 'boolean' },
	{ id: 'notify_email', displayName: 'Notify by Email', type: 'boolean' },
] as const;

export type CustomerFieldId = (typeof customerFields)[number]['id'];

/** Hyfin nests the two notification flags; everything else is top level. */
export const notificationFlags = ['notify_phone', 'notify_email'] as const;

/** Hyfin's required fields; the rest may be left out. */
export const requiredFieldIds = ['external_id', 'first_name', 'last_name'] as const;

export const isRequiredField = (id: string) => (requiredFieldIds as readonly string[]).includes(id);

/**
 * How text fields are read (README, "Values as spreadsheets and forms give them"):
 * - text stays the text it is, its surrounding spaces trimmed (non-breaking ones too); in names
 *   and notes inner non-breaking spaces become plain, in ids and phones nothing inside changes.
 *   `1e3` and `12.0` are ids of their own, never the numbers 1000 and 12;
 * - a number (as sheets give numeric cells) becomes its digits, `39772634` → `"39772634"`; one
 *   too large to be exact (over 2^53, about 16 digits) is refused, since its last digits are
 *   already lost;
 * - in ids and phones, text a spreadsheet made of a long number (`1.2223E+10`, and for phones
 *   `12223334444.0`) is refused: its digits may be lost, and a guess could merge two customers.
 */
type TextKind = 'id' | 'phone' | 'text';

/** Trims surrounding spaces (JavaScript's trim covers non-breaking ones); inner ones become plain. */
const trimSpaces = (value: string) => value.replace(/[\u00a0\u2007\u202f]/g, ' ').trim();

/** A number as the text it stands for, `1.2e+10` never; undefined when it cannot be exact. */
function numberToText(value: number): string | undefined {
	if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) return undefined;
	const text = String(value);
	return /e/i.test(text) ? undefined : text;
}

/** Excel's way of showing a long number, `1.22233E+10`: digits past the shown ones are gone. */
const SCIENTIFIC = /^[+-]?\d(\.\d+)?E\+\d+$/i;
/** A whole number a spreadsheet wrote as a decimal, for a phone: `12223334444.0`. */
const DECIMAL_PHONE = /^\d{7,}\.0+$/;

const TEXT_HINT = 'format the column as text (plain text in Google Sheets, Text in Excel), so every digit is kept';

/** What is wrong with a text as an id or a phone, or undefined. */
function numberLikeProblem(text: string, kind: TextKind, label: string): string | undefined {
	if (kind === 'text') return undefined;
	if (SCIENTIFIC.test(text))
		return `${label} "${text}" is a long number in a spreadsheet's scientific notation, so digits may be lost: ${TEXT_HINT}`;
	if (kind === 'phone' && DECIMAL_PHONE.test(text))
		return `${label} "${text}" is a number a spreadsheet wrote with a decimal point: ${TEXT_HINT}`;
	return undefined;
}

/** Reads a text field; blank becomes `undefined` (left out) or `''` (sent empty). */
const readText = (keepEmpty: boolean, kind: TextKind, label: string) => (value: unknown, ctx: z.RefinementCtx) => {
	if (value === undefined) return undefined;
	if (value === null) return keepEmpty ? '' : undefined;
	if (typeof value === 'bigint') return value.toString();
	if (typeof value === 'number' && Number.isFinite(value)) {
		const text = numberToText(value);
		if (text !== undefined) return text;
		ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${label} is a number with too many digits to be read exactly: ${TEXT_HINT}` });
		return z.NEVER;
	}
	if (typeof value !== 'string') return value;
	const text = kind === 'text' ? trimSpaces(value) : value.trim();
	if (text === '') return keepEmpty ? '' : undefined;
	const problem = numberLikeProblem(text, kind, label);
	if (problem === undefined) return text;
	ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
	return z.NEVER;
};

/** The record's external_id as it will be sent, for naming an item in messages; null when blank or unreadable. */
export function readExternalId(value: unknown): string | null {
	if (typeof value === 'string') return value.trim() || null;
	if (typeof value === 'number') return numberToText(value) ?? null;
	return typeof value === 'bigint' ? value.toString() : null;
}

// `x` and the check marks are how people tick a spreadsheet cell; `on` is what an HTML checkbox sends.
const TRUE_WORDS = new Set(['true', 'yes', '1', 'y', 'on', 'x', '✓', '✔', 'checked']);
const FALSE_WORDS = new Set(['false', 'no', '0', 'n', 'off']);

/** Reads a boolean as sheets and forms give one: `TRUE`, `yes`, `1`, `0`, a real boolean. */
function readBoolean(value: unknown) {
	if (value === null || value === undefined) return undefined;
	if (typeof value === 'boolean') return value;
	if (value === 1 || value === 0) return value === 1;
	// A form's checkbox field gives the ticked options: one ticked is yes, none is no.
	if (Array.isArray(value) && value.length <= 1) return value.length === 1;
	if (typeof value !== 'string') return value;
	const word = trimSpaces(value).toLowerCase();
	if (word === '') return undefined;
	if (TRUE_WORDS.has(word)) return true;
	if (FALSE_WORDS.has(word)) return false;
	return value;
}

const textField = (keepEmpty: boolean, id: CustomerFieldId, hint: string, kind: TextKind = 'text') =>
	z.preprocess(readText(keepEmpty, kind, labelOf([id])), z.string({ invalid_type_error: hint }).optional());

type WithRequired<T, K extends keyof T> = T & { [P in K]-?: NonNullable<T[P]> };

const booleanField = (label: string) =>
	z.preprocess(readBoolean, z.boolean({ invalid_type_error: `${label} must be true or false (yes/no and 1/0 work too)` }).optional());

// A local part, an @, a domain with a dot; Hyfin's own rules are not documented.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const labelOf = (path: Array<string | number>) => {
	const id = path[path.length - 1];
	return customerFields.find((field) => field.id === id)?.displayName ?? String(id);
};

export interface CustomerSchemaOptions {
	/** Send blank optional text fields as `""` instead of leaving them out. */
	sendEmptyFields?: boolean;
	phoneFormat?: PhoneFormat;
	/** For E.164: the country code of numbers given without one. */
	defaultCountryCode?: string;
}

export function customerSchema(options: CustomerSchemaOptions = {}) {
	const keepEmpty = options.sendEmptyFields === true;
	const phoneFormat = options.phoneFormat ?? 'asGiven';
	return z
		.object({
			// Required fields are checked below, with the other rules, so one pass reports every problem.
			external_id: textField(false, 'external_id', 'External ID must be text or a number', 'id'),
			first_name: textField(false, 'first_name', 'First Name must be text or a number'),
			last_name: textField(false, 'last_name', 'Last Name must be text or a number'),
			account_name: textField(keepEmpty, 'account_name', 'Account Name must be text'),
			mobile_phone: textField(keepEmpty, 'mobile_phone', 'Mobile Phone must be text or a number', 'phone').refine(
				(phone) => !phone || isPlausiblePhone(phone),
				'Mobile Phone needs 7 to 15 digits (spaces, dashes, dots, slashes, brackets and a leading + are fine)',
			),
			email: textField(keepEmpty, 'email', 'Email must be text').refine(
				(email) => !email || EMAIL.test(email),
				'Email must look like name@example.com',
			),
			notes: textField(keepEmpty, 'notes', 'Notes must be text'),
			active: booleanField('Active'),
			notification_options: z.preprocess(
				(value) => (value === null ? undefined : value),
				z
					.object(
						{
							notify_phone: booleanField('Notify by Text'),
							notify_email: booleanField('Notify by Email'),
						},
						{
							invalid_type_error:
								'Notification Options must be an object like { "notify_phone": true, "notify_email": false }, or use flat notify_phone / notify_email fields',
						},
					)
					.optional(),
			),
		})
		.superRefine((customer, ctx) => {
			for (const field of requiredFieldIds) {
				if (customer[field]) continue;
				ctx.addIssue({
					code: z.ZodIssueCode.custom,
					path: [field],
					message: `${labelOf([field])} is required: map a value to it`,
					params: { missing: true },
				});
			}
			const phone = customer.mobile_phone;
			if (phone && phoneFormat === 'e164' && !/^\+\d{8,15}$/.test(formatPhone(phone, 'e164', options.defaultCountryCode))) {
				ctx.addIssue({
					code: z.ZodIssueCode.custom,
					path: ['mobile_phone'],
					message: 'Mobile Phone does not make an E.164 number with the default country code in front: give it with its + country code',
				});
			}
			const notify = customer.notification_options;
			if (notify?.notify_phone === true && !customer.mobile_phone) {
				ctx.addIssue({
					code: z.ZodIssueCode.custom,
					path: ['mobile_phone'],
					message: 'Notify by Text is on, so Mobile Phone is required: map a phone number or turn Notify by Text off',
					params: { missing: true },
				});
			}
			if (notify?.notify_email === true && !customer.email) {
				ctx.addIssue({
					code: z.ZodIssueCode.custom,
					path: ['email'],
					message: 'Notify by Email is on, so Email is required: map an email address or turn Notify by Email off',
					params: { missing: true },
				});
			}
		})
		.transform((customer) => {
			if (customer.mobile_phone) customer.mobile_phone = formatPhone(customer.mobile_phone, phoneFormat, options.defaultCountryCode);
			return customer as WithRequired<typeof customer, (typeof requiredFieldIds)[number]>;
		});
}

/** The body of an Add/Update Customer request. */
export type CustomerRecord = z.output<ReturnType<typeof customerSchema>>;

export type CustomerParseResult =
	| { ok: true; customer: CustomerRecord }
	| {
			ok: false;
			/** Hyfin's own style: `missing last_name`, `invalid email`. */
			errors: string[];
			/** One sentence per problem, naming the field and what to do. */
			hints: string[];
	  };

/** Schemas by their options: building one costs more than using it, and a run uses one or two. */
const schemas = new Map<string, ReturnType<typeof customerSchema>>();

function schemaFor(options: CustomerSchemaOptions) {
	const key = JSON.stringify([options.sendEmptyFields === true, options.phoneFormat ?? 'asGiven', options.defaultCountryCode ?? '']);
	let schema = schemas.get(key);
	if (!schema) {
		if (schemas.size >= 32) schemas.clear();
		schema = customerSchema(options);
		schemas.set(key, schema);
	}
	return schema;
}

/** Validates and coerces one record in Hyfin's request shape (notification flags nested). */
export function parseCustomer(raw: Record<string, unknown>, options: CustomerSchemaOptions = {}): CustomerParseResult {
	const schema = schemaFor(options);
	const errors: string[] = [];
	const hints: string[] = [];
	const reported = new Set<string>();
	let input = raw;
	// zod stops at a value of the wrong type before the record-wide rules run; so the field is set
	// aside and the rest checked again, to report every problem of the record at once.
	for (let pass = 0; pass < 3; pass++) {
		const result = schema.safeParse(input);
		if (result.success) {
			if (pass === 0) return { ok: true, customer: withoutUndefined(result.data) };
			break;
		}
		const wrongType = new Set<string>();
		for (const issue of result.error.issues) {
			const field = String(issue.path[0]);
			// A field set aside is reported already; without it, the next pass would call it missing.
			if (reported.has(field)) continue;
			const missing = issue.code === 'custom' && issue.params?.missing === true;
			const error = `${missing ? 'missing' : 'invalid'} ${issue.path.join('.')}`;
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
function withoutUndefined(customer: CustomerRecord): CustomerRecord {
	const clean = Object.fromEntries(Object.entries(customer).filter(([, value]) => value !== undefined));
	if (customer.notification_options) {
		const flags = Object.entries(customer.notification_options).filter(([, value]) => value !== undefined);
		if (flags.length === 0) delete clean.notification_options;
		else clean.notification_options = Object.fromEntries(flags);
	}
	return clean as CustomerRecord;
}
