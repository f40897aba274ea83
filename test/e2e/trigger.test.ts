/**
 * The Hyfin Trigger in a REAL n8n (`n8n start`, the workflow published) against the sandbox's
 * webhooks: an invoice added through the Hyfin node with the trigger's URL as its webhook_url,
 * its payment request "delivered" while n8n was down (re-sent by the sandbox on Hyfin's schedule,
 * compressed, once n8n is up), then paid; re-sent messages, requests without the secret and
 * bodies that are not Hyfin's. Each execution posts its item to a receiver in this process, so
 * the receiver's count is the number of executions. Then the trigger's two examples, published
 * too, as they are in examples/, read back through n8n's REST API.
 */
import { createServer, type Server as HttpServer } from 'http';
import type { AddressInfo } from 'net';
import { getRandomPort } from 'get-port-please';

import { parse as unflatten } from 'flatted';
import fs from 'fs';
import os from 'os';
import path from 'path';

import * as n8n from '../../scripts/lib/n8n';
import { exampleWorkflows, workflow } from '../../scripts/lib/workflows';
import { CREDENTIALS, SETUP_TIMEOUT_MS, expectSuccess, outputOf, useE2E, type Server } from './helpers/n8n';
import { TRIGGER_EXAMPLE_IDS } from './helpers/workflows';

jest.setTimeout(240_000);

const WEBHOOK_ID = 'e2e-hyfin-trigger-7d1c';
const TRIGGER_WORKFLOW = 'e2eHyfinTrigger';
const ADD_INVOICE_WORKFLOW = 'e2eHyfinInvoiceWithWebhook';

// ---------------------------------------------------------------------------------------------
// A receiver for the executions' items

let receiver: HttpServer;
let receiverUrl = '';
const received: Array<Record<string, unknown>> = [];

beforeAll(async () => {
	receiver = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			received.push(JSON.parse(body));
			res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
		});
	});
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/execution`;
});
afterAll(async () => {
	await new Promise((resolve) => receiver.close(resolve));
});

// ---------------------------------------------------------------------------------------------
// n8n: the trigger's workflow, published; a workflow that adds the invoice

let port = 0;
let secret = '';
// Chosen before the workflows are made, as the invoice's webhook_url names it.
beforeAll(async () => {
	port = await getRandomPort('127.0.0.1');
});
const triggerUrl = (query = `?secret=${encodeURIComponent(secret)}`) => `http://127.0.0.1:${port}/webhook/${WEBHOOK_ID}/hyfin${query}`;

