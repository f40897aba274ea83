import { startSandbox, type Sandbox } from '../../sandbox/server';
import { CALM, JOHN, addUpdate, call, calmDown, knobsFromFlags } from './helpers';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ dbFile: ':memory:' });
});
afterAll(() => sandbox.close());
beforeEach(() => calmDown(sandbox));

const timed = async <T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> => {
	const start = performance.now();
	const value = await fn();
	return { ms: performance.now() - start, value };
};

describe('rate limit', () => {
	test('answers 429 rate limit exceeded with Retry-After once the second is used up', async () => {
		sandbox.setKnobs({ rateLimitPerSec: 2 });
		const statuses = [];
		for (let i = 0; i < 2; i++) statuses.push((await addUpdate(sandbox, JOHN)).status);
		const limited = await addUpdate(sandbox, { ...JOHN, external_id: 'late' });
		expect(statuses).toEqual([200, 200]);
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('1');
		expect(limited.json).toEqual({ success: false, errors: ['rate limit exceeded'] });
		expect(sandbox.store.get(sandbox.siteId, 'late')).toBeNull();
		expect(sandbox.stats().rateLimited).toBe(1);
	});

	test('lets requests through again as the bucket refills', async () => {
		sandbox.setKnobs({ rateLimitPerSec: 2 });
		for (let i = 0; i < 2; i++) await addUpdate(sandbox, JOHN);
		expect((await addUpdate(sandbox, JOHN)).status).toBe(429);
		await new Promise((resolve) => setTimeout(resolve, 600));
		expect((await addUpdate(sandbox, JOHN)).status).toBe(200);
	});

	test('Retry-After says how many whole seconds until the next request fits', async () => {
		sandbox.setKnobs({ rateLimitPerSec: 0.2 });
		expect((await addUpdate(sandbox, JOHN)).status).toBe(200);
		const limited = await addUpdate(sandbox, JOHN);
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('5');
	});
});

describe('maxInFlight', () => {
	test('answers 503 with Retry-After: 1 at once to requests beyond the cap', async () => {
		sandbox.setKnobs({ maxInFlight: 2, latencyMs: 800 });
		const answers = await Promise.all([1, 2, 3].map((i) => timed(() => addUpdate(sandbox, { ...JOHN, external_id: `c${i}` }))));
		const refused = answers.filter((a) => a.value.status === 503);
		expect(answers.map((a) => a.value.status).sort()).toEqual([200, 200, 503]);
		expect(refused[0].value.headers.get('retry-after')).toBe('1');
		expect(refused[0].value.json).toEqual({ success: false, errors: ['too many requests in flight'] });
		expect(refused[0].ms).toBeLessThan(600);
		expect(sandbox.store.count()).toBe(2);
		expect(sandbox.stats()).toMatchObject({ peakInFlight: 2, overloaded: 1, inFlight: 0 });
	});

	test('overloadRetryAfter = 0: the 503 says only its status, as some servers do', async () => {
		sandbox.setKnobs({ maxInFlight: 1, latencyMs: 400, overloadRetryAfter: 0 });
		const answers = await Promise.all([1, 2].map((i) => addUpdate(sandbox, { ...JOHN, external_id: `c${i}` })));
		const refused = answers.find((a) => a.status === 503);
		expect(answers.map((a) => a.status).sort()).toEqual([200, 503]);
		expect(refused?.headers.get('retry-after')).toBeNull();
	});

	test('overloadRetryAfter takes only 0 or 1', async () => {
		const answer = await call(sandbox, '/__sandbox/knobs', { method: 'POST', body: JSON.stringify({ overloadRetryAfter: 2 }) });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({ success: false, errors: ['overloadRetryAfter must be 0 or 1'] });
	});

	test('peakInFlight counts requests processed at once', async () => {
		sandbox.setKnobs({ latencyMs: 200 });
		await Promise.all([1, 2, 3, 4].map((i) => addUpdate(sandbox, { ...JOHN, external_id: `c${i}` })));
		expect(sandbox.stats().peakInFlight).toBe(4);
	});
});

describe('latency', () => {
	test('delays each API answer by latencyMs', async () => {
		sandbox.setKnobs({ latencyMs: 250 });
		const { ms, value } = await timed(() => addUpdate(sandbox, JOHN));
		expect(value.status).toBe(200);
		expect(ms).toBeGreaterThanOrEqual(240);
		expect(ms).toBeLessThan(1000);
	});

	test('adds jitter within latencyMs ± jitterMs', async () => {
		sandbox.setKnobs({ latencyMs: 150, jitterMs: 100, seed: 3 });
		const times = [];
		for (let i = 0; i < 4; i++) times.push((await timed(() => addUpdate(sandbox, JOHN))).ms);
		for (const ms of times) {
			expect(ms).toBeGreaterThanOrEqual(45);
			expect(ms).toBeLessThan(600);
		}
		expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(5);
	});

	test('does not delay /__sandbox/ endpoints', async () => {
		sandbox.setKnobs({ latencyMs: 2000 });
		const { ms } = await timed(() => call(sandbox, '/__sandbox/stats'));
		expect(ms).toBeLessThan(500);
	});
});

