import { countDigits, isPlausiblePhone, isRequiredField, parseCustomer, readExternalId } from '../../nodes/Hyfin/schemas/customer';

/** The three required fields, valid; each test adds or breaks what it is about. */
const base = { external_id: 'C-1', first_name: 'Ana', last_name: 'Lopez' } as const;

const accepted = (customer: Record<string, unknown>) => ({ ok: true, customer });
const rejected = (errors: string[], hints: string[]) => ({ ok: false, errors, hints });

const BOOLEAN_HINT = 'must be true or false (yes/no and 1/0 work too)';
const PHONE_HINT = 'Mobile Phone needs 7 to 15 digits (spaces, dashes, dots, slashes, brackets and a leading + are fine)';
const EMAIL_HINT = 'Email must look like name@example.com';
const NOTIFY_PHONE_HINT = 'Notify by Text is on, so Mobile Phone is required: map a phone number or turn Notify by Text off';
const NOTIFICATION_OPTIONS_HINT =
	'Notification Options must be an object like { "notify_phone": true, "notify_email": false }, or use flat notify_phone / notify_email fields';
const NOTIFY_EMAIL_HINT = 'Notify by Email is on, so Email is required: map an email address or turn Notify by Email off';

describe('a valid record', () => {
	it('accepts the three required fields alone and returns exactly them', () => {
		expect(parseCustomer({ ...base })).toStrictEqual(accepted({ ...base }));
	});

	it('accepts every field of Hyfin’s table and returns each unchanged', () => {
		const full = {
			...base,
			account_name: 'ABC Company',
			mobile_phone: '111-222-3333',
			email: 'ana@example.com',
			notes: 'Prefers texts',
			active: false,
			notification_options: { notify_phone: true, notify_email: false },
		};
		expect(parseCustomer(full)).toStrictEqual(accepted(full));
	});

	it('does not change the record it was given', () => {
		const raw = { ...base, first_name: '  Ana  ', active: 'yes' };
		parseCustomer(raw);
		expect(raw).toStrictEqual({ ...base, first_name: '  Ana  ', active: 'yes' });
	});
});

describe('required fields', () => {
	const labels = { external_id: 'External ID', first_name: 'First Name', last_name: 'Last Name' } as const;
	const blanks: Array<[string, unknown]> = [
		['left out', undefined],
		['null', null],
		['an empty string', ''],
		['spaces only', '   '],
		['tabs and newlines only', '\t\n '],
		['non-breaking spaces only', '\u00a0\u202f\u2007'],
	];

	describe.each(Object.entries(labels))('%s', (field, label) => {
		it.each(blanks)(`reports missing ${field} when it is %s`, (_, value) => {
			const raw: Record<string, unknown> = { ...base, [field]: value };
			if (value === undefined) delete raw[field];
			expect(parseCustomer(raw)).toStrictEqual(rejected([`missing ${field}`], [`${label} is required: map a value to it`]));
		});

		it(`reports missing ${field} when blank even with sendEmptyFields`, () => {
			expect(parseCustomer({ ...base, [field]: ' ' }, { sendEmptyFields: true })).toStrictEqual(
				rejected([`missing ${field}`], [`${label} is required: map a value to it`]),
			);
		});
	});

	it('reports all three required fields of an empty record, in Hyfin’s order', () => {
		expect(parseCustomer({})).toStrictEqual(
			rejected(
				['missing external_id', 'missing first_name', 'missing last_name'],
				[
					'External ID is required: map a value to it',
					'First Name is required: map a value to it',
					'Last Name is required: map a value to it',
				],
			),
		);
	});

	it('accepts "0" as a present value (not blank)', () => {
		expect(parseCustomer({ ...base, external_id: 0 })).toStrictEqual(accepted({ ...base, external_id: '0' }));
	});

	it.each([
		['external_id', true],
		['first_name', true],
		['last_name', true],
		['account_name', false],
		['mobile_phone', false],
		['email', false],
		['notes', false],
		['active', false],
	])('isRequiredField(%s) is %s', (field, required) => {
		expect(isRequiredField(field)).toBe(required);
	});
});

