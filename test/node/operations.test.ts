import nock from 'nock';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { HyfinApi } from '../../credentials/HyfinApi.credentials';
import { Hyfin } from '../../nodes/Hyfin/Hyfin.node';
import { runNode, shutdownEngine, type RunNodeOptions } from './harness';
import { autoColumns, BASE_URL, credentials, jsonOf, manualColumns, pairingOf } from './fixtures';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(async () => {
	nock.enableNetConnect();
	await shutdownEngine();
});

const SITE_PATH = '/api/v3/site/site%2042%2Fa';

type Reply = [number, string | IDataObject, Record<string, string>?];

/** Answers requests to one endpoint from a script, in turn (then `fallback`), recording each body. */
function hyfin(method: 'get' | 'post', path: string, script: Reply[], fallback?: Reply) {
	const seen: IDataObject[] = [];
	nock(BASE_URL)
		[method](`${SITE_PATH}/${path}`)
		.times(script.length + (fallback ? 100 : 0))
		.reply((_uri, body) => {
			seen.push((body as IDataObject) ?? {});
			return script[seen.length - 1] ?? fallback ?? [500, 'script ran out'];
		});
	return seen;
}

async function run(
	resource: string,
	operation: string,
	parameters: IDataObject,
	items: IDataObject[],
	extra: Partial<RunNodeOptions> = {},
) {
	return await runNode({
		nodeType: new Hyfin(),
		parameters: { resource, operation, ...parameters } as INodeParameters,
		items,
		credentials,
		credentialTypes: [new HyfinApi()],
		...extra,
	});
}

const SENT: Reply = [200, { success: true, action: 'updated' }];
const UNCLEAR_SEND =
	"It was not sent again, since Hyfin may have acted on it: the customer may have been texted or emailed; check the invoice's notifications with Invoice → Get before sending it again";

describe('Invoice → Send: never twice', () => {
	const send = (items: IDataObject[], options: IDataObject = {}, extra: Partial<RunNodeOptions> = {}) =>
		run('invoice', 'send', { externalId: '={{ $json.id }}', options }, items, { onError: 'continueRegularOutput', ...extra });

	it('sends each invoice once and outputs what Hyfin answered', async () => {
		const seen = hyfin('post', 'invoice/send', [SENT, SENT]);
		const result = await send([{ id: 'INV-1' }, { id: 'INV-2' }]);
		expect(seen).toEqual([{ external_id: 'INV-1' }, { external_id: 'INV-2' }]);
		expect(jsonOf(result.outputs[0])).toEqual([
			{ success: true, action: 'updated', external_id: 'INV-1' },
			{ success: true, action: 'updated', external_id: 'INV-2' },
		]);
	});

	it.each<[string, Reply]>([
		['a 500', [500, { success: false, errors: ['internal error'] }]],
		['a 502 page', [502, '<html>Bad Gateway</html>']],
		['a 503 without Retry-After', [503, 'busy']],
		['an answer cut off', [200, '{"success": tr']],
		['an empty answer', [200, '']],
	])('does not send again after %s, which leaves open whether Hyfin sent it', async (_, answer) => {
		const seen = hyfin('post', 'invoice/send', [answer], SENT);
		const result = await send([{ id: 'INV-1' }]);
		expect(seen).toHaveLength(1);
		const [output] = jsonOf(result.outputs[0]);
		expect(String(output.error)).toContain(UNCLEAR_SEND);
	});

	it.each<[string, Reply]>([
		['a 429', [429, { success: false, errors: ['slow down'] }, { 'Retry-After': '0' }]],
		['a 503 with Retry-After', [503, 'busy', { 'Retry-After': '0' }]],
	])('sends again after %s, which says Hyfin did nothing', async (_, answer) => {
		const seen = hyfin('post', 'invoice/send', [answer, SENT]);
		const result = await send([{ id: 'INV-1' }]);
		expect(seen).toHaveLength(2);
		expect(jsonOf(result.outputs[0])).toEqual([{ success: true, action: 'updated', external_id: 'INV-1' }]);
	});

	it('sends an invoice listed twice in one run once, and says which item sent it', async () => {
		const seen = hyfin('post', 'invoice/send', [SENT, SENT]);
		const result = await send([{ id: 'INV-1' }, { id: 'INV-2' }, { id: ' inv-1 ' }]);
		expect(seen).toEqual([{ external_id: 'INV-1' }, { external_id: 'INV-2' }]);
		expect(jsonOf(result.outputs[0])[2]).toEqual({
			success: false,
			errors: ['already sent in this run'],
			external_id: 'inv-1',
			message:
				'Item 2 (external_id "inv-1") was not sent to Hyfin: Item 0 of this run already sent invoice "inv-1", so it was not sent again: Hyfin would notify the customer twice',
		});
	});

	it("outputs Hyfin's duplicate-send rejection as a record to branch on, without retrying it", async () => {
		const seen = hyfin('post', 'invoice/send', [[200, { success: false, errors: ['Duplicate email sent < 300 sec. ago'] }]], SENT);
		const result = await send([{ id: 'INV-1' }]);
		expect(seen).toHaveLength(1);
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				success: false,
				errors: ['Duplicate email sent < 300 sec. ago'],
				external_id: 'INV-1',
				message: 'Hyfin rejected item 0 (external_id "INV-1"): Duplicate email sent < 300 sec. ago',
			},
		]);
	});

	it('sends nothing in a dry run', async () => {
		const result = await send([{ id: 'INV-1' }], { dryRun: true });
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				success: true,
				dryRun: true,
				external_id: 'INV-1',
				request: { method: 'POST', url: `${BASE_URL}${SITE_PATH}/invoice/send`, body: { external_id: 'INV-1' } },
			},
		]);
	});
});

