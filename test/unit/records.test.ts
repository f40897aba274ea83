import type { IDataObject } from 'n8n-workflow';

import { INVOICE, LINE_IN_ROWS, parseInvoice as parseInvoiceRaw, type InvoiceReadOptions } from '../../nodes/Hyfin/schemas/invoice';
import { parsePayment as parsePaymentRaw, PAYMENT } from '../../nodes/Hyfin/schemas/payment';
import { parseProduct as parseProductRaw, PRODUCT } from '../../nodes/Hyfin/schemas/product';
import { fromInputItem } from '../../nodes/Hyfin/schemas/record';
import { readDate, readDateTime, readMoney } from '../../nodes/Hyfin/schemas/values';
import { z } from 'zod';

// Each record is read as Map Automatically reads an input item: flat columns, or Hyfin's nested shape.
const parseProduct = (json: IDataObject) => parseProductRaw(fromInputItem(PRODUCT, json).raw);
const parsePayment = (json: IDataObject) => parsePaymentRaw(fromInputItem(PAYMENT, json).raw);
const parseInvoice = (json: IDataObject, options: InvoiceReadOptions = {}, rows?: IDataObject[]) =>
	parseInvoiceRaw(
		fromInputItem(INVOICE, json).raw,
		options,
		rows?.map((row) => fromInputItem(LINE_IN_ROWS, row).raw),
	);

/** What a reader makes of one value: the value to send, or the message it reports. */
function read(reader: (value: unknown, ctx: z.RefinementCtx) => unknown, value: unknown): unknown {
	const result = z.preprocess(reader, z.unknown()).safeParse(value);
	return result.success ? result.data : { problem: result.error.issues[0].message };
}

describe('money, as sheets and forms give it', () => {
	it.each<[unknown, unknown]>([
		[15, 15],
		[14.99, 14.99],
		['15.00', 15],
		['1,234.50', 1234.5],
		['$15', 15],
		['€ 12.30', 12.3],
		['-3.5', -3.5],
		['.5', 0.5],
		[0.1 + 0.2, 0.3],
		['', undefined],
		[null, undefined],
	])('%p is %p', (value, sent) => {
		expect(read(readMoney('Total'), value)).toStrictEqual(sent);
	});

	it.each<[unknown, string]>([
		['15,00', 'Total "15,00" is not an amount: give it like 15.00 or 1,234.50 (a decimal point, not a comma)'],
		['abc', 'Total "abc" is not an amount: give it like 15.00 or 1,234.50 (a decimal point, not a comma)'],
		['$', 'Total "$" is not an amount: give it like 15.00 or 1,234.50 (a decimal point, not a comma)'],
		[14.999, 'Total 14.999 has more than 2 decimal places: round it to the cent'],
		['0.001', 'Total 0.001 has more than 2 decimal places: round it to the cent'],
	])('%p is refused: %s', (value, problem) => {
		expect(read(readMoney('Total'), value)).toStrictEqual({ problem });
	});
});

describe('dates, as sheets, forms and n8n give them', () => {
	it.each<[unknown, unknown]>([
		['2026-12-31', '2026-12-31'],
		['2026-12-31T23:30:00-05:00', '2026-12-31'],
		['2026-12-31 08:00', '2026-12-31'],
		[45000, '2023-03-15'],
		[new Date('2026-02-03T10:00:00Z'), '2026-02-03'],
		['', undefined],
	])('%p is %p', (value, sent) => {
		expect(read(readDate('Due Date'), value)).toStrictEqual(sent);
	});

	it.each<[unknown, string]>([
		['03/04/2026', 'Due Date "03/04/2026" is not a date Hyfin can read: give it as YYYY-MM-DD, e.g. 2026-12-31'],
		['2026-02-30', 'Due Date "2026-02-30" is not a date Hyfin can read: give it as YYYY-MM-DD, e.g. 2026-12-31'],
		[12, 'Due Date 12 is not a date: give it as YYYY-MM-DD, e.g. 2026-12-31'],
	])('%p is refused', (value, problem) => {
		expect(read(readDate('Due Date'), value)).toStrictEqual({ problem });
	});

	it.each<[unknown, unknown]>([
		['2021-01-01T14:32:18Z', '2021-01-01T14:32:18Z'],
		['2021-01-01T09:32:18-05:00', '2021-01-01T14:32:18Z'],
		['2021-01-01T14:32:18.123+0000', '2021-01-01T14:32:18Z'],
		['2021-01-01 14:32', '2021-01-01T14:32:00Z'],
		['2021-01-01', '2021-01-01T00:00:00Z'],
		[45000.5, '2023-03-15T12:00:00Z'],
	])('a moment %p is %p', (value, sent) => {
		expect(read(readDateTime('Paid On'), value)).toStrictEqual(sent);
	});

	it('refuses a moment that is not one', () => {
		expect(read(readDateTime('Paid On'), '2021-01-01T25:00:00Z')).toStrictEqual({
			problem:
				'Paid On "2021-01-01T25:00:00Z" is not a date and time Hyfin can read: give it as 2026-12-31T14:30:00Z (ISO 8601; an offset such as -05:00 is fine)',
		});
	});
});