const e2e = useE2E((sandbox) => {
	const trigger = workflow({
		id: TRIGGER_WORKFLOW,
		name: 'Hyfin Trigger (e2e)',
		chain: {
			'Hyfin Trigger': { type: 'n8n-nodes-hyfin.hyfinTrigger', typeVersion: 1, parameters: {}, webhookId: WEBHOOK_ID },
			'Post the item': {
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				parameters: {
					method: 'POST',
					url: receiverUrl,
					sendBody: true,
					specifyBody: 'json',
					jsonBody: '={{ JSON.stringify($json) }}',
					options: {},
				},
			},
		},
	});
	// The Secret is left at its default: the trigger node's own id.
	secret = trigger.nodes.find((node) => node.name === 'Hyfin Trigger')!.id;
	const addInvoice = workflow({
		id: ADD_INVOICE_WORKFLOW,
		name: 'Add an invoice with the trigger as its webhook (e2e)',
		chain: {
			Run: { type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
			Invoice: {
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				parameters: {
					jsCode: `return [{ json: ${JSON.stringify({ external_id: 'INV-T1', invoice_number: 'T1', description: 'Lawn care', total: '45.00', customer_external_id: 'C-T1', webhook_url: triggerUrl() })} }];`,
				},
			},
			'Hyfin: add the invoice': {
				type: 'n8n-nodes-hyfin.hyfin',
				typeVersion: 1,
				parameters: {
					resource: 'invoice',
					operation: 'addUpdate',
					columns: {
						mappingMode: 'autoMapInputData',
						value: {},
						matchingColumns: [],
						schema: [],
						attemptToConvertTypes: false,
						convertFieldsToString: false,
					},
					options: {},
				},
				credentials: { hyfinApi: CREDENTIALS.good },
			},
		},
	});
	void sandbox;
	return [trigger, addInvoice, ...examples];
});

const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-e2e-trigger-'));
const examples = exampleWorkflows(filesDir).filter((example) => TRIGGER_EXAMPLE_IDS.includes(example.id));
afterAll(() => fs.rmSync(filesDir, { recursive: true, force: true }));

let server: Server | null = null;

beforeAll(async () => {
	for (const id of [TRIGGER_WORKFLOW, ...TRIGGER_EXAMPLE_IDS]) {
		const published = await n8n.run(e2e.n8n, e2e.home, ['publish:workflow', `--id=${id}`]);
		if (published.code !== 0 || /GOT ERROR/.test(published.stdout + published.stderr)) {
			throw new Error(`n8n publish:workflow failed (exit ${published.code}):\n${published.stdout}\n${published.stderr}`);
		}
	}
	// Hyfin's re-send schedule, compressed: the first re-send 60 s after the first try (5 min × 0.2).
	e2e.resetSandbox({ webhookTimeScale: 0.2, webhookTimeoutMs: 5000 });
	e2e.sandbox.store.upsert(e2e.sandbox.siteId, {
		external_id: 'C-T1',
		first_name: 'Ana',
		last_name: 'Lopez',
		mobile_phone: '111-222-3333',
		notification_options: { notify_phone: true, notify_email: false },
	});
	// Added through the node while n8n's server is down: the payment request's "delivered" webhook fails, to be re-sent.
	expectSuccess(await e2e.execute(ADD_INVOICE_WORKFLOW));
	server = await n8n.start(e2e.n8n, e2e.home, { port });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
	await server?.stop();
});

/** POSTs `body` as JSON, as Hyfin does. */
const post = (url: string, body: unknown) =>
	fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const until = async (check: () => boolean, timeoutMs: number) => {
	for (const deadline = Date.now() + timeoutMs; !check() && Date.now() < deadline;)
		await new Promise((resolve) => setTimeout(resolve, 100));
	return check();
};
/** Waits for `count` executions, then a little longer, to see that no more come. */
async function executions(count: number, timeoutMs = 20_000) {
	await until(() => received.length >= count, timeoutMs);
	await new Promise((resolve) => setTimeout(resolve, 1500));
	return received.length;
}

test('the invoice was added through the node with the trigger as its webhook, and its first delivery failed while n8n was down', () => {
	const [message] = e2e.sandbox.webhooks();
	expect(message).toMatchObject({ url: triggerUrl(), action: 'notification', delivered: false });
	expect(message.attempts).toHaveLength(1);
	expect(message.attempts[0].error).toEqual(expect.any(String));
});

test('the re-sent notification, once n8n is up, starts exactly one execution', async () => {
	expect(await executions(1, 90_000)).toBe(1);
	expect(received[0]).toMatchObject({
		event: 'notification',
		shape: '3.x',
		invoice_external_id: 'INV-T1',
		message: 'Text to 111-222-3333 delivered',
		error: false,
		payload: {
			action: 'notification',
			data: { invoice: { external_id: 'INV-T1' }, message: 'Text to 111-222-3333 delivered', error: false },
		},
	});
	expect(e2e.sandbox.webhooks()[0].delivered).toBe(true);
});

test('paying the invoice in the sandbox starts exactly one execution, with the payment in flat fields', async () => {
	e2e.sandbox.setKnobs({ webhookTimeScale: 0.001 });
	const paid = await fetch(`${e2e.sandbox.baseUrl}/__sandbox/invoices/INV-T1/pay`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: '{}',
	});
	expect(paid.status).toBe(200);
	expect(await executions(2)).toBe(2);
	expect(received[1]).toMatchObject({
		event: 'payment',
		shape: '3.x',
		invoice_external_id: 'INV-T1',
		customer_external_id: 'C-T1',
		amount: 45,
		status: 'paid',
		paid_on: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
		payment_id: expect.stringMatching(/^[0-9a-f]{24}$/),
		error: null,
		message: null,
	});
});

test('a message Hyfin sends again starts no second execution', async () => {
	const payment = e2e.sandbox.webhooks().find((message) => message.action === 'payment')!;
	const again = await post(triggerUrl(), payment.payload);
	expect(again.status).toBe(200);
	expect(await again.json()).toEqual({ received: true, duplicate: true });
	expect(await executions(2)).toBe(2);
});

test.each([
	['no secret', ''],
	['a wrong secret', '?secret=guess'],
])('a request with %s gets 401 and starts nothing', async (_, query) => {
	const payment = e2e.sandbox.webhooks().find((message) => message.action === 'payment')!;
	const forged = { ...payment.payload, data: { ...(payment.payload as { data: object }).data, id: 'aaaaaaaaaaaaaaaaaaaaaaaa' } };
	const answer = await post(triggerUrl(query), forged);
	expect(answer.status).toBe(401);
	expect(await executions(2)).toBe(2);
});