describe('Invoice → Add or Update', () => {
	const invoice = { external_id: 'INV-1', invoice_number: '1001', description: 'Lawn care', total: '45.99', customer_external_id: 'C-1' };
	const body = {
		external_id: 'INV-1',
		invoice_number: '1001',
		description: 'Lawn care',
		totals: { total: 45.99 },
		customer: { external_id: 'C-1' },
	};
	const ADDED: Reply = [200, { success: true, action: 'added', _id: '61f32dc2f62bdc6a48945067' }];

	it('sends the invoice, and outputs all Hyfin answered, a payment link included', async () => {
		const seen = hyfin('post', 'invoice/addUpdate', [
			[200, { success: true, action: 'added', _id: '61f32dc2f62bdc6a48945067', link: 'https://pay.example/x' }],
		]);
		const result = await run('invoice', 'addUpdate', { columns: autoColumns }, [invoice]);
		expect(seen).toEqual([body]);
		expect(jsonOf(result.outputs[0])).toEqual([
			{ success: true, action: 'added', _id: '61f32dc2f62bdc6a48945067', link: 'https://pay.example/x', external_id: 'INV-1' },
		]);
	});

	it('does not send again after a 502, since adding it notified the customer', async () => {
		const seen = hyfin('post', 'invoice/addUpdate', [[502, '<html>Bad Gateway</html>']], ADDED);
		const result = await run('invoice', 'addUpdate', { columns: autoColumns }, [invoice], { onError: 'continueRegularOutput' });
		expect(seen).toHaveLength(1);
		expect(String(jsonOf(result.outputs[0])[0].error)).toContain(
			'It was not sent again, since Hyfin may have acted on it: check with Invoice → Get',
		);
	});

	it('makes one invoice of consecutive rows that share an external ID, one line per row, paired with all its rows', async () => {
		const seen = hyfin('post', 'invoice/addUpdate', [ADDED, ADDED, ADDED]);
		const row = (id: string, item: string, qty: number, price: string) => ({
			order_id: id,
			invoice_number: `N-${id}`,
			description: item,
			qty,
			unit_price: price,
		});
		const rows = [row('A', 'Shirt', 2, '15.00'), row('A', 'Cap', 1, '9.50'), row('B', 'Mug', 3, '4'), row('A', 'Sock', 1, '2')];
		const result = await run('invoice', 'addUpdate', { linesFrom: 'rows', columns: autoColumns, options: { totals: 'compute' } }, rows);
		expect(seen).toEqual([
			{
				external_id: 'A',
				invoice_number: 'N-A',
				totals: { total: 39.5 },
				lines: [
					{ description: 'Shirt', qty: 2, unit_price: 15, total: 30 },
					{ description: 'Cap', qty: 1, unit_price: 9.5, total: 9.5 },
				],
			},
			{ external_id: 'B', invoice_number: 'N-B', totals: { total: 12 }, lines: [{ description: 'Mug', qty: 3, unit_price: 4, total: 12 }] },
			{ external_id: 'A', invoice_number: 'N-A', totals: { total: 2 }, lines: [{ description: 'Sock', qty: 1, unit_price: 2, total: 2 }] },
		]);
		expect(jsonOf(result.outputs[0]).map((json) => [json.external_id, json.rows])).toEqual([
			['A', 2],
			['B', 1],
			['A', 1],
		]);
		expect(pairingOf(result.outputs[0])).toEqual([[{ item: 0 }, { item: 1 }], { item: 2 }, { item: 3 }]);
	});

	it('says how many rows a refused group had, as it does for an accepted one', async () => {
		const rows = [
			{ order_id: 'A', invoice_number: '1', description: 'Shirt', qty: 'two', unit_price: 15 },
			{ order_id: 'A', invoice_number: '1', description: 'Cap', qty: 1, unit_price: 9 },
		];
		const result = await run('invoice', 'addUpdate', { linesFrom: 'rows', columns: autoColumns, options: { totals: 'compute' } }, rows);
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				success: false,
				errors: ['invalid lines[0].qty'],
				external_id: 'A',
				message: 'Item 0 (external_id "A") was not sent to Hyfin: Line 1: Quantity "two" is not a number: give it like 2 or 1.5',
				rows: 2,
			},
		]);
		expect(pairingOf(result.outputs[0])).toEqual([[{ item: 0 }, { item: 1 }]]);
	});

	it('rejects, before sending, an invoice whose total is not the sum of its lines, naming item and field', async () => {
		const result = await run('invoice', 'addUpdate', { columns: autoColumns }, [
			{ ...invoice, description: undefined, lines: [{ description: 'A', qty: 2, unit_price: 15 }], total: '31' },
		]);
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				success: false,
				errors: ['invalid totals.total'],
				external_id: 'INV-1',
				message:
					'Item 0 (external_id "INV-1") was not sent to Hyfin: Total 31.00 is not the sum of the lines\' totals (30.00): Hyfin refuses an invoice whose totals do not match its lines; fix it, or set Totals to Compute From Lines',
			},
		]);
	});
});

