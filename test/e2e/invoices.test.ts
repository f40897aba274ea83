/**
 * The examples of invoices and payments in examples/, as they are in the repository, in a REAL n8n
 * (the package installed as a community package) against the Hyfin sandbox:
 *
 *   payment-requests-from-sheet  Code (sheet rows) → Hyfin Customer Add or Update → Hyfin Invoice
 *                                Add or Update (mapped by hand from the row) → IF
 *   invoices-from-order-lines    Code (order export rows) → Hyfin Invoice Add or Update (lines from
 *                                consecutive rows, Map Automatically, totals computed) → IF
 *   cash-payments-from-sheet     Code (cash book rows) → Hyfin Payment Add or Update → IF
 *   resend-unpaid-invoices       Code (invoice ids) → Hyfin Invoice Get → IF unpaid → Hyfin Invoice
 *                                Send → IF
 *
 * and an Invoice Send whose answer is lost after Hyfin sent it (faultResetAfterStore): the item
 * fails, and the customer is not texted or emailed twice. Each test seeds the sandbox through its
 * store with what the examples before it in that story leave there (customers, invoices, payments),
 * then checks every node's output, the pairing of grouped rows, and the texts and emails Hyfin sent
 * (`store.notifications()`). One n8n user folder; the examples imported once.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';

import type { InvoiceFields, PaymentFields, SandboxNotification, StoredInvoice } from '../../sandbox/server';
import {
	EXAMPLES_CREDENTIAL,
	codeNode,
	examplesCredential,
	exampleWorkflows,
	manualTrigger,
	noOp,
	workflow,
} from '../../scripts/lib/workflows';
import { GOOD_TOKEN, expectSuccess, itemsOf, outputOf, useE2E, type Run } from './helpers/n8n';
import { INVOICE_EXAMPLE_IDS } from './helpers/workflows';

jest.setTimeout(120_000);

const OBJECT_ID = /^[0-9a-f]{24}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const API = {
	customer: 'POST /api/v3/site/:site_id/customer/addUpdate',
	invoice: 'POST /api/v3/site/:site_id/invoice/addUpdate',
	send: 'POST /api/v3/site/:site_id/invoice/send',
	get: 'GET /api/v3/site/:site_id/invoice/:external_id',
	payment: 'POST /api/v3/site/:site_id/payment/addUpdate',
};

/** Each example's workflow id and the node names the tests read. */
const EXAMPLE = {
	requests: {
		id: 'hyfinSheetPaymentRequests',
		rows: 'Sheet rows',
		customer: 'Hyfin: add or update the customer',
		invoice: 'Hyfin: request the payment',
		ifNode: 'Payment requested?',
		requested: 'Payment requested',
		fix: 'Fix the row',
	},
	orders: {
		id: 'hyfinOrderLinesToInvoices',
		rows: 'Order export rows',
		invoice: 'Hyfin: invoice each order',
		ifNode: 'Invoice sent?',
		requested: 'Payment requested',
		fix: 'Fix the order',
	},
	cash: {
		id: 'hyfinSheetCashPayments',
		rows: 'Cash book rows',
		payment: 'Hyfin: record the payment',
		ifNode: 'Recorded?',
		recorded: 'Recorded in Hyfin',
		fix: 'Fix the row',
	},
	resend: {
		id: 'hyfinResendUnpaidInvoices',
		list: 'Invoices to chase',
		get: 'Hyfin: get the invoice',
		unpaid: 'Unpaid?',
		send: 'Hyfin: send the invoice again',
		paid: 'Paid, or not in Hyfin',
		sentIf: 'Sent?',
		sent: 'Reminder sent',
		notSent: 'Not sent',
	},
} as const;

/** Not an example: Invoice Send alone, its failures on the error output. */
const LOST = { id: 'e2eInvoiceSendLost', send: 'Hyfin: send the invoice', sent: 'Sent', failed: 'Failed' } as const;
const lostAnswerWorkflow = () =>
	workflow({
		id: LOST.id,
		name: 'Invoice Send, answers lost',
		chain: {
			Run: manualTrigger(),
			Invoices: codeNode({ items: [{ invoice_id: 'INV-2002' }, { invoice_id: 'INV-2004' }] }),
			[LOST.send]: {
				type: 'n8n-nodes-hyfin.hyfin',
				typeVersion: 1,
				parameters: { resource: 'invoice', operation: 'send', externalId: '={{ $json.invoice_id }}', options: {} },
				credentials: { hyfinApi: EXAMPLES_CREDENTIAL },
				onError: 'continueErrorOutput',
			},
		},
		branches: { [LOST.sent]: noOp(), [LOST.failed]: noOp() },
	});

