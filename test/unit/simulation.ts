import { readAnswer, type HyfinAnswer } from '../../nodes/Hyfin/transport/answer';
import { Capacity } from '../../nodes/Hyfin/transport/capacity';
import type { ItemControl } from '../../nodes/Hyfin/transport/control';
import { sendTries } from '../../nodes/Hyfin/transport';
import { forEachIndex } from '../../nodes/Hyfin/transport/pool';
import { DEFAULT_RETRY_POLICY } from '../../nodes/Hyfin/transport/retry';
import { mulberry32 } from '../../sandbox/traffic';

/**
 * A Hyfin on a simulated clock, and runs of the node's real sending (forEachIndex, sendTries,
 * Capacity, readAnswer) against it: the controller's behaviour pinned without timing anything.
 * Time moves only when every promise has settled, from one timer to the next, so a run with the
 * same seed is the same run.
 */

export class SimClock {
	now = 0;

	private timers: Array<{ at: number; order: number; resolve: () => void }> = [];

	private order = 0;

	/** When n8n is next free at or after a moment: n8n's own stalls (see `stalls`), none by default. */
	private ready: (at: number) => number = (at) => at;

	/** How early one of n8n's waits ends, in ms (see `timersEarly`). */
	private early: () => number = () => 0;

	/**
	 * Makes n8n's process stall now and then, as n8n busy with other items and its garbage
	 * collector does: every `everyMs` on average it does nothing for up to `forMs`, and whatever
	 * it would have done meanwhile (a timer, an answer read, a request sent) happens at the end,
	 * all at once. The server is another process and never stalls.
	 */
	stalls({ everyMs, forMs }: { everyMs: number; forMs: number }, random: () => number): void {
		const stalls: Array<{ from: number; to: number }> = [];
		const through = (at: number) => {
			while ((stalls[stalls.length - 1]?.to ?? 0) <= at) {
				const from = (stalls[stalls.length - 1]?.to ?? 0) + everyMs * (0.5 + random());
				stalls.push({ from, to: from + forMs * random() });
			}
		};
		this.ready = (at) => {
			through(at);
			return stalls.find(({ from, to }) => at >= from && at < to)?.to ?? at;
		};
	}

	/**
	 * Waits `ms` of the server's time, or of n8n's with `n8n`: then, as Node's timers do, a wait
	 * lasts at least a millisecond and may end up to a millisecond early (they count whole
	 * milliseconds from a clock read a little before), or late, in a stall.
	 */
	async sleep(ms: number, { n8n = false } = {}): Promise<void> {
		let at = this.now + Math.max(0, ms);
		if (n8n && ms > 0) at = this.ready(this.now + Math.max(1, ms) - this.early());
		else if (n8n) at = this.ready(at);
		await new Promise<void>((resolve) => this.timers.push({ at, order: this.order++, resolve }));
	}

	/** Makes n8n's waits end up to a millisecond early, drawn from `random`. */
	timersEarly(random: () => number): void {
		this.early = random;
	}

	/** Runs until `done` settles: lets every promise settle, then moves to the next timer. */
	async run<T>(done: Promise<T>): Promise<T> {
		let finished = false;
		const result = done.finally(() => (finished = true));
		while (!finished) {
			await new Promise((resolve) => setImmediate(resolve));
			if (finished) break;
			if (this.timers.length === 0) throw new Error('the simulation is stuck: nothing to wait for');
			this.timers.sort((a, b) => a.at - b.at || a.order - b.order);
			const next = this.timers.shift();
			if (next) {
				this.now = Math.max(this.now, next.at);
				next.resolve();
			}
		}
		return await result;
	}
}

/** A server's limits at one moment; every figure may change over time. */
export interface Limits {
	/** Requests per second before 429 (a token bucket holding one second's worth), 0 for none. */
	ratePerSec?: number;
	/** Requests processed at once; beyond them 503 (or a queue, with `queue`). */
	maxInFlight?: number;
	/** Beyond maxInFlight, wait in line instead of 503. */
	queue?: boolean;
	/** Retry-After on 503 and 429, in seconds; undefined sends none on 503 (429 always gives the bucket's). */
	retryAfterSec?: number;
	latencyMs?: number;
	jitterMs?: number;
	/** Share of requests answered 429 whatever the rate (a fault). */
	random429?: number;
}

export interface Outcome {
	at: number;
	status: number;
}

/** The simulated server: a gateway's token bucket, a capacity, latency. */
export class SimServer {
	readonly log: Outcome[] = [];

	readonly stored = new Map<number, number>();

	private tokens: number;

	private refilledAt = 0;

	private inFlight = 0;

	private readonly line: Array<() => void> = [];

	constructor(
		private readonly clock: SimClock,
		private readonly limitsAt: (ms: number) => Limits,
		private readonly random: () => number,
	) {
		this.tokens = Math.max(1, limitsAt(0).ratePerSec ?? 0);
	}

	private answer(status: number, headers: Record<string, string> = {}): HyfinAnswer {
		this.log.push({ at: this.clock.now, status });
		const body = status === 200 ? { success: true, action: 'added' } : { success: false, errors: [`HTTP ${status}`] };
		return readAnswer(
			{ statusCode: status, headers, body: JSON.stringify(body) },
			{ requestUrl: 'http://hyfin.test/api', siteId: 's', redact: (text) => text },
		);
	}