describe('rejectionStatus', () => {
	test('sends validation rejections with the configured status', async () => {
		sandbox.setKnobs({ rejectionStatus: 422 });
		const answer = await addUpdate(sandbox, { ...JOHN, email: 'nope' });
		expect(answer.status).toBe(422);
		expect(answer.json).toEqual({ success: false, errors: ['invalid email'] });
	});

	test('leaves invalid json at 400, auth at 401 and successes at 200', async () => {
		sandbox.setKnobs({ rejectionStatus: 400 });
		expect((await addUpdate(sandbox, '{')).status).toBe(400);
		expect((await addUpdate(sandbox, JOHN, { token: 'nope' })).status).toBe(401);
		expect((await addUpdate(sandbox, JOHN)).status).toBe(200);
	});
});

describe('knobs endpoint', () => {
	test('GET /__sandbox/knobs answers every knob', async () => {
		const answer = await call(sandbox, '/__sandbox/knobs');
		expect(answer.json).toEqual(CALM);
	});

	test('POST /__sandbox/knobs merges and answers all knobs', async () => {
		const answer = await call(sandbox, '/__sandbox/knobs', {
			method: 'POST',
			body: JSON.stringify({ latencyMs: 5, fault503: 0.25 }),
		});
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({ ...CALM, latencyMs: 5, fault503: 0.25 });
		expect(sandbox.getKnobs()).toEqual({ ...CALM, latencyMs: 5, fault503: 0.25 });
	});

	test('POST /__sandbox/knobs rejects bad values and changes nothing', async () => {
		const answer = await call(sandbox, '/__sandbox/knobs', {
			method: 'POST',
			body: JSON.stringify({ latencyMs: 10, fault500: 1.5, rejectionStatus: 500, speed: 'fast', maxInFlight: 1.5 }),
		});
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({
			success: false,
			errors: [
				'fault500 must be 0..1',
				'rejectionStatus must be 200 or 400..499',
				'unknown knob speed',
				'maxInFlight must be a whole number, 0 or more',
			],
		});
		expect(sandbox.getKnobs()).toEqual(CALM);
	});

	test('rejects fault rates that add up to more than 1', async () => {
		const answer = await call(sandbox, '/__sandbox/knobs', {
			method: 'POST',
			body: JSON.stringify({ fault500: 0.6, faultHang: 0.6 }),
		});
		expect(answer.json).toEqual({ success: false, errors: ['fault rates add up to 1.2, more than 1'] });
	});

	test('rejects a body that is not JSON', async () => {
		const answer = await call(sandbox, '/__sandbox/knobs', { method: 'POST', body: 'latencyMs=5' });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({ success: false, errors: ['invalid json'] });
	});

	test('duplicateSendWindowSec is 300 unless set, takes fractions of a second, and is read from a flag', () => {
		expect(CALM.duplicateSendWindowSec).toBe(300);
		expect(sandbox.setKnobs({ duplicateSendWindowSec: 0.5 }).duplicateSendWindowSec).toBe(0.5);
		expect(() => sandbox.setKnobs({ duplicateSendWindowSec: -1 })).toThrow('duplicateSendWindowSec must be 0 or more');
		expect(knobsFromFlags({ 'duplicate-send-window-sec': '60', 'fault-reset-after-store': '0.1' })).toEqual({
			patch: { duplicateSendWindowSec: 60, faultResetAfterStore: 0.1 },
			errors: [],
		});
	});

	test('faultResetAfterStore is a fault rate: it shares the whole with the others', () => {
		expect(() => sandbox.setKnobs({ faultResetAfterStore: 0.6, faultCutOff: 0.6 })).toThrow('fault rates add up to 1.2, more than 1');
		expect(() => sandbox.setKnobs({ faultResetAfterStore: 2 })).toThrow('faultResetAfterStore must be 0..1');
	});

	test('setKnobs throws on a bad value', () => {
		expect(() => sandbox.setKnobs({ jitterMs: -1 })).toThrow('invalid sandbox knobs: jitterMs must be 0..600000');
	});

	test('startSandbox takes knobs and refuses bad ones', async () => {
		const other = await startSandbox({ knobs: { rejectionStatus: 422, seed: 9 } });
		try {
			expect(other.getKnobs()).toMatchObject({ rejectionStatus: 422, seed: 9 });
		} finally {
			await other.close();
		}
		await expect(startSandbox({ knobs: { fault500: 2 } })).rejects.toThrow('fault500 must be 0..1');
	});
});
