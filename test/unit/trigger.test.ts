import fc from 'fast-check';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import {
	eventKey,
	keeps,
	parseEvent,
	remember,
	REMEMBER_COUNT,
	REMEMBER_MS,
	secretMatches,
	type Seen,
} from '../../nodes/HyfinTrigger/events';
import { HyfinTrigger } from '../../nodes/HyfinTrigger/HyfinTrigger.node';

/** Hyfin's documented samples (reference.md, section 4). */
const PAYMENT_3X = {
	action: 'payment',
	data: {
		id: '6385807aa90735097a811cf6',
		site: { external_id: '65523213', merchant_id: '123123123123' },
		invoice: { external_id: '39772634' },
		customer: { external_id: '42312312' },
		gateway_transaction_id: '32483237915423321',
		payment_type: 'payment_card',
		payment_sub_type: 'visa',
		display_name: 'VISA **** 5123',
		amount: 35.15,
		tax: 2.98,
		tip: 3.5,
		fee: 'fee_value',
		paid_on: '2021-01-01T14:32:18Z',
		status: 'paid',
		transaction_type: 'capture',
	},
};
const PAYMENT_40 = {
	action: 'payment',
	data: {
		id: '6385807aa90735097a811cf6',
		site: '6201825a0cf5e23261a08646',
		customer: '649dc5bb468bd5b5d863c7d1',
		type: 'payment_card',
		amount: 4964,
		paidOn: '2026-05-13T19:29:28Z',
		status: 'captured',
		allocations: [{ refType: 'Invoice', ref: '649dc5bb468bd5b5d863c7d2', amount: 3300 }],
	},
};
const FAILED_TEXT = {
	action: 'notification',
	data: {
		site: { external_id: '65523213', merchant_id: '123123123123' },
		invoice: { external_id: '39772634' },
		message: 'Text to 18001231245 failed',
		error: true,
	},
};

describe('reading Hyfin’s webhook messages', () => {
	it('reads the 3.x payment sample into flat fields, the payload as sent', () => {
		expect(parseEvent(PAYMENT_3X)).toStrictEqual({
			ok: true,
			event: {
				event: 'payment',
				shape: '3.x',
				invoice_external_id: '39772634',
				customer_external_id: '42312312',
				payment_id: '6385807aa90735097a811cf6',
				amount: 35.15,
				status: 'paid',
				paid_on: '2021-01-01T14:32:18Z',
				message: null,
				error: null,
				payload: PAYMENT_3X,
			},
		});
	});

	it('reads the 4.0 payment sample: plain ids, cents as dollars, the invoice from its allocation', () => {
		expect(parseEvent(PAYMENT_40)).toMatchObject({
			ok: true,
			event: {
				shape: '4.0',
				invoice_external_id: '649dc5bb468bd5b5d863c7d2',
				customer_external_id: '649dc5bb468bd5b5d863c7d1',
				amount: 49.64,
				status: 'captured',
				paid_on: '2026-05-13T19:29:28Z',
			},
		});
	});

	it('reads the failed-notification sample', () => {
		expect(parseEvent(FAILED_TEXT)).toMatchObject({
			ok: true,
			event: {
				event: 'notification',
				invoice_external_id: '39772634',
				message: 'Text to 18001231245 failed',
				error: true,
				payment_id: null,
			},
		});
	});

	it('still triggers on a shape it does not know, with the raw payload', () => {
		const odd = { action: 'refund', data: { whatever: 1 } };
		expect(parseEvent(odd)).toMatchObject({
			ok: true,
			event: { event: 'refund', shape: 'unknown', invoice_external_id: null, payload: odd },
		});
	});

	it.each<[unknown, string]>([
		['text', 'the body is not a JSON object'],
		[[PAYMENT_3X], 'the body is not a JSON object'],
		[{ data: {} }, 'it has no "action"'],
		[{ action: 'payment', data: 'x' }, 'it has no "data" object'],
	])('refuses %p: %s', (body, reason) => {
		expect(parseEvent(body)).toStrictEqual({ ok: false, reason });
	});
});

