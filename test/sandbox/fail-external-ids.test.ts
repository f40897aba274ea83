import { startSandbox, type Sandbox } from '../../sandbox/server';
import {
	CALM,
	INVOICE,
	JOHN,
	NO_FAULTS,
	PAYMENT,
	PRODUCT,
	addUpdate,
	call,
	calmDown,
	get,
	getCustomer,
	knobsFromFlags,
	post,
} from './helpers';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ dbFile: ':memory:' });
});
afterAll(() => sandbox.close());
beforeEach(() => calmDown(sandbox));

const ROUTE = 'POST /api/v3/site/:site_id/customer/addUpdate';
const GET_ROUTE = 'GET /api/v3/site/:site_id/customer/:external_id';

describe('failExternalIds: chosen records fail every time', () => {
	test('an addUpdate for a listed external_id is answered 502 with the HTML page and not stored', async () => {
		sandbox.setKnobs({ failExternalIds: ['bad-1', 'bad-2'] });
		for (let i = 0; i < 3; i++) {
			const answer = await addUpdate(sandbox, { ...JOHN, external_id: 'bad-2' });
			expect(answer.status).toBe(502);
			expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
			expect(answer.json).toBeUndefined();
			expect(answer.text).toContain('<title>502 Bad Gateway</title>');
		}
		const ok = await addUpdate(sandbox, { ...JOHN, external_id: 'good-1' });
		expect(ok.status).toBe(200);
		expect(ok.json).toMatchObject({ success: true, action: 'added' });

		expect(sandbox.store.list().map((c) => c.external_id)).toEqual(['good-1']);
		const stats = sandbox.stats();
		expect(stats.requests[ROUTE]).toEqual({ '200': 1, '502': 3 });
		expect(stats.faults).toEqual(NO_FAULTS);
	});

	test('matches the external_id exactly, as sent', async () => {
		sandbox.setKnobs({ failExternalIds: ['bad-1'] });
		expect((await addUpdate(sandbox, { ...JOHN, external_id: 'BAD-1' })).status).toBe(200);
		expect((await addUpdate(sandbox, { ...JOHN, external_id: ' bad-1' })).status).toBe(200);
		expect((await addUpdate(sandbox, { ...JOHN, external_id: 'bad-10' })).status).toBe(200);
		expect(sandbox.store.count()).toBe(3);
	});

	test('GET customer of a listed external_id fails too, even when it is stored', async () => {
		await addUpdate(sandbox, { ...JOHN, external_id: 'bad 1/x' });
		sandbox.setKnobs({ failExternalIds: ['bad 1/x'] });
		const answer = await getCustomer(sandbox, 'bad 1/x');
		expect(answer.status).toBe(502);
		expect(answer.text).toContain('<title>502 Bad Gateway</title>');
		expect(sandbox.stats().requests[GET_ROUTE]).toEqual({ '502': 1 });
	});

	test('applies to the external_id of every POST body and every GET path: invoices, sends, products, payments', async () => {
		await addUpdate(sandbox, JOHN);
		await post(sandbox, 'invoice/addUpdate', { ...INVOICE, customer: { external_id: JOHN.external_id } });
		sandbox.setKnobs({ failExternalIds: ['bad', INVOICE.external_id] });
		const statuses = [
			await post(sandbox, 'invoice/addUpdate', { ...INVOICE, external_id: 'bad' }),
			await post(sandbox, 'invoice/send', { external_id: INVOICE.external_id }),
			await get(sandbox, 'invoice', INVOICE.external_id),
			await post(sandbox, 'product/addUpdate', { ...PRODUCT, external_id: 'bad' }),
			await get(sandbox, 'product', 'bad'),
			await post(sandbox, 'payment/addUpdate', { ...PAYMENT, external_id: 'bad', invoice: undefined }),
			await get(sandbox, 'payment', 'bad'),
		].map((answer) => answer.status);
		expect(statuses).toEqual([502, 502, 502, 502, 502, 502, 502]);
		expect(sandbox.store.counts()).toEqual({ customers: 1, invoices: 1, products: 0, payments: 0, notifications: 2 });
	});

	test('fails before the token is checked, as a proxy in front of Hyfin would', async () => {
		sandbox.setKnobs({ failExternalIds: ['bad-1'] });
		expect((await addUpdate(sandbox, { ...JOHN, external_id: 'bad-1' }, { token: 'wrong' })).status).toBe(502);
		expect((await addUpdate(sandbox, { ...JOHN, external_id: 'ok-1' }, { token: 'wrong' })).status).toBe(401);
	});

	test('a body that is not a JSON object names no external_id', async () => {
		sandbox.setKnobs({ failExternalIds: ['bad-1'] });
		const notJson = await addUpdate(sandbox, '{"external_id": "bad-1"');
		expect(notJson.status).toBe(400);
		expect(notJson.json).toEqual({ success: false, errors: ['invalid json'] });
		expect((await addUpdate(sandbox, ['bad-1'])).json).toEqual({ success: false, errors: ['invalid body'] });
		expect((await addUpdate(sandbox, { ...JOHN, external_id: 7 })).json).toEqual({
			success: false,
			errors: ['invalid external_id'],
		});
	});

	test('rate limits still come first', async () => {
		sandbox.setKnobs({ failExternalIds: ['bad-1'], rateLimitPerSec: 1 });
		expect((await addUpdate(sandbox, { ...JOHN, external_id: 'bad-1' })).status).toBe(502);
		expect((await addUpdate(sandbox, { ...JOHN, external_id: 'bad-1' })).status).toBe(429);
	});

	test('does not shift the seeded sequence of random faults for the other requests', async () => {
		// 24 requests in a row with seed 11: the sequence of draws.
		sandbox.setKnobs({ seed: 11, fault500: 0.5 });
		const draws: number[] = [];
		for (let i = 0; i < 24; i++) draws.push((await addUpdate(sandbox, { ...JOHN, external_id: `d${i}` })).status);
		// The same again, every second request about a failing record: it still takes its draw, so the
		// others get exactly every second draw of the sequence.
		sandbox.setKnobs({ seed: 11, failExternalIds: ['bad-1'] });
		const others: number[] = [];
		for (let i = 0; i < 12; i++) {
			expect((await addUpdate(sandbox, { ...JOHN, external_id: 'bad-1' })).status).toBe(502);
			others.push((await addUpdate(sandbox, { ...JOHN, external_id: `c${i}` })).status);
		}
		expect(others).toEqual(draws.filter((_, i) => i % 2 === 1));
		expect(new Set(others)).toEqual(new Set([200, 500]));
	});
});