describe('text fields', () => {
	it.each([
		['external_id', 'CUST-0042'],
		['first_name', 'Ana'],
		['last_name', 'Lopez'],
		['account_name', '123 Main Street'],
		['mobile_phone', '111-222-3333'],
		['email', 'ana@example.com'],
		['notes', 'Prefers texts'],
	])('accepts a text %s', (field, value) => {
		expect(parseCustomer({ ...base, [field]: value })).toStrictEqual(accepted({ ...base, [field]: value }));
	});

	it.each<[string, unknown, string]>([
		['external_id', 39772634, '39772634'],
		['external_id', BigInt('123456789012345678901'), '123456789012345678901'],
		['mobile_phone', 12223334444, '12223334444'],
		['first_name', 1.5, '1.5'],
		['last_name', -7, '-7'],
		['account_name', 123, '123'],
		['notes', 0.25, '0.25'],
	])('reads %s given as the number %p as the text %p', (field, value, text) => {
		expect(parseCustomer({ ...base, [field]: value })).toStrictEqual(accepted({ ...base, [field]: text }));
	});

	const textHints: Array<[string, string]> = [
		['external_id', 'External ID must be text or a number'],
		['first_name', 'First Name must be text or a number'],
		['last_name', 'Last Name must be text or a number'],
		['account_name', 'Account Name must be text'],
		['mobile_phone', 'Mobile Phone must be text or a number'],
		['email', 'Email must be text'],
		['notes', 'Notes must be text'],
	];
	const notText: Array<[string, unknown]> = [
		['a boolean', true],
		['an object', { value: 'x' }],
		['an array', ['x']],
		['NaN', Number.NaN],
		['Infinity', Number.POSITIVE_INFINITY],
	];
	describe.each(textHints)('%s', (field, hint) => {
		it.each(notText)(`rejects ${field} given as %s`, (_, value) => {
			expect(parseCustomer({ ...base, [field]: value })).toStrictEqual(rejected([`invalid ${field}`], [hint]));
		});
	});

	it.each([
		['surrounding spaces', '  Ana  ', 'Ana'],
		['surrounding tabs and newlines', '\t\nAna\r\n', 'Ana'],
		['surrounding non-breaking spaces', '\u00a0Ana\u00a0', 'Ana'],
		['surrounding figure and narrow non-breaking spaces', '\u2007\u202fAna\u202f', 'Ana'],
		['an inner non-breaking space, made plain', 'Ana\u00a0Maria', 'Ana Maria'],
		['an inner narrow non-breaking space, made plain', 'Ana\u202fMaria', 'Ana Maria'],
		['an inner figure space, made plain', 'Ana\u2007Maria', 'Ana Maria'],
		['inner plain spaces, kept as they are', 'Ana  Maria', 'Ana  Maria'],
	])('trims %s', (_, value, text) => {
		expect(parseCustomer({ ...base, first_name: value })).toStrictEqual(accepted({ ...base, first_name: text }));
	});

	it('keeps the inner newlines of notes and trims only around them', () => {
		expect(parseCustomer({ ...base, notes: '  First line\nSecond line\r\n\nThird  \n' })).toStrictEqual(
			accepted({ ...base, notes: 'First line\nSecond line\r\n\nThird' }),
		);
	});

	it.each(['account_name', 'mobile_phone', 'email', 'notes'])('leaves a blank %s out of the output entirely', (field) => {
		for (const blank of ['', '   ', '\u00a0', null, undefined]) {
			expect(parseCustomer({ ...base, [field]: blank })).toStrictEqual(accepted({ ...base }));
		}
	});

	it('leaves every blank optional field out at once, notification options included', () => {
		const raw = {
			...base,
			account_name: '',
			mobile_phone: '  ',
			email: null,
			notes: '\u00a0',
			active: '',
			notification_options: { notify_phone: '', notify_email: null },
		};
		expect(parseCustomer(raw)).toStrictEqual(accepted({ ...base }));
	});
});