// ---------------------------------------------------------------------------------------------
// One n8n user folder, one sandbox; the invoice examples and the lost-answer workflow imported once.

const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-e2e-invoices-files-'));
const e2e = useE2E(
	() => [...exampleWorkflows(filesDir).filter((example) => INVOICE_EXAMPLE_IDS.includes(example.id)), lostAnswerWorkflow()],
	(sandbox) => [examplesCredential(sandbox, GOOD_TOKEN)],
);
afterAll(() => fs.rmSync(filesDir, { recursive: true, force: true }));
beforeEach(() => e2e.resetSandbox());

/** `n8n execute` of one workflow; fails the test if the run failed. */
const execute = async (workflowId: string): Promise<Run> => expectSuccess(await e2e.execute(workflowId));

/** Whether a node ran at all (n8n skips a node whose input is empty). */
const ran = (run: Run, nodeName: string) => nodeName in (run.data.resultData.runData ?? {});

// ---------------------------------------------------------------------------------------------
// The story's records, as each example leaves them in Hyfin (seeded through the store).

const notify = (notify_phone: boolean, notify_email: boolean) => ({ notify_phone, notify_email });
const CUSTOMERS = {
	'C-2001': {
		first_name: 'Ava',
		last_name: 'Thompson',
		mobile_phone: '111-222-3333',
		email: 'ava@thompsonplumbing.example',
		notification_options: notify(true, true),
	},
	'C-2002': { first_name: 'Ben', last_name: 'Okoro', email: 'ben.okoro@example.com', notification_options: notify(false, true) },
	'C-2003': { first_name: 'Chloe', last_name: 'Martin', mobile_phone: '(415) 555-0199', notification_options: notify(true, false) },
	'C-2004': {
		first_name: 'Dev',
		last_name: 'Patel',
		mobile_phone: '+1 212 555 0147',
		email: 'dev@patel.example',
		notification_options: notify(true, false),
	},
};
type CustomerId = keyof typeof CUSTOMERS;

/** The payment request each customer gets, as the sandbox records it: email first, then text. */
const REQUEST: Record<CustomerId, Array<[SandboxNotification['channel'], string]>> = {
	'C-2001': [
		['email', 'ava@thompsonplumbing.example'],
		['text', '111-222-3333'],
	],
	'C-2002': [['email', 'ben.okoro@example.com']],
	'C-2003': [['text', '(415) 555-0199']],
	'C-2004': [['text', '+1 212 555 0147']],
};

const INVOICES: Record<string, InvoiceFields> = {
	'INV-2001': {
		external_id: 'INV-2001',
		invoice_number: 'INV-2001',
		description: 'Boiler service, March',
		totals: { total: 120 },
		customer: { external_id: 'C-2001' },
	},
	'INV-2002': {
		external_id: 'INV-2002',
		invoice_number: 'INV-2002',
		description: 'Kitchen rewiring',
		totals: { total: 1250.5 },
		customer: { external_id: 'C-2002' },
	},
	'INV-2004': {
		external_id: 'INV-2004',
		invoice_number: 'INV-2004',
		description: 'Gutter cleaning',
		totals: { total: 89.99 },
		customer: { external_id: 'C-2004' },
	},
	'ORD-5001': {
		external_id: 'ORD-5001',
		invoice_number: '5001',
		totals: { total: 294 },
		customer: { external_id: 'C-2001' },
		lines: [
			{ description: 'Furnace filter', product: { external_id: 'FLT-10' }, qty: 2, unit_price: 12.5, total: 25 },
			{ description: 'Smart thermostat', product: { external_id: 'THS-2' }, qty: 1, unit_price: 149, total: 149 },
			{ description: 'Installation (hours)', product: { external_id: 'LAB-1' }, qty: 1.5, unit_price: 80, total: 120 },
		],
	},
};

const cash = (external_id: string, gateway_transaction_id: string, invoice: string, amount: number, paid_on: string): PaymentFields => ({
	external_id,
	gateway_transaction_id,
	display_name: 'Cash',
	amount,
	paid_on,
	payment_type: 'cash',
	invoice: { external_id: invoice },
});

