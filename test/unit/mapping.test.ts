import type { IDataObject } from 'n8n-workflow';

import { fromInputItem, fromMappedFields } from '../../nodes/Hyfin/actions/customer/mapping';
import { parseCustomer } from '../../nodes/Hyfin/schemas/customer';

const base = { external_id: 'C-1', first_name: 'Ana', last_name: 'Lopez' };

describe('fromMappedFields ("Map Each Field Manually")', () => {
	it('copies every top-level field as given, values untouched', () => {
		const values = {
			external_id: 39772634,
			first_name: '  Ana ',
			last_name: 'Lopez',
			account_name: '',
			mobile_phone: '111-222-3333',
			email: 'ana@example.com',
			notes: 'line 1\nline 2',
			active: 'yes',
		};
		expect(fromMappedFields(values)).toStrictEqual(values);
	});

	it('nests the flat notify flags into notification_options', () => {
		expect(fromMappedFields({ ...base, notify_phone: true, notify_email: 'no' })).toStrictEqual({
			...base,
			notification_options: { notify_phone: true, notify_email: 'no' },
		});
	});

	it('nests a single flag alone', () => {
		expect(fromMappedFields({ ...base, notify_email: false })).toStrictEqual({
			...base,
			notification_options: { notify_email: false },
		});
	});

	it('leaves notification_options out when neither flag is mapped', () => {
		expect(fromMappedFields({ ...base })).toStrictEqual({ ...base });
	});

	it('keeps null values (the schema reads them as blank)', () => {
		expect(fromMappedFields({ ...base, email: null, notify_phone: null })).toStrictEqual({
			...base,
			email: null,
			notification_options: { notify_phone: null },
		});
	});

	it('leaves undefined values out', () => {
		expect(fromMappedFields({ ...base, email: undefined, notify_phone: undefined })).toStrictEqual({ ...base });
	});

	it('ignores keys that are not Hyfin fields', () => {
		expect(fromMappedFields({ ...base, _id: 'x', row_number: 3, Email: 'x@example.com' })).toStrictEqual({ ...base });
	});

	it('ignores a notification_options key among the mapped values (only the flat flags count)', () => {
		expect(fromMappedFields({ ...base, notification_options: { notify_phone: true } })).toStrictEqual({ ...base });
	});

	it.each([
		['null', null],
		['undefined', undefined],
	])('reads %s values as an empty record', (_, values) => {
		expect(fromMappedFields(values)).toStrictEqual({});
	});
});

const rawOf = (json: IDataObject) => fromInputItem(json).raw;

describe('fromInputItem ("Map Automatically")', () => {
	it('copies input keys named exactly like Hyfin’s fields', () => {
		const json = {
			...base,
			account_name: 'ABC Company',
			mobile_phone: 12223334444,
			email: 'ana@example.com',
			notes: 'VIP',
			active: 'TRUE',
		};
		expect(rawOf(json)).toStrictEqual(json);
	});

	it('keeps nested notification_options as Hyfin’s sample has them', () => {
		const json = { ...base, notification_options: { notify_phone: true, notify_email: false } };
		expect(rawOf(json)).toStrictEqual(json);
	});

	it('copies nested notification_options instead of sharing the input’s object', () => {
		const nested = { notify_phone: true };
		const raw = rawOf({ ...base, notification_options: nested });
		expect(raw.notification_options).not.toBe(nested);
		expect(raw.notification_options).toStrictEqual({ notify_phone: true });
	});

	it('reads a null notification_options as not given, so flat flags still count', () => {
		expect(rawOf({ ...base, notification_options: null, notify_phone: true })).toStrictEqual({
			...base,
			notification_options: { notify_phone: true },
		});
	});

	it('nests flat notify_phone / notify_email keys', () => {
		expect(rawOf({ ...base, notify_phone: 'yes', notify_email: 0 })).toStrictEqual({
			...base,
			notification_options: { notify_phone: 'yes', notify_email: 0 },
		});
	});

	it('merges a flat flag with the other flag given nested', () => {
		expect(rawOf({ ...base, notification_options: { notify_phone: true }, notify_email: true })).toStrictEqual({
			...base,
			notification_options: { notify_phone: true, notify_email: true },
		});
	});

	it('lets a flat flag win over the same flag nested', () => {
		expect(
			rawOf({
				...base,
				notification_options: { notify_phone: true, notify_email: true },
				notify_phone: false,
			}),
		).toStrictEqual({ ...base, notification_options: { notify_phone: false, notify_email: true } });
	});

	it('leaves an empty nested notification_options out', () => {
		expect(rawOf({ ...base, notification_options: {} })).toStrictEqual({ ...base });
	});

	it.each<[string, unknown]>([
		['a string', 'yes'],
		['a boolean', true],
		['an array', [true, false]],
	])('keeps a notification_options that is %s, for validation to reject', (_, value) => {
		const raw = rawOf({ ...base, notification_options: value } as IDataObject);
		expect(raw).toStrictEqual({ ...base, notification_options: value });
		const parsed = parseCustomer(raw);
		expect(parsed.ok).toBe(false);
		if (!parsed.ok) expect(parsed.errors).toStrictEqual(['invalid notification_options']);
	});

	it('ignores columns that are not Hyfin fields, and lists them', () => {
		const json = { ...base, row_number: 7, _id: '60f720d248f143332af022e0', created_at: '2021-07-20T10:00:00Z' };
		expect(fromInputItem(json)).toStrictEqual({
			raw: { ...base },
			conflicts: [],
			unmapped: ['row_number', '_id', 'created_at'],
		});
	});

	it('keeps null values and leaves undefined ones out', () => {
		expect(rawOf({ ...base, account_name: null, notes: undefined })).toStrictEqual({
			...base,
			account_name: null,
		});
	});

	it('gives a record the schema accepts, end to end', () => {
		const json = { ...base, mobile_phone: 12223334444, notify_phone: 'Yes', row_number: 2 };
		expect(parseCustomer(rawOf(json))).toStrictEqual({
			ok: true,
			customer: { ...base, mobile_phone: '12223334444', notification_options: { notify_phone: true } },
		});
	});
});

