import { startSandbox, type Sandbox, type WebhookMessage } from '../../sandbox/server';
import {
	INVOICE,
	INVOICE_NO_LINES,
	JOHN,
	OBJECT_ID,
	addUpdate,
	call,
	calmDown,
	get,
	knobsFromFlags,
	pageRows,
	post,
	startReceiver,
	waitFor,
	type Answer,
	type Receiver,
} from './helpers';

let sandbox: Sandbox;
let receiver: Receiver;

beforeAll(async () => {
	sandbox = await startSandbox({ dbFile: ':memory:' });
	receiver = await startReceiver();
});
afterAll(async () => {
	await sandbox.close();
	await receiver.close();
});
beforeEach(() => {
	calmDown(sandbox);
	sandbox.setSiteWebhook(null);
	receiver.received.length = 0;
	receiver.answers.length = 0;
});

/** John's sample invoice (John notified by text and email), its webhooks sent to the receiver. */
const hooked = (extra: object = {}) => ({ ...INVOICE, customer: { external_id: JOHN.external_id }, webhook_url: receiver.url, ...extra });

async function addHookedInvoice(extra: object = {}): Promise<void> {
	await addUpdate(sandbox, JOHN);
	expect((await post(sandbox, 'invoice/addUpdate', hooked(extra))).json.success).toBe(true);
}

const pay = (externalId: string, body?: unknown): Promise<Answer> =>
	call(sandbox, `/__sandbox/invoices/${encodeURIComponent(externalId)}/pay`, {
		method: 'POST',
		...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
	});

const notify = (externalId: string, body: unknown): Promise<Answer> =>
	call(sandbox, `/__sandbox/invoices/${encodeURIComponent(externalId)}/notify`, { method: 'POST', body: JSON.stringify(body) });

const delivered = (action: string, n: number) => (messages: WebhookMessage[]) =>
	messages.filter((m) => m.action === action && m.delivered).length >= n;

const bodies = (action: string) => receiver.received.filter((r) => r.body.action === action).map((r) => r.body);

const SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ms = (iso: string): number => Date.parse(iso);