const card = (...args: Parameters<typeof cash>): PaymentFields => ({
	...cash(...args),
	display_name: 'VISA **** 4242',
	payment_type: 'payment_card',
});

function seed({
	customers = [],
	invoices = [],
	payments = [],
}: {
	customers?: CustomerId[];
	invoices?: string[];
	payments?: PaymentFields[];
}) {
	const { store, siteId } = e2e.sandbox;
	for (const id of customers) store.upsert(siteId, { external_id: id, ...CUSTOMERS[id] });
	for (const id of invoices) store.upsertInvoice(siteId, INVOICES[id]);
	for (const payment of payments) store.upsertPayment(siteId, payment);
}

// ---------------------------------------------------------------------------------------------
// Reading the sandbox.

/** Every text and email sent, oldest first (an invoice's own in the order sent), as [invoice, reason, channel, to]. */
function notifications(reason?: SandboxNotification['reason']) {
	return e2e.sandbox.store
		.notifications()
		.filter((notification) => !reason || notification.reason === reason)
		.map(({ invoice_external_id, reason: why, channel, to }) => [invoice_external_id, why, channel, to])
		.sort((a, b) => a[0].localeCompare(b[0]));
}

/** What the customer's payment request for `invoice` is, as notifications() lists it. */
const requestsFor = (invoice: string, customer: CustomerId, reason: SandboxNotification['reason']) =>
	REQUEST[customer].map(([channel, to]) => [invoice, reason, channel, to]);

/** An invoice, in brief: its own fields, its customer's external_id and its payments' external_ids. */
function brief(invoice: StoredInvoice | null) {
	if (!invoice) return null;
	const { external_id, invoice_number, description, totals, lines, customer, payments } = invoice;
	return {
		external_id,
		invoice_number,
		description,
		totals,
		lines,
		customer: customer?.external_id ?? null,
		payments: payments.map((payment) => payment.external_id),
	};
}
const invoiceOf = (externalId: string) => e2e.sandbox.store.getInvoice(e2e.sandbox.siteId, externalId);

/** A record as Hyfin's Get answers it: the stored one without the sandbox's site_id. */
const withoutSite = (record: object) => Object.fromEntries(Object.entries(record).filter(([key]) => key !== 'site_id'));

/** What an Add or Update outputs for an accepted record: `_id` the one the sandbox stored. */
function accepted(kind: 'customer' | 'invoice' | 'payment', externalId: string, extra: Record<string, unknown> = {}) {
	const { store, siteId } = e2e.sandbox;
	const stored =
		kind === 'customer'
			? store.get(siteId, externalId)
			: kind === 'invoice'
				? store.getInvoice(siteId, externalId)
				: store.getPayment(siteId, externalId);
	if (!stored) throw new Error(`the sandbox has no ${kind} ${externalId}`);
	return { success: true, action: 'added', _id: stored._id, external_id: externalId, ...extra };
}

const rejected = (externalId: string, errors: string[], message: string) => ({ success: false, errors, external_id: externalId, message });

/** Output items paired one to one with their input. */
const paired = (jsons: object[]) => jsons.map((json, item) => ({ json, pairedItem: { item } }));

// ---------------------------------------------------------------------------------------------

test('the invoice examples are the ones these tests run, each Hyfin node with the examples credential', () => {
	const workflows = exampleWorkflows(filesDir).filter((example) => INVOICE_EXAMPLE_IDS.includes(example.id));
	expect(workflows.map((example) => example.id).sort()).toEqual(
		Object.values(EXAMPLE)
			.map((example) => example.id)
			.sort(),
	);
	for (const example of workflows) {
		const hyfin = example.nodes.filter((node) => node.type === 'n8n-nodes-hyfin.hyfin') as Array<{ credentials?: unknown }>;
		expect(hyfin.length).toBeGreaterThan(0);
		for (const node of hyfin) expect(node.credentials).toEqual({ hyfinApi: EXAMPLES_CREDENTIAL });
	}
});

