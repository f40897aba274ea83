import { formatPhone } from '../../nodes/Hyfin/schemas/phone';
import { parseCustomer } from '../../nodes/Hyfin/schemas/customer';

describe('Phone Format', () => {
	it.each<[string, string]>([
		['(111) 222-3333', '(111) 222-3333'],
		['+1 111 222 3333', '+1 111 222 3333'],
	])('As Given sends %s unchanged', (given, sent) => {
		expect(formatPhone(given, 'asGiven')).toBe(sent);
	});

	it.each<[string, string]>([
		['(111) 222-3333', '1112223333'],
		['+1 111 222 3333', '11112223333'],
		['030 5555.0147', '03055550147'],
	])("Digits Only sends %s as %s, as Hyfin's Get Customer returns numbers", (given, sent) => {
		expect(formatPhone(given, 'digitsOnly')).toBe(sent);
	});

	it.each<[string, string, string]>([
		['(111) 222-3333', '1', '+11112223333'],
		['1 (111) 222-3333', '1', '+11112223333'],
		['+1 111 222 3333', '1', '+11112223333'],
		['+44 20 7946 0958', '1', '+442079460958'],
		['0044 20 7946 0958', '1', '+442079460958'],
		['030 5555 0147', '49', '+493055550147'],
		['020 7946 0958', '+44', '+442079460958'],
	])('E.164 sends %s (default country %s) as %s', (given, country, sent) => {
		expect(formatPhone(given, 'e164', country)).toBe(sent);
	});
});

describe('Phone Format in the schema', () => {
	const base = { external_id: 'p1', first_name: 'A', last_name: 'B' };

	it('formats the phone that is sent', () => {
		expect(parseCustomer({ ...base, mobile_phone: '(111) 222-3333' }, { phoneFormat: 'e164' })).toStrictEqual({
			ok: true,
			customer: { ...base, mobile_phone: '+11112223333' },
		});
	});

	it('rejects a number that would be longer than E.164 allows with the country code in front', () => {
		expect(parseCustomer({ ...base, mobile_phone: '123 4567 8901 2345' }, { phoneFormat: 'e164', defaultCountryCode: '44' })).toStrictEqual(
			{
				ok: false,
				errors: ['invalid mobile_phone'],
				hints: ['Mobile Phone does not make an E.164 number with the default country code in front: give it with its + country code'],
			},
		);
	});
});

describe('values as Excel, Google Sheets and forms give them', () => {
	const base = { first_name: 'A', last_name: 'B' };

	it.each<[unknown, string]>([
		[12223334444, '12223334444'],
		[39772634, '39772634'],
		[9007199254740991, '9007199254740991'],
		[-7, '-7'],
		[12.5, '12.5'],
	])('reads the id given as the number %p as %p, never with an exponent', (id, sent) => {
		expect(parseCustomer({ ...base, external_id: id })).toStrictEqual({ ok: true, customer: { ...base, external_id: sent } });
	});

	it.each<[string]>([['1e3'], ['12.0'], ['39772634.00'], ['0012'], ['+1000'], ['1E5'], ['12E+5']])(
		'keeps the id given as the text %p exactly, so it never merges with the number it looks like',
		(id) => {
			expect(parseCustomer({ ...base, external_id: id })).toStrictEqual({ ok: true, customer: { ...base, external_id: id } });
		},
	);

	const TEXT_HINT = 'format the column as text (plain text in Google Sheets, Text in Excel), so every digit is kept';

	it.each<[string, unknown]>([
		['a number beyond 2^53', 12345678901234567890],
		['the first whole number that is not exact', 9007199254740993],
		['a number a spreadsheet shows with an exponent', 1.5e300],
		['a tiny number', 1e-7],
	])('refuses an id given as %s, as its digits are not all there', (_, id) => {
		expect(parseCustomer({ ...base, external_id: id })).toStrictEqual({
			ok: false,
			errors: ['invalid external_id'],
			hints: [`External ID is a number with too many digits to be read exactly: ${TEXT_HINT}`],
		});
	});

	it.each(['1.2223334444E+10', '1.22233E+10', '1E+15'])(
		"refuses the id %p, a spreadsheet's scientific notation that may have lost digits",
		(id) => {
			expect(parseCustomer({ ...base, external_id: id })).toStrictEqual({
				ok: false,
				errors: ['invalid external_id'],
				hints: [`External ID "${id}" is a long number in a spreadsheet's scientific notation, so digits may be lost: ${TEXT_HINT}`],
			});
		},
	);

	it.each<[unknown, string]>([
		[12223334444, '12223334444'],
		['12223334444', '12223334444'],
		['555.123.4567', '555.123.4567'],
	])('reads the phone %p as %p', (phone, sent) => {
		expect(parseCustomer({ ...base, external_id: 'x', mobile_phone: phone })).toStrictEqual({
			ok: true,
			customer: { ...base, external_id: 'x', mobile_phone: sent },
		});
	});

	it.each<[string, string]>([
		[
			'1.2223334444E+10',
			`Mobile Phone "1.2223334444E+10" is a long number in a spreadsheet's scientific notation, so digits may be lost: ${TEXT_HINT}`,
		],
		['12223334444.0', `Mobile Phone "12223334444.0" is a number a spreadsheet wrote with a decimal point: ${TEXT_HINT}`],
	])('refuses the phone %p rather than guess its digits', (phone, hint) => {
		expect(parseCustomer({ ...base, external_id: 'x', mobile_phone: phone })).toStrictEqual({
			ok: false,
			errors: ['invalid mobile_phone'],
			hints: [hint],
		});
	});

	it.each<[unknown, boolean]>([
		['x', true],
		['X', true],
		['✓', true],
		['on', true],
		[['Text me'], true],
		[[], false],
		['TRUE', true],
		['No', false],
	])('reads a tick %p as %p', (tick, flag) => {
		expect(parseCustomer({ ...base, external_id: 'x', active: tick })).toStrictEqual({
			ok: true,
			customer: { ...base, external_id: 'x', active: flag },
		});
	});
});