describe('the payment webhook', () => {
	test('POST /__sandbox/invoices/{id}/pay stores a payment and POSTs the 3.x payload, in the documented order', async () => {
		await addHookedInvoice();
		const paid = await pay(INVOICE.external_id);
		expect(paid.status).toBe(200);
		expect(paid.json).toMatchObject({ success: true, webhook_urls: [receiver.url] });
		const payment = paid.json.payment;
		await sandbox.waitForWebhooks(delivered('payment', 1));

		const [body] = bodies('payment');
		expect(body).toEqual({
			action: 'payment',
			data: {
				id: payment._id,
				site: { external_id: 'site_demo', merchant_id: '123123123123' },
				invoice: { external_id: INVOICE.external_id },
				customer: { external_id: JOHN.external_id },
				gateway_transaction_id: expect.stringMatching(/^\d{17}$/),
				payment_type: 'payment_card',
				payment_sub_type: 'visa',
				display_name: 'VISA **** 5123',
				amount: 32.85,
				tax: 2.85,
				tip: 0,
				fee: 0,
				paid_on: expect.stringMatching(SECONDS),
				status: 'paid',
				transaction_type: 'capture',
			},
		});
		expect(Object.keys(body.data)).toEqual([
			'id',
			'site',
			'invoice',
			'customer',
			'gateway_transaction_id',
			'payment_type',
			'payment_sub_type',
			'display_name',
			'amount',
			'tax',
			'tip',
			'fee',
			'paid_on',
			'status',
			'transaction_type',
		]);
		expect(body.data.id).toMatch(OBJECT_ID);
		const request = receiver.received.find((r) => r.body.action === 'payment');
		expect(request?.method).toBe('POST');
		expect(request?.headers['content-type']).toBe('application/json');
		expect(request?.headers['user-agent']).toBe('Hyfin-Webhooks-Sandbox/1.0');

		// The payment is Hyfin's: GET payment finds it by its id, GET invoice lists it.
		const stored = await get(sandbox, 'payment', body.data.id);
		expect(stored.json).toMatchObject({
			_id: body.data.id,
			external_id: body.data.id,
			gateway_transaction_id: body.data.gateway_transaction_id,
			total: 32.85,
			tax: 2.85,
			tip: 0,
			fee: 0,
			last_4: '5123',
			paid_on: body.data.paid_on,
			status: 'captured',
			invoice: { external_id: INVOICE.external_id },
		});
		expect((await get(sandbox, 'invoice', INVOICE.external_id)).json.payments).toEqual([stored.json]);
	});

	test('takes the amount, tip, type, sub-type and display name; the tip is added to a default amount; no customer, no customer key', async () => {
		await post(sandbox, 'invoice/addUpdate', { ...INVOICE_NO_LINES, webhook_url: receiver.url });
		await pay(INVOICE_NO_LINES.external_id, {
			amount: 20,
			tip: 1.5,
			payment_type: 'apple_pay',
			payment_sub_type: 'other',
			display_name: 'Apple Pay',
		});
		await pay(INVOICE_NO_LINES.external_id, { tip: 4 });
		await sandbox.waitForWebhooks(delivered('payment', 2));
		const [first, second] = bodies('payment').sort((a, b) => a.data.amount - b.data.amount);
		expect(first.data).toMatchObject({
			amount: 20,
			tip: 1.5,
			tax: 0,
			payment_type: 'apple_pay',
			payment_sub_type: 'other',
			display_name: 'Apple Pay',
		});
		expect(second.data).toMatchObject({ amount: 49.99, tip: 4 });
		expect(first.data).not.toHaveProperty('customer');
		expect((await get(sandbox, 'invoice', INVOICE_NO_LINES.external_id)).json.payments).toHaveLength(2);
	});

	test('webhookShape 4.0: plain ids, camelCase, cents, captured, allocations', async () => {
		sandbox.setKnobs({ webhookShape: '4.0' });
		await addHookedInvoice();
		const paid = await pay(INVOICE.external_id, { tip: 3.5 });
		await sandbox.waitForWebhooks(delivered('payment', 1));
		const invoice = sandbox.store.getInvoice('site_demo', INVOICE.external_id);
		const john = sandbox.store.get('site_demo', JOHN.external_id);
		const { payment } = paid.json;
		expect(bodies('payment')).toEqual([
			{
				action: 'payment',
				data: {
					id: payment._id,
					site: 'site_demo',
					customer: john?._id,
					type: 'payment_card',
					subType: 'visa',
					displayName: 'VISA **** 5123',
					amount: 3635,
					totals: { subtotal: 3000, taxes: 285, total: 3285, extraFees: 0, tips: 350 },
					paidOn: payment.paid_on,
					status: 'captured',
					allocations: [{ refType: 'Invoice', ref: invoice?._id, amount: 3285 }],
					paymentTransactionEvents: [
						{ type: 'sale', amount: 3635, successful: true, createdAt: payment.paid_on, transactionId: payment.gateway_transaction_id },
					],
				},
			},
		]);
		expect(bodies('notification')[0]).toEqual({
			action: 'notification',
			data: { site: 'site_demo', invoice: invoice?._id, message: 'Email to johndoe@abc.com delivered', error: false },
		});
	});

	test('refuses an unknown invoice, bad fields and bad JSON', async () => {
		expect((await pay('nope')).json).toEqual({ success: false, errors: ['invoice not found'] });
		await post(sandbox, 'invoice/addUpdate', INVOICE_NO_LINES);
		const bad = await pay(INVOICE_NO_LINES.external_id, { amount: -1, tip: 0.001, payment_type: 'check', display_name: ' ' });
		expect({ status: bad.status, json: bad.json }).toEqual({
			status: 400,
			json: { success: false, errors: ['invalid amount', 'invalid tip', 'invalid payment_type', 'invalid display_name'] },
		});
		const notJson = await call(sandbox, `/__sandbox/invoices/${INVOICE_NO_LINES.external_id}/pay`, { method: 'POST', body: '{' });
		expect(notJson.json).toEqual({ success: false, errors: ['invalid json'] });
		expect(sandbox.store.counts().payments).toBe(0);
	});

	test("the merchant page's Pay button pays with the defaults and comes back to the page (303)", async () => {
		await addHookedInvoice();
		const page = await call(sandbox, '/');
		const action = `/__sandbox/invoices/${INVOICE.external_id}/pay`;
		expect(pageRows(page.text, 'invoices')[0][14]).toBe(`<form method="post" action="${action}"><button>Pay</button></form>`);

		const answer = await call(sandbox, action, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: '',
			redirect: 'manual',
		});
		expect(answer.status).toBe(303);
		expect(answer.headers.get('location')).toBe('/');
		const payments = (await get(sandbox, 'invoice', INVOICE.external_id)).json.payments;
		expect(payments).toMatchObject([{ total: 32.85, display_name: 'VISA **** 5123', status: 'captured' }]);
		// JSON sent as a form (curl -d) is still JSON, answered as such.
		const curled = await call(sandbox, action, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: '{"amount":1}',
		});
		expect(curled.json).toMatchObject({ success: true, payment: { total: 1 } });

		await sandbox.waitForWebhooks(delivered('payment', 2));
		const after = await call(sandbox, '/');
		expect(pageRows(after.text, 'invoices')[0][10]).toContain('VISA **** 5123 · 32.85 · captured');
		expect(after.text).toContain('<p id="webhook-counts">4 messages</p>');
		const rows = pageRows(after.text, 'webhooks');
		expect(rows.map((cells) => cells.slice(1, 3).concat(cells[4]))).toEqual([
			[receiver.url, 'payment', 'yes'],
			[receiver.url, 'payment', 'yes'],
			[receiver.url, 'notification', 'yes'],
			[receiver.url, 'notification', 'yes'],
		]);
		expect(rows[0][3]).toMatch(/^<ul><li>\S+ · 200<\/li><\/ul>$/);
	});
});

