import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { shutdownEngine } from './harness';
import { added, autoColumns, idFor, interceptAddUpdate, jsonOf, pairingOf, runAddUpdate } from './fixtures';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(async () => {
	nock.enableNetConnect();
	await shutdownEngine();
});

const row = (id: string) => ({ external_id: id, first_name: 'First', last_name: 'Last' });
const success = (id: string) => ({ success: true, action: 'added', _id: idFor(id), external_id: id });

/** Answers each external_id with the given statuses in turn, then with success; counts tries per id. */
function scripted(script: Record<string, Array<[number, string | IDataObject, Record<string, string>?]>>) {
	const tries: Record<string, number> = {};
	const total = Object.values(script).reduce((sum, answers) => sum + answers.length, 0);
	return {
		tries,
		answer: (body: IDataObject): [number, string | IDataObject, Record<string, string>?] => {
			const id = String(body.external_id);
			const n = (tries[id] = (tries[id] ?? 0) + 1);
			return script[id]?.[n - 1] ?? added(body);
		},
		total,
	};
}

describe('retries, per request', () => {
	it('retries a 429 after Retry-After and a 502 after a backoff, only for the item that failed', async () => {
		const plan = scripted({
			b: [[429, { success: false, errors: ['rate limit exceeded'] }, { 'Retry-After': '0' }]],
			c: [[502, '<html>Bad Gateway</html>']],
		});
		interceptAddUpdate(3 + plan.total, plan.answer);
		const result = await runAddUpdate({ columns: autoColumns }, [row('a'), row('b'), row('c')]);
		expect(result.error).toBeUndefined();
		expect(plan.tries).toEqual({ a: 1, b: 2, c: 2 });
		expect(jsonOf(result.outputs[0])).toEqual([success('a'), success('b'), success('c')]);
		expect(pairingOf(result.outputs[0])).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('gives up after Max Retries, naming the last status and the number of attempts', async () => {
		const busy: [number, IDataObject, Record<string, string>] = [503, { success: false, errors: ['busy'] }, { 'Retry-After': '0' }];
		const plan = scripted({ x: [busy, busy, busy] });
		interceptAddUpdate(3, plan.answer);
		const result = await runAddUpdate({ columns: autoColumns, options: { maxRetries: 2 } }, [row('x')]);
		expect(plan.tries).toEqual({ x: 3 });
		expect(result.error?.message).toBe(
			'Hyfin request for item 0 (external_id "x") failed after 3 attempts: Hyfin answered HTTP 503, a server error. Hyfin or a proxy in front of it is failing; try again later.',
		);
	});

	it.each<[string, number, string | IDataObject]>([
		['a refused token', 401, { success: false, errors: ['invalid access token'] }],
		['a plain 404 page', 404, '<h1>Not Found</h1>'],
		["Hyfin's rejection of the record", 422, { success: false, errors: ['invalid email'] }],
	])('never retries %s', async (_, status, body) => {
		// Room for retries, so that one would be counted.
		const plan = scripted({
			once: [
				[status, body],
				[status, body],
				[status, body],
			],
		});
		interceptAddUpdate(3, plan.answer);
		await runAddUpdate({ columns: autoColumns }, [row('once')], { onError: 'continueRegularOutput' });
		expect(plan.tries).toEqual({ once: 1 });
	});

	it('with On Error = Stop, sends nothing new after an item fails, and fails on that item', async () => {
		const plan = scripted({ 'item-1': [[401, { success: false, errors: ['invalid access token'] }]] });
		interceptAddUpdate(4, plan.answer);
		const result = await runAddUpdate({ columns: autoColumns, options: { maxConcurrent: 1 } }, [
			row('item-0'),
			row('item-1'),
			row('item-2'),
			row('item-3'),
		]);
		expect(plan.tries).toEqual({ 'item-0': 1, 'item-1': 1 });
		expect(result.error?.message).toMatch(/^Hyfin request for item 1 \(external_id "item-1"\) failed: Hyfin refused the access token/);
	});

	it('with On Error = Stop, an item rejected before sending stops the items after it, not those before', async () => {
		const plan = scripted({});
		interceptAddUpdate(3, plan.answer);
		const result = await runAddUpdate({ columns: autoColumns, options: { rejectedRecords: 'error' } }, [
			row('first'),
			{ external_id: 'second' },
			row('third'),
		]);
		expect(plan.tries).toEqual({ first: 1 });
		expect(result.error?.message).toBe(
			'Item 1 (external_id "second") was not sent to Hyfin: First Name is required: map a value to it; Last Name is required: map a value to it',
		);
	});
});

describe('many items at once', () => {
	it('sends up to Max Concurrent Requests together and still outputs in input order with pairing', async () => {
		let inFlight = 0;
		let peak = 0;
		nock('https://hyfin.example.test')
			.post(/addUpdate$/)
			.times(40)
			.reply(async (_uri, body) => {
				inFlight++;
				peak = Math.max(peak, inFlight);
				// Later items answer sooner, so answers arrive out of input order.
				const id = Number((body as IDataObject).external_id);
				await new Promise((resolve) => setTimeout(resolve, 5 + (40 - id)));
				inFlight--;
				return [200, { success: true, action: 'added', _id: idFor(String(id)) }];
			});
		const ids = Array.from({ length: 40 }, (_, i) => String(i));
		const result = await runAddUpdate({ columns: autoColumns, options: { maxConcurrent: 8 } }, ids.map(row));
		expect(peak).toBe(8);
		expect(jsonOf(result.outputs[0])).toEqual(ids.map(success));
		expect(pairingOf(result.outputs[0])).toEqual(ids.map((_, item) => ({ item })));
	});
});
