import { startSandbox, type Sandbox, type SandboxKnobs } from '../../sandbox/server';
import { CALM, INVOICE, JOHN, NO_FAULTS, OBJECT_ID, addUpdate, call, calmDown, post, waitFor } from './helpers';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ dbFile: ':memory:' });
});
afterAll(() => sandbox.close());
beforeEach(() => calmDown(sandbox));

const ROUTE = 'POST /api/v3/site/:site_id/customer/addUpdate';

describe('faults decided before processing store nothing', () => {
	test('fault500 answers 500 with Hyfin-style JSON', async () => {
		sandbox.setKnobs({ fault500: 1 });
		const answer = await addUpdate(sandbox, JOHN);
		expect(answer.status).toBe(500);
		expect(answer.json).toEqual({ success: false, errors: ['internal server error'] });
		expect(sandbox.store.count()).toBe(0);
		expect(sandbox.stats().faults.fault500).toBe(1);
	});

	test('fault502Html answers 502 with an HTML proxy page', async () => {
		sandbox.setKnobs({ fault502Html: 1 });
		const answer = await addUpdate(sandbox, JOHN);
		expect(answer.status).toBe(502);
		expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(answer.json).toBeUndefined();
		expect(answer.text).toContain('<title>502 Bad Gateway</title>');
		expect(sandbox.store.count()).toBe(0);
	});

	test('fault429 answers 429 with Retry-After: 1 whatever the rate, storing nothing', async () => {
		sandbox.setKnobs({ fault429: 1 });
		const answer = await addUpdate(sandbox, JOHN);
		expect(answer.status).toBe(429);
		expect(answer.headers.get('retry-after')).toBe('1');
		expect(answer.json).toEqual({ success: false, errors: ['rate limit exceeded'] });
		expect(sandbox.store.count()).toBe(0);
		expect(sandbox.stats().faults.fault429).toBe(1);
	});

	test('fault503 answers 503 with Retry-After: 1', async () => {
		sandbox.setKnobs({ fault503: 1 });
		const answer = await addUpdate(sandbox, JOHN);
		expect(answer.status).toBe(503);
		expect(answer.headers.get('retry-after')).toBe('1');
		expect(answer.json).toEqual({ success: false, errors: ['service unavailable'] });
		expect(sandbox.store.count()).toBe(0);
	});

	test('retryAfterSec sets the Retry-After of fault429 and fault503', async () => {
		sandbox.setKnobs({ fault429: 1, retryAfterSec: 0 });
		expect((await addUpdate(sandbox, JOHN)).headers.get('retry-after')).toBe('0');
		sandbox.setKnobs({ fault429: 0, fault503: 1, retryAfterSec: 7 });
		expect((await addUpdate(sandbox, JOHN)).headers.get('retry-after')).toBe('7');
	});

	test('faultReset destroys the connection without an answer', async () => {
		sandbox.setKnobs({ faultReset: 1 });
		await expect(addUpdate(sandbox, JOHN)).rejects.toThrow('fetch failed');
		expect(sandbox.store.count()).toBe(0);
		expect(sandbox.stats().requests[ROUTE]).toEqual({ reset: 1 });
		await waitFor(() => sandbox.stats().inFlight === 0);
	});

	test('faultHang never answers; the client gives up and the sandbox lets go', async () => {
		sandbox.setKnobs({ faultHang: 1 });
		const started = Date.now();
		await expect(addUpdate(sandbox, JOHN, { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({
			name: 'TimeoutError',
		});
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		expect(sandbox.store.count()).toBe(0);
		expect(sandbox.stats().requests[ROUTE]).toEqual({ hang: 1 });
		await waitFor(() => sandbox.stats().inFlight === 0);
	});

	test('faults also hit GET customer and unknown /api/ paths', async () => {
		sandbox.setKnobs({ fault500: 1 });
		expect((await call(sandbox, `/api/v3/site/${sandbox.siteId}/customer/1`)).status).toBe(500);
		expect((await call(sandbox, '/api/nothing-here')).status).toBe(500);
	});
});

describe('faultTruncated stores, then cuts the answer', () => {
	test('answers 200 with half of the JSON, and the record is stored', async () => {
		sandbox.setKnobs({ faultTruncated: 1 });
		const answer = await addUpdate(sandbox, JOHN);
		expect(answer.status).toBe(200);
		// The whole answer is 66 characters: {"success":true,"action":"added","_id":"<24 hex>"}
		expect(answer.text).toBe('{"success":true,"action":"added",');
		expect(() => JSON.parse(answer.text)).toThrow(SyntaxError);
		expect(sandbox.store.get(sandbox.siteId, JOHN.external_id)?.first_name).toBe('John');
	});

	test('a retry after a truncated answer sees updated with the stored _id', async () => {
		sandbox.setKnobs({ faultTruncated: 1 });
		await addUpdate(sandbox, JOHN);
		const stored = sandbox.store.get(sandbox.siteId, JOHN.external_id);
		sandbox.setKnobs({ faultTruncated: 0 });
		const retry = await addUpdate(sandbox, JOHN);
		expect(retry.json).toEqual({ success: true, action: 'updated', _id: stored?._id });
		expect(stored?._id).toMatch(OBJECT_ID);
	});
});

describe('faultCutOff stores, then drops the connection halfway through the answer', () => {
	test('the status and a promised length arrive, then the body stops and the connection closes; the record is stored', async () => {
		sandbox.setKnobs({ faultCutOff: 1 });
		const res = await fetch(`${sandbox.baseUrl}/api/v3/site/${sandbox.siteId}/customer/addUpdate`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-access-token': sandbox.token },
			body: JSON.stringify(JOHN),
		});
		expect(res.status).toBe(200);
		expect(res.headers.get('content-length')).toBe('66');
		await expect(res.text()).rejects.toThrow('terminated');
		expect(sandbox.store.get(sandbox.siteId, JOHN.external_id)?.first_name).toBe('John');
		expect(sandbox.stats().requests[ROUTE]).toEqual({ cutOff: 1 });
		expect(sandbox.stats().faults.faultCutOff).toBe(1);
		await waitFor(() => sandbox.stats().inFlight === 0);
	});
});

describe('echoToken quotes the token the request carried', () => {
	test('after each error of a rejection, and in a refusal', async () => {
		sandbox.setKnobs({ echoToken: 1 });
		expect((await addUpdate(sandbox, { external_id: 'e1' })).json).toEqual({
			success: false,
			errors: [`missing first_name (${sandbox.token})`, `missing last_name (${sandbox.token})`],
		});
		expect((await addUpdate(sandbox, JOHN, { token: 'tok "wrong"' })).json).toEqual({
			success: false,
			errors: ['invalid access token (tok "wrong")'],
		});
	});

	test('as a message in a success, and HTML-escaped in a page', async () => {
		sandbox.setKnobs({ echoToken: 1 });
		const saved = await addUpdate(sandbox, JOHN);
		expect(saved.json).toEqual({
			success: true,
			action: 'added',
			_id: expect.stringMatching(OBJECT_ID),
			message: `signed with ${sandbox.token}`,
		});
		const page = await call(sandbox, '/api/nothing-here', { headers: { 'x-access-token': '<tok&1>' } });
		expect(page.status).toBe(404);
		expect(page.text).toContain('<p>token: &lt;tok&amp;1&gt;</p></body>');
	});

	test('quotes nothing while it is 0', async () => {
		sandbox.setKnobs({ echoToken: 0 });
		expect((await addUpdate(sandbox, { external_id: 'q' })).json).toEqual({
			success: false,
			errors: ['missing first_name', 'missing last_name'],
		});
		expect((await addUpdate(sandbox, JOHN)).json).toEqual({ success: true, action: 'added', _id: expect.stringMatching(OBJECT_ID) });
	});
});

describe('fault rates', () => {
	test('the same seed gives the same sequence of faults', async () => {
		const run = async (): Promise<number[]> => {
			sandbox.setKnobs({ seed: 42, fault500: 0.3, fault503: 0.3 });
			const statuses: number[] = [];
			for (let i = 0; i < 20; i++) statuses.push((await addUpdate(sandbox, { ...JOHN, external_id: `c${i}` })).status);
			return statuses;
		};
		const first = await run();
		const second = await run();
		expect(second).toEqual(first);
		expect(new Set(first)).toEqual(new Set([200, 500, 503]));
	});

	test('stats count each injected fault', async () => {
		sandbox.setKnobs({ seed: 7, fault500: 0.5, fault502Html: 0.5 });
		for (let i = 0; i < 10; i++) await addUpdate(sandbox, JOHN);
		const { faults, requests } = sandbox.stats();
		expect(faults.fault500 + faults.fault502Html).toBe(10);
		expect(requests[ROUTE]).toEqual({ '500': faults.fault500, '502': faults.fault502Html });
	});

	test('never touch /__sandbox/ or the merchant page', async () => {
		sandbox.setKnobs({ fault500: 0.5, faultReset: 0.5 });
		for (let i = 0; i < 5; i++) {
			expect((await call(sandbox, '/__sandbox/stats')).status).toBe(200);
			expect((await call(sandbox, '/__sandbox/knobs')).status).toBe(200);
			expect((await call(sandbox, '/')).status).toBe(200);
		}
		expect(sandbox.stats().faults).toEqual(NO_FAULTS);
	});
});

describe('faultResetAfterStore stores (and notifies), then destroys the connection', () => {
	const INVOICE_ROUTE = 'POST /api/v3/site/:site_id/invoice/addUpdate';
	const johnsInvoice = { ...INVOICE, customer: { external_id: JOHN.external_id } };

	test('an added invoice is stored and its customer notified; the retry is an update that notifies nobody', async () => {
		await addUpdate(sandbox, JOHN);
		sandbox.setKnobs({ faultResetAfterStore: 1 });
		await expect(post(sandbox, 'invoice/addUpdate', johnsInvoice)).rejects.toThrow('fetch failed');
		const stored = sandbox.store.getInvoice(sandbox.siteId, INVOICE.external_id);
		expect(stored?.notifications).toHaveLength(2);
		expect(sandbox.stats().requests[INVOICE_ROUTE]).toEqual({ reset: 1 });
		expect(sandbox.stats().faults.faultResetAfterStore).toBe(1);

		sandbox.setKnobs({ faultResetAfterStore: 0 });
		const retry = await post(sandbox, 'invoice/addUpdate', johnsInvoice);
		expect(retry.json).toEqual({ success: true, action: 'updated', _id: stored?._id });
		expect(sandbox.store.notifications()).toHaveLength(2);
		await waitFor(() => sandbox.stats().inFlight === 0);
	});

	test('a send is recorded before the connection dies; sending again is a duplicate', async () => {
		await addUpdate(sandbox, JOHN);
		sandbox.setKnobs({ duplicateSendWindowSec: 0 });
		await post(sandbox, 'invoice/addUpdate', johnsInvoice);
		sandbox.setKnobs({ faultResetAfterStore: 1 });
		await expect(post(sandbox, 'invoice/send', { external_id: INVOICE.external_id })).rejects.toThrow('fetch failed');
		expect(sandbox.store.notifications().map((n) => n.reason)).toEqual(['added', 'added', 'sent', 'sent']);
		sandbox.setKnobs({ faultResetAfterStore: 0, duplicateSendWindowSec: 300 });
		expect((await post(sandbox, 'invoice/send', { external_id: INVOICE.external_id })).json).toEqual({
			success: false,
			errors: ['Duplicate email sent < 300 sec. ago'],
		});
	});

	test('customers are stored too', async () => {
		sandbox.setKnobs({ faultResetAfterStore: 1 });
		await expect(addUpdate(sandbox, JOHN)).rejects.toThrow('fetch failed');
		expect(sandbox.store.get(sandbox.siteId, JOHN.external_id)?.first_name).toBe('John');
		expect(sandbox.stats().requests[ROUTE]).toEqual({ reset: 1 });
	});

	test('is drawn after the other faults, so their seeded sequence does not shift', async () => {
		const run = async (knobs: Partial<SandboxKnobs>): Promise<string[]> => {
			sandbox.setKnobs({ ...CALM, seed: 5, fault500: 0.3, ...knobs });
			const outcomes: string[] = [];
			for (let i = 0; i < 30; i++) {
				outcomes.push(
					await addUpdate(sandbox, { ...JOHN, external_id: `s${i}` }).then(
						(a) => String(a.status),
						() => 'reset',
					),
				);
			}
			return outcomes;
		};
		const before = await run({});
		const after = await run({ faultResetAfterStore: 0.4 });
		expect(after.map((o) => o === '500')).toEqual(before.map((o) => o === '500'));
		expect(after).toContain('reset');
		expect(before).toContain('500');
	});
});
