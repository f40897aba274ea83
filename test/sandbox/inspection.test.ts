import { startSandbox, type Sandbox } from '../../sandbox/server';
import {
	INVOICE,
	INVOICE_NO_LINES,
	JOHN,
	ISO_DATE,
	NO_FAULTS,
	PAYMENT,
	PRODUCT,
	addUpdate,
	getCustomer,
	call,
	calmDown,
	get,
	pageRows,
	post,
} from './helpers';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ dbFile: ':memory:', siteId: 'site_page', token: 'page-token' });
});
afterAll(() => sandbox.close());
beforeEach(() => calmDown(sandbox));

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
		expect(pageRows(page.text)).toEqual([
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
		expect(pageRows(page.text).map((cells) => cells[7])).toEqual(['a', 'c', 'b']);
	});

	test('pages through many customers, 100 at a time', async () => {
		for (let i = 0; i < 150; i++) {
			sandbox.store.upsert('site_page', { external_id: `p${i}`, first_name: 'P', last_name: `${i}` });
		}
		const first = await call(sandbox, '/');
		expect(pageRows(first.text)).toHaveLength(100);
		expect(pageRows(first.text)[0][7]).toBe('p149');
		expect(first.text).toContain('<a href="/?page=2">older &rarr;</a>');
		const second = await call(sandbox, '/?page=2');
		expect(second.text).toContain('<strong id="total">150</strong> customers · showing 101–150');
		expect(pageRows(second.text).map((cells) => cells[7])).toEqual(Array.from({ length: 50 }, (_, i) => `p${49 - i}`));
		expect(second.text).toContain('<a href="/?page=1">&larr; newer</a>');
		expect((await call(sandbox, '/?page=99')).text).toContain('showing 101–150');
	});

	test('shows only the configured site', async () => {
		sandbox.store.upsert('site_elsewhere', { external_id: 'x', first_name: 'X', last_name: 'Y' });
		const page = await call(sandbox, '/');
		expect(page.text).toContain('<strong id="total">0</strong> customers');
		expect(pageRows(page.text)).toHaveLength(1);
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

describe('invoices, products, payments and notifications', () => {
	const johnsInvoice = { ...INVOICE, customer: { external_id: JOHN.external_id } };
	const LINKED = INVOICE_NO_LINES;

	/** John, his invoice (notified by email and text), an invoice without a customer, a product and a payment; and a product elsewhere. */
	async function fill(): Promise<void> {
		await addUpdate(sandbox, JOHN);
		await post(sandbox, 'invoice/addUpdate', johnsInvoice);
		await post(sandbox, 'invoice/addUpdate', LINKED);
		await post(sandbox, 'product/addUpdate', PRODUCT);
		await post(sandbox, 'payment/addUpdate', PAYMENT);
		sandbox.store.upsertProduct('site_elsewhere', { external_id: 'x', name: 'X', unit_price: 1 });
	}

	const withSite = (answer: { json: object }) => ({ ...answer.json, site_id: 'site_page' });

	test('GET /__sandbox/invoices, /products and /payments answer what GET answers, with site_id, newest first', async () => {
		await fill();
		expect((await call(sandbox, '/__sandbox/invoices?site=site_page')).json).toEqual([
			withSite(await get(sandbox, 'invoice', LINKED.external_id)),
			withSite(await get(sandbox, 'invoice', INVOICE.external_id)),
		]);
		expect((await call(sandbox, '/__sandbox/products?site=site_page')).json).toEqual([
			withSite(await get(sandbox, 'product', PRODUCT.external_id)),
		]);
		expect((await call(sandbox, '/__sandbox/payments')).json).toEqual([withSite(await get(sandbox, 'payment', PAYMENT.external_id))]);
		expect((await call(sandbox, '/__sandbox/products')).json.map((p: { site_id: string }) => p.site_id)).toEqual([
			'site_elsewhere',
			'site_page',
		]);
		expect((await call(sandbox, '/__sandbox/invoices?site=nope')).json).toEqual([]);
		expect(sandbox.store.listInvoices({ siteId: 'site_page', limit: 1, offset: 1 }).map((i) => i.external_id)).toEqual([
			INVOICE.external_id,
		]);
	});

	test('GET /__sandbox/notifications answers every notification, oldest first, by site and by invoice', async () => {
		await fill();
		const expected = [
			{
				site_id: 'site_page',
				invoice_external_id: INVOICE.external_id,
				channel: 'email',
				to: JOHN.email,
				reason: 'added',
				at: expect.stringMatching(ISO_DATE),
			},
			{
				site_id: 'site_page',
				invoice_external_id: INVOICE.external_id,
				channel: 'text',
				to: JOHN.mobile_phone,
				reason: 'added',
				at: expect.stringMatching(ISO_DATE),
			},
		];
		expect((await call(sandbox, '/__sandbox/notifications')).json).toEqual(expected);
		expect((await call(sandbox, `/__sandbox/notifications?site=site_page&invoice=${INVOICE.external_id}`)).json).toEqual(expected);
		expect((await call(sandbox, `/__sandbox/notifications?invoice=${LINKED.external_id}`)).json).toEqual([]);
		expect((await call(sandbox, '/__sandbox/notifications?site=nope')).json).toEqual([]);
		expect(sandbox.store.notifications({ invoiceExternalId: INVOICE.external_id })).toEqual(expected);
	});

	test('GET /__sandbox/counts counts each kind, for a site or all', async () => {
		await fill();
		expect((await call(sandbox, '/__sandbox/counts?site=site_page')).json).toEqual({
			customers: 1,
			invoices: 2,
			products: 1,
			payments: 1,
			notifications: 2,
		});
		expect(sandbox.store.counts()).toEqual({ customers: 1, invoices: 2, products: 2, payments: 1, notifications: 2 });
		expect(sandbox.store.counts('nope')).toEqual({ customers: 0, invoices: 0, products: 0, payments: 0, notifications: 0 });
	});

	test('reset forgets them all; stats name the new routes', async () => {
		await fill();
		await get(sandbox, 'invoice', 'nope');
		await post(sandbox, 'invoice/send', { external_id: INVOICE.external_id });
		expect(sandbox.stats().requests).toEqual({
			'POST /api/v3/site/:site_id/customer/addUpdate': { '200': 1 },
			'POST /api/v3/site/:site_id/invoice/addUpdate': { '200': 2 },
			'POST /api/v3/site/:site_id/product/addUpdate': { '200': 1 },
			'POST /api/v3/site/:site_id/payment/addUpdate': { '200': 1 },
			'GET /api/v3/site/:site_id/invoice/:external_id': { '404': 1 },
			'POST /api/v3/site/:site_id/invoice/send': { '200': 1 },
		});
		await call(sandbox, '/__sandbox/reset', { method: 'POST' });
		expect(sandbox.store.counts()).toEqual({ customers: 0, invoices: 0, products: 0, payments: 0, notifications: 0 });
		expect((await get(sandbox, 'invoice', INVOICE.external_id)).status).toBe(404);
	});

	test('the merchant page shows invoices with their notifications and payments, and products, escaped', async () => {
		await fill();
		await post(sandbox, 'product/addUpdate', { external_id: '<p>', name: '<b>Shirt</b>', description: 'a & b', unit_price: 2 });
		const page = await call(sandbox, '/');
		expect(page.text).toContain('<p id="invoice-counts">2 invoices · 2 notifications sent · 1 payment</p>');
		expect(page.text).toContain('<p id="product-counts">2 products</p>');
		const invoices = pageRows(page.text, 'invoices');
		const linked = sandbox.store.getInvoice('site_page', LINKED.external_id);
		const johns = sandbox.store.getInvoice('site_page', INVOICE.external_id);
		expect(invoices[0]).toEqual([
			'12346',
			`<a href="${linked?.link}">payment link</a>`,
			'Merchandise Bundle',
			'<span class="muted">none</span>',
			'',
			'45.99',
			linked?.invoice_date,
			linked?.due_date,
			'yes',
			'<span class="muted">none</span>',
			'<span class="muted">none</span>',
			LINKED.external_id,
			linked?._id,
			linked?.updated_at,
			`<form method="post" action="/__sandbox/invoices/${LINKED.external_id}/pay"><button>Pay</button></form>`,
		]);
		expect(invoices[1].slice(0, 6)).toEqual([
			'12345',
			'John Doe (39772634)',
			'',
			'<ul><li>Mens Large T-shirt 2 × 15.00 = 30.00</li></ul>',
			'2.85',
			'30.00',
		]);
		expect(invoices[1][9]).toBe(
			`<ul><li>Email to johndoe@abc.com sent · ${johns?.notifications[0].at}</li><li>Text to 111-222-3333 sent · ${johns?.notifications[1].at}</li></ul>`,
		);
		expect(invoices[1][10]).toBe('<ul><li>VISA **** 5123 · 35.15 · captured · 2021-01-01T14:32:18Z</li></ul>');
		expect(pageRows(page.text, 'products')[0].slice(0, 5)).toEqual(['&lt;b&gt;Shirt&lt;/b&gt;', 'a &amp; b', '2.00', 'yes', '&lt;p&gt;']);
		expect(page.text).not.toContain('<b>Shirt');
	});

	test('an empty site says how to add invoices and products', async () => {
		const page = await call(sandbox, '/');
		expect(pageRows(page.text, 'invoices')).toEqual([['No invoices yet: send one to POST /api/v3/site/{site_id}/invoice/addUpdate']]);
		expect(pageRows(page.text, 'products')).toEqual([['No products yet: send one to POST /api/v3/site/{site_id}/product/addUpdate']]);
	});
});