describe('the notification webhook', () => {
	const notification = (message: string, error = false) => ({
		action: 'notification',
		data: {
			site: { external_id: 'site_demo', merchant_id: '123123123123' },
			invoice: { external_id: INVOICE.external_id },
			message,
			error,
		},
	});

	test('is sent for each text and email recorded when an invoice is added, and again on invoice/send', async () => {
		sandbox.setKnobs({ duplicateSendWindowSec: 0 });
		await addHookedInvoice();
		await sandbox.waitForWebhooks(delivered('notification', 2));
		const added = [notification('Email to johndoe@abc.com delivered'), notification('Text to 111-222-3333 delivered')];
		expect(sandbox.webhooks().map((m) => m.payload)).toEqual(added);

		expect((await post(sandbox, 'invoice/send', { external_id: INVOICE.external_id })).json.success).toBe(true);
		await sandbox.waitForWebhooks(delivered('notification', 4));
		expect(sandbox.webhooks().map((m) => m.payload)).toEqual([...added, ...added]);
		expect(bodies('notification')).toHaveLength(4);
	});

	test('is not sent when nothing is recorded: an update, or a customer with notifications off', async () => {
		await addHookedInvoice();
		await sandbox.waitForWebhooks(delivered('notification', 2));
		await post(sandbox, 'invoice/addUpdate', hooked({ customer_memo: 'again' }));
		await addUpdate(sandbox, { ...JOHN, notification_options: { notify_phone: false, notify_email: false } });
		await post(sandbox, 'invoice/addUpdate', hooked({ external_id: 'quiet' }));
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(sandbox.webhooks()).toHaveLength(2);
	});

	test('POST /__sandbox/invoices/{id}/notify sends one on demand, in the words of the samples', async () => {
		await addHookedInvoice();
		const cases: [unknown, string, boolean][] = [
			[{ event: 'clicked', channel: 'text' }, 'Customer clicked link via text message', false],
			[{ event: 'clicked', channel: 'email' }, 'Customer clicked link via email', false],
			[{ event: 'delivered', channel: 'text' }, 'Text to 111-222-3333 delivered', false],
			[{ event: 'failed', channel: 'text' }, 'Text to 111-222-3333 failed', true],
			[{ event: 'failed', channel: 'email' }, 'Email to johndoe@abc.com failed', true],
		];
		for (const [body, message, error] of cases) {
			const answer = await notify(INVOICE.external_id, body);
			expect(answer.json).toEqual({ success: true, message, error, webhook_urls: [receiver.url] });
		}
		const all = await sandbox.waitForWebhooks(delivered('notification', 7));
		expect(all.slice(2).map((m) => m.payload)).toEqual(cases.map(([, message, error]) => notification(message, error)));
		// On-demand events are webhooks only, not payment requests.
		expect(sandbox.store.notifications()).toHaveLength(2);
	});

	test('notify refuses what it cannot say', async () => {
		await post(sandbox, 'invoice/addUpdate', INVOICE_NO_LINES);
		const refusals: [string, unknown, number, string[]][] = [
			['nope', { event: 'clicked', channel: 'text' }, 404, ['invoice not found']],
			[INVOICE_NO_LINES.external_id, {}, 400, ['missing event', 'missing channel']],
			[INVOICE_NO_LINES.external_id, { event: 'opened', channel: 'fax' }, 400, ['invalid event', 'invalid channel']],
			[INVOICE_NO_LINES.external_id, { event: 'delivered', channel: 'text' }, 400, ['missing customer']],
		];
		for (const [externalId, body, status, errors] of refusals) {
			const answer = await notify(externalId, body);
			expect({ status: answer.status, json: answer.json }).toEqual({ status, json: { success: false, errors } });
		}
		// A payment link is clicked without a customer; with no URL anywhere it goes nowhere.
		expect((await notify(INVOICE_NO_LINES.external_id, { event: 'clicked', channel: 'email' })).json.webhook_urls).toEqual([]);
		expect(sandbox.webhooks()).toEqual([]);
	});
});