describe('fromInputItem: columns as spreadsheets and forms name them', () => {
	it.each<[string, string]>([
		['First Name', 'first_name'],
		['firstName', 'first_name'],
		['FIRST_NAME', 'first_name'],
		['first-name', 'first_name'],
		['Given Name', 'first_name'],
		['Surname', 'last_name'],
		['Family Name', 'last_name'],
		['lastName', 'last_name'],
		['Customer ID', 'external_id'],
		['customerId', 'external_id'],
		['External ID', 'external_id'],
		['Company', 'account_name'],
		['Business Name', 'account_name'],
		['Phone', 'mobile_phone'],
		['Mobile', 'mobile_phone'],
		['Cell', 'mobile_phone'],
		['Mobile Number', 'mobile_phone'],
		['mobilePhone', 'mobile_phone'],
		['E-mail', 'email'],
		['Email Address', 'email'],
		['EMAIL', 'email'],
		['Notes', 'notes'],
		['Is Active', 'active'],
		['Notify by Text', 'notify_phone'],
		['Notify by Email', 'notify_email'],
	])('reads a column named "%s" as %s', (column, field) => {
		const { raw, conflicts, unmapped } = fromInputItem({ [column]: 'v' });
		const expected = field.startsWith('notify_') ? { notification_options: { [field]: 'v' } } : { [field]: 'v' };
		expect({ raw, conflicts, unmapped }).toStrictEqual({ raw: expected, conflicts: [], unmapped: [] });
	});

	it("reads a whole sheet row with everyday headers into Hyfin's fields", () => {
		const row = {
			'Customer ID': 1042,
			'First Name': 'Ana',
			Surname: 'Lopez',
			Company: 'Lopez Auto Repair',
			'Mobile Number': '(305) 555-0177',
			'E-mail': 'ANA@LOPEZAUTO.EXAMPLE',
			'Notify by Text': 'Yes',
			row_number: 3,
		};
		expect(fromInputItem(row)).toStrictEqual({
			raw: {
				external_id: 1042,
				first_name: 'Ana',
				last_name: 'Lopez',
				account_name: 'Lopez Auto Repair',
				mobile_phone: '(305) 555-0177',
				email: 'ANA@LOPEZAUTO.EXAMPLE',
				notification_options: { notify_phone: 'Yes' },
			},
			conflicts: [],
			unmapped: ['row_number'],
		});
	});

	it('does not guess when two columns claim one field: it names both', () => {
		expect(fromInputItem({ ...base, Phone: '111', Mobile: '222', email: 'a@b.co', 'E-mail': 'c@d.co' })).toStrictEqual({
			raw: { ...base },
			conflicts: [
				{ field: 'mobile_phone', columns: ['Phone', 'Mobile'] },
				{ field: 'email', columns: ['email', 'E-mail'] },
			],
			unmapped: [],
		});
	});
});