describe('sendEmptyFields', () => {
	it('sends blank optional text fields as ""', () => {
		const raw = { ...base, account_name: '', mobile_phone: '  ', email: '\u00a0', notes: '\n' };
		expect(parseCustomer(raw, { sendEmptyFields: true })).toStrictEqual(
			accepted({ ...base, account_name: '', mobile_phone: '', email: '', notes: '' }),
		);
	});

	it('sends null optional text fields as "", as a cleared mapped field gives them', () => {
		expect(parseCustomer({ ...base, account_name: null, notes: null }, { sendEmptyFields: true })).toStrictEqual(
			accepted({ ...base, account_name: '', notes: '' }),
		);
	});

	it('still leaves out optional fields that are not given at all', () => {
		expect(parseCustomer({ ...base }, { sendEmptyFields: true })).toStrictEqual(accepted({ ...base }));
	});

	it('does not send a blank active', () => {
		expect(parseCustomer({ ...base, active: ' ' }, { sendEmptyFields: true })).toStrictEqual(accepted({ ...base }));
	});

	it('is off unless set to true', () => {
		expect(parseCustomer({ ...base, notes: '' }, { sendEmptyFields: false })).toStrictEqual(accepted({ ...base }));
		expect(parseCustomer({ ...base, notes: '' }, {})).toStrictEqual(accepted({ ...base }));
	});

	it('rejects an empty email when notify_email is true', () => {
		const raw = { ...base, email: '', notification_options: { notify_email: true } };
		expect(parseCustomer(raw, { sendEmptyFields: true })).toStrictEqual(rejected(['missing email'], [NOTIFY_EMAIL_HINT]));
	});

	it('rejects an empty mobile_phone when notify_phone is true', () => {
		const raw = { ...base, mobile_phone: ' ', notification_options: { notify_phone: true } };
		expect(parseCustomer(raw, { sendEmptyFields: true })).toStrictEqual(rejected(['missing mobile_phone'], [NOTIFY_PHONE_HINT]));
	});
});

describe('booleans (active and the notification flags)', () => {
	const trueValues: unknown[] = [
		true,
		'true',
		'TRUE',
		' True ',
		'yes',
		'YES',
		'  yes  ',
		'y',
		'Y',
		'on',
		'ON',
		'1',
		' 1 ',
		1,
		'\u00a0yes\u00a0',
	];
	const falseValues: unknown[] = [
		false,
		'false',
		'FALSE',
		' False ',
		'no',
		'NO',
		' No  ',
		'n',
		'N',
		'off',
		'Off',
		'0',
		' 0 ',
		0,
		'\u00a0no\u00a0',
	];

	it.each(trueValues.map((value) => [value]))('reads active %p as true', (value) => {
		expect(parseCustomer({ ...base, active: value })).toStrictEqual(accepted({ ...base, active: true }));
	});

	it.each(falseValues.map((value) => [value]))('reads active %p as false', (value) => {
		expect(parseCustomer({ ...base, active: value })).toStrictEqual(accepted({ ...base, active: false }));
	});

	it.each(['', '   ', '\u00a0', null, undefined].map((value) => [value]))('leaves active %p out', (value) => {
		expect(parseCustomer({ ...base, active: value })).toStrictEqual(accepted({ ...base }));
	});

	it.each(['maybe', 'yess', 'truee', 'si', '2', 2, -1, 0.5, {}, ['Text me', 'Email me']].map((value) => [value]))(
		'rejects active %p with the hint',
		(value) => {
			expect(parseCustomer({ ...base, active: value })).toStrictEqual(rejected(['invalid active'], [`Active ${BOOLEAN_HINT}`]));
		},
	);

	it.each([
		['notify_phone', 'YES', true],
		['notify_phone', ' 0 ', false],
		['notify_phone', 1, true],
		['notify_email', 'True', true],
		['notify_email', 'no', false],
		['notify_email', 0, false],
	])('reads %s %p as %p', (flag, value, expected) => {
		const raw = { ...base, mobile_phone: '1112223333', email: 'ana@example.com', notification_options: { [flag]: value } };
		expect(parseCustomer(raw)).toStrictEqual(
			accepted({ ...base, mobile_phone: '1112223333', email: 'ana@example.com', notification_options: { [flag]: expected } }),
		);
	});

	it.each([
		['notify_phone', 'Notify by Text'],
		['notify_email', 'Notify by Email'],
	])('rejects a %s that is not a boolean word, naming the nested field', (flag, label) => {
		const raw = { ...base, notification_options: { [flag]: 'sometimes' } };
		expect(parseCustomer(raw)).toStrictEqual(rejected([`invalid notification_options.${flag}`], [`${label} ${BOOLEAN_HINT}`]));
	});
});

