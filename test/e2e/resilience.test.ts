/**
 * When Hyfin is not kind, in a REAL n8n (`n8n execute`) against the sandbox: a refused token, a
 * wrong Site ID, a burst of 429s, 200 items with random latency, answers cut off mid-way, and
 * On Error = Continue with chosen records failing every time or an option that fails one item.
 */
import type { Sandbox } from '../../sandbox/server';
import {
	CREDENTIALS,
	GOOD_TOKEN,
	WRONG_SITE_ID,
	WRONG_TOKEN,
	errorOf,
	expectSuccess,
	itemsOf,
	nodeRun,
	outputOf,
	useE2E,
} from './helpers/n8n';
import { NODE, hyfinWorkflow, mapEachField } from './helpers/workflows';

jest.setTimeout(240_000);

const OBJECT_ID = /^[0-9a-f]{24}$/;
const ROUTE = 'POST /api/v3/site/:site_id/customer/addUpdate';

const WF = {
	wrongToken: 'e2eResWrongToken',
	rateLimited: 'e2eResRateLimit1',
	latency: 'e2eResLatency200',
	errorOutput: 'e2eResErrOutput1',
	faults: 'e2eResFaults3001',
	wrongSite: 'e2eResWrongSite1',
	refusedContinue: 'e2eResRefused300',
	cutOff: 'e2eResCutOff0030',
	optionPerItem: 'e2eResOptionItem',
};

const customer = (externalId: string, i: number) => ({
	external_id: externalId,
	first_name: `First${i}`,
	last_name: `Last${i}`,
	email: `customer${i}@example.com`,
});

const TOKEN_ITEMS = [1, 2, 3].map((i) => customer(`e2e-tok-${i}`, i));
const BURST = Array.from({ length: 30 }, (_, i) => customer(`e2e-burst-${String(i).padStart(2, '0')}`, i));
const MANY = Array.from({ length: 200 }, (_, i) => ({
	...customer(`e2e-many-${String(i).padStart(3, '0')}`, i),
	mobile_phone: `555-01${String(i % 100).padStart(2, '0')}-${String(i).padStart(4, '0')}`,
	row: i,
}));
const WITH_FAILURES = [
	customer('e2e-err-1', 1),
	customer('e2e-err-2', 2),
	customer('e2e-err-3', 3),
	{ external_id: 'e2e-err-4', last_name: 'NoFirstName', sheet_row: 5 },
	{ ...customer('e2e-err-5', 5), sheet_row: 6 },
	customer('e2e-err-6', 6),
];
const FAILING_IDS = ['e2e-err-2', 'e2e-err-5'];
const FAULTY = Array.from({ length: 300 }, (_, i) => customer(`e2e-fault-${String(i).padStart(3, '0')}`, i));
/** The benchmark's fault profile (d): 10% 429, 5% 5xx, 2% connection resets, 1% cut-off JSON. */
const FAULT_KNOBS = {
	seed: 7,
	fault429: 0.1,
	fault500: 0.02,
	fault502Html: 0.015,
	fault503: 0.015,
	faultReset: 0.02,
	faultTruncated: 0.01,
};
const SITE_ITEMS = [1, 2, 3].map((i) => customer(`e2e-site-${i}`, i));
const REFUSED = Array.from({ length: 300 }, (_, i) => customer(`e2e-refused-${String(i).padStart(3, '0')}`, i));
const CUT_OFF = Array.from({ length: 30 }, (_, i) => customer(`e2e-cut-${String(i).padStart(2, '0')}`, i));
/** Default Country Code from an expression: a number works, null fails its item only. */
const PHONES = [
	{ id: 'e2e-cc-1', phone: '07700 900123', cc: 44 },
	{ id: 'e2e-cc-2', phone: '07700 900124', cc: null },
	{ id: 'e2e-cc-3', phone: '(305) 555-0177', cc: '1' },
];

