import { readAnswer, type HyfinFailure } from '../../nodes/Hyfin/transport/answer';
import { sendTries } from '../../nodes/Hyfin/transport';
import { Capacity } from '../../nodes/Hyfin/transport/capacity';
import { RunControl } from '../../nodes/Hyfin/transport/control';
import { forEachIndex, OneAtATimePerKey } from '../../nodes/Hyfin/transport/pool';
import { DEFAULT_RETRY_POLICY, backoffMs, retryDelayMs, shouldRetry } from '../../nodes/Hyfin/transport/retry';

const failure = (overrides: Partial<HyfinFailure> = {}): HyfinFailure => ({
	reason: 'server',
	message: 'm',
	description: 'd',
	status: 502,
	retryable: true,
	...overrides,
});

describe('retry policy', () => {
	it.each<[number, number, number]>([
		[1, 250, 500],
		[2, 500, 1000],
		[3, 1000, 2000],
		[6, 8000, 16_000],
		[7, 15_000, 30_000],
		[20, 15_000, 30_000],
	])('backs off retry %i between %i and %i ms, capped at 30 s', (retry, low, high) => {
		expect(backoffMs(retry, DEFAULT_RETRY_POLICY, () => 0)).toBe(low);
		expect(backoffMs(retry, DEFAULT_RETRY_POLICY, () => 0.999999)).toBe(high);
	});

	it('waits what Retry-After asked for instead of a backoff', () => {
		expect(retryDelayMs(failure({ status: 429, retryAfterMs: 2000 }), 1, DEFAULT_RETRY_POLICY, () => 0)).toBe(2000);
		expect(retryDelayMs(failure({ status: 503, retryAfterMs: 0 }), 4, DEFAULT_RETRY_POLICY, () => 0)).toBe(0);
	});

	it('never waits longer than 60 s for Retry-After', () => {
		expect(retryDelayMs(failure({ retryAfterMs: 600_000 }), 1, DEFAULT_RETRY_POLICY)).toBe(60_000);
	});

	it('backs off when there is no Retry-After', () => {
		expect(retryDelayMs(failure(), 2, DEFAULT_RETRY_POLICY, () => 0)).toBe(500);
	});

	it('retries only retryable failures, and only Max Retries times', () => {
		const policy = { ...DEFAULT_RETRY_POLICY, maxRetries: 2 };
		expect(shouldRetry(failure(), 0, policy)).toBe(true);
		expect(shouldRetry(failure(), 1, policy)).toBe(true);
		expect(shouldRetry(failure(), 2, policy)).toBe(false);
		expect(shouldRetry(failure({ retryable: false, reason: 'auth', status: 401 }), 0, policy)).toBe(false);
		expect(shouldRetry(failure(), 0, { ...policy, maxRetries: 0 })).toBe(false);
	});
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('forEachIndex', () => {
	it('starts the indexes in order and has at most the given number under way', async () => {
		const started: number[] = [];
		let running = 0;
		let peak = 0;
		await forEachIndex(25, 4, async (index) => {
			started.push(index);
			running++;
			peak = Math.max(peak, running);
			await pause(2);
			running--;
		});
		expect(started).toEqual(Array.from({ length: 25 }, (_, index) => index));
		expect(peak).toBe(4);
	});

	it('starts nothing new once told to stop', async () => {
		let stop = false;
		const done: number[] = [];
		await forEachIndex(
			5,
			1,
			async (index) => {
				if (index === 1) stop = true;
				done.push(index);
			},
			() => stop,
		);
		expect(done).toEqual([0, 1]);
	});

	it('when a work throws, starts nothing new, waits for those under way, then throws the error', async () => {
		const ended: number[] = [];
		const run = forEachIndex(10, 3, async (index) => {
			if (index === 1) throw new Error('boom');
			await pause(index === 0 ? 30 : 5);
			ended.push(index);
		});
		await expect(run).rejects.toThrow('boom');
		// 0 and 2 were under way when 1 threw; 0 ended last, and nothing started after.
		expect(ended).toEqual([2, 0]);
	});

	it.each([0, Number.NaN, -3, 2.5])('runs every index with a worker count of %p', async (workers) => {
		const done: number[] = [];
		await forEachIndex(3, workers, async (index) => {
			done.push(index);
		});
		expect(done).toEqual([0, 1, 2]);
	});
});

describe('OneAtATimePerKey', () => {
	it('runs tasks with the same key one after another, in the order started, and others beside them', async () => {
		const oneAtATime = new OneAtATimePerKey();
		const log: string[] = [];
		const task = (name: string, ms: number) => async () => {
			log.push(`start ${name}`);
			await pause(ms);
			log.push(`end ${name}`);
			return name;
		};
		const results = await Promise.all([
			oneAtATime.run('a', task('a1', 30)),
			oneAtATime.run('b', task('b1', 5)),
			oneAtATime.run('a', task('a2', 1)),
		]);
		expect(results).toEqual(['a1', 'b1', 'a2']);
		expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
	});

	it('goes on with the next task of a key after one throws', async () => {
		const oneAtATime = new OneAtATimePerKey();
		const first = oneAtATime.run('a', async () => {
			throw new Error('first');
		});
		const second = oneAtATime.run('a', async () => 'second');
		await expect(first).rejects.toThrow('first');
		await expect(second).resolves.toBe('second');
	});
});

describe('RunControl', () => {
	it('after a halt at item 3, interrupts the items after it and ends their waits at once, not those up to it', async () => {
		const control = new RunControl(undefined);
		const started = Date.now();
		const waits = [2, 3, 4].map(async (itemIndex) => {
			await control.forItem(itemIndex).wait(itemIndex === 4 ? 10_000 : 50);
			return [itemIndex, Date.now() - started];
		});
		control.halt(3);
		const ended = Object.fromEntries(await Promise.all(waits));
		expect(ended[4]).toBeLessThan(40);
		expect(ended[2]).toBeGreaterThanOrEqual(45);
		expect(ended[3]).toBeGreaterThanOrEqual(45);
		expect([2, 3, 4].map((itemIndex) => control.interruptionOf(itemIndex))).toEqual([undefined, undefined, { kind: 'halted' }]);
		expect(control.stopped).toBe(true);
	});

	it('after a refusal, interrupts every item with that answer', () => {
		const control = new RunControl(undefined);
		const failure = { reason: 'auth' as const, message: 'refused', description: 'HTTP 401', retryable: false };
		control.refuse(failure);
		expect(control.interruptionOf(0)).toEqual({ kind: 'refused', failure });
		// A refusal stops sending, not planning: the remaining items still each get their outcome.
		expect(control.stopped).toBe(false);
	});

	it("follows n8n's cancel signal: interrupts everything, aborts requests under way, ends every wait", async () => {
		const cancel = new AbortController();
		const control = new RunControl(cancel.signal);
		const item = control.forItem(0);
		const started = Date.now();
		const waiting = item.wait(10_000);
		cancel.abort();
		await waiting;
		expect(Date.now() - started).toBeLessThan(100);
		expect(item.requestSignal.aborted).toBe(true);
		expect(item.interruption()).toEqual({ kind: 'cancelled' });
		expect(control.wasCancelled).toBe(true);
	});

	it('starts out cancelled when the signal already is, and stops listening once disposed', () => {
		const cancelled = new AbortController();
		cancelled.abort();
		expect(new RunControl(cancelled.signal).wasCancelled).toBe(true);
		const later = new AbortController();
		const control = new RunControl(later.signal);
		control.dispose();
		later.abort();
		expect(control.wasCancelled).toBe(false);
	});
});

describe('a refused credential', () => {
	it('is known before its request’s room is given back: the request waiting for that room sends nothing', async () => {
		const control = new RunControl(undefined);
		// Room for one request at a time, so the second waits for the first's.
		const capacity = new Capacity(1, () => 0);
		const sentFor: number[] = [];
		const refused = readAnswer(
			{ statusCode: 401, headers: {}, body: JSON.stringify({ success: false, errors: ['invalid access token'] }) },
			{ requestUrl: 'http://hyfin.test/api', siteId: 's', redact: (text) => text },
		);
		const item = (index: number) =>
			sendTries(
				async () => {
					sentFor.push(index);
					return refused;
				},
				true,
				DEFAULT_RETRY_POLICY,
				capacity,
				control.forItem(index, `item ${index}`),
			);
		const [first, second] = await Promise.all([item(0), item(1)]);
		expect(sentFor).toEqual([0]);
		expect('answer' in first && first.answer?.kind).toBe('failure');
		expect('interrupted' in second && second.interrupted).toEqual({
			kind: 'refused',
			failure: expect.objectContaining({ status: 401, refusedFor: 'item 0' }),
		});
	});
});
