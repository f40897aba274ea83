import { sleep } from 'n8n-workflow';

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

	/** Waits for a free slot, and for any pause Hyfin asked for, then takes the slot. */
	async acquire(): Promise<void> {
		while (this.active >= this.currentLimit) {
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		}
		this.active++;
		const pause = this.pausedUntil - this.now();
		if (pause > 0) await sleep(pause);
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
 * Runs `work` for every item with at most `workers` items under way, returning the results in
 * input order. Once `stop()` is true no new item is started; those not started stay undefined.
 */
export async function mapInOrder<T, R>(
	items: readonly T[],
	workers: number,
	work: (item: T, index: number) => Promise<R>,
	stop: () => boolean = () => false,
): Promise<Array<R | undefined>> {
	const results: Array<R | undefined> = new Array(items.length).fill(undefined);
	let next = 0;
	const worker = async () => {
		while (next < items.length && !stop()) {
			const index = next++;
			results[index] = await work(items[index], index);
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, worker));
	return results;
}