test('"Resend unpaid invoices": its IF expression reads amounts as text and a missing list, counts in cents, and only money that came in', () => {
	const example = exampleWorkflows(filesDir).find((candidate) => candidate.id === EXAMPLE.resend.id)!;
	const node = example.nodes.find((candidate) => candidate.name === EXAMPLE.resend.unpaid)!;
	const expression = String(node.parameters.conditions.conditions[0].leftValue);
	const body = /^=\{\{([\s\S]*)\}\}$/.exec(expression)?.[1];
	const unpaid = new Function('$json', `return (${body});`) as (json: object) => boolean;
	expect(unpaid({ found: true, totals: { total: 30 }, payments: [] })).toBe(true);
	expect(unpaid({ found: true, totals: { total: 30 } })).toBe(true);
	expect(unpaid({ found: true, totals: { total: '30.00' }, payments: [{ total: '10.00' }, { total: 19.99 }] })).toBe(true);
	expect(unpaid({ found: true, totals: { total: '30.00' }, payments: [{ total: '10.00' }, { total: 20 }] })).toBe(false);
	expect(unpaid({ found: true, totals: { total: 0.3 }, payments: [{ total: 0.1 }, { total: 0.2 }] })).toBe(false);
	expect(unpaid({ found: true, totals: { total: 30 }, payments: [{ total: 40 }] })).toBe(false);
	expect(unpaid({ found: true, totals: { total: 30 }, payments: null })).toBe(true);
	// A payment that did not bring the money in does not count.
	for (const status of ['declined', 'voided', 'returned', 'refunded', 'refundSettled']) {
		expect(unpaid({ found: true, totals: { total: 30 }, payments: [{ total: 30, status }] })).toBe(true);
	}
	for (const status of ['authorized', 'captured', 'settled', 'refundFailed']) {
		expect(unpaid({ found: true, totals: { total: 30 }, payments: [{ total: 30, status }] })).toBe(false);
	}
	expect(unpaid({ found: false, external_id: 'INV-9', errors: ['invoice not found'] })).toBe(false);
});

describe('payment-requests-from-sheet: sheet rows → Hyfin Customer → Hyfin Invoice (mapped from the row) → IF', () => {
	test('each good row adds its customer and its invoice, and the customer gets one payment request; "15,00" is refused', async () => {
		const { requests: ex } = EXAMPLE;
		const run = await execute(ex.id);

		// Rows as Google Sheets gives them: row_number, then every cell as text.
		const rows = outputOf(run, ex.rows);
		expect(rows.map((row) => [row.row_number, row.Invoice, row['Customer ID'], row.Amount])).toEqual([
			[2, 'INV-2001', 'C-2001', '120.00'],
			[3, 'INV-2002', 'C-2002', '$1,250.50'],
			[4, 'INV-2003', 'C-2003', '15,00'],
			[5, 'INV-2004', 'C-2004', '89.99'],
		]);
		for (const { row_number, ...cells } of rows) {
			expect(typeof row_number).toBe('number');
			for (const cell of Object.values(cells)) expect(typeof cell).toBe('string');
		}

		const customerIds = Object.keys(CUSTOMERS) as CustomerId[];
		expect(itemsOf(run, ex.customer)).toEqual(paired(customerIds.map((id) => accepted('customer', id))));
		const invoices = [
			accepted('invoice', 'INV-2001'),
			accepted('invoice', 'INV-2002'),
			rejected(
				'INV-2003',
				['invalid totals.total'],
				'Item 2 (external_id "INV-2003") was not sent to Hyfin: Total "15,00" is not an amount: give it like 15.00 or 1,234.50 (a decimal point, not a comma)',
			),
			accepted('invoice', 'INV-2004'),
		];
		expect(itemsOf(run, ex.invoice)).toEqual(paired(invoices));
		const [good, bad] = [invoices.filter((json) => json.success), invoices.filter((json) => !json.success)];
		expect(outputOf(run, ex.ifNode, 0)).toEqual(good);
		expect(outputOf(run, ex.ifNode, 1)).toEqual(bad);
		expect(outputOf(run, ex.requested)).toEqual(good);
		expect(outputOf(run, ex.fix)).toEqual(bad);

		// Hyfin holds the four customers as the rows say (blank cells left out), and three invoices.
		const { store, siteId } = e2e.sandbox;
		expect(store.list({ siteId }).sort((a, b) => a.external_id.localeCompare(b.external_id))).toEqual(
			customerIds.map((id) => ({
				_id: expect.stringMatching(OBJECT_ID),
				site_id: siteId,
				external_id: id,
				account_name: null,
				mobile_phone: null,
				email: null,
				notes: null,
				active: true,
				...CUSTOMERS[id],
				created_at: expect.stringMatching(ISO_DATE),
				updated_at: expect.stringMatching(ISO_DATE),
			})),
		);
		expect(['INV-2001', 'INV-2002', 'INV-2003', 'INV-2004'].map((id) => brief(invoiceOf(id)))).toEqual([
			{ ...INVOICES['INV-2001'], lines: [], customer: 'C-2001', payments: [] },
			{ ...INVOICES['INV-2002'], lines: [], customer: 'C-2002', payments: [] },
			null,
			{ ...INVOICES['INV-2004'], lines: [], customer: 'C-2004', payments: [] },
		]);
		// One payment request per invoice added, as each customer chose; none for the refused row.
		expect(notifications()).toEqual([
			...requestsFor('INV-2001', 'C-2001', 'added'),
			...requestsFor('INV-2002', 'C-2002', 'added'),
			...requestsFor('INV-2004', 'C-2004', 'added'),
		]);
		expect(e2e.sandbox.stats().requests).toEqual({ [API.customer]: { '200': 4 }, [API.invoice]: { '200': 3 } });
	});
});