describe('where webhooks go', () => {
	let other: Receiver;
	beforeAll(async () => (other = await startReceiver()));
	afterAll(() => other.close());
	beforeEach(() => (other.received.length = 0));

	test("the site's URL gets every message; an invoice with its own URL sends to both; the same URL once", async () => {
		sandbox.setSiteWebhook(other.url);
		expect(sandbox.getSiteWebhook()).toBe(other.url);
		await post(sandbox, 'invoice/addUpdate', INVOICE_NO_LINES);
		await post(sandbox, 'invoice/addUpdate', { ...INVOICE_NO_LINES, external_id: 'both', webhook_url: receiver.url });
		await post(sandbox, 'invoice/addUpdate', { ...INVOICE_NO_LINES, external_id: 'same', webhook_url: other.url });
		for (const id of [INVOICE_NO_LINES.external_id, 'both', 'same']) await pay(id);
		const messages = await sandbox.waitForWebhooks(delivered('payment', 4));
		expect(messages.map((m) => [m.url, (m.payload as { data: { invoice: { external_id: string } } }).data.invoice.external_id])).toEqual([
			[other.url, INVOICE_NO_LINES.external_id],
			[receiver.url, 'both'],
			[other.url, 'both'],
			[other.url, 'same'],
		]);
		expect(other.received).toHaveLength(3);
		expect(receiver.received).toHaveLength(1);
	});

	test('GET and POST /__sandbox/site-webhook read and change it; a bad URL changes nothing', async () => {
		const set = await call(sandbox, '/__sandbox/site-webhook', { method: 'POST', body: JSON.stringify({ url: other.url }) });
		expect(set.json).toEqual({ url: other.url });
		expect((await call(sandbox, '/__sandbox/site-webhook')).json).toEqual({ url: other.url });
		for (const [body, error] of [
			[{ url: 'ftp://x' }, 'invalid url'],
			[{}, 'missing url'],
			['[', 'invalid json'],
		]) {
			const answer = await call(sandbox, '/__sandbox/site-webhook', {
				method: 'POST',
				body: typeof body === 'string' ? body : JSON.stringify(body),
			});
			expect({ status: answer.status, json: answer.json }).toEqual({ status: 400, json: { success: false, errors: [error] } });
		}
		expect(() => sandbox.setSiteWebhook('not a url')).toThrow('invalid site webhook URL');
		expect(sandbox.getSiteWebhook()).toBe(other.url);
		await call(sandbox, '/__sandbox/site-webhook', { method: 'POST', body: JSON.stringify({ url: null }) });
		expect(sandbox.getSiteWebhook()).toBeNull();
	});

	test('startSandbox takes siteWebhookUrl, and refuses a bad one', async () => {
		const started = await startSandbox({ siteWebhookUrl: other.url });
		try {
			expect(started.getSiteWebhook()).toBe(other.url);
		} finally {
			await started.close();
		}
		await expect(startSandbox({ siteWebhookUrl: 'mysoftware.com/webhook' })).rejects.toThrow('invalid siteWebhookUrl');
	});

	test('a host that is not loopback is not sent to unless allowRemoteWebhooks: recorded, never retried', async () => {
		await post(sandbox, 'invoice/addUpdate', { ...INVOICE_NO_LINES, webhook_url: 'https://mysoftware.com/webhook' });
		await pay(INVOICE_NO_LINES.external_id);
		expect(sandbox.webhooks()).toEqual([
			expect.objectContaining({
				url: 'https://mysoftware.com/webhook',
				delivered: false,
				next_attempt_at: null,
				attempts: [
					{
						at: expect.any(String),
						error: 'not sent: mysoftware.com is not a loopback host (start the sandbox with allowRemoteWebhooks to send there)',
					},
				],
			}),
		]);
	});

	test('GET /__sandbox/webhooks lists the messages, oldest first', async () => {
		await addHookedInvoice();
		await sandbox.waitForWebhooks(delivered('notification', 2));
		const listed = await call(sandbox, '/__sandbox/webhooks');
		expect(listed.json).toEqual(sandbox.webhooks());
		expect(listed.json[1].id).toBe(listed.json[0].id + 1);
		expect(listed.json[0]).toEqual({
			id: expect.any(Number),
			url: receiver.url,
			action: 'notification',
			payload: expect.objectContaining({ action: 'notification' }),
			attempts: [{ at: expect.any(String), status: 200 }],
			delivered: true,
			next_attempt_at: null,
		});
	});
});

