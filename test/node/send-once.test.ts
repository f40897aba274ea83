/**
 * Searches for a way to text a customer twice: Invoice → Send runs in n8n's engine against the
 * sandbox, on generated lists of invoices (repeated, in other cases and spacing) and generated
 * server faults, above all those where Hyfin acted but its answer did not say so (stored, then
 * the connection dropped or the answer cut off). The sandbox's own 300-second rule is off, so
 * only the node stands between a fault and a second text. After every run, each invoice was sent
 * at most once, and an item reported as sent was sent exactly once.
 *
 * Replay or search further as in properties.test.ts: HYFIN_PROPERTY_RUNS, HYFIN_PROPERTY_SEED.
 */
import fc from 'fast-check';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { HyfinApi } from '../../credentials/HyfinApi.credentials';
import { Hyfin } from '../../nodes/Hyfin/Hyfin.node';
import { startSandbox, type SandboxKnobs } from '../../sandbox/server';
import { runNode, shutdownEngine } from './harness';

const RUNS = Number(process.env.HYFIN_PROPERTY_RUNS ?? 30);
const SEED_SETTING = process.env.HYFIN_PROPERTY_SEED ?? '20261203';
const SEED = SEED_SETTING === 'random' ? undefined : Number(SEED_SETTING);

afterAll(async () => {
	await shutdownEngine();
});

const INVOICES = ['INV-1', 'INV-2', 'Inv-3'];

/** An item's invoice: one of the stored ones as typed (case, spaces), or one Hyfin does not have. */
const invoiceRef = fc.oneof(
	{ arbitrary: fc.constantFrom(...INVOICES), weight: 6 },
	{ arbitrary: fc.constantFrom('inv-1', ' INV-2 ', 'INV-3'), weight: 2 },
	{ arbitrary: fc.constantFrom('INV-404', ''), weight: 1 },
);

const share = fc.constantFrom(0, 0, 0.1, 0.3);

const server = fc
	.record({
		faultResetAfterStore: share,
		faultCutOff: share,
		faultTruncated: share,
		fault500: share,
		fault502Html: share,
		fault503: share,
		fault429: share,
		faultReset: share,
		faultHang: fc.constantFrom(0, 0, 0, 0.05),
		latencyMs: fc.integer({ min: 0, max: 10 }),
		seed: fc.integer({ min: 0, max: 2 ** 31 }),
	})
	.map((knobs) => {
		// One fault is drawn per request, so the shares may add up to 0.9 at most.
		const faults = Object.keys(knobs).filter((key) => key.startsWith('fault')) as Array<keyof typeof knobs>;
		const total = faults.reduce((sum, key) => sum + knobs[key], 0);
		if (total <= 0.9) return knobs;
		return { ...knobs, ...Object.fromEntries(faults.map((key) => [key, (knobs[key] * 0.9) / total])) };
	});

const scenario = fc.record({
	items: fc.array(invoiceRef, { minLength: 1, maxLength: 10 }),
	server,
	maxRetries: fc.constantFrom(0, 1, 3),
	maxConcurrent: fc.constantFrom(1, 3, 10),
	onError: fc.constantFrom<'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput'>(
		'stopWorkflow',
		'continueRegularOutput',
		'continueErrorOutput',
	),
});