describe('filters', () => {
	const event = (body: IDataObject) => (parseEvent(body) as { event: Parameters<typeof keeps>[0] }).event;
	it('keeps payments by status, notifications by outcome, other actions only when asked', () => {
		expect(keeps(event(PAYMENT_3X), { events: ['payment'], paymentStatuses: [], notifications: 'all' })).toBe(true);
		expect(keeps(event(PAYMENT_3X), { events: ['payment'], paymentStatuses: ['refunded'], notifications: 'all' })).toBe(false);
		expect(keeps(event(PAYMENT_3X), { events: ['notification'], paymentStatuses: [], notifications: 'all' })).toBe(false);
		expect(keeps(event(FAILED_TEXT), { events: ['notification'], paymentStatuses: [], notifications: 'failed' })).toBe(true);
		expect(keeps(event(FAILED_TEXT), { events: ['notification'], paymentStatuses: [], notifications: 'succeeded' })).toBe(false);
		expect(
			keeps(event({ action: 'refund', data: {} }), { events: ['payment', 'notification'], paymentStatuses: [], notifications: 'all' }),
		).toBe(false);
		expect(keeps(event({ action: 'refund', data: {} }), { events: ['other'], paymentStatuses: [], notifications: 'all' })).toBe(true);
	});
});

describe('duplicates', () => {
	const keyOf = (body: IDataObject) => eventKey((parseEvent(body) as { event: Parameters<typeof eventKey>[0] }).event);

	it('sees a re-sent message as the same event, whatever the order of its keys', () => {
		const reordered = { data: Object.fromEntries(Object.entries(FAILED_TEXT.data).reverse()), action: 'notification' };
		expect(keyOf(reordered)).toBe(keyOf(FAILED_TEXT));
		expect(keyOf(PAYMENT_3X)).toBe('payment:6385807aa90735097a811cf6:paid:capture');
	});

	it('sees a refund of a payment, or another notification, as a new event', () => {
		expect(keyOf({ ...PAYMENT_3X, data: { ...PAYMENT_3X.data, status: 'refunded', transaction_type: 'refund' } })).not.toBe(
			keyOf(PAYMENT_3X),
		);
		expect(
			keyOf({ ...FAILED_TEXT, data: { ...FAILED_TEXT.data, message: 'Customer clicked link via text message', error: false } }),
		).not.toBe(keyOf(FAILED_TEXT));
	});

	it('remembers longer than Hyfin re-sends (about 75 h), then forgets; never more than its bound', () => {
		expect(REMEMBER_MS).toBeGreaterThan((5 / 60 + 1 + 2 + 24 + 48) * 3600 * 1000);
		const seen: Seen = {};
		expect(remember(seen, 'a', 0)).toBe(false);
		expect(remember(seen, 'a', 75 * 3600 * 1000)).toBe(true);
		expect(remember(seen, 'a', REMEMBER_MS + 1)).toBe(false);
	});

	it('keeps at most its bound of events, forgetting the oldest first (property)', () => {
		fc.assert(
			fc.property(fc.array(fc.integer({ min: 0, max: 3 * REMEMBER_COUNT }), { minLength: 1, maxLength: 3 * REMEMBER_COUNT }), (keys) => {
				const seen: Seen = {};
				keys.forEach((key, index) => remember(seen, String(key), index));
				expect(Object.keys(seen).length).toBeLessThanOrEqual(REMEMBER_COUNT);
				expect(String(keys[keys.length - 1]) in seen).toBe(true);
			}),
			{ numRuns: 20 },
		);
	});
});

describe('the secret', () => {
	it('matches only the same text, whatever the lengths', () => {
		expect(secretMatches('s3cret-value', 's3cret-value')).toBe(true);
		expect(secretMatches('s3cret-valu', 's3cret-value')).toBe(false);
		expect(secretMatches(undefined, 's3cret-value')).toBe(false);
		expect(secretMatches(['s3cret-value'], 's3cret-value')).toBe(false);
		expect(secretMatches('', '')).toBe(false);
	});
});