describe('conditional rules', () => {
	it('rejects notify_phone without mobile_phone', () => {
		const raw = { ...base, notification_options: { notify_phone: true } };
		expect(parseCustomer(raw)).toStrictEqual(rejected(['missing mobile_phone'], [NOTIFY_PHONE_HINT]));
	});

	it('rejects notify_phone given as "yes" with a blank mobile_phone', () => {
		const raw = { ...base, mobile_phone: '  ', notification_options: { notify_phone: 'yes' } };
		expect(parseCustomer(raw)).toStrictEqual(rejected(['missing mobile_phone'], [NOTIFY_PHONE_HINT]));
	});

	it('accepts notify_phone with a mobile_phone', () => {
		const raw = { ...base, mobile_phone: '111-222-3333', notification_options: { notify_phone: true } };
		expect(parseCustomer(raw)).toStrictEqual(accepted(raw));
	});

	it('accepts notify_phone false without mobile_phone', () => {
		const raw = { ...base, notification_options: { notify_phone: false } };
		expect(parseCustomer(raw)).toStrictEqual(accepted(raw));
	});

	it('rejects notify_email without email', () => {
		const raw = { ...base, notification_options: { notify_email: true } };
		expect(parseCustomer(raw)).toStrictEqual(rejected(['missing email'], [NOTIFY_EMAIL_HINT]));
	});

	it('rejects notify_email given as "1" with a null email', () => {
		const raw = { ...base, email: null, notification_options: { notify_email: '1' } };
		expect(parseCustomer(raw)).toStrictEqual(rejected(['missing email'], [NOTIFY_EMAIL_HINT]));
	});

	it('accepts notify_email with an email', () => {
		const raw = { ...base, email: 'ana@example.com', notification_options: { notify_email: true } };
		expect(parseCustomer(raw)).toStrictEqual(accepted(raw));
	});

	it('accepts notify_email false without email', () => {
		const raw = { ...base, notification_options: { notify_email: false } };
		expect(parseCustomer(raw)).toStrictEqual(accepted(raw));
	});

	it('rejects both flags on with neither contact, phone first', () => {
		const raw = { ...base, notification_options: { notify_phone: true, notify_email: true } };
		expect(parseCustomer(raw)).toStrictEqual(rejected(['missing mobile_phone', 'missing email'], [NOTIFY_PHONE_HINT, NOTIFY_EMAIL_HINT]));
	});

	it('reports an implausible phone with notify_phone on as invalid only, not also missing', () => {
		const raw = { ...base, mobile_phone: '12', notification_options: { notify_phone: true } };
		expect(parseCustomer(raw)).toStrictEqual(rejected(['invalid mobile_phone'], [PHONE_HINT]));
	});
});

