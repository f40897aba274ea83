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
	])('Digits Only sends %s as %s, as Hyfin\'s Get Customer returns numbers', (given, sent) => {
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
		expect(parseCustomer({ ...base, mobile_phone: '123 4567 8901 2345' }, { phoneFormat: 'e164', defaultCountryCode: '44' })).toStrictEqual({
			ok: false,
			errors: ['invalid mobile_phone'],
			hints: ['Mobile Phone does not make an E.164 number with the default country code in front: give it with its + country code'],
		});
	});
});

describe('values as Excel, Google Sheets and forms give them', () => {
	const base = { first_name: 'A', last_name: 'B' };

	it.each<[unknown, string]>([
		[12223334444, '12223334444'],
		['12223334444.0', '12223334444'],
		['1.2223334444E+10', '12223334444'],
		['39772634.00', '39772634'],
	])('reads the id %p as %p, never with an exponent or a trailing .0', (id, sent) => {
		expect(parseCustomer({ ...base, external_id: id })).toStrictEqual({ ok: true, customer: { ...base, external_id: sent } });
	});

	it.each<[unknown, string]>([
		['1.2223334444E+10', '12223334444'],
		['12223334444.0', '12223334444'],
		[12223334444, '12223334444'],
	])('reads the phone %p as %p', (phone, sent) => {
		expect(parseCustomer({ ...base, external_id: 'x', mobile_phone: phone })).toStrictEqual({
			ok: true,
			customer: { ...base, external_id: 'x', mobile_phone: sent },
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