	async handle(item: number): Promise<HyfinAnswer> {
		const limits = this.limitsAt(this.clock.now);
		const rate = limits.ratePerSec ?? 0;
		if (rate > 0) {
			this.tokens = Math.min(rate, this.tokens + ((this.clock.now - this.refilledAt) / 1000) * rate);
			this.refilledAt = this.clock.now;
			if (this.tokens < 1) return this.answer(429, { 'retry-after': String(Math.max(1, Math.ceil((1 - this.tokens) / rate))) });
			this.tokens -= 1;
		}
		if (limits.random429 && this.random() < limits.random429) return this.answer(429, { 'retry-after': '1' });
		const max = limits.maxInFlight ?? 0;
		if (max > 0 && this.inFlight >= max) {
			if (!limits.queue) {
				return this.answer(503, limits.retryAfterSec === undefined ? {} : { 'retry-after': String(limits.retryAfterSec) });
			}
			await new Promise<void>((resolve) => this.line.push(resolve));
		}
		this.inFlight++;
		const jitter = limits.jitterMs ?? 0;
		await this.clock.sleep((limits.latencyMs ?? 0) + (this.random() * 2 - 1) * jitter);
		this.inFlight--;
		this.line.shift()?.();
		this.stored.set(item, (this.stored.get(item) ?? 0) + 1);
		return this.answer(200);
	}
}

export interface RunReport {
	durationMs: number;
	/** Items whose last answer was a success. */
	succeeded: number;
	/** Items that ended in a failure (their retries ran out). */
	failed: number;
	/** How often the server stored each item. */
	stored: Map<number, number>;
	/** The most requests each execution had at the server at once. */
	peakInFlight: number[];
	log: Outcome[];
	requests: number;
	refused429: number;
	refused503: number;
	/** Successes per second in each whole second of the run. */
	perSecond: number[];
	capacities: Capacity[];
}

/**
 * `executions` runs of `items` items each, started together against one server, each with its
 * own Capacity (ceiling `ceiling`) and as many items under way as the ceiling, as the node does.
 */
export async function simulate({
	limits,
	items = 1000,
	ceiling = 50,
	executions = 1,
	seed = 1,
	startGapMs = 0,
	network = { delayMs: 0, jitterMs: 0 },
	stalls,
	earlyTimers = false,
}: {
	limits: Limits | ((ms: number) => Limits);
	items?: number;
	ceiling?: number;
	executions?: number;
	seed?: number;
	/** Execution k starts k × this many ms after the first. */
	startGapMs?: number;
	/**
	 * Each way between n8n and the server: a request reaches the server `delayMs` plus or minus
	 * up to `jitterMs` after n8n starts it (n8n's own work on it included), and its answer as long after.
	 */
	network?: { delayMs: number; jitterMs: number };
	/** n8n's own stalls (SimClock.stalls); none by default. */
	stalls?: { everyMs: number; forMs: number };
	/** n8n's waits end up to a millisecond early, as Node's timers do (SimClock.sleep). */
	earlyTimers?: boolean;
}): Promise<RunReport> {
	const clock = new SimClock();
	// The sandbox's seeded PRNG, so jitter and backoffs repeat.
	const random = mulberry32(seed);
	// Stalls and the network draw from their own sequences, so adding them leaves the server's draws as they were.
	if (stalls) clock.stalls(stalls, mulberry32(seed + 1));
	if (earlyTimers) clock.timersEarly(mulberry32(seed + 3));
	const networkRandom = mulberry32(seed + 2);
	const oneWay = () => Math.max(0, network.delayMs + (networkRandom() * 2 - 1) * network.jitterMs);
	const server = new SimServer(clock, typeof limits === 'function' ? limits : () => limits, random);
	const control: ItemControl = {
		interruption: () => undefined,
		requestSignal: new AbortController().signal,
		wait: async (ms) => await clock.sleep(ms, { n8n: true }),
		refuse: () => undefined,
	};
	const capacities = Array.from({ length: executions }, () => new Capacity(ceiling, () => clock.now));
	let succeeded = 0;
	let failed = 0;
	const inFlight = capacities.map(() => 0);
	const peakInFlight = capacities.map(() => 0);
	const runs = capacities.map(async (capacity, execution) => {
		await clock.sleep(execution * startGapMs);
		await forEachIndex(items, ceiling, async (index) => {
			const item = execution * items + index;
			const send = async () => {
				peakInFlight[execution] = Math.max(peakInFlight[execution], ++inFlight[execution]);
				try {
					await clock.sleep(oneWay(), { n8n: true });
					const answer = await server.handle(item);
					await clock.sleep(oneWay());
					// Read once n8n is free.
					await clock.sleep(0, { n8n: true });
					return answer;
				} finally {
					inFlight[execution]--;
				}
			};
			const sent = await sendTries(send, true, DEFAULT_RETRY_POLICY, capacity, control, random);
			if ('answer' in sent && sent.answer?.kind === 'success') succeeded++;
			else failed++;
		});
	});
	await clock.run(Promise.all(runs));
	const perSecond: number[] = [];
	for (const { at, status } of server.log) {
		if (status !== 200) continue;
		const second = Math.floor(at / 1000);
		while (perSecond.length <= second) perSecond.push(0);
		perSecond[second]++;
	}
	return {
		durationMs: clock.now,
		succeeded,
		failed,
		stored: server.stored,
		peakInFlight,
		requests: server.log.length,
		refused429: server.log.filter(({ status }) => status === 429).length,
		refused503: server.log.filter(({ status }) => status === 503).length,
		perSecond,
		capacities,
		log: server.log,
	};
}