describe('all problems in one pass', () => {
	it('reports missing last_name and notify_phone without mobile_phone together', () => {
		const raw = { external_id: 'C-1', first_name: 'Ana', last_name: ' ', notification_options: { notify_phone: true } };
		expect(parseCustomer(raw)).toStrictEqual(
			rejected(['missing last_name', 'missing mobile_phone'], ['Last Name is required: map a value to it', NOTIFY_PHONE_HINT]),
		);
	});

	it('reports invalid formats before missing fields, each in table order', () => {
		const raw = {
			mobile_phone: '12',
			email: 'nope',
			notification_options: { notify_phone: true, notify_email: true },
		};
		expect(parseCustomer(raw)).toStrictEqual(
			rejected(
				['invalid mobile_phone', 'invalid email', 'missing external_id', 'missing first_name', 'missing last_name'],
				[
					PHONE_HINT,
					EMAIL_HINT,
					'External ID is required: map a value to it',
					'First Name is required: map a value to it',
					'Last Name is required: map a value to it',
				],
			),
		);
	});

	it('reports both contacts missing and a required field missing together', () => {
		const raw = { ...base, first_name: '', notification_options: { notify_phone: 'y', notify_email: 'on' } };
		expect(parseCustomer(raw)).toStrictEqual(
			rejected(
				['missing first_name', 'missing mobile_phone', 'missing email'],
				['First Name is required: map a value to it', NOTIFY_PHONE_HINT, NOTIFY_EMAIL_HINT],
			),
		);
	});

	it('still reports missing fields when another field has the wrong type', () => {
		expect(parseCustomer({ ...base, last_name: '', active: 'maybe' })).toStrictEqual(
			rejected(['invalid active', 'missing last_name'], [`Active ${BOOLEAN_HINT}`, 'Last Name is required: map a value to it']),
		);
	});

	it('reports a wrong-typed required field as invalid, not also as missing', () => {
		expect(parseCustomer({ external_id: true, first_name: 'Ana', notification_options: 'yes' })).toStrictEqual(
			rejected(
				['invalid external_id', 'invalid notification_options', 'missing last_name'],
				['External ID must be text or a number', NOTIFICATION_OPTIONS_HINT, 'Last Name is required: map a value to it'],
			),
		);
	});

	it('reports a bad nested flag together with the record-wide rules', () => {
		const raw = { ...base, first_name: '', notification_options: { notify_phone: 'sometimes', notify_email: true } };
		expect(parseCustomer(raw)).toStrictEqual(
			rejected(
				['invalid notification_options.notify_phone', 'missing first_name'],
				[`Notify by Text ${BOOLEAN_HINT}`, 'First Name is required: map a value to it'],
			),
		);
	});

	it('gives the same answer on every run', () => {
		const raw = { last_name: '', email: 'x', active: 'yes' };
		expect(parseCustomer(raw)).toStrictEqual(parseCustomer(raw));
	});
});

describe('mobile_phone plausibility', () => {
	it.each([
		'111-222-3333',
		'(111) 222-3333',
		'+1 222 333 4444',
		'111.222.3333',
		'1112223333',
		'+44 20/7946 0958',
		'1234567',
		'123456789012345',
		'+123456789012345',
	])('accepts %p as given', (phone) => {
		expect(parseCustomer({ ...base, mobile_phone: phone })).toStrictEqual(accepted({ ...base, mobile_phone: phone }));
	});

	it.each([
		['6 digits', '123456'],
		['16 digits', '1234567890123456'],
		['16 digits with separators', '+1 (234) 567-890-123-456'],
		['a letter', '111-222-333x'],
		['words', 'call me'],
		['an extension', '1112223333 ext 4'],
		['a + not at the start', '1+2223334444'],
		['two leading +', '++12223334444'],
		['a number with too few digits', 123456],
	])('rejects a phone with %s', (_, phone) => {
		expect(parseCustomer({ ...base, mobile_phone: phone })).toStrictEqual(rejected(['invalid mobile_phone'], [PHONE_HINT]));
	});

	it.each([
		['1234567', true],
		['123456', false],
		['+1 (222) 333-4444', true],
		['123456789012345', true],
		['1234567890123456', false],
		['111-222-333x', false],
	])('isPlausiblePhone(%p) is %p', (phone, plausible) => {
		expect(isPlausiblePhone(phone)).toBe(plausible);
	});

	it('countDigits counts only the digits', () => {
		expect(countDigits('+1 (222) 333-4444')).toBe(11);
	});
});

