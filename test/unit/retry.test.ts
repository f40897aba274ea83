import type { HyfinFailure } from '../../nodes/Hyfin/transport/answer';
import { AdaptiveConcurrency, mapInOrder } from '../../nodes/Hyfin/transport/pool';
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

describe('adaptive concurrency', () => {
	const take = async (pool: AdaptiveConcurrency, n: number) => {
		for (let i = 0; i < n; i++) await pool.acquire();
	};

	it('starts at the maximum and holds back requests beyond it', async () => {
		const pool = new AdaptiveConcurrency(3);
		await take(pool, 3);
		let fourth = false;
		const waiting = pool.acquire().then(() => (fourth = true));
		await Promise.resolve();
		expect(fourth).toBe(false);
		pool.release();
		await waiting;
		expect(fourth).toBe(true);
		expect(pool.inFlight).toBe(3);
	});

	it('does not hold other requests back for a lone 429 among successes', async () => {
		jest.useFakeTimers({ now: 1_000_000 });
		try {
			const pool = new AdaptiveConcurrency(5);
			pool.rateLimited(1000);
			pool.succeeded();
			pool.rateLimited(1000);
			let started = false;
			const next = pool.acquire().then(() => (started = true));
			await jest.advanceTimersByTimeAsync(0);
			await next;
			expect(started).toBe(true);
		} finally {
			jest.useRealTimers();
		}
	});

	it('drops by one for each 503, so a burst of them brings it to what Hyfin takes', async () => {
		const pool = new AdaptiveConcurrency(50);
		await take(pool, 50);
		// Hyfin takes 20 at once: the 30 beyond that come back 503.
		for (let i = 0; i < 30; i++) {
			pool.overloaded();
			pool.release();
		}
		expect(pool.limit).toBe(20);
	});

	it('never drops below one', async () => {
		const pool = new AdaptiveConcurrency(2);
		for (let i = 0; i < 5; i++) pool.overloaded();
		expect(pool.limit).toBe(1);
	});

	it('climbs back by one after a run of successes, a run twice as long after each refusal, up to the maximum', async () => {
		const pool = new AdaptiveConcurrency(6);
		pool.overloaded();
		pool.overloaded();
		expect(pool.limit).toBe(4);
		// Two refusals: the next step up needs 4 × 4 successes; then half as many per step.
		for (let i = 0; i < 15; i++) pool.succeeded();
		expect(pool.limit).toBe(4);
		pool.succeeded();
		expect(pool.limit).toBe(5);
		for (let i = 0; i < 9; i++) pool.succeeded();
		expect(pool.limit).toBe(5);
		pool.succeeded();
		expect(pool.limit).toBe(6);
		for (let i = 0; i < 50; i++) pool.succeeded();
		expect(pool.limit).toBe(6);
	});

	it('after one refusal, steps back up after twice the limit in successes; never above the maximum', async () => {
		const pool = new AdaptiveConcurrency(3);
		pool.overloaded();
		for (let i = 0; i < 4; i++) pool.succeeded();
		expect(pool.limit).toBe(3);
		const fresh = new AdaptiveConcurrency(10);
		for (let i = 0; i < 100; i++) fresh.succeeded();
		expect(fresh.limit).toBe(10);
	});

	it('after two 429s in a row, holds every new request for the time asked', async () => {
		jest.useFakeTimers({ now: 1_000_000 });
		try {
			const pool = new AdaptiveConcurrency(5);
			pool.rateLimited(1000);
			pool.rateLimited(1000);
			let started = false;
			const next = pool.acquire().then(() => (started = true));
			await jest.advanceTimersByTimeAsync(999);
			expect(started).toBe(false);
			await jest.advanceTimersByTimeAsync(1);
			await next;
			expect(started).toBe(true);
		} finally {
			jest.useRealTimers();
		}
	});
});

describe('mapInOrder', () => {
	it('returns results in input order however the work finishes', async () => {
		const delays = [30, 1, 20, 5, 10];
		const results = await mapInOrder(delays, 3, async (delay, index) => {
			await new Promise((resolve) => setTimeout(resolve, delay));
			return `item ${index}`;
		});
		expect(results).toEqual(['item 0', 'item 1', 'item 2', 'item 3', 'item 4']);
	});

	it('has at most the given number of items under way', async () => {
		let running = 0;
		let peak = 0;
		await mapInOrder(Array.from({ length: 25 }), 4, async () => {
			running++;
			peak = Math.max(peak, running);
			await new Promise((resolve) => setTimeout(resolve, 2));
			running--;
		});
		expect(peak).toBe(4);
	});

	it('starts nothing new once told to stop, leaving those results undefined', async () => {
		let stop = false;
		const results = await mapInOrder(
			[1, 2, 3, 4, 5],
			1,
			async (value) => {
				if (value === 2) stop = true;
				return value * 10;
			},
			() => stop,
		);
		expect(results).toEqual([10, 20, undefined, undefined, undefined]);
	});
});