const e2e = useE2E(() => [
	hyfinWorkflow({
		id: WF.wrongToken,
		name: 'E2E: a token Hyfin refuses',
		items: TOKEN_ITEMS,
		credential: CREDENTIALS.wrongToken,
		options: { maxConcurrent: 1 },
	}),
	hyfinWorkflow({ id: WF.rateLimited, name: 'E2E: a burst of 429s', items: BURST, options: { maxRetries: 10 } }),
	hyfinWorkflow({ id: WF.latency, name: 'E2E: 200 items, random latency', items: MANY, options: { maxConcurrent: 20 } }),
	hyfinWorkflow({
		id: WF.errorOutput,
		name: 'E2E: failed items to the error output',
		items: WITH_FAILURES,
		onError: 'continueErrorOutput',
		options: { maxRetries: 1 },
	}),
	hyfinWorkflow({ id: WF.faults, name: 'E2E: 300 items through faults', items: FAULTY }),
	hyfinWorkflow({
		id: WF.wrongSite,
		name: 'E2E: a Site ID Hyfin does not know',
		items: SITE_ITEMS,
		credential: CREDENTIALS.wrongSite,
		options: { maxConcurrent: 1 },
	}),
	hyfinWorkflow({
		id: WF.refusedContinue,
		name: 'E2E: a refused token, On Error = Continue',
		items: REFUSED,
		credential: CREDENTIALS.wrongToken,
		onError: 'continueRegularOutput',
	}),
	hyfinWorkflow({ id: WF.cutOff, name: 'E2E: answers cut off mid-way', items: CUT_OFF }),
	hyfinWorkflow({
		id: WF.optionPerItem,
		name: 'E2E: a Default Country Code per item',
		items: PHONES,
		columns: mapEachField({ external_id: '={{ $json.id }}', first_name: 'Ada', last_name: 'Lovelace', mobile_phone: '={{ $json.phone }}' }),
		options: { phoneFormat: 'e164', defaultCountryCode: '={{ $json.cc }}' },
		onError: 'continueRegularOutput',
	}),
]);

beforeEach(() => e2e.resetSandbox());

/** Hyfin's success output for a record, with the _id the sandbox stored for it. */
function addedItem(sandbox: Sandbox, externalId: string) {
	const _id = sandbox.store.get(sandbox.siteId, externalId)?._id;
	expect(_id).toMatch(OBJECT_ID);
	return { success: true, action: 'added', _id, external_id: externalId };
}

test('a refused token fails the workflow with a clear error, and the token is shown nowhere', async () => {
	const { sandbox } = e2e;
	const result = await e2e.execute(WF.wrongToken);
	expect(result.code).toBe(1);
	expect(result.run?.data.resultData.lastNodeExecuted).toBe(NODE.hyfin);
	const message =
		'Hyfin request for item 0 (external_id "e2e-tok-1") failed: Hyfin refused the access token (HTTP 401). ' +
		'Check the Access Token in the Hyfin API credential and that it belongs to this Site ID.';
	expect(errorOf(result.run)).toMatchObject({
		name: 'NodeApiError',
		message,
		description: 'HTTP 401: {"success":false,"errors":["invalid access token"]}',
		httpCode: '401',
		context: { itemIndex: 0 },
		node: { name: NODE.hyfin },
	});
	// What the person running `n8n execute` reads last.
	expect(result.stdout.trimEnd().split('\n').pop()).toBe(message);
	// With one request at a time, nothing more was sent once the first was refused.
	expect(sandbox.stats().requests).toEqual({ [ROUTE]: { '401': 1 } });
	expect(sandbox.store.count()).toBe(0);
	for (const token of [WRONG_TOKEN, GOOD_TOKEN]) {
		expect(result.stdout).not.toContain(token);
		expect(result.stderr).not.toContain(token);
		expect(JSON.stringify(result.run)).not.toContain(token);
	}
});

test('a burst of 429s is waited out: every item lands, in order', async () => {
	const { sandbox } = e2e;
	e2e.resetSandbox({ rateLimitPerSec: 5 });
	const run = expectSuccess(await e2e.execute(WF.rateLimited));

	expect(itemsOf(run, NODE.hyfin)).toEqual(
		BURST.map((item, i) => ({ json: addedItem(sandbox, item.external_id), pairedItem: { item: i } })),
	);
	expect(sandbox.store.count()).toBe(30);
	const stats = sandbox.stats();
	expect(stats.requests[ROUTE]['200']).toBe(30);
	expect(stats.requests[ROUTE]['429']).toBeGreaterThan(0);
	expect(stats.rateLimited).toBe(stats.requests[ROUTE]['429']);
	expect(Object.keys(stats.requests[ROUTE]).sort()).toEqual(['200', '429']);
	// 30 requests at 5 a second, 5 at once to start with, cannot take less than 5 s.
	expect(nodeRun(run, NODE.hyfin).executionTime).toBeGreaterThanOrEqual(4500);
});