describe('Get', () => {
	const product = { _id: '6839e415564d3cc2160d945e', external_id: 'P-1', name: 'Wings', unit_price: '15.00' };

	it('outputs the record as Hyfin sent it, with found: true', async () => {
		hyfin('get', 'product/P-1', [[200, product]]);
		const result = await run('product', 'get', { externalId: '={{ $json.id }}' }, [{ id: 'P-1' }]);
		expect(jsonOf(result.outputs[0])).toEqual([{ found: true, ...product }]);
	});

	it('turns amounts sent as text into numbers when asked', async () => {
		hyfin('get', 'product/P-1', [[200, product]]);
		const result = await run('product', 'get', { externalId: 'P-1', options: { convertNumbers: true } }, [{}]);
		expect(jsonOf(result.outputs[0])).toEqual([{ found: true, ...product, unit_price: 15 }]);
	});

	it('outputs found: false for a record Hyfin does not have, or fails the item when asked', async () => {
		hyfin('get', 'customer/C-9', [[404, { success: false, errors: ['customer not found'] }]]);
		const result = await run('customer', 'get', { externalId: 'C-9' }, [{}]);
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				found: false,
				external_id: 'C-9',
				errors: ['customer not found'],
				message: 'Hyfin has no customer with external_id "C-9" (item 0): customer not found',
			},
		]);
		hyfin('get', 'customer/C-9', [[404, { success: false, errors: ['customer not found'] }]]);
		const failing = await run('customer', 'get', { externalId: 'C-9', options: { ifNotFound: 'fail' } }, [{}]);
		expect(failing.error?.message).toBe('Hyfin has no customer with external_id "C-9" (item 0): customer not found');
	});

	it('sends nothing for an item whose External ID is empty, and says what to map', async () => {
		const result = await run('payment', 'get', { externalId: '={{ $json.id }}' }, [{ id: '  ' }]);
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				success: false,
				errors: ['missing external_id'],
				external_id: null,
				message: "Item 0 was not sent to Hyfin: External ID is empty: map the payment's external ID to it",
			},
		]);
	});

	it('retries a Get after a 502, as reading twice changes nothing', async () => {
		const seen = hyfin('get', 'invoice/INV%2F1', [
			[502, '<html>Bad Gateway</html>'],
			[200, { external_id: 'INV/1' }],
		]);
		const result = await run('invoice', 'get', { externalId: 'INV/1' }, [{}]);
		expect(seen).toHaveLength(2);
		expect(jsonOf(result.outputs[0])).toEqual([{ found: true, external_id: 'INV/1' }]);
	});
});

