import { Capacity, DEFAULT_CEILING } from '../../nodes/Hyfin/transport/capacity';
import fc from 'fast-check';

import { simulate, type Limits } from './simulation';

/**
 * The controller against simulated servers, on a simulated clock: each profile of issue 12's
 * benchmark, run through the node's own sending (forEachIndex, sendTries, Capacity), with 1,000
 * items and a ceiling of 50 unless said. Figures are shares of what the server allows; the same
 * seed gives the same run, so these pin the behaviour without timing anything.
 */

/**
 * n8n as it runs for real: a few milliseconds each way to the server, Node's timers ending up to
 * a millisecond early, and now and then a stall of up to 40 ms (n8n busy, its garbage collector).
 */
const N8N = { network: { delayMs: 4, jitterMs: 3 }, earlyTimers: true, stalls: { everyMs: 300, forMs: 40 } };

const ROUND_MS = 60;
const inFlight = (max: number, retryAfterSec?: number): Limits => ({ maxInFlight: max, latencyMs: ROUND_MS, jitterMs: 10, retryAfterSec });

describe('capacity on a simulated Hyfin', () => {
	it.each([
		['at once', {}],
		['with 60 ms answers', { latencyMs: 60, jitterMs: 10 }],
	])(
		'(a) 50 requests per second, answered %s, in n8n as it runs: at least 95% of the rate, under 5% refused, every item lands',
		async (_, latency) => {
			for (const seed of [1, 2, 3]) {
				const run = await simulate({ limits: { ratePerSec: 50, ...latency }, ceiling: DEFAULT_CEILING, seed, ...N8N });
				expect(run.succeeded).toBe(1000);
				expect(run.succeeded / (run.durationMs / 1000) / 50).toBeGreaterThanOrEqual(0.95);
				expect(run.refused429 / run.requests).toBeLessThan(0.05);
				// It paces: from the 8th second on, the limit give or take a few, never a burst.
				expect(run.perSecond.slice(8, -1).every((taken) => taken >= 44 && taken <= 56)).toBe(true);
			}
		},
	);

	it('(a) with timers that end early: a turn is never taken before it is due', async () => {
		// Node's timers may end up to a millisecond before the time asked; a pace that took that for
		// an interruption and sent at once went at twice the limit, with 60% of requests refused.
		const run = await simulate({ limits: { ratePerSec: 50 }, ceiling: DEFAULT_CEILING, earlyTimers: true });
		expect(run.succeeded).toBe(1000);
		expect(run.refused429 / run.requests).toBeLessThan(0.02);
		expect(Math.max(...run.perSecond.slice(8))).toBeLessThanOrEqual(55);
	});

	it('(b) at most 20 in flight, 503 + Retry-After beyond: at least 90% of 20 ÷ 60 ms, with a window that settles at 20', async () => {
		const run = await simulate({ limits: inFlight(20, 1) });
		expect(run.succeeded).toBe(1000);
		expect(run.succeeded / (run.durationMs / 1000) / (20 / (ROUND_MS / 1000))).toBeGreaterThanOrEqual(0.9);
		expect(run.refused503 / run.requests).toBeLessThan(0.05);
		expect(run.capacities[0].window).toBeGreaterThanOrEqual(19);
		expect(run.capacities[0].window).toBeLessThanOrEqual(21);
	});

	it('(c) no limit: the window grows to the ceiling at once', async () => {
		const run = await simulate({ limits: { latencyMs: ROUND_MS, jitterMs: 10 } });
		expect(run.succeeded).toBe(1000);
		expect(run.requests).toBe(1000);
		expect(run.capacities[0].window).toBe(50);
		// 1,000 at 50 at a time take 20 rounds, plus the 3 rounds of slow start from 10 to 50.
		expect(run.durationMs).toBeLessThan(25 * (ROUND_MS + 10));
	});

	it('(e) an in-flight limit that drops from 20 to 5 and comes back: under 10% refused, back to 90% within 2 s', async () => {
		const limits = (ms: number) => inFlight(ms >= 1500 && ms < 3500 ? 5 : 20, 1);
		const run = await simulate({ limits, items: 2000 });
		expect(run.succeeded).toBe(2000);
		expect(run.refused503 / run.requests).toBeLessThan(0.1);
		// Successes in each 250 ms from the recovery on; 90% of 20 ÷ 60 ms is 75 per 250 ms.
		const quarter = (from: number) => run.log.filter(({ at, status }) => status === 200 && at >= from && at < from + 250).length;
		const back = [0, 250, 500, 750, 1000, 1250, 1500, 1750].find((after) => quarter(3500 + after) >= 75);
		expect(back).toBeDefined();
		expect(back).toBeLessThanOrEqual(1750);
	});

	it('(f) a server that says only 503 (no Retry-After): at least 90% of its capacity', async () => {
		const run = await simulate({ limits: inFlight(20) });
		expect(run.succeeded).toBe(1000);
		expect(run.succeeded / (run.durationMs / 1000) / (20 / (ROUND_MS / 1000))).toBeGreaterThanOrEqual(0.9);
	});

	it('a server that queues instead of refusing: answers three times slower than the fastest shrink the window', async () => {
		const run = await simulate({ limits: { ...inFlight(10), queue: true } });
		expect(run.succeeded).toBe(1000);
		expect(run.refused503).toBe(0);
		// 50 in flight would wait 5 rounds; it keeps about 3 rounds' worth.
		expect(run.capacities[0].window).toBeLessThan(35);
		expect(run.succeeded / (run.durationMs / 1000) / (10 / (ROUND_MS / 1000))).toBeGreaterThanOrEqual(0.9);
	});

	it('(d) 10% of requests answered 429 whatever the rate: every item lands, and the pace does not fall without end', async () => {
		for (const seed of [1, 2, 3]) {
			const run = await simulate({ limits: { random429: 0.1, latencyMs: 5 }, ceiling: DEFAULT_CEILING, seed, ...N8N });
			expect(run.succeeded).toBe(1000);
			// Such 429s look like a limit, and the pace slows for them; but refusals that come as often
			// below the limit as above it do not lower it: the second half goes at least half as fast as the first.
			const half = Math.floor(run.perSecond.length / 2);
			const rate = (seconds: number[]) => seconds.reduce((sum, taken) => sum + taken, 0) / seconds.length;
			expect(rate(run.perSecond.slice(half, -1))).toBeGreaterThanOrEqual(rate(run.perSecond.slice(0, half)) / 2);
			expect(run.durationMs).toBeLessThan(250_000);
		}
	});

	it.each([
		[5, 0],
		[60, 0],
		[5, 2000],
		[60, 5000],
	])(
		'six executions sharing 50 requests per second (%i ms each, starting %i ms apart), in n8n as it runs: every item lands, under 10%% refused',
		async (latencyMs, startGapMs) => {
			for (const seed of [1, 2]) {
				const run = await simulate({
					limits: { ratePerSec: 50, latencyMs, jitterMs: 2 },
					items: 500,
					executions: 6,
					startGapMs,
					ceiling: DEFAULT_CEILING,
					seed,
					...N8N,
				});
				expect(run.succeeded).toBe(3000);
				expect(run.refused429 / run.requests).toBeLessThan(0.1);
				// 3,000 at 50 a second take 60 s; the executions, each unaware of the others, need at most a
				// tenth more, after the last one started.
				expect(run.durationMs).toBeLessThan(66_000 + 5 * startGapMs);
			}
		},
	);

	it('an item refused at every one of the pace’s probes still lands: refusals of the node’s own probing use up none of its retries', async () => {
		// Found by the property below: at 6 a second, with no latency, one item's retries came due
		// each time the pace went above the limit, and it failed after 6 tries.
		const run = await simulate({ limits: { ratePerSec: 6 }, items: 150, ceiling: 13, seed: 1 });
		expect(run.failed).toBe(0);
		expect(run.succeeded).toBe(150);
		expect(run.refused429).toBeGreaterThanOrEqual(6);
	});

	it('repeats itself: the same seed, the same run', async () => {
		const one = await simulate({ limits: { ratePerSec: 50, latencyMs: 60, jitterMs: 10 }, items: 300, seed: 7 });
		const two = await simulate({ limits: { ratePerSec: 50, latencyMs: 60, jitterMs: 10 }, items: 300, seed: 7 });
		expect([two.durationMs, two.requests, two.refused429]).toEqual([one.durationMs, one.requests, one.refused429]);
	});
});