/** The trigger's webhook() as n8n calls it, with what it answered and what it started. */
async function call(
	body: unknown,
	query: IDataObject,
	options: { mode?: string; staticData?: IDataObject; parameters?: IDataObject } = {},
) {
	const answered: { status?: number; body?: unknown } = {};
	const parameters: IDataObject = {
		secret: 'node-secret-1',
		events: ['payment', 'notification'],
		paymentStatuses: [],
		notifications: 'all',
		...options.parameters,
	};
	const staticData = options.staticData ?? {};
	const context = {
		getResponseObject: () => ({
			status(code: number) {
				answered.status = code;
				return this;
			},
			json(sent: unknown) {
				answered.body = sent;
			},
		}),
		getNodeParameter: (name: string, fallback?: unknown) => parameters[name] ?? fallback,
		getQueryData: () => query,
		getBodyData: () => body,
		getMode: () => options.mode ?? 'webhook',
		getNode: () => ({ id: 'node-1', name: 'Hyfin Trigger' }),
		getWorkflow: () => ({ id: 'wf-1' }),
		getWorkflowStaticData: () => staticData,
		helpers: { returnJsonArray: (items: IDataObject[]) => items.map((json) => ({ json })) },
	} as unknown as IWebhookFunctions;
	const result = await new HyfinTrigger().webhook.call(context);
	return { answered, result, staticData };
}

describe('the webhook', () => {
	const unique = (id: string) => ({ ...PAYMENT_3X, data: { ...PAYMENT_3X.data, id } });

	it('answers 200 at once and starts one execution with the event', async () => {
		const { answered, result } = await call(unique('p-1'), { secret: 'node-secret-1' });
		expect(answered).toEqual({ status: 200, body: { received: true } });
		expect(result.noWebhookResponse).toBe(true);
		expect(result.workflowData?.[0].map((item) => item.json.payment_id)).toEqual(['p-1']);
	});

	it.each<[string, IDataObject]>([
		['no secret', {}],
		['a wrong secret', { secret: 'node-secret-2' }],
	])('refuses %s with 401 and starts nothing', async (_, query) => {
		const { answered, result } = await call(unique('p-2'), query);
		expect(answered.status).toBe(401);
		expect(result).toEqual({ noWebhookResponse: true });
	});

	it('refuses a body that is not Hyfin’s with 400 and starts nothing', async () => {
		const { answered, result } = await call({ hello: 'world' }, { secret: 'node-secret-1' });
		expect(answered).toEqual({ status: 400, body: { received: false, error: 'Not a Hyfin webhook message: it has no "action"' } });
		expect(result).toEqual({ noWebhookResponse: true });
	});

	it('answers 200 to a re-sent message and starts nothing, remembering it in the static data', async () => {
		const staticData: IDataObject = {};
		const first = await call(unique('p-3'), { secret: 'node-secret-1' }, { staticData });
		const again = await call(unique('p-3'), { secret: 'node-secret-1' }, { staticData });
		expect(first.result.workflowData).toHaveLength(1);
		expect(again.answered).toEqual({ status: 200, body: { received: true, duplicate: true } });
		expect(again.result).toEqual({ noWebhookResponse: true });
		expect(Object.keys(staticData.seen as IDataObject)).toEqual(['payment:p-3:paid:capture']);
	});

	it('drops a repeat seen only in the static data, as after a restart', async () => {
		const staticData: IDataObject = { seen: { 'payment:p-4:paid:capture': Date.now() } };
		const { result } = await call(unique('p-4'), { secret: 'node-secret-1' }, { staticData });
		expect(result).toEqual({ noWebhookResponse: true });
	});

	it('lets a test event through twice in the editor', async () => {
		const staticData: IDataObject = {};
		await call(unique('p-5'), { secret: 'node-secret-1' }, { mode: 'manual', staticData });
		const again = await call(unique('p-5'), { secret: 'node-secret-1' }, { mode: 'manual', staticData });
		expect(again.result.workflowData).toHaveLength(1);
	});

	it('answers 200 to an event its filters leave out, and starts nothing', async () => {
		const { answered, result } = await call(FAILED_TEXT, { secret: 'node-secret-1' }, { parameters: { events: ['payment'] } });
		expect(answered).toEqual({ status: 200, body: { received: true, ignored: true } });
		expect(result).toEqual({ noWebhookResponse: true });
	});
});