describe('a product', () => {
	it('reads the sample request as Hyfin documents it', () => {
		expect(parseProduct({ external_id: 39772641, name: "Men's Large T-Shirt", unit_price: '14.99', active: 'yes' })).toStrictEqual({
			ok: true,
			record: { external_id: '39772641', name: "Men's Large T-Shirt", unit_price: 14.99, active: true },
		});
	});

	it('names every missing field at once', () => {
		expect(parseProduct({ description: 'x' })).toStrictEqual({
			ok: false,
			errors: ['missing external_id', 'missing name', 'missing unit_price'],
			hints: [
				'External ID is required: map a value to it',
				'Name is required: map a value to it',
				'Unit Price is required: map a value to it',
			],
		});
	});
});

describe('a payment', () => {
	const base = { external_id: 'P-1', gateway_transaction_id: 'cash-1', display_name: 'Cash', amount: '35.15', paid_on: '2026-12-01 10:00' };

	it('nests the invoice reference, reads the choices in any case and sends the moment in UTC', () => {
		expect(
			parsePayment({ ...base, invoice_external_id: 'INV-1', payment_type: 'Cash', payment_sub_type: 'CASH', status: 'captured' }),
		).toStrictEqual({
			ok: true,
			record: {
				external_id: 'P-1',
				gateway_transaction_id: 'cash-1',
				display_name: 'Cash',
				amount: 35.15,
				paid_on: '2026-12-01T10:00:00Z',
				invoice: { external_id: 'INV-1' },
				payment_type: 'cash',
				payment_sub_type: 'cash',
				status: 'captured',
			},
		});
	});

	it('refuses a payment type Hyfin does not know, naming the ones it does', () => {
		expect(parsePayment({ ...base, payment_type: 'bitcoin' })).toStrictEqual({
			ok: false,
			errors: ['invalid payment_type'],
			hints: ['Payment Type "bitcoin" is not one Hyfin knows: use one of payment_card, ach, cash, check'],
		});
	});
});