describe('Product and Payment → Add or Update', () => {
	it('sends a product mapped by hand', async () => {
		const seen = hyfin('post', 'product/addUpdate', [[200, { success: true, action: 'added', _id: 'a1' }]]);
		const result = await run('product', 'addUpdate', { columns: manualColumns({ external_id: 'P-1', name: 'Wings', unit_price: '$15' }) }, [
			{},
		]);
		expect(seen).toEqual([{ external_id: 'P-1', name: 'Wings', unit_price: 15 }]);
		expect(jsonOf(result.outputs[0])).toEqual([{ success: true, action: 'added', _id: 'a1', external_id: 'P-1' }]);
	});

	it('records a cash payment from a sheet row, retrying after a 502 since it notifies nobody', async () => {
		const seen = hyfin('post', 'payment/addUpdate', [
			[502, 'Bad Gateway'],
			[200, { success: true, action: 'added', _id: 'b2' }],
		]);
		const row = {
			'Payment ID': 'R-7',
			'Transaction ID': 'cash-7',
			'Display Name': 'Cash',
			Amount: '20.00',
			'Paid On': '2026-12-01',
			Invoice: 'INV-1',
			Type: 'cash',
		};
		const result = await run('payment', 'addUpdate', { columns: autoColumns }, [row]);
		expect(seen).toHaveLength(2);
		expect(seen[1]).toEqual({
			external_id: 'R-7',
			gateway_transaction_id: 'cash-7',
			display_name: 'Cash',
			amount: 20,
			paid_on: '2026-12-01T00:00:00Z',
			invoice: { external_id: 'INV-1' },
			payment_type: 'cash',
		});
		expect(jsonOf(result.outputs[0])).toEqual([{ success: true, action: 'added', _id: 'b2', external_id: 'R-7' }]);
	});
});

describe('Invoice → Add or Update mapped by hand', () => {
	it('takes lines as JSON text and a list from an expression, as n8n stores them', async () => {
		const seen = hyfin('post', 'invoice/addUpdate', [
			[200, { success: true, action: 'added', _id: 'x1' }],
			[200, { success: true, action: 'added', _id: 'x2' }],
		]);
		const columns = manualColumns({
			external_id: '={{ $json.id }}',
			invoice_number: '={{ $json.id }}',
			lines: '={{ $json.lines }}',
			total: '={{ $json.total }}',
			due_date: '={{ $json.due }}',
			tipping_enabled: true,
		});
		const lines = [{ description: 'Labor', qty: 2, unit_price: 40 }];
		const result = await run('invoice', 'addUpdate', { columns }, [
			{ id: 'I-1', lines: JSON.stringify(lines), total: 80, due: '2026-12-31' },
			{ id: 'I-2', lines, total: '80.00', due: '2026-12-31T18:00:00Z' },
		]);
		const body = (id: string) => ({
			external_id: id,
			invoice_number: id,
			lines: [{ description: 'Labor', qty: 2, unit_price: 40, total: 80 }],
			totals: { total: 80 },
			due_date: '2026-12-31',
			options: { tippingEnabled: true },
		});
		expect(seen).toEqual([body('I-1'), body('I-2')]);
		expect(jsonOf(result.outputs[0]).map((json) => json.success)).toEqual([true, true]);
	});
});
