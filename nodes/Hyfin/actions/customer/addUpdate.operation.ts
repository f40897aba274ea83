import type { INodeProperties } from 'n8n-workflow';

import { CUSTOMER, parseCustomer } from '../../schemas/customer';
import type { PhoneFormat } from '../../schemas/phone';
import type { ItemOptions } from '../options';
import { upsertOperation } from '../upsert';

/** Customer → Add or Update: `POST {base_url}/api/v3/site/{site_id}/customer/addUpdate`, once per item. */

const phoneOptions: INodeProperties[] = [
	{
		displayName: 'Default Country Code',
		name: 'defaultCountryCode',
		type: 'string',
		default: '1',
		placeholder: '44',
		description: 'With Phone Format E.164: the country calling code of numbers given without one (1 for the US and Canada)',
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
];

interface CustomerOptions extends ItemOptions {
	defaultCountryCode?: string | null;
	phoneFormat?: PhoneFormat;
}

const COUNTRY_CODE = /^\+?\d{1,3}$/;

export const operation = {
	name: 'Add or Update',
	value: 'addUpdate',
	description: 'Add a customer, or update the one with the same external ID',
	action: 'Add or update a customer',
};

export const { description, execute } = upsertOperation<CustomerOptions>({
	resource: 'customer',
	spec: CUSTOMER,
	endpoint: 'customer/addUpdate',
	mapperMethod: 'getCustomerFields',
	fieldsHelp:
		"Map each field by hand (expressions work), or map automatically from input fields named like Hyfin's: external_ID, first_name, last_name, account_name, mobile_phone, email, notes, active, and notify_phone / notify_email (flat, or nested in notification_options)",
	options: phoneOptions,
	// Keyed by external_id: sending the same customer twice leaves the same customer.
	repeatable: true,
	parse(raw, options, itemIndex) {
		const phoneFormat = options.phoneFormat ?? 'asGiven';
		const defaultCountryCode = options.defaultCountryCode === undefined ? '1' : options.defaultCountryCode?.trim();
		if (phoneFormat === 'e164' && (defaultCountryCode === undefined || !COUNTRY_CODE.test(defaultCountryCode))) {
			const given = defaultCountryCode === undefined ? 'empty' : `"${defaultCountryCode}"`;
			return {
				ok: false,
				failed: `The option "Default Country Code" must be a country calling code of 1 to 3 digits, such as 44, but for item ${itemIndex} it is ${given}`,
			};
		}
		const parsed = parseCustomer(raw, { sendEmptyFields: options.sendEmptyFields, phoneFormat, defaultCountryCode });
		return parsed.ok ? { ok: true, record: parsed.customer } : parsed;
	},
});