test('200 items with random latency come out in input order, each paired with its input', async () => {
	const { sandbox } = e2e;
	e2e.resetSandbox({ latencyMs: 40, jitterMs: 35, seed: 5 });
	const run = expectSuccess(await e2e.execute(WF.latency));

	expect(outputOf(run, NODE.input)).toEqual(MANY);
	const output = itemsOf(run, NODE.hyfin);
	expect(output).toHaveLength(200);
	output.forEach((item, i) => {
		expect(item.pairedItem).toEqual({ item: i });
		expect(item.json.external_id).toBe(MANY[i].external_id);
	});
	expect(output.map((item) => item.json)).toEqual(MANY.map((item) => addedItem(sandbox, item.external_id)));

	// The answers really came back out of order: the sandbox stored them in another order.
	const storedOrder = sandbox.store
		.list()
		.reverse()
		.map((c) => c.external_id);
	expect(storedOrder).toHaveLength(200);
	expect(storedOrder).not.toEqual(MANY.map((item) => item.external_id));
	const stats = sandbox.stats();
	expect(stats.requests).toEqual({ [ROUTE]: { '200': 200 } });
	expect(stats.peakInFlight).toBeGreaterThan(1);
	expect(stats.peakInFlight).toBeLessThanOrEqual(20);
});

test('On Error = Continue (using error output): exactly the failed items go to the error output', async () => {
	const { sandbox } = e2e;
	e2e.resetSandbox({ failExternalIds: FAILING_IDS });
	const run = expectSuccess(await e2e.execute(WF.errorOutput));

	const succeeded = [
		{ json: addedItem(sandbox, 'e2e-err-1'), pairedItem: { item: 0 } },
		{ json: addedItem(sandbox, 'e2e-err-3'), pairedItem: { item: 2 } },
		{
			json: {
				success: false,
				errors: ['missing first_name'],
				external_id: 'e2e-err-4',
				message: 'Item 3 (external_id "e2e-err-4") was not sent to Hyfin: First Name is required: map a value to it',
			},
			pairedItem: { item: 3 },
		},
		{ json: addedItem(sandbox, 'e2e-err-6'), pairedItem: { item: 5 } },
	];
	// n8n puts the failed items' input fields back, next to the node's `error`.
	const badGateway =
		'Hyfin answered HTTP 502, a server error page, not JSON. Hyfin or a proxy in front of it is failing; try again later. ' +
		'(HTTP 502: <html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> ' +
		'<hr><center>nginx</center> </body> </html>)';
	const failed = [
		{
			json: {
				...WITH_FAILURES[1],
				error: `Hyfin request for item 1 (external_id "e2e-err-2") failed after 2 attempts: ${badGateway}`,
			},
			pairedItem: { item: 1 },
		},
		{
			json: {
				...WITH_FAILURES[4],
				error: `Hyfin request for item 4 (external_id "e2e-err-5") failed after 2 attempts: ${badGateway}`,
			},
			pairedItem: { item: 4 },
		},
	];
	expect(itemsOf(run, NODE.hyfin, 0)).toEqual(succeeded);
	expect(itemsOf(run, NODE.hyfin, 1)).toEqual(failed);
	expect(outputOf(run, NODE.succeeded)).toEqual(succeeded.map((item) => item.json));
	expect(outputOf(run, NODE.failed)).toEqual(failed.map((item) => item.json));

	expect(
		sandbox.store
			.list()
			.map((c) => c.external_id)
			.sort(),
	).toEqual(['e2e-err-1', 'e2e-err-3', 'e2e-err-6']);
	// Each failing record was tried twice (Max Retries 1); the others once; the rejected one never.
	expect(sandbox.stats().requests).toEqual({ [ROUTE]: { '200': 3, '502': 4 } });
});

test('300 items through 429s, 5xx, resets and cut-off answers: every one lands, none twice, with default settings', async () => {
	const { sandbox } = e2e;
	e2e.resetSandbox(FAULT_KNOBS);
	const run = expectSuccess(await e2e.execute(WF.faults));

	const output = itemsOf(run, NODE.hyfin);
	expect(output.map((item) => item.json.external_id)).toEqual(FAULTY.map((item) => item.external_id));
	expect(output.map((item) => item.pairedItem)).toEqual(FAULTY.map((_, item) => ({ item })));
	expect(output.every((item) => item.json.success === true)).toBe(true);
	// The sandbox holds exactly the 300 records, each under its own id, as the outputs say.
	const stored = sandbox.store.list();
	expect(stored.map((c) => c.external_id).sort()).toEqual(FAULTY.map((item) => item.external_id));
	expect(output.map((item) => item.json._id)).toEqual(FAULTY.map((item) => sandbox.store.get(sandbox.siteId, item.external_id)?._id));

	const { faults } = sandbox.stats();
	expect(faults.fault429 + faults.fault500 + faults.fault502Html + faults.fault503 + faults.faultReset).toBeGreaterThan(20);
	// A cut-off answer was stored before it was cut: its retry finds the record, so says `updated`.
	const updated = output.filter((item) => item.json.action === 'updated').length;
	expect(updated).toBeLessThanOrEqual(faults.faultTruncated);
	expect(updated > 0).toBe(faults.faultTruncated > 0);
});