describe('the failExternalIds knob', () => {
	test('is empty by default, set and cleared through POST /__sandbox/knobs', async () => {
		expect((await call(sandbox, '/__sandbox/knobs')).json).toEqual(CALM);
		const set = await call(sandbox, '/__sandbox/knobs', {
			method: 'POST',
			body: JSON.stringify({ failExternalIds: ['a', 'b'] }),
		});
		expect(set.status).toBe(200);
		expect(set.json).toEqual({ ...CALM, failExternalIds: ['a', 'b'] });
		const cleared = await call(sandbox, '/__sandbox/knobs', { method: 'POST', body: JSON.stringify({ failExternalIds: [] }) });
		expect(cleared.json).toEqual(CALM);
	});

	test.each([['a'], [['a', '']], [['a', 3]], [null], [Array.from({ length: 1001 }, (_, i) => `id${i}`)]])(
		'rejects %j and changes nothing',
		async (value) => {
			const answer = await call(sandbox, '/__sandbox/knobs', {
				method: 'POST',
				body: JSON.stringify({ latencyMs: 5, failExternalIds: value }),
			});
			expect(answer.status).toBe(400);
			expect(answer.json).toEqual({
				success: false,
				errors: ['failExternalIds must be a list of at most 1000 non-empty strings'],
			});
			expect(sandbox.getKnobs()).toEqual(CALM);
		},
	);

	test('setKnobs keeps a copy of the list', () => {
		const ids = ['a'];
		sandbox.setKnobs({ failExternalIds: ids });
		ids.push('b');
		expect(sandbox.getKnobs().failExternalIds).toEqual(['a']);
	});

	test('is read from a comma-separated flag or environment variable', async () => {
		expect(knobsFromFlags({ 'fail-external-ids': ' a, b 2 ,,c' })).toEqual({
			patch: { failExternalIds: ['a', 'b 2', 'c'] },
			errors: [],
		});
		expect(knobsFromFlags({ 'fail-external-ids': '' })).toEqual({ patch: { failExternalIds: [] }, errors: [] });
		const other = await startSandbox({ knobs: knobsFromFlags({ 'fail-external-ids': 'x,y' }).patch });
		try {
			expect(other.getKnobs().failExternalIds).toEqual(['x', 'y']);
		} finally {
			await other.close();
		}
	});
});