describe('email plausibility', () => {
	it.each(['ana@example.com', 'ana.lopez+tag@mail.example.co.uk', 'a@b.c'])('accepts %p', (email) => {
		expect(parseCustomer({ ...base, email })).toStrictEqual(accepted({ ...base, email }));
	});

	it('trims an email before checking it', () => {
		expect(parseCustomer({ ...base, email: '\u00a0ana@example.com ' })).toStrictEqual(accepted({ ...base, email: 'ana@example.com' }));
	});

	it.each([
		['no @', 'ana.example.com'],
		['no dot in the domain', 'ana@example'],
		['nothing before the @', '@example.com'],
		['a space inside', 'ana lopez@example.com'],
		['two @', 'ana@@example.com'],
		['a number', 12345],
	])('rejects an email with %s', (_, email) => {
		expect(parseCustomer({ ...base, email })).toStrictEqual(rejected(['invalid email'], [EMAIL_HINT]));
	});
});

describe('notification_options', () => {
	it('keeps only notify_phone when only notify_phone is given', () => {
		const raw = { ...base, mobile_phone: '1112223333', notification_options: { notify_phone: true } };
		expect(parseCustomer(raw)).toStrictEqual(accepted(raw));
	});

	it('keeps only notify_email when only notify_email is given', () => {
		const raw = { ...base, notification_options: { notify_email: false } };
		expect(parseCustomer(raw)).toStrictEqual(accepted(raw));
	});

	it('keeps only the flag that is not blank', () => {
		const raw = { ...base, notification_options: { notify_phone: ' ', notify_email: 'no' } };
		expect(parseCustomer(raw)).toStrictEqual(accepted({ ...base, notification_options: { notify_email: false } }));
	});

	it('leaves out an empty notification_options', () => {
		expect(parseCustomer({ ...base, notification_options: {} })).toStrictEqual(accepted({ ...base }));
	});

	it('strips unknown keys inside notification_options', () => {
		const raw = { ...base, notification_options: { notify_email: false, notify_fax: true } };
		expect(parseCustomer(raw)).toStrictEqual(accepted({ ...base, notification_options: { notify_email: false } }));
	});

	it.each([
		['a string', 'yes'],
		['a boolean', true],
		['a number', 1],
		['an array', [{ notify_phone: true }]],
	])('rejects notification_options given as %s', (_, value) => {
		expect(parseCustomer({ ...base, notification_options: value })).toStrictEqual(
			rejected(['invalid notification_options'], [NOTIFICATION_OPTIONS_HINT]),
		);
	});

	it("reads a null notification_options as not given, as Hyfin's own answers give nulls", () => {
		expect(parseCustomer({ ...base, notification_options: null })).toStrictEqual(accepted({ ...base }));
	});
});

describe('unknown keys', () => {
	it('strips keys Hyfin does not know', () => {
		const raw = { ...base, _id: '60f720d248f143332af022e0', created_at: '2021-07-20', row_number: 2, Email: 'x' };
		expect(parseCustomer(raw)).toStrictEqual(accepted({ ...base }));
	});
});

describe('readExternalId', () => {
	it.each<[unknown, string | null]>([
		['C-1', 'C-1'],
		['  C-1  ', 'C-1'],
		['\u00a0C-1\u00a0', 'C-1'],
		[39772634, '39772634'],
		[1e21, null],
		[12345678901234567890, null],
		[' 12.0 ', '12.0'],
		['1e3', '1e3'],
		[1.5, '1.5'],
		[0, '0'],
		['', null],
		['   ', null],
		[null, null],
		[undefined, null],
		[true, null],
		[{ id: 1 }, null],
		[Number.NaN, null],
	])('reads %p as %p', (value, expected) => {
		expect(readExternalId(value)).toBe(expected);
	});
});
