import type { ItemControl } from './control';

export const DEFAULT_MAX_CONCURRENT = 10;

/** At most this many rounds of successes between probes: after a 503 storm, one probe every ~64 rounds. */
const MAX_PROBE_SPACING = 64;

/**
 * How many requests to Hyfin may be in flight at once, learnt from its answers. It starts at the
 * configured maximum and drops by one for each 503 (Hyfin overloaded): a burst of them, from
 * sending more than Hyfin takes at once, brings it down to what Hyfin takes in one round. When
 * Hyfin limits the rate (429 twice in a row) every new request waits as long as it asked. A run
 * of successes raises the limit by one, back up to the maximum, probing one above what Hyfin
 * takes; each probe Hyfin refuses doubles the run needed before the next, since every refused
 * request waits out its Retry-After.
 * One instance lives for one execution: the node keeps no state between executions.
 */
export class AdaptiveConcurrency {
	private currentLimit: number;

	private active = 0;

	private successes = 0;

	private pausedUntil = 0;

	private rateLimitedInARow = 0;

	/** Successes needed to raise the limit, in multiples of the limit. */
	private probeSpacing = 1;

	private readonly waiting: Array<() => void> = [];

	constructor(
		readonly max: number,
		private readonly now: () => number = Date.now,
	) {
		this.currentLimit = Math.max(1, Math.floor(max));
	}

	get limit(): number {
		return this.currentLimit;
	}

	get inFlight(): number {
		return this.active;
	}

	/**
	 * Waits for a free slot, and for any pause Hyfin asked for, then takes the slot. The pause
	 * ends early when the run is interrupted; the caller then sees that and sends nothing.
	 */
	async acquire(control: Pick<ItemControl, 'wait'>): Promise<void> {
		while (this.active >= this.currentLimit) {
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		}
		this.active++;
		const pause = this.pausedUntil - this.now();
		if (pause > 0) await control.wait(pause);
	}

	release(): void {
		this.active--;
		this.wake();
	}

	/** Hyfin answered 503: one request fewer at a time. */
	overloaded(): void {
		this.currentLimit = Math.max(1, this.currentLimit - 1);
		this.probeSpacing = Math.min(this.probeSpacing * 2, MAX_PROBE_SPACING);
		this.successes = 0;
	}

	/**
	 * Hyfin answered 429. A second one in a row means the rate is over the limit: nothing new is
	 * sent until `waitMs` has passed. A lone 429 among successes pauses only its own request.
	 */
	rateLimited(waitMs: number): void {
		if (++this.rateLimitedInARow >= 2) this.pausedUntil = Math.max(this.pausedUntil, this.now() + waitMs);
		this.successes = 0;
	}

	/** An answer that was not a complaint about load. */
	succeeded(): void {
		this.rateLimitedInARow = 0;
		if (this.currentLimit >= this.max) return;
		if (++this.successes < this.currentLimit * this.probeSpacing) return;
		this.currentLimit++;
		this.probeSpacing = Math.max(1, this.probeSpacing / 2);
		this.successes = 0;
		this.wake();
	}

	private wake(): void {
		let free = this.currentLimit - this.active;
		while (free-- > 0 && this.waiting.length > 0) this.waiting.shift()?.();
	}
}

/**
 * Runs `work` for the indexes 0 to `count` - 1, in order, with at most `workers` under way.
 * Once `stop()` is true, or a `work` has thrown, no new index is started. It returns only when
 * every started `work` has ended, so nothing runs on after it; then the first error is thrown.
 */
export async function forEachIndex(
	count: number,
	workers: number,
	work: (index: number) => Promise<void>,
	stop: () => boolean = () => false,
): Promise<void> {
	let next = 0;
	let thrown: { error: unknown } | undefined;
	const worker = async () => {
		while (next < count && !stop() && !thrown) {
			const index = next++;
			try {
				await work(index);
			} catch (error) {
				thrown ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(Math.floor(workers) || 1, count)) }, worker));
	if (thrown) throw thrown.error;
}

/**
 * Runs tasks that share a key one after another, in the order they were started; tasks with
 * different keys run side by side.
 */
export class OneAtATimePerKey {
	private readonly last = new Map<string, Promise<void>>();

	async run<R>(key: string, task: () => Promise<R>): Promise<R> {
		const before = this.last.get(key);
		const result = before ? before.then(task) : task();
		const done = result.then(
			() => undefined,
			() => undefined,
		);
		this.last.set(key, done);
		try {
			return await result;
		} finally {
			if (this.last.get(key) === done) this.last.delete(key);
		}
	}
}