describe('capacity on generated servers', () => {
	// Any mix of a rate limit, an in-flight limit (refusing or queueing, with or without
	// Retry-After), latency, a few random 429s, any ceiling, one to three executions at once.
	const server = fc.record({
		ratePerSec: fc.oneof(fc.constant(0), fc.integer({ min: 5, max: 300 })),
		maxInFlight: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 60 })),
		queue: fc.boolean(),
		retryAfterSec: fc.constantFrom(undefined, 0, 1, 2),
		latencyMs: fc.integer({ min: 0, max: 120 }),
		jitterMs: fc.integer({ min: 0, max: 20 }),
		random429: fc.constantFrom(0, 0, 0.02, 0.05),
	});

	it('every item ends once: stored at most once, never more in flight than the ceiling; alone on the server, every item lands', async () => {
		await fc.assert(
			fc.asyncProperty(
				server,
				fc.integer({ min: 1, max: 100 }),
				fc.integer({ min: 1, max: 3 }),
				fc.integer({ min: 1, max: 2 ** 31 }),
				// An ideal n8n, or n8n as it runs (timers ending early, time each way, stalls).
				fc.boolean(),
				async (limits, ceiling, executions, seed, asItRuns) => {
					const items = 150;
					const run = await simulate({ limits, items, ceiling, executions, seed, ...(asItRuns ? N8N : {}) });
					expect(run.succeeded + run.failed).toBe(items * executions);
					expect([...run.stored.values()].every((times) => times === 1)).toBe(true);
					expect(run.stored.size).toBe(run.succeeded);
					expect(Math.max(...run.peakInFlight)).toBeLessThanOrEqual(ceiling);
					if (executions === 1) expect(run.failed).toBe(0);
				},
			),
			{ numRuns: 200 },
		);
	});
});

