import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import { formatPhone, type PhoneFormat } from './phone';
import { MISSING, parseWith, recordSchema, schemaCache, type FieldSpec, type ReadOptions, type RecordSpec } from './record';

export { countDigits, isPlausiblePhone } from './phone';
export { readExternalId } from './values';

/**
 * What Hyfin's Add/Update Customer endpoint accepts (shared/hyfin-api/customer-addUpdate.txt).
 * This table is the single source of a customer record's shape: its schema, its fields in the
 * node, the columns Map Automatically knows and its README table are made from it.
 */
export const customerFields = [
	{
		id: 'external_id',
		displayName: 'External ID',
		kind: 'id',
		required: true,
		invalid: 'External ID must be text or a number',
		columns: ['customerid', 'customernumber', 'customerno'],
		description: "The customer's id in your system; a customer with the same external ID is updated, otherwise one is added",
	},
	{
		id: 'first_name',
		displayName: 'First Name',
		kind: 'text',
		required: true,
		invalid: 'First Name must be text or a number',
		columns: ['givenname', 'forename'],
		description: '',
	},
	{
		id: 'last_name',
		displayName: 'Last Name',
		kind: 'text',
		required: true,
		invalid: 'Last Name must be text or a number',
		columns: ['surname', 'familyname'],
		description: '',
	},
	{
		id: 'account_name',
		displayName: 'Account Name',
		kind: 'text',
		columns: ['company', 'companyname', 'business', 'businessname', 'organization', 'organisation'],
		description: 'For a business: an extra identifier, e.g. 123 Main Street or ABC Company',
	},
	{
		id: 'mobile_phone',
		displayName: 'Mobile Phone',
		kind: 'phone',
		invalid: 'Mobile Phone must be text or a number',
		columns: ['phone', 'mobile', 'cell', 'cellphone', 'mobilenumber', 'phonenumber', 'cellnumber', 'mobilephonenumber'],
		description: 'Required when Notify by Text is on; 7 to 15 digits; sent as the Phone Format option says',
	},
	{
		id: 'email',
		displayName: 'Email',
		kind: 'email',
		columns: ['emailaddress'],
		description: 'Required when Notify by Email is on',
	},
	{ id: 'notes', displayName: 'Notes', kind: 'text', columns: ['note'], description: 'Internal notes, seen by the merchant only' },
	{
		id: 'active',
		displayName: 'Active',
		kind: 'boolean',
		columns: ['isactive'],
		description: 'Hyfin: default true; left out unless given',
	},
	{
		id: 'notify_phone',
		displayName: 'Notify by Text',
		kind: 'boolean',
		path: ['notification_options', 'notify_phone'],
		columns: ['notifybytext', 'notifytext', 'notifybysms'],
		description: 'Whether Hyfin texts the customer payment requests',
	},
	{
		id: 'notify_email',
		displayName: 'Notify by Email',
		kind: 'boolean',
		path: ['notification_options', 'notify_email'],
		columns: ['notifybyemail'],
		description: 'Whether Hyfin emails the customer payment requests',
	},
] as const satisfies readonly FieldSpec[];

export type CustomerFieldId = (typeof customerFields)[number]['id'];

export const CUSTOMER: RecordSpec = {
	name: 'customer',
	fields: customerFields,
	groups: {
		notification_options: {
			invalid:
				'Notification Options must be an object like { "notify_phone": true, "notify_email": false }, or use flat notify_phone / notify_email fields',
		},
	},
};

/** Hyfin's required fields; the rest may be left out. */
export const requiredFieldIds = ['external_id', 'first_name', 'last_name'] as const;

export const isRequiredField = (id: string) => (requiredFieldIds as readonly string[]).includes(id);

export interface CustomerSchemaOptions extends ReadOptions {
	phoneFormat?: PhoneFormat;
	/** For E.164: the country code of numbers given without one. */
	defaultCountryCode?: string;
}

/** The customer's rules beyond each field's own: a phone for texts, an email for emails, E.164. */
export function customerRules(options: CustomerSchemaOptions) {
	return (customer: IDataObject, ctx: z.RefinementCtx, prefix: string[] = []) => {
		const phone = customer.mobile_phone as string | undefined;
		if (phone && options.phoneFormat === 'e164' && !/^\+\d{8,15}$/.test(formatPhone(phone, 'e164', options.defaultCountryCode))) {
			ctx.addIssue({
				code: z.ZodIssueCode.custom,
				path: [...prefix, 'mobile_phone'],
				message: 'Mobile Phone does not make an E.164 number with the default country code in front: give it with its + country code',
			});
		}
		const notify = customer.notification_options as { notify_phone?: boolean; notify_email?: boolean } | undefined;
		if (notify?.notify_phone === true && !phone) {
			ctx.addIssue({
				code: z.ZodIssueCode.custom,
				path: [...prefix, 'mobile_phone'],
				message: 'Notify by Text is on, so Mobile Phone is required: map a phone number or turn Notify by Text off',
				params: MISSING,
			});
		}
		if (notify?.notify_email === true && !customer.email) {
			ctx.addIssue({
				code: z.ZodIssueCode.custom,
				path: [...prefix, 'email'],
				message: 'Notify by Email is on, so Email is required: map an email address or turn Notify by Email off',
				params: MISSING,
			});
		}
	};
}

export function customerSchema(options: CustomerSchemaOptions = {}) {
	const phoneFormat = options.phoneFormat ?? 'asGiven';
	return recordSchema(CUSTOMER, options, customerRules(options)).transform((customer: IDataObject) => {
		if (customer.mobile_phone)
			customer.mobile_phone = formatPhone(customer.mobile_phone as string, phoneFormat, options.defaultCountryCode);
		return customer;
	});
}

/** The body of an Add/Update Customer request. */
export interface CustomerRecord extends IDataObject {
	external_id: string;
	first_name: string;
	last_name: string;
}

export type CustomerParseResult = { ok: true; customer: CustomerRecord } | { ok: false; errors: string[]; hints: string[] };

const schemaFor = schemaCache(customerSchema, (options: CustomerSchemaOptions) =>
	JSON.stringify([options.sendEmptyFields === true, options.phoneFormat ?? 'asGiven', options.defaultCountryCode ?? '']),
);

/** Validates and coerces one record in Hyfin's request shape (notification flags nested). */
export function parseCustomer(raw: Record<string, unknown>, options: CustomerSchemaOptions = {}): CustomerParseResult {
	const result = parseWith<CustomerRecord>(schemaFor(options), raw);
	return result.ok ? { ok: true, customer: result.record } : result;
}