describe('Invoice → Send under faults', () => {
	it('never sends an invoice twice in a run, and an item reported sent was sent once', async () => {
		await fc.assert(
			fc.asyncProperty(scenario, async (s) => {
				const sandbox = await startSandbox({
					dbFile: ':memory:',
					knobs: { ...(s.server as Partial<SandboxKnobs>), retryAfterSec: 0, duplicateSendWindowSec: 0 },
				});
				try {
					for (const externalId of INVOICES) {
						// Stored directly: notify by text only, so one send is one notification; adding sends none (no notify at add time).
						sandbox.store.upsert(sandbox.siteId, {
							external_id: `C-${externalId}`,
							first_name: 'Ana',
							last_name: 'Lopez',
							mobile_phone: '111-222-3333',
							notification_options: { notify_phone: true, notify_email: false },
						});
						sandbox.store.upsertInvoice(sandbox.siteId, {
							external_id: externalId,
							invoice_number: externalId,
							description: 'Lawn care',
							totals: { total: 10 },
							customer: { external_id: `C-${externalId}` },
						});
					}
					const before = sandbox.store.notifications().length;
					const result = await runNode({
						nodeType: new Hyfin(),
						parameters: {
							resource: 'invoice',
							operation: 'send',
							externalId: '={{ $json.invoice }}',
							options: { maxRetries: s.maxRetries, maxConcurrent: s.maxConcurrent, timeoutSeconds: 1 },
						} as INodeParameters,
						items: s.items.map((invoice) => ({ invoice })),
						credentials: { hyfinApi: { baseUrl: sandbox.baseUrl, siteId: sandbox.siteId, accessToken: sandbox.token } },
						credentialTypes: [new HyfinApi()],
						onError: s.onError,
					});
					const sent = sandbox.store.notifications().filter((notification) => notification.reason === 'sent');
					const sends = (externalId: string) => sent.filter((notification) => notification.invoice_external_id === externalId).length;
					const allTexts = sandbox.store.notifications().length - before;

					// Never twice: whatever the faults, each invoice got at most one text from this run.
					for (const externalId of INVOICES) expect(sends(externalId)).toBeLessThanOrEqual(1);
					expect(allTexts).toBe(sent.length);

					// Every item is accounted for, and one reported sent was sent exactly once.
					const outputs = [...(result.outputs[0] ?? []), ...(result.outputs[1] ?? [])];
					if (s.onError !== 'stopWorkflow' || result.error === undefined) expect(outputs).toHaveLength(s.items.length);
					for (const output of outputs) {
						const json = output.json as IDataObject;
						if (json.success === true) {
							const stored = INVOICES.find((id) => id.toLowerCase() === String(json.external_id).trim().toLowerCase());
							expect(stored).toBeDefined();
							expect(sends(stored as string)).toBe(1);
						}
					}
				} finally {
					await sandbox.close();
				}
			}),
			{ numRuns: RUNS, seed: SEED, endOnFailure: process.env.HYFIN_PROPERTY_SHRINK !== '1' },
		);
	}, 600_000);

	it('can fail: with the request marked repeatable, as an upsert is, the same fault texts the customer three times', async () => {
		// The same fault with a request marked repeatable, as Add or Update Customer is: the node retries, so Hyfin sends twice.
		const sandbox = await startSandbox({
			dbFile: ':memory:',
			knobs: { faultResetAfterStore: 1, retryAfterSec: 0, duplicateSendWindowSec: 0 },
		});
		try {
			sandbox.store.upsert(sandbox.siteId, {
				external_id: 'C-1',
				first_name: 'Ana',
				last_name: 'Lopez',
				mobile_phone: '111-222-3333',
				notification_options: { notify_phone: true, notify_email: false },
			});
			sandbox.store.upsertInvoice(sandbox.siteId, {
				external_id: 'INV-1',
				invoice_number: '1',
				description: 'x',
				totals: { total: 1 },
				customer: { external_id: 'C-1' },
			});
			const transport = await import('../../nodes/Hyfin/transport');
			const send = transport.sendWithRetries;
			const spy = jest
				.spyOn(transport, 'sendWithRetries')
				.mockImplementation(
					async (context, connection, request, ...rest) => await send(context, connection, { ...request, repeatable: true }, ...rest),
				);
			await runNode({
				nodeType: new Hyfin(),
				parameters: { resource: 'invoice', operation: 'send', externalId: 'INV-1', options: { maxRetries: 2 } } as INodeParameters,
				items: [{}],
				credentials: { hyfinApi: { baseUrl: sandbox.baseUrl, siteId: sandbox.siteId, accessToken: sandbox.token } },
				credentialTypes: [new HyfinApi()],
				onError: 'continueRegularOutput',
			});
			spy.mockRestore();
			expect(sandbox.store.notifications({ invoiceExternalId: 'INV-1' }).filter((n) => n.reason === 'sent')).toHaveLength(3);
		} finally {
			await sandbox.close();
		}
	});
});
