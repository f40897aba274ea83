/**
 * Searches for the next way to lose, merge or leak a record: the node runs in n8n's engine
 * against the sandbox with generated items (ids that look like numbers, duplicates, bad and odd
 * values), generated server behaviour (faults, 429s, latency, echoed tokens, a refused token)
 * and generated options, and every run is checked against what must always hold.
 *
 * npm test runs a fixed seed, so CI sees the same scenarios every time;
 *   HYFIN_PROPERTY_RUNS=1000 HYFIN_PROPERTY_SEED=random npx jest test/node/properties   searches further
 *   HYFIN_PROPERTY_SEED=123 npx jest test/node/properties   replays the runs fast-check printed
 *   HYFIN_PROPERTY_SHRINK=1                                  also shrinks a failure to a smallest case
 */
import { DEFAULT_CEILING } from '../../nodes/Hyfin/transport/capacity';
import diagnostics from 'diagnostics_channel';
import type { ClientRequest } from 'http';
import fc from 'fast-check';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startSandbox, type Sandbox, type SandboxKnobs } from '../../sandbox/server';
import { HyfinApi } from '../../credentials/HyfinApi.credentials';
import { Hyfin } from '../../nodes/Hyfin/Hyfin.node';
import { everything, manualColumns, autoColumns } from './fixtures';
import { runNode, shutdownEngine, type RunNodeResult } from './harness';

const RUNS = Number(process.env.HYFIN_PROPERTY_RUNS ?? 40);
const SEED_SETTING = process.env.HYFIN_PROPERTY_SEED ?? '20261203';
const SEED = SEED_SETTING === 'random' ? undefined : Number(SEED_SETTING);

afterAll(async () => {
	await shutdownEngine();
});

type OnError = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

// ---------------------------------------------------------------------------------------------
// What is generated

/** Mostly `usual`, sometimes `odd`: enough valid rows to reach Hyfin, enough odd ones to test the rest. */
const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>, usualWeight = 15) =>
	fc.oneof({ arbitrary: usual, weight: usualWeight }, { arbitrary: odd, weight: 1 });

/** Ids that look alike (numbers and their texts, case and spacing variants), so rows share ids, and blanks. */
const externalId = mostly(
	fc.constantFrom<unknown>('1e3', '1000', 1000, '12.0', '12', 12, ' 12 ', 'A-1', 'a-1', 'ß', 'C-7'),
	fc.constantFrom<unknown>('', null, 12345678901234567890, '1.2E+10'),
);
const name = mostly(
	fc.constantFrom<unknown>('Ana', ' Bo ', 'Émile', 42),
	fc.constantFrom<unknown>('', null, undefined, true, { first: 'x' }),
);
const phone = mostly(
	fc.constantFrom<unknown>(undefined, '111-222-3333', '(305) 555-0177', '+44 7700 900123', 12223334444),
	fc.constantFrom<unknown>('123', '1.2223334444E+10', '12223334444.0', ''),
);
const email = mostly(
	fc.constantFrom<unknown>(undefined, 'ana@example.com', 'ANA@EXAMPLE.COM'),
	fc.constantFrom<unknown>('not-an-email', '', 7),
);
const flag = mostly(
	fc.constantFrom<unknown>(undefined, undefined, true, false, 'yes', 'no', 'x', 1),
	fc.constantFrom<unknown>('maybe', null),
);

/** One input row. `notes` carries the row's index, so what the sandbox stored names the row it came from. */
const row = fc.record(
	{
		external_id: externalId,
		first_name: name,
		last_name: name,
		mobile_phone: phone,
		email,
		active: flag,
		notify_phone: flag,
		notify_email: flag,
		cc: mostly(fc.constantFrom<unknown>(44, '1', '+49'), fc.constantFrom<unknown>(null, 'UK')),
	},
	{ requiredKeys: ['external_id', 'first_name', 'last_name'] },
);

/** Tokens with quotes, backslashes, slashes and inner spaces: every way text escapes them. */
const token = fc
	.string({ unit: fc.constantFrom(...'abcXYZ0189_-."\\/<>&é '.split('')), minLength: 10, maxLength: 30 })
	.map((text) => `k${text}9`)
	// An echoed token must not itself read as a complaint about the token or the site.
	.filter((text) => !/token|site|auth|key|forbid|credential/i.test(text));