describe('delivery and re-sends', () => {
	/** The schedule of reference §4.1, in ms after the first try. */
	const SCHEDULE = [5 * 60_000, 3_600_000, 7_200_000, 86_400_000, 172_800_000];

	/** Pays an invoice without a customer (one message: the payment) and answers that message. */
	async function payOnce(): Promise<void> {
		await post(sandbox, 'invoice/addUpdate', { ...INVOICE_NO_LINES, webhook_url: receiver.url });
		await pay(INVOICE_NO_LINES.external_id);
	}

	test('a receiver answering 500 gets it again 5 minutes, then 1 hour (scaled) after the first try; only a 200 makes it delivered', async () => {
		sandbox.setKnobs({ webhookTimeScale: 0.0002 });
		receiver.answers.push(500, 204);
		await payOnce();
		const [message] = await sandbox.waitForWebhooks((m) => m[0]?.delivered === true);
		expect(message.attempts).toEqual([
			{ at: expect.any(String), status: 500 },
			{ at: expect.any(String), status: 204 },
			{ at: expect.any(String), status: 200 },
		]);
		expect(message.next_attempt_at).toBeNull();
		const [first, second, third] = message.attempts.map((a) => ms(a.at));
		expect(second - first).toBeGreaterThanOrEqual(SCHEDULE[0] * 0.0002 - 5);
		expect(second - first).toBeLessThan(SCHEDULE[0] * 0.0002 + 250);
		expect(third - first).toBeGreaterThanOrEqual(SCHEDULE[1] * 0.0002 - 5);
		expect(third - first).toBeLessThan(SCHEDULE[1] * 0.0002 + 250);
		expect(receiver.received.map((r) => r.body)).toEqual([message.payload, message.payload, message.payload]);
	});

	test('while it waits, next_attempt_at says when the re-send is due', async () => {
		sandbox.setKnobs({ webhookTimeScale: 0.01 });
		receiver.answers.push(503);
		await payOnce();
		const [message] = await sandbox.waitForWebhooks((m) => m[0]?.attempts.length === 1);
		expect(message.delivered).toBe(false);
		expect(ms(message.next_attempt_at ?? '') - ms(message.attempts[0].at)).toBeGreaterThanOrEqual(SCHEDULE[0] * 0.01 - 5);
		expect(ms(message.next_attempt_at ?? '') - ms(message.attempts[0].at)).toBeLessThan(SCHEDULE[0] * 0.01 + 250);
	});

	test('a receiver that hangs beyond webhookTimeoutMs has failed', async () => {
		sandbox.setKnobs({ webhookTimeoutMs: 150, webhookTimeScale: 0.001 });
		receiver.answers.push('hang');
		await payOnce();
		const [message] = await sandbox.waitForWebhooks((m) => m[0]?.delivered === true);
		expect(message.attempts).toEqual([
			{ at: expect.any(String), error: 'no answer within 150 ms' },
			{ at: expect.any(String), status: 200 },
		]);
	});

	test('after the 5th re-send it gives up, each re-send on the schedule counted from the first try', async () => {
		sandbox.setKnobs({ webhookTimeScale: 0.00001 });
		receiver.answers.push(...Array<number>(10).fill(500));
		await payOnce();
		const [message] = await sandbox.waitForWebhooks((m) => m[0]?.attempts.length === 6 && m[0].next_attempt_at === null);
		expect(message.delivered).toBe(false);
		expect(message.attempts.every((a) => a.status === 500)).toBe(true);
		const first = ms(message.attempts[0].at);
		message.attempts.slice(1).forEach((a, i) => expect(ms(a.at) - first).toBeGreaterThanOrEqual(SCHEDULE[i] * 0.00001 - 5));
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(receiver.received).toHaveLength(6);
	});

	test('a receiver that is not there has failed too', async () => {
		const gone = await startReceiver();
		await gone.close();
		sandbox.setKnobs({ webhookTimeScale: 0 });
		await post(sandbox, 'invoice/addUpdate', { ...INVOICE_NO_LINES, webhook_url: gone.url });
		await pay(INVOICE_NO_LINES.external_id);
		const [message] = await sandbox.waitForWebhooks((m) => m[0]?.attempts.length === 6 && m[0].next_attempt_at === null);
		expect(message.attempts[0].error).toMatch(/ECONNREFUSED/);
		expect(message.delivered).toBe(false);
	});

	test('webhookResendDelivered sends a delivered message once more, later', async () => {
		sandbox.setKnobs({ webhookResendDelivered: 1, webhookTimeScale: 0.001 });
		await payOnce();
		const [message] = await sandbox.waitForWebhooks((m) => m[0]?.attempts.length === 2 && m[0].next_attempt_at === null);
		expect(message.delivered).toBe(true);
		expect(message.attempts.map((a) => a.status)).toEqual([200, 200]);
		expect(ms(message.attempts[1].at) - ms(message.attempts[0].at)).toBeGreaterThanOrEqual(SCHEDULE[0] * 0.001 - 5);
		expect(receiver.received.map((r) => r.body)).toEqual([message.payload, message.payload]);
		await new Promise((resolve) => setTimeout(resolve, 400));
		expect(receiver.received).toHaveLength(2);
	});

	test('sending never delays the answer that caused it', async () => {
		receiver.answers.push('hang', 'hang');
		const started = Date.now();
		await addHookedInvoice();
		expect(Date.now() - started).toBeLessThan(1000);
		await sandbox.waitForWebhooks((m) => m.length === 2);
		expect(sandbox.webhooks().every((m) => m.attempts.length === 0)).toBe(true);
	});

	test('reset forgets the messages and cancels the re-sends due', async () => {
		sandbox.setKnobs({ webhookTimeScale: 0.001 });
		receiver.answers.push(500, 500);
		await payOnce();
		await sandbox.waitForWebhooks((m) => m[0]?.attempts.length === 1);
		sandbox.reset();
		expect(sandbox.webhooks()).toEqual([]);
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(receiver.received).toHaveLength(1);
	});

	test('close() ends a hung delivery and waits for nothing; waitForWebhooks then rejects', async () => {
		const own = await startSandbox({ siteWebhookUrl: receiver.url });
		receiver.answers.push('hang');
		await post(own, 'invoice/addUpdate', INVOICE_NO_LINES);
		await call(own, `/__sandbox/invoices/${INVOICE_NO_LINES.external_id}/pay`, { method: 'POST' });
		await waitFor(() => receiver.received.length === 1);
		const waiting = own.waitForWebhooks(() => false, 60_000);
		const started = Date.now();
		await own.close();
		expect(Date.now() - started).toBeLessThan(1000);
		await expect(waiting).rejects.toThrow('the sandbox closed');
	});

	test('waitForWebhooks rejects after its time, saying what it saw', async () => {
		await expect(sandbox.waitForWebhooks((m) => m.length > 0, 50)).rejects.toThrow('webhooks not as expected within 50 ms: []');
	});
});