test('a Site ID Hyfin does not know stops the workflow, naming the Site ID, after one request', async () => {
	const { sandbox } = e2e;
	const result = await e2e.execute(WF.wrongSite);
	expect(result.code).toBe(1);
	expect(errorOf(result.run)).toMatchObject({
		message: `Hyfin request for item 0 (external_id "e2e-site-1") failed: Hyfin does not know site "${WRONG_SITE_ID}" (HTTP 404: site not found). Check the Site ID in the Hyfin API credential.`,
		httpCode: '404',
	});
	expect(sandbox.stats().requests).toEqual({ [ROUTE]: { '404': 1 } });
});

test('a refused token with On Error = Continue: 300 items out, each failed, and nothing sent once Hyfin refused it', async () => {
	const { sandbox } = e2e;
	const run = expectSuccess(await e2e.execute(WF.refusedContinue));
	const output = itemsOf(run, NODE.hyfin);
	expect(output.map((item) => item.pairedItem)).toEqual(REFUSED.map((_, item) => ({ item })));
	const refusal =
		'Hyfin refused the access token (HTTP 401). Check the Access Token in the Hyfin API credential and that it belongs to this Site ID. (HTTP 401: {"success":false,"errors":["invalid access token"]})';
	expect(output[0].json).toEqual({ error: `Hyfin request for item 0 (external_id "e2e-refused-000") failed: ${refusal}` });
	expect(output[299].json).toEqual({
		error: `Item 299 (external_id "e2e-refused-299") was not sent, as Hyfin's answer to item 0 (external_id "e2e-refused-000") holds for every request of this run: ${refusal}`,
	});
	expect(output.every((item) => typeof item.json.error === 'string')).toBe(true);
	// Only the first wave (the 10 the node starts with) was under way when Hyfin refused the first.
	expect(sandbox.stats().requests[ROUTE]['401']).toBeLessThanOrEqual(10);
	expect(JSON.stringify(run)).not.toContain(WRONG_TOKEN);
});

test('answers cut off by a dropped connection are read as cut off and sent again: every item lands', async () => {
	const { sandbox } = e2e;
	e2e.resetSandbox({ faultCutOff: 0.3, seed: 11 });
	const run = expectSuccess(await e2e.execute(WF.cutOff));
	const output = itemsOf(run, NODE.hyfin);
	expect(output.map((item) => [item.json.success, item.json.external_id])).toEqual(CUT_OFF.map((item) => [true, item.external_id]));
	const cutOff = sandbox.stats().requests[ROUTE].cutOff;
	expect(cutOff).toBeGreaterThan(0);
	// A cut-off answer was stored before the connection dropped: the retry finds it, and says `updated`.
	const updated = output.filter((item) => item.json.action === 'updated').length;
	expect(updated).toBeGreaterThan(0);
	expect(updated).toBeLessThanOrEqual(cutOff);
	expect(sandbox.store.count()).toBe(30);
});

test('an option from an expression that is wrong for one item fails that item only', async () => {
	const { sandbox } = e2e;
	const run = expectSuccess(await e2e.execute(WF.optionPerItem));
	expect(itemsOf(run, NODE.hyfin)).toEqual([
		{ json: addedItem(sandbox, 'e2e-cc-1'), pairedItem: { item: 0 } },
		{
			json: {
				error: 'The option "Default Country Code" must be a country calling code of 1 to 3 digits, such as 44, but for item 1 it is empty',
			},
			pairedItem: { item: 1 },
		},
		{ json: addedItem(sandbox, 'e2e-cc-3'), pairedItem: { item: 2 } },
	]);
	expect(sandbox.store.get(sandbox.siteId, 'e2e-cc-1')?.mobile_phone).toBe('+447700900123');
	expect(sandbox.store.get(sandbox.siteId, 'e2e-cc-3')?.mobile_phone).toBe('+13055550177');
	expect(sandbox.store.count()).toBe(2);
});