const faultShare = fc.constantFrom(0, 0, 0.05, 0.15);

const knobs = fc.record({
	latencyMs: fc.integer({ min: 0, max: 15 }),
	jitterMs: fc.integer({ min: 0, max: 15 }),
	fault429: faultShare,
	fault500: faultShare,
	fault502Html: faultShare,
	fault503: faultShare,
	faultReset: faultShare,
	faultTruncated: faultShare,
	faultCutOff: faultShare,
	faultHang: fc.constantFrom(0, 0, 0, 0.03),
	echoToken: fc.constantFrom(0, 0.5, 1),
	rejectionStatus: fc.constantFrom(200, 400, 422),
	retryAfterSec: fc.constant(0),
	seed: fc.integer({ min: 0, max: 2 ** 31 }),
});

const FAULTS = ['fault429', 'fault500', 'fault502Html', 'fault503', 'faultReset', 'faultTruncated', 'faultCutOff', 'faultHang'] as const;

/** The sandbox draws one fault per request, so the shares may add up to 1 at most: scaled to 0.9 beyond that. */
const server = knobs.map((chosen) => {
	const total = FAULTS.reduce((sum, fault) => sum + chosen[fault], 0);
	if (total <= 0.9) return chosen;
	return { ...chosen, ...Object.fromEntries(FAULTS.map((fault) => [fault, (chosen[fault] * 0.9) / total])) };
});

const options = fc.record(
	{
		// A wrong run-wide option fails every item: its odd values are as rare as a field's.
		maxConcurrent: mostly(fc.constantFrom<unknown>(1, 2, 3, 5, 10, '={{ $json.mc }}'), fc.constantFrom<unknown>(0, 'lots')),
		maxRetries: mostly(fc.constantFrom<unknown>(0, 1, 2), fc.constantFrom<unknown>(-1, 'twice')),
		phoneFormat: fc.constantFrom('asGiven', 'digitsOnly', 'e164'),
		defaultCountryCode: fc.constantFrom<unknown>('44', '={{ $json.cc }}'),
		dryRun: mostly(fc.constant<unknown>(false), fc.constantFrom<unknown>(true, 'maybe'), 10),
		includeSentFields: fc.boolean(),
		rejectedRecords: fc.constantFrom('outputItems', 'error'),
		sendEmptyFields: fc.boolean(),
		timeoutSeconds: mostly(fc.constant<unknown>(1), fc.constantFrom<unknown>('={{ $json.wait. }}', '={{ $json.cc }}')),
		reportUnmappedColumns: fc.boolean(),
	},
	{ requiredKeys: [] },
);