describe('the webhook knobs', () => {
	test('are checked, and read from flags', () => {
		expect(() => sandbox.setKnobs({ webhookShape: '5.0' as '4.0' })).toThrow('webhookShape must be one of 3.x, 4.0');
		expect(() => sandbox.setKnobs({ webhookTimeoutMs: 0 })).toThrow('webhookTimeoutMs must be 1..600000');
		expect(() => sandbox.setKnobs({ webhookTimeScale: 2 })).toThrow('webhookTimeScale must be 0..1');
		expect(() => sandbox.setKnobs({ webhookResendDelivered: 1.5 })).toThrow('webhookResendDelivered must be 0..1');
		expect(sandbox.getKnobs()).toMatchObject({
			webhookShape: '3.x',
			webhookTimeoutMs: 10000,
			webhookTimeScale: 1,
			webhookResendDelivered: 0,
		});
		expect(
			knobsFromFlags({
				'webhook-shape': '4.0',
				'webhook-timeout-ms': '500',
				'webhook-time-scale': '0.001',
				'webhook-resend-delivered': '0.5',
			}),
		).toEqual({ patch: { webhookShape: '4.0', webhookTimeoutMs: 500, webhookTimeScale: 0.001, webhookResendDelivered: 0.5 }, errors: [] });
	});
});