test('a body that is not Hyfin’s gets 400 and starts nothing', async () => {
	const answer = await post(triggerUrl(), { hello: 'world' });
	expect(answer.status).toBe(400);
	expect(await answer.json()).toEqual({ received: false, error: 'Not a Hyfin webhook message: it has no "action"' });
	expect(await executions(2)).toBe(2);
});

test('after n8n restarts, a message it saw before still starts nothing: what was seen is in the workflow’s static data', async () => {
	await server?.stop();
	server = await n8n.start(e2e.n8n, e2e.home, { port });
	const payment = e2e.sandbox.webhooks().find((message) => message.action === 'payment')!;
	let answer: Response | undefined;
	// n8n 2.41 registers production webhooks a moment after its editor is up.
	for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
		answer = await post(triggerUrl(), payment.payload);
		if (answer.status !== 404) break;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	expect(answer?.status).toBe(200);
	expect(await answer?.json()).toEqual({ received: true, duplicate: true });
	expect(await executions(2)).toBe(2);
});

// ---------------------------------------------------------------------------------------------
// The trigger's examples, as they are in examples/

/** An example's trigger: its URL with the secret it starts with (its node's id). */
function exampleUrl(id: string) {
	const example = examples.find((candidate) => candidate.id === id)!;
	const trigger = example.nodes.find((node) => node.type === 'n8n-nodes-hyfin.hyfinTrigger') as unknown as {
		id: string;
		webhookId: string;
	};
	return `http://127.0.0.1:${port}/webhook/${trigger.webhookId}/hyfin?secret=${encodeURIComponent(trigger.id)}`;
}

/** The workflow's finished executions, newest first, each as n8n stores its run. */
async function runsOf(workflowId: string, count: number) {
	const cookie = await n8n.signIn(server!.url);
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	let list: Array<{ id: string; status: string }> = [];
	for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
		list = (await n8n.rest(server!.url, `/rest/executions?filter=${filter}`, { cookie })).data.results;
		if (list.length >= count && list.every((execution) => execution.status === 'success' || execution.status === 'error')) break;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	await new Promise((resolve) => setTimeout(resolve, 1500));
	list = (await n8n.rest(server!.url, `/rest/executions?filter=${filter}`, { cookie })).data.results;
	return await Promise.all(
		list.map(async ({ id }) => {
			const execution = (await n8n.rest(server!.url, `/rest/executions/${id}`, { cookie })).data;
			return { status: execution.status, data: unflatten(execution.data) };
		}),
	);
}

describe('examples', () => {
	test('"When a customer pays, mark the row paid": a payment to its URL marks the row; a failed text does not start it', async () => {
		const payment = e2e.sandbox.webhooks().find((message) => message.action === 'payment')!;
		const failedText = {
			action: 'notification',
			data: { invoice: { external_id: 'INV-T1' }, message: 'Text to 111-222-3333 failed', error: true },
		};
		for (const body of [payment.payload, failedText]) {
			const answer = await post(exampleUrl('hyfinTriggerMarkPaid'), body);
			expect(answer.status).toBe(200);
		}
		const runs = await runsOf('hyfinTriggerMarkPaid', 1);
		expect(runs).toHaveLength(1);
		expect(runs[0].status).toBe('success');
		const data = (payment.payload as { data: { paid_on: string } }).data;
		expect(outputOf(runs[0], 'Mark the row paid (stands in for Google Sheets)')).toEqual([
			{ Invoice: 'INV-T1', Status: 'paid', 'Paid On': data.paid_on, Amount: 45 },
		]);
	});

	test('"Alert on failed texts": a failed text alerts the team once; a delivered one does not start it', async () => {
		const failed = {
			action: 'notification',
			data: {
				site: { external_id: 's', merchant_id: 'm' },
				invoice: { external_id: 'INV-T1' },
				message: 'Text to 111-222-3333 failed',
				error: true,
			},
		};
		const delivered = { ...failed, data: { ...failed.data, message: 'Text to 111-222-3333 delivered', error: false } };
		for (const body of [failed, delivered, failed]) {
			const answer = await post(exampleUrl('hyfinTriggerFailedTexts'), body);
			expect(answer.status).toBe(200);
		}
		const runs = await runsOf('hyfinTriggerFailedTexts', 1);
		expect(runs).toHaveLength(1);
		expect(outputOf(runs[0], 'Alert the team (stands in for Slack)')).toEqual([
			{ text: 'Hyfin could not deliver a payment request for invoice INV-T1: Text to 111-222-3333 failed' },
		]);
	});
});