const scenario = fc.record({
	rows: fc.array(row, { minLength: 1, maxLength: 12 }),
	mc: mostly(fc.constantFrom<unknown>(2, '4'), fc.constantFrom<unknown>('many', null)),
	manual: fc.boolean(),
	options,
	onError: fc.constantFrom<OnError>('stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'),
	server,
	token,
	credential: mostly(fc.constantFrom('good', 'paddedToken'), fc.constantFrom('wrongToken', 'wrongSite')),
	/** Sometimes the execution is cancelled this long after it starts, as the editor's Stop button does. */
	cancelAfterMs: mostly(fc.constant<number | undefined>(undefined), fc.integer({ min: 0, max: 80 }), 8),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------
// Running one scenario

interface Applied {
	externalId: string;
	row: number;
}

const BY_HAND = manualColumns({
	external_id: '={{ $json.external_id }}',
	first_name: '={{ $json.first_name }}',
	last_name: '={{ $json.last_name }}',
	mobile_phone: '={{ $json.mobile_phone }}',
	email: '={{ $json.email }}',
	notes: '={{ $json.notes }}',
	active: '={{ $json.active }}',
	notify_phone: '={{ $json.notify_phone }}',
	notify_email: '={{ $json.notify_email }}',
});

async function run(sandbox: Sandbox, s: Scenario) {
	// What Hyfin stored, in the order it stored it: the row is read back from its notes.
	const applied: Applied[] = [];
	const upsert = sandbox.store.upsert.bind(sandbox.store);
	sandbox.store.upsert = (siteId, fields) => {
		applied.push({ externalId: fields.external_id, row: Number(String(fields.notes).slice(1)) });
		return upsert(siteId, fields);
	};
	// When each request to the sandbox was started, as Node's HTTP client reports it.
	const sentAt: number[] = [];
	const onRequest = (message: unknown) => {
		const { request } = message as { request: ClientRequest };
		if (request.getHeader('host') === `127.0.0.1:${sandbox.port}`) sentAt.push(performance.now());
	};
	diagnostics.subscribe('http.client.request.start', onRequest);
	// When the node's execute() returned.
	let returned: (at: { time: number; clock: number }) => void = () => {};
	const returnedAt = new Promise<{ time: number; clock: number }>((resolve) => (returned = resolve));
	const node = new Hyfin();
	const execute = node.execute;
	node.execute = async function (this: never) {
		try {
			return await execute.call(this);
		} finally {
			returned({ time: Date.now(), clock: performance.now() });
		}
	};
	const items = s.rows.map((generated, index) => ({ ...generated, notes: `#${index}`, mc: s.mc }));
	const started = Date.now();
	const result = await runNode({
		nodeType: node,
		parameters: {
			resource: 'customer',
			operation: 'addUpdate',
			columns: s.manual ? BY_HAND : autoColumns,
			options: s.options,
		} as INodeParameters,
		items: items as IDataObject[],
		credentials: {
			hyfinApi: {
				baseUrl: sandbox.baseUrl,
				siteId: s.credential === 'wrongSite' ? 'no-such-site' : sandbox.siteId,
				accessToken: s.credential === 'wrongToken' ? `${s.token}x` : s.credential === 'paddedToken' ? ` ${s.token}\n` : s.token,
			},
		},
		credentialTypes: [new HyfinApi()],
		onError: s.onError,
		cancelAfterMs: s.cancelAfterMs,
	});
	// A cancelled run is reported at once; the node's execute() then ends on its own.
	const at = await returnedAt;
	// Long enough for anything still running to send a request.
	await new Promise((resolve) => setTimeout(resolve, 50));
	diagnostics.unsubscribe('http.client.request.start', onRequest);
	return { result, applied, started, returnedAt: at, sentAfterReturn: sentAt.filter((time) => time > at.clock).length };
}

// ---------------------------------------------------------------------------------------------
// What must always hold

type Outcome = 'stored' | 'dryRun' | 'rejected' | 'failed';

/** Messages about the whole run (a run-wide option, the credential) may name the item they were read from. */
const RUN_WIDE = /^The Hyfin API credential|It is one setting for the whole run/;

/** What an output item says happened, or why it says something impossible; a failure or rejection names its item. */
function outcomeOf(json: IDataObject, index: number): Outcome {
	const failed = typeof json.error === 'string' && json.error !== '';
	const succeeded = json.success === true;
	const rejected = json.success === false && Array.isArray(json.errors) && json.errors.length > 0 && typeof json.message === 'string';
	if ([failed, succeeded, rejected].filter(Boolean).length !== 1)
		throw new Error(`an item must be exactly one outcome: ${JSON.stringify(json)}`);
	const said = String(failed ? json.error : json.message);
	if ((failed || rejected) && !new RegExp(`\\bitem ${index}\\b`, 'i').test(said) && !RUN_WIDE.test(said)) {
		throw new Error(`the message of item ${index} does not name it: ${said}`);
	}
	if (failed) return 'failed';
	if (rejected) return 'rejected';
	if (json.dryRun === true) return 'dryRun';
	if (typeof json.action !== 'string' || typeof json._id !== 'string')
		throw new Error(`a stored item names its action and _id: ${JSON.stringify(json)}`);
	return 'stored';
}

/** Output items by input item, checking there is one per input item, in order, paired with it. */
function itemsByInput(result: RunNodeResult, s: Scenario): Array<INodeExecutionData | undefined> {
	const count = s.rows.length;
	const byInput: Array<INodeExecutionData | undefined> = new Array(count).fill(undefined);
	for (const output of result.outputs) {
		let previous = -1;
		for (const item of output) {
			const paired = (item.pairedItem as { item: number }).item;
			expect(paired).toBeGreaterThan(previous);
			previous = paired;
			expect(byInput[paired]).toBeUndefined();
			byInput[paired] = item;
		}
	}
	if (s.onError === 'stopWorkflow' && result.error) {
		expect(result.error.message).toMatch(/item \d+/i);
		expect(result.outputs.flat()).toEqual([]);
	} else {
		expect(result.error).toBeUndefined();
		expect(byInput.every((item) => item !== undefined)).toBe(true);
		if (s.onError !== 'continueErrorOutput') expect(result.outputs).toHaveLength(1);
	}
	return byInput;
}

/** How many requests the run may have under way at once; 0 when its Max Concurrent Requests is not valid. */
function concurrencyOf(s: Scenario): number {
	const chosen = s.options.maxConcurrent === '={{ $json.mc }}' ? s.mc : (s.options.maxConcurrent ?? DEFAULT_CEILING);
	const value = typeof chosen === 'string' && chosen.trim() !== '' ? Number(chosen) : chosen;
	return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 100 ? value : 0;
}

function checkToken(result: RunNodeResult, s: Scenario) {
	const stored = everything(result);
	for (const secret of [s.token, `${s.token}x`]) {
		for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), secret.slice(0, 8)]) {
			expect(stored).not.toContain(form);
		}
	}
}