describe('invoices-from-order-lines: order export rows → Hyfin Invoice (lines from consecutive rows, totals computed) → IF', () => {
	test('one invoice per order, paired with all its rows; an order with a bad line is refused whole', async () => {
		const { orders: ex } = EXAMPLE;
		seed({ customers: ['C-2001', 'C-2002', 'C-2004'] });
		const run = await execute(ex.id);
		expect(outputOf(run, ex.rows).map((row) => [row.row_number, row['Order ID']])).toEqual([
			[2, 'ORD-5001'],
			[3, 'ORD-5001'],
			[4, 'ORD-5001'],
			[5, 'ORD-5002'],
			[6, 'ORD-5003'],
			[7, 'ORD-5003'],
		]);

		const outputs = [
			accepted('invoice', 'ORD-5001', { rows: 3 }),
			accepted('invoice', 'ORD-5002', { rows: 1 }),
			{
				...rejected(
					'ORD-5003',
					['invalid lines[1].qty'],
					'Item 4 (external_id "ORD-5003") was not sent to Hyfin: Line 2: Quantity "two" is not a number: give it like 2 or 1.5',
				),
				rows: 2,
			},
		];
		expect(itemsOf(run, ex.invoice)).toEqual([
			{ json: outputs[0], pairedItem: [{ item: 0 }, { item: 1 }, { item: 2 }] },
			{ json: outputs[1], pairedItem: { item: 3 } },
			{ json: outputs[2], pairedItem: [{ item: 4 }, { item: 5 }] },
		]);
		expect(outputOf(run, ex.ifNode, 0)).toEqual(outputs.slice(0, 2));
		expect(outputOf(run, ex.ifNode, 1)).toEqual(outputs.slice(2));
		expect(outputOf(run, ex.requested)).toEqual(outputs.slice(0, 2));
		expect(outputOf(run, ex.fix)).toEqual(outputs.slice(2));

		// Each line's total is quantity × unit price, the invoice's total their sum; "$8.75" is 8.75.
		expect(['ORD-5001', 'ORD-5002', 'ORD-5003'].map((id) => brief(invoiceOf(id)))).toEqual([
			{ ...INVOICES['ORD-5001'], description: null, customer: 'C-2001', payments: [] },
			{
				external_id: 'ORD-5002',
				invoice_number: '5002',
				description: null,
				totals: { total: 26.25 },
				lines: [{ description: 'Shut-off valve', product: { external_id: 'VLV-3' }, qty: 3, unit_price: 8.75, total: 26.25 }],
				customer: 'C-2002',
				payments: [],
			},
			null,
		]);
		expect(notifications()).toEqual([...requestsFor('ORD-5001', 'C-2001', 'added'), ...requestsFor('ORD-5002', 'C-2002', 'added')]);
		expect(e2e.sandbox.stats().requests).toEqual({ [API.invoice]: { '200': 2 } });
	});
});