describe('an invoice', () => {
	const base = { external_id: 'INV-1', invoice_number: '12345' };
	const shirt = { description: 'T-shirt', product: { external_id: 'P-1', name: 'Mens Large T-shirt' }, unit_price: 15, qty: 2, total: 30 };

	it("reads Hyfin's sample 1: a description, a total and a customer given in full", () => {
		const customer = {
			external_id: '39772634',
			first_name: 'John',
			last_name: 'Doe',
			mobile_phone: '111-222-3333',
			email: 'johndoe@abc.com',
		};
		expect(
			parseInvoice({ ...base, description: 'Merchandise Bundle', totals: { total: 45.99 }, customer, options: { tippingEnabled: false } }),
		).toStrictEqual({
			ok: true,
			record: { ...base, description: 'Merchandise Bundle', totals: { total: 45.99 }, customer, options: { tippingEnabled: false } },
		});
	});

	it("reads Hyfin's sample 2: lines whose totals add up, taxes apart", () => {
		expect(parseInvoice({ ...base, lines: [shirt], totals: { taxes: 2.85, total: 30 }, customer_external_id: 'C-1' })).toStrictEqual({
			ok: true,
			record: { ...base, lines: [shirt], totals: { taxes: 2.85, total: 30 }, customer: { external_id: 'C-1' } },
		});
	});

	it('reads lines given as JSON text, named as spreadsheets name them, and computes a line total left out', () => {
		const lines = JSON.stringify([{ Description: 'Labor', Quantity: '1.5', Price: '$40' }]);
		expect(parseInvoice({ ...base, lines, total: '60' })).toMatchObject({
			ok: true,
			record: { lines: [{ description: 'Labor', qty: 1.5, unit_price: 40, total: 60 }], totals: { total: 60 } },
		});
	});

	it('leaves the customer out for a payment link', () => {
		expect(parseInvoice({ ...base, description: 'Walk-in', total: 10 })).toStrictEqual({
			ok: true,
			record: { ...base, description: 'Walk-in', totals: { total: 10 } },
		});
	});

	it('refuses an invoice with neither lines nor a description', () => {
		expect(parseInvoice({ ...base, total: 10 })).toStrictEqual({
			ok: false,
			errors: ['missing lines'],
			hints: ['An invoice needs lines or a description: map a Description, or give its lines'],
		});
	});

	it("refuses a line whose total is not quantity × unit price, and a total that is not the lines' sum, naming the line", () => {
		expect(parseInvoice({ ...base, lines: [{ ...shirt, total: 31 }], total: 31 })).toStrictEqual({
			ok: false,
			errors: ['invalid lines[0].total'],
			hints: [
				'Line 1: Line Total 31.00 is not Quantity × Unit Price (2 × 15.00 = 30.00): Hyfin refuses it; fix it, or set Totals to Compute From Lines',
			],
		});
		expect(parseInvoice({ ...base, lines: [shirt], total: 30.02 })).toStrictEqual({
			ok: false,
			errors: ['invalid totals.total'],
			hints: [
				"Total 30.02 is not the sum of the lines' totals (30.00): Hyfin refuses an invoice whose totals do not match its lines; fix it, or set Totals to Compute From Lines",
			],
		});
	});

	it('accepts totals within a cent, as Hyfin does', () => {
		expect(parseInvoice({ ...base, lines: [{ qty: 3, unit_price: 0.33, total: 1 }], total: 0.99 })).toMatchObject({ ok: true });
	});

	it('computes the totals from the lines when asked, replacing given ones', () => {
		expect(
			parseInvoice(
				{
					...base,
					lines: [
						{ ...shirt, total: 31 },
						{ description: 'Fee', total: 2.5 },
					],
					total: 1,
					taxes: 3,
				},
				{ totals: 'compute' },
			),
		).toMatchObject({
			ok: true,
			record: { lines: [{ total: 30 }, { total: 2.5 }], totals: { total: 32.5, taxes: 3 } },
		});
	});

	it('makes lines of rows, one per row', () => {
		const rows = [
			{ description: 'A', qty: 1, unit_price: 10 },
			{ description: 'B', qty: 2, unit_price: 5 },
		];
		expect(parseInvoice({ ...base, total: 20 }, {}, rows)).toStrictEqual({
			ok: true,
			record: {
				...base,
				totals: { total: 20 },
				lines: [
					{ description: 'A', qty: 1, unit_price: 10, total: 10 },
					{ description: 'B', qty: 2, unit_price: 5, total: 10 },
				],
			},
		});
	});

	it('names customer fields given without the customer external ID', () => {
		expect(parseInvoice({ ...base, description: 'x', total: 1, customer_first_name: 'Ana', customer_last_name: 'Lopez' })).toStrictEqual({
			ok: false,
			errors: ['missing customer.external_id'],
			hints: [
				'Customer fields are given, so Customer External ID is required: map it, or leave every customer field out to get a payment link',
			],
		});
	});

	it('reports each problem of a line in a list by its place', () => {
		expect(parseInvoice({ ...base, lines: ['Labor', { qty: 'two', unit_price: 5 }], total: 10 })).toStrictEqual({
			ok: false,
			errors: ['invalid lines[0]', 'invalid lines[1].qty'],
			hints: [
				'Line 1 must be an object like { "description": "Labor", "qty": 2, "unit_price": 40 }',
				'Line 2: Quantity "two" is not a number: give it like 2 or 1.5',
			],
		});
	});
});