function checkStore(sandbox: Sandbox, byInput: Array<INodeExecutionData | undefined>, applied: Applied[]) {
	const appliedRows = new Set(applied.map((entry) => entry.row));
	byInput.forEach((item, index) => {
		if (!item) return;
		const outcome = outcomeOf(item.json, index);
		// Every stored item is in Hyfin with the _id it output; nothing rejected or dry-run is.
		if (outcome === 'stored') {
			const externalId = String(item.json.external_id);
			expect(applied).toContainEqual({ externalId, row: index });
			expect(sandbox.store.get(sandbox.siteId, externalId)?._id).toBe(item.json._id);
			// The answer it output is the one to its own last request: "added" only if that request made the record.
			const ofId = applied.filter((entry) => entry.externalId === externalId).map((entry) => entry.row);
			expect(item.json.action).toBe(ofId.lastIndexOf(index) === 0 ? 'added' : 'updated');
		}
		if (outcome === 'rejected' || outcome === 'dryRun') expect(appliedRows.has(index)).toBe(false);
	});
	// Rows of one id were stored in input order (a row may be stored again by a retry), so the
	// record Hyfin keeps is its last row that reached it.
	const rowsById = new Map<string, number[]>();
	for (const { externalId, row } of applied) rowsById.set(externalId, [...(rowsById.get(externalId) ?? []), row]);
	for (const [externalId, rows] of rowsById) {
		expect(rows).toEqual([...rows].sort((a, b) => a - b));
		expect(sandbox.store.get(sandbox.siteId, externalId)?.notes).toBe(`#${rows[rows.length - 1]}`);
	}
}

describe('properties of every run', () => {
	it(
		'one output per input, in order and paired; Hyfin holds the last row of each id that reached it; no token anywhere; nothing sent after the node returns',
		async () => {
			await fc.assert(
				fc.asyncProperty(scenario, async (s) => {
					const sandbox = await startSandbox({ dbFile: ':memory:', token: s.token, knobs: s.server as Partial<SandboxKnobs> });
					try {
						const { result, applied, started, returnedAt, sentAfterReturn } = await run(sandbox, s);
						const cancelled = result.run.status === 'canceled';
						// A cancelled execution's outputs are not kept by n8n: only what it did to Hyfin matters.
						const byInput = cancelled ? [] : itemsByInput(result, s);
						byInput.forEach((item, index) => item && outcomeOf(item.json, index));
						// Cancelling ends every wait and request at once.
						if (cancelled) expect(returnedAt.time - started - (s.cancelAfterMs ?? 0)).toBeLessThan(1000);
						checkToken(result, s);
						checkStore(sandbox, byInput, applied);
						// Once Hyfin refused the token or the site, nothing more was sent: at most the requests already under way.
						if (s.credential === 'wrongToken' || s.credential === 'wrongSite') {
							const answered = sandbox.stats().requests['POST /api/v3/site/:site_id/customer/addUpdate'] ?? {};
							expect(answered[s.credential === 'wrongToken' ? '401' : '404'] ?? 0).toBeLessThanOrEqual(concurrencyOf(s));
							expect(applied).toEqual([]);
						}
						// Nothing is sent after execute() returned.
						expect(sentAfterReturn).toBe(0);
					} finally {
						await sandbox.close();
					}
				}),
				{ numRuns: RUNS, seed: SEED, endOnFailure: process.env.HYFIN_PROPERTY_SHRINK !== '1' },
			);
		},
		15 * 60_000,
	);
});