describe('cash-payments-from-sheet: cash book rows → Hyfin Payment (Map Automatically) → IF', () => {
	test('each payment is recorded against its invoice; an ambiguous date and an unknown invoice are refused', async () => {
		const { cash: ex } = EXAMPLE;
		seed({ customers: ['C-2001', 'C-2002', 'C-2004'], invoices: ['INV-2001', 'INV-2002', 'INV-2004'] });
		const requestsBefore = notifications();
		const run = await execute(ex.id);

		const outputs = [
			accepted('payment', 'R-0101'),
			accepted('payment', 'R-0102'),
			rejected(
				'R-0103',
				['invalid paid_on'],
				'Item 2 (external_id "R-0103") was not sent to Hyfin: Paid On "03/04/2026" is not a date and time Hyfin can read: give it as 2026-12-31T14:30:00Z (ISO 8601; an offset such as -05:00 is fine)',
			),
			rejected('R-0104', ['invalid invoice.external_id'], 'Hyfin rejected item 3 (external_id "R-0104"): invalid invoice.external_id'),
		];
		expect(itemsOf(run, ex.payment)).toEqual(paired(outputs));
		expect(outputOf(run, ex.ifNode, 0)).toEqual(outputs.slice(0, 2));
		expect(outputOf(run, ex.ifNode, 1)).toEqual(outputs.slice(2));
		expect(outputOf(run, ex.recorded)).toEqual(outputs.slice(0, 2));
		expect(outputOf(run, ex.fix)).toEqual(outputs.slice(2));

		const payment = (external_id: string, gateway_transaction_id: string, total: number, paid_on: string, invoice: string) => ({
			_id: expect.stringMatching(OBJECT_ID),
			external_id,
			gateway_transaction_id,
			display_name: 'Cash',
			last_4: null,
			total,
			tip: null,
			tax: null,
			fee: null,
			paid_on,
			payment_type: 'cash',
			payment_sub_type: null,
			status: 'captured',
			transaction_type: 'capture',
			active: true,
			invoice: { external_id: invoice },
			created_at: expect.stringMatching(ISO_DATE),
			updated_at: expect.stringMatching(ISO_DATE),
		});
		// Recorded against their invoices (a date alone is midnight UTC; a time without an offset, UTC).
		expect(invoiceOf('INV-2001')?.payments).toEqual([payment('R-0101', 'TILL1-0042', 120, '2026-03-02T00:00:00Z', 'INV-2001')]);
		expect(invoiceOf('INV-2002')?.payments).toEqual([payment('R-0102', 'TILL1-0047', 250.5, '2026-03-03T16:45:00Z', 'INV-2002')]);
		expect(invoiceOf('INV-2004')?.payments).toEqual([]);
		expect(e2e.sandbox.store.counts(e2e.sandbox.siteId)).toMatchObject({ payments: 2 });
		// Recording a payment notifies nobody.
		expect(notifications()).toEqual(requestsBefore);
		expect(e2e.sandbox.stats().requests).toEqual({ [API.payment]: { '200': 3 } });
	});
});