describe('capacity, by hand', () => {
	const noWait = async () => undefined;

	it('starts at 10 (or the ceiling, if lower) and holds back what does not fit', async () => {
		expect(new Capacity(50).window).toBe(10);
		expect(new Capacity(2).window).toBe(2);
		const capacity = new Capacity(4, () => 0);
		const slots = await Promise.all([1, 2, 3, 4].map(async () => await capacity.acquire(noWait)));
		expect(capacity.inFlight).toBe(4);
		let fifth = false;
		const waiting = capacity.acquire(noWait).then(() => (fifth = true));
		await new Promise((resolve) => setImmediate(resolve));
		expect(fifth).toBe(false);
		capacity.release(slots[0], 'other');
		await waiting;
		expect(fifth).toBe(true);
	});

	it('takes one off the window for each 503', async () => {
		const capacity = new Capacity(4, () => 0);
		const slots = await Promise.all([1, 2, 3, 4].map(async () => await capacity.acquire(noWait)));
		for (const slot of slots.slice(0, 3)) capacity.release(slot, 'overloaded');
		expect(capacity.window).toBe(1);
		capacity.release(slots[3], 'overloaded');
		expect(capacity.window).toBe(1);
	});

	it('pauses every new request for the first 429’s Retry-After, then paces at what Hyfin took before it, as though in a second', async () => {
		let now = 1000;
		const waits: number[] = [];
		const wait = async (ms: number) => {
			waits.push(ms);
			now += ms;
		};
		const capacity = new Capacity(4, () => now);
		const slots = await Promise.all(Array.from({ length: 4 }, async () => await capacity.acquire(noWait)));
		expect(capacity.pace()).toBeUndefined();
		now = 1100;
		for (const slot of slots.slice(0, 3)) capacity.release(slot, 'answered');
		capacity.release(slots[3], 'rateLimited', 2500);
		// Three taken before the refusal: 3 a second, a tenth below it to start with.
		expect(capacity.pace(3600)).toBeCloseTo(2.7, 5);
		await capacity.acquire(wait);
		expect(waits).toEqual([2500]);
		expect(now).toBe(3600);
		// The next turn comes one pace later.
		await capacity.acquire(wait);
		expect(waits).toHaveLength(2);
		expect(waits[1]).toBeCloseTo(1000 / 2.7, 0);
	});

	it('an interrupted wait for a turn ends the wait: the slot is taken at once, for the caller to see why', async () => {
		const now = 1000;
		const capacity = new Capacity(50, () => now);
		const slot = await capacity.acquire(noWait);
		capacity.release(slot, 'rateLimited', 2500);
		let waited = 0;
		const interrupted = () => waited > 0;
		// A wait that ends at once, as an interrupted one does.
		const taken = await capacity.acquire(async () => void waited++, interrupted);
		expect(waited).toBe(1);
		expect(taken.sentAt).toBe(1000);
	});
});
