import { startSandbox, type Sandbox } from '../../sandbox/server';
import { JOHN, ISO_DATE, NO_FAULTS, addUpdate, getCustomer, call, calmDown } from './helpers';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ dbFile: ':memory:', siteId: 'site_page', token: 'page-token' });
});
afterAll(() => sandbox.close());
beforeEach(() => calmDown(sandbox));

/** The rows of the merchant page's table, each cell's HTML. */
function rows(html: string): string[][] {
	const body = /<tbody>([\s\S]*)<\/tbody>/.exec(html)?.[1] ?? '';
	return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
		[...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]),
	);
}

describe('the merchant page at /', () => {
	test('lists customers with every column, escaping what clients sent', async () => {
		const added = await addUpdate(sandbox, {
			external_id: '<id>&"1"',
			first_name: '<script>alert("x")</script>',
			last_name: "O'Brien",
			account_name: 'Smith & Sons <b>',
			mobile_phone: '111-222-3333',
			email: 'a"b@abc.com',
			active: false,
			notification_options: { notify_phone: true, notify_email: false },
		});
		expect(added.json.success).toBe(true);
		const page = await call(sandbox, '/');
		expect(page.status).toBe(200);
		expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
		expect(page.text).not.toContain('<script');
		expect(page.text).not.toContain('<b>');
		const updatedAt = sandbox.store.get('site_page', '<id>&"1"')?.updated_at;
		expect(rows(page.text)).toEqual([
			[
				'&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien',
				'Smith &amp; Sons &lt;b&gt;',
				'111-222-3333',
				'a&quot;b@abc.com',
				'yes',
				'<span class="muted">no</span>',
				'<span class="muted">no</span>',
				'&lt;id&gt;&amp;&quot;1&quot;',
				added.json._id,
				updatedAt,
			],
		]);
		expect(updatedAt).toMatch(ISO_DATE);
	});

	test('shows the count and the most recently updated first', async () => {
		for (const id of ['a', 'b', 'c']) await addUpdate(sandbox, { ...JOHN, external_id: id });
		await addUpdate(sandbox, { ...JOHN, external_id: 'a', notes: 'touched' });
		const page = await call(sandbox, '/');
		expect(page.text).toContain('<strong id="total">3</strong> customers · showing 1–3');
		expect(rows(page.text).map((cells) => cells[7])).toEqual(['a', 'c', 'b']);
	});

	test('pages through many customers, 100 at a time', async () => {
		for (let i = 0; i < 150; i++) {
			sandbox.store.upsert('site_page', { external_id: `p${i}`, first_name: 'P', last_name: `${i}` });
		}
		const first = await call(sandbox, '/');
		expect(rows(first.text)).toHaveLength(100);
		expect(rows(first.text)[0][7]).toBe('p149');
		expect(first.text).toContain('<a href="/?page=2">older &rarr;</a>');
		const second = await call(sandbox, '/?page=2');
		expect(second.text).toContain('<strong id="total">150</strong> customers · showing 101–150');
		expect(rows(second.text).map((cells) => cells[7])).toEqual(Array.from({ length: 50 }, (_, i) => `p${49 - i}`));
		expect(second.text).toContain('<a href="/?page=1">&larr; newer</a>');
		expect((await call(sandbox, '/?page=99')).text).toContain('showing 101–150');
	});

	test('shows only the configured site', async () => {
		sandbox.store.upsert('site_elsewhere', { external_id: 'x', first_name: 'X', last_name: 'Y' });
		const page = await call(sandbox, '/');
		expect(page.text).toContain('<strong id="total">0</strong> customers');
		expect(rows(page.text)).toHaveLength(1);
		expect(page.text).toContain('No customers yet');
	});
});

describe('/__sandbox/ inspection', () => {
	test('GET /__sandbox/customers lists stored customers, with site_id, filtered by ?site=', async () => {
		const added = await addUpdate(sandbox, JOHN);
		sandbox.store.upsert('site_elsewhere', { external_id: 'x', first_name: 'X', last_name: 'Y' });
		const mine = await call(sandbox, '/__sandbox/customers?site=site_page');
		expect(mine.json).toEqual([{ ...(await getCustomer(sandbox, JOHN.external_id)).json, site_id: 'site_page' }]);
		expect(mine.json[0]._id).toBe(added.json._id);
		expect((await call(sandbox, '/__sandbox/customers')).json).toHaveLength(2);
		expect((await call(sandbox, '/__sandbox/customers?site=nope')).json).toEqual([]);
	});

	test('GET /__sandbox/stats counts requests by route and status, and customers', async () => {
		await addUpdate(sandbox, JOHN);
		await addUpdate(sandbox, JOHN);
		await addUpdate(sandbox, { ...JOHN, email: 'x' });
		await addUpdate(sandbox, JOHN, { token: null });
		await getCustomer(sandbox, 'nobody');
		await call(sandbox, '/favicon.ico');
		await call(sandbox, '/');
		const stats = await call(sandbox, '/__sandbox/stats');
		expect(stats.json).toEqual({
			received: 5,
			requests: {
				'POST /api/v3/site/:site_id/customer/addUpdate': { '200': 3, '401': 1 },
				'GET /api/v3/site/:site_id/customer/:external_id': { '404': 1 },
				'(unmatched)': { '404': 1 },
				'GET /': { '200': 1 },
			},
			faults: NO_FAULTS,
			rateLimited: 0,
			overloaded: 0,
			customers: 1,
			inFlight: 0,
			peakInFlight: 1,
		});
	});

	test('POST /__sandbox/reset forgets customers and stats but keeps knobs', async () => {
		sandbox.setKnobs({ rejectionStatus: 422 });
		await addUpdate(sandbox, JOHN);
		const reset = await call(sandbox, '/__sandbox/reset', { method: 'POST' });
		expect(reset.json).toEqual({ success: true });
		expect(sandbox.store.count()).toBe(0);
		expect(sandbox.stats()).toMatchObject({ requests: {}, customers: 0, peakInFlight: 0 });
		expect(sandbox.getKnobs().rejectionStatus).toBe(422);
		expect((await getCustomer(sandbox, JOHN.external_id)).status).toBe(404);
	});

	test('needs no token', async () => {
		expect((await call(sandbox, '/__sandbox/stats')).status).toBe(200);
		expect((await call(sandbox, '/__sandbox/customers')).status).toBe(200);
	});

	test('unknown /__sandbox/ paths are HTML 404s', async () => {
		const answer = await call(sandbox, '/__sandbox/nothing');
		expect(answer.status).toBe(404);
		expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
	});
});

test('startSandbox answers its addresses and names', () => {
	expect(sandbox).toMatchObject({
		url: `http://127.0.0.1:${sandbox.port}/`,
		baseUrl: `http://127.0.0.1:${sandbox.port}`,
		siteId: 'site_page',
		token: 'page-token',
	});
	expect(sandbox.port).toBeGreaterThan(0);
});