describe('resend-unpaid-invoices: invoice ids → Hyfin Invoice Get → IF unpaid → Hyfin Invoice Send → IF', () => {
	test('sends each unpaid invoice once, none of the paid ones; run again within 5 minutes, Hyfin refuses to send them again', async () => {
		const { resend: ex } = EXAMPLE;
		// Hyfin refuses a send within 300 s of the invoice's last text or email; seeding just added them.
		e2e.resetSandbox({ duplicateSendWindowSec: 0 });
		seed({
			customers: ['C-2001', 'C-2002', 'C-2004'],
			invoices: ['INV-2001', 'INV-2002', 'INV-2004', 'ORD-5001'],
			payments: [
				cash('R-0101', 'TILL1-0042', 'INV-2001', 120, '2026-03-02T00:00:00Z'),
				cash('R-0102', 'TILL1-0047', 'INV-2002', 250.5, '2026-03-03T16:45:00Z'),
				// ORD-5001 is paid in two parts: 200 by card, 94 in cash.
				card('P-7781', 'ch_3PmX7781', 'ORD-5001', 200, '2026-03-04T10:00:00Z'),
				cash('R-0105', 'TILL2-0011', 'ORD-5001', 94, '2026-03-06T09:30:00Z'),
				// INV-2004's one payment, by card, was declined: it is still unpaid.
				{ ...card('P-7790', 'ch_3PmX7790', 'INV-2004', 89.99, '2026-03-05T18:00:00Z'), status: 'declined' },
			],
		});
		const added = notifications();
		const found = (id: string) => ({ found: true, ...withoutSite(invoiceOf(id)!) });
		const gets = [
			found('INV-2001'),
			found('INV-2002'),
			{
				found: false,
				external_id: 'INV-2003',
				errors: ['invoice not found'],
				message: 'Hyfin has no invoice with external_id "INV-2003" (item 2): invoice not found',
			},
			found('INV-2004'),
			found('ORD-5001'),
		];

		const run = await execute(ex.id);
		expect(outputOf(run, ex.list)).toEqual(
			['INV-2001', 'INV-2002', 'INV-2003', 'INV-2004', 'ORD-5001'].map((invoice_id) => ({ invoice_id })),
		);
		expect(itemsOf(run, ex.get)).toEqual(paired(gets));
		expect(outputOf(run, ex.unpaid, 0)).toEqual([gets[1], gets[3]]);
		expect(outputOf(run, ex.unpaid, 1)).toEqual([gets[0], gets[2], gets[4]]);
		expect(outputOf(run, ex.paid)).toEqual([gets[0], gets[2], gets[4]]);
		const sends = [
			{ success: true, action: 'updated', external_id: 'INV-2002' },
			{ success: true, action: 'updated', external_id: 'INV-2004' },
		];
		expect(itemsOf(run, ex.send)).toEqual(paired(sends));
		expect(outputOf(run, ex.sentIf, 0)).toEqual(sends);
		expect(outputOf(run, ex.sent)).toEqual(sends);
		expect(ran(run, ex.notSent)).toBe(false);

		// Exactly one payment request again per unpaid invoice, as its customer chose; none for the others.
		expect(notifications('sent')).toEqual([...requestsFor('INV-2002', 'C-2002', 'sent'), ...requestsFor('INV-2004', 'C-2004', 'sent')]);
		expect(notifications('added')).toEqual(added);
		expect(e2e.sandbox.stats().requests).toEqual({ [API.get]: { '200': 4, '404': 1 }, [API.send]: { '200': 2 } });

		// Run again at once, with Hyfin's own rule: both are refused, and go to "Not sent".
		e2e.sandbox.setKnobs({ duplicateSendWindowSec: 300 });
		const again = await execute(ex.id);
		const refused = ['INV-2002', 'INV-2004'].map((id, item) =>
			rejected(
				id,
				['Duplicate email sent < 300 sec. ago'],
				`Hyfin rejected item ${item} (external_id "${id}"): Duplicate email sent < 300 sec. ago`,
			),
		);
		expect(itemsOf(again, ex.send)).toEqual(paired(refused));
		expect(outputOf(again, ex.sentIf, 1)).toEqual(refused);
		expect(outputOf(again, ex.notSent)).toEqual(refused);
		expect(ran(again, ex.sent)).toBe(false);
		expect(notifications('sent')).toHaveLength(2);
	});
});

describe('Invoice Send when Hyfin sent it but its answer was lost', () => {
	test('the item fails saying it was not sent again, and the customer got exactly one text or email', async () => {
		seed({ customers: ['C-2002', 'C-2004'], invoices: ['INV-2002', 'INV-2004'] });
		// Every request is processed and stored, then its connection dropped without an answer.
		e2e.sandbox.setKnobs({ duplicateSendWindowSec: 0, faultResetAfterStore: 1 });
		const run = await execute(LOST.id);

		const failure = (id: string, item: number) =>
			`Hyfin request for item ${item} (external_id "${id}") failed: Hyfin at ${e2e.sandbox.baseUrl} took the request, but the connection was closed before an answer came, so whether it acted on it is unknown. It was not sent again, since Hyfin may have acted on it: the customer may have been texted or emailed; check the invoice's notifications with Invoice → Get before sending it again (ECONNRESET)`;
		expect(itemsOf(run, LOST.send, 1)).toEqual([
			{ json: { invoice_id: 'INV-2002', error: failure('INV-2002', 0) }, pairedItem: { item: 0 } },
			{ json: { invoice_id: 'INV-2004', error: failure('INV-2004', 1) }, pairedItem: { item: 1 } },
		]);
		expect(itemsOf(run, LOST.send, 0)).toEqual([]);
		expect(ran(run, LOST.sent)).toBe(false);

		const { store } = e2e.sandbox;
		expect(store.notifications({ invoiceExternalId: 'INV-2002' }).filter((n) => n.reason === 'sent')).toHaveLength(1);
		expect(store.notifications({ invoiceExternalId: 'INV-2004' }).filter((n) => n.reason === 'sent')).toHaveLength(1);
		expect(notifications('sent')).toEqual([...requestsFor('INV-2002', 'C-2002', 'sent'), ...requestsFor('INV-2004', 'C-2004', 'sent')]);
		// One request each: never repeated.
		expect(e2e.sandbox.stats().requests).toEqual({ [API.send]: { reset: 2 } });
	});
});
