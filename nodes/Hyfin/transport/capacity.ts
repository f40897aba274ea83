/**
 * How much Hyfin takes, learnt from its answers during one execution: how many requests may be
 * under way at once (the window) and, once Hyfin has shown a rate limit, how many may start per
 * second (the pace). One instance lives for one execution: the node keeps no state between them.
 *
 * The window follows TCP's congestion control. It starts small and doubles with each round of
 * clean answers sent while it was full (slow start). Each 503 takes one request off it, so a burst
 * of them brings it to what Hyfin took at once; from there it probes one above every few rounds,
 * spacing the probes further each time Hyfin refuses one and closing in faster each time one goes
 * through (as BIC TCP does). Answers that grow slow (three times the fastest seen, and 50 ms more) shrink
 * it by a tenth per round, as Netflix's gradient limiter does: a server that queues instead of
 * refusing is not pushed deeper into its queue.
 *
 * The pace is shaped like CUBIC's window, as AWS's SDKs pace their retries. The first 429 pauses
 * every new request for what Retry-After asked (a second if nothing); then requests start at a
 * pace of what Hyfin took before refusing, as though that took a second. Each later 429 for a
 * request sent above the limit measures it: a 429 comes when Hyfin's limiter has nothing left,
 * so the requests it took between two of them (requests still unanswered counted as taken) are
 * what it lets through in that time, whatever it had saved up before. The pace then drops a
 * tenth below the limit and returns to it along a cubic (so that executions sharing the limit
 * keep their sum under it, and converge on equal shares), then probes above it, slowly at first
 * and faster the longer no 429 comes. A 429 for a request sent below the limit is a fault and is
 * only retried, unless Hyfin refuses more than one in three: then the limit is lower, or others
 * sharing it take more. And a measure lowers the limit only when fewer were refused below it than
 * above it, so that a server that refuses requests whatever the pace does not bring it down
 * without end; a cut at most halves it. Turns are taken one at a time at the pace of the moment,
 * and those that come due while n8n is busy are not all taken at once.
 */

/** What one answer says about Hyfin's load. */
export type Load =
	/** Hyfin answered: a record, a rejection. */
	| 'answered'
	/** 503: Hyfin took too many at once. */
	| 'overloaded'
	/** 429: Hyfin took too many per second. */
	| 'rateLimited'
	/** Nothing about load: another failure, or the request was never sent. */
	| 'other';

/** A request under way: when it started, its number among those started, the window then and whether it filled it, and where the pace stood. */
export interface Slot {
	readonly sentAt: number;
	readonly number: number;
	readonly window: number;
	readonly windowFull: boolean;
	/** How many times the pace had been cut when it started. */
	readonly cuts: number;
	/** Started while the pace was below the limit, or at or above it; undefined while there is no pace, or just after a cut. */
	readonly paced?: 'below' | 'above';
}

export const DEFAULT_CEILING = 100;
/** The window to start from: small, since it doubles each round; ten, as TCP starts with (RFC 6928). */
const INITIAL_WINDOW = 10;
/** Rounds between probes above what Hyfin took: at most this many after refused probes. */
const MAX_PROBE_SPACING = 16;
/** Requests added by one probe, at most, after probes that went through. */
const MAX_PROBE_STEP = 8;
/**
 * Answers slower than this many times the fastest seen, and LATENCY_SLACK_MS more, mean a queue.
 * Not less: n8n busy with its own work (thousands of items on two cores) makes answers look up to
 * two and a half times slower than they came, and that is no reason to send fewer.
 */
const LATENCY_TOLERANCE = 3;
const LATENCY_SLACK_MS = 50;
/** How long the fastest answer counts as the fastest, so a server that got slower for good sets a new floor. */
const MIN_LATENCY_LIFE_MS = 10_000;
/**
 * The share the pace drops below the measured limit: a while below it, so that executions
 * sharing the limit (queue mode) keep their sum under it.
 */
const PACE_DIP = 0.1;
/**
 * How fast the pace returns and then grows, in requests per second per second cubed, as CUBIC's
 * constant: the same for every limit, so that executions sharing one grow alike whatever their
 * share and converge on equal shares. Back at a limit of 50 a second in 2 s.
 */
const PACE_GROWTH = 0.625;
/** A 429 with no Retry-After pauses new requests this long. */
const DEFAULT_PAUSE_MS = 1000;
/** A pace is never slower than this (requests per second): Retry-After pauses cover the rest. */
const MIN_PACE = 0.5;
/** At most this share of refusals is counted as taken, as faults rather than the limit, when the limit is measured. */
const MAX_FAULT_SHARE = 0.05;
/** Requests below the limit needed before their share of refusals says anything. */
const MIN_SAMPLE = 10;
/**
 * Refusals below the limit that, as many as this and more than this share of the requests sent
 * below it, show a lower limit (or others sharing it take more): too many to be faults.
 */
const MIN_STORM = 5;
const STORM_SHARE = 1 / 3;

export class Capacity {
	private currentWindow: number;

	private slowStart = true;

	private active = 0;

	private readonly waiting: Array<() => void> = [];

	/** The window Hyfin was last seen to take (after a 503 or a slow round); undefined while none was refused. */
	private windowTaken?: number;

	private probeSpacing = 1;

	private probeStep = 1;

	private cleanRounds = 0;

	/** Clean answers in the current round, of requests sent while the window was full. */
	private roundAnswers = 0;

	private minLatency?: { ms: number; at: number };

	private smoothedLatency?: number;

	private lastWindowCut = Number.NEGATIVE_INFINITY;

	/** Requests started so far. */
	private started = 0;

	private firstStart?: number;

	/** The limit, in requests per second, once Hyfin has shown one. */
	private limit?: number;

	/** When the pace was last cut (its curve starts there), and how many times it was. */
	private cutAt = Number.NEGATIVE_INFINITY;

	private cuts = 0;

	/**
	 * The request whose 429 last measured the limit: Hyfin's limiter had nothing left when it
	 * came. The requests taken between two such moments are what the limit lets through.
	 */
	private mark?: { number: number; at: number };

	/** 429s for requests started since the mark. */
	private refusedSinceMark = 0;

	/** Requests started below the limit, and those of them refused, in recent cycles (older ones count half). */
	private below = { sent: 0, refused: 0 };

	/** The same, since the last cut. */
	private belowNow = { sent: 0, refused: 0 };

	/** Requests started at or above the limit since the last cut, and those of them refused. */
	private above = { sent: 0, refused: 0 };

	/** Turns are taken one at a time, in order: the one before. */
	private turn: Promise<void> = Promise.resolve();

	/** When the last turn was due. */
	private lastTurn = Number.NEGATIVE_INFINITY;

	private pausedUntil = Number.NEGATIVE_INFINITY;

	constructor(
		readonly ceiling: number = DEFAULT_CEILING,
		private readonly now: () => number = () => performance.now(),
	) {
		this.ceiling = Math.max(1, Math.floor(ceiling));
		this.currentWindow = Math.min(this.ceiling, INITIAL_WINDOW);
	}

	get window(): number {
		return this.currentWindow;
	}

	get inFlight(): number {
		return this.active;
	}

	/** Requests per second allowed now, or undefined while Hyfin has shown no rate limit. */
	pace(at = this.now()): number | undefined {
		if (this.limit === undefined) return undefined;
		// A cubic: just below the limit, flat as it reaches it, then ever faster above it.
		const t = (at - this.cutAt) / 1000 - this.returnSec();
		return Math.max(MIN_PACE, this.limit + PACE_GROWTH * t ** 3);
	}

	/** Seconds from a cut until the pace is back at the limit. */
	private returnSec(): number {
		return Math.cbrt(((this.limit ?? 0) * PACE_DIP) / PACE_GROWTH);
	}

	/**
	 * Waits for room in the window, then for the request's turn at the pace and for any pause
	 * Hyfin asked for, and takes the room. Turns are taken one at a time, each at the pace of the
	 * moment it is taken, so a cut slows the very next one. `wait` ends early when the run is
	 * interrupted (`interrupted` then says so); the caller then sees that, sends nothing and
	 * releases the slot as 'other'.
	 */
	async acquire(wait: (ms: number) => Promise<void>, interrupted: () => boolean = () => false): Promise<Slot> {
		while (this.active >= this.currentWindow) {
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		}
		this.active++;
		const windowFull = this.active >= this.currentWindow;
		const before = this.turn;
		let taken = () => {};
		this.turn = new Promise<void>((resolve) => (taken = resolve));
		await before;
		let now = this.now();
		try {
			for (;;) {
				const gap = this.gap(now);
				const due = Math.max(this.pausedUntil, this.lastTurn + gap);
				if (due <= now) {
					// Late by more than a turn (n8n was busy): the turns missed are not all taken at once.
					this.lastTurn = Math.max(due, now - gap);
					break;
				}
				if (interrupted()) break;
				// A timer may end a little early (Node counts whole milliseconds): then wait the rest.
				await wait(due - now);
				now = this.now();
			}
		} finally {
			taken();
		}
		return this.start(now, windowFull);
	}

	/** The time between two turns at the pace now, 0 without one. */
	private gap(now: number): number {
		const pace = this.pace(now);
		return pace === undefined ? 0 : 1000 / pace;
	}

	private start(now: number, windowFull: boolean): Slot {
		this.firstStart ??= now;
		let paced: Slot['paced'];
		// Just after a cut, Hyfin's limiter is still nearly empty: refusals then say nothing yet.
		if (this.limit !== undefined && now - this.cutAt >= 1000 * Math.min(this.returnSec() / 2, 1 / (PACE_DIP * this.limit))) {
			paced = (this.pace(now) ?? 0) < this.limit ? 'below' : 'above';
			(paced === 'below' ? this.belowNow : this.above).sent++;
		}
		return { sentAt: now, number: ++this.started, window: this.currentWindow, windowFull, cuts: this.cuts, paced };
	}

	/**
	 * Gives the slot back, with what the answer said about Hyfin's load and, for a 429, how long
	 * Hyfin asked to wait (Retry-After). Returns true when the refusal is the price of the node's
	 * own probing, not the item's: a 503 to a request sent while the window was above what Hyfin
	 * had been seen to take (slow start or a probe), or a 429 to one sent while the pace was above
	 * the limit. The window or the pace is already back where Hyfin takes it; such a 503 may go
	 * again as soon as there is room, without Retry-After, and neither uses up the item's retries.
	 */
	release(slot: Slot, load: Load, retryAfterMs?: number): boolean {
		this.active--;
		const now = this.now();
		let ours = false;
		if (load === 'answered') this.answered(slot, now);
		else if (load === 'overloaded') ours = this.overloaded(slot, now);
		else if (load === 'rateLimited') ours = this.rateLimited(slot, now, retryAfterMs);
		this.wake();
		return ours;
	}

	private answered(slot: Slot, now: number): void {
		const latency = now - slot.sentAt;
		if (this.minLatency === undefined || latency <= this.minLatency.ms || now - this.minLatency.at > MIN_LATENCY_LIFE_MS) {
			this.minLatency = { ms: latency, at: now };
		}
		this.smoothedLatency = this.smoothedLatency === undefined ? latency : this.smoothedLatency + (latency - this.smoothedLatency) / 8;
		if (!slot.windowFull) return;
		if (this.queueing()) {
			if (now - this.lastWindowCut < this.smoothedLatency) return;
			this.cutWindow(Math.max(1, Math.floor(this.currentWindow * 0.9)), now);
			return;
		}
		if (++this.roundAnswers < this.currentWindow) return;
		this.roundAnswers = 0;
		if (this.slowStart) {
			this.currentWindow = Math.min(this.ceiling, this.currentWindow * 2);
			return;
		}
		if (this.windowTaken !== undefined && this.currentWindow > this.windowTaken) {
			// A whole round went through above what Hyfin took before: it takes more now.
			this.windowTaken = this.currentWindow;
			this.probeSpacing = 1;
			this.probeStep = Math.min(this.probeStep * 2, MAX_PROBE_STEP);
		}
		if (++this.cleanRounds < this.probeSpacing) return;
		this.cleanRounds = 0;
		this.currentWindow = Math.min(this.ceiling, this.currentWindow + this.probeStep);
	}

	/** Whether answers have grown slow: Hyfin queues what it cannot take at once. */
	private queueing(): boolean {
		if (this.minLatency === undefined || this.smoothedLatency === undefined) return false;
		const { ms } = this.minLatency;
		return this.smoothedLatency > ms * LATENCY_TOLERANCE && this.smoothedLatency > ms + LATENCY_SLACK_MS;
	}

	/** A 503: one request fewer at once; probes above it come further apart. */
	private overloaded(slot: Slot, now: number): boolean {
		const ours = this.windowTaken !== undefined && slot.window > this.windowTaken;
		if (this.windowTaken === undefined || this.currentWindow > this.windowTaken) {
			this.probeSpacing = Math.min(this.probeSpacing * 2, MAX_PROBE_SPACING);
		}
		this.cutWindow(Math.max(1, this.currentWindow - 1), now);
		return ours;
	}

	private cutWindow(window: number, now: number): void {
		this.currentWindow = window;
		this.windowTaken = window;
		this.slowStart = false;
		this.probeStep = 1;
		this.cleanRounds = 0;
		this.roundAnswers = 0;
		this.lastWindowCut = now;
	}

	/** The share of requests refused while the pace was below the limit: refusals that come whatever the pace. */
	private faultShare(): number {
		const sent = this.below.sent + this.belowNow.sent;
		const refused = this.below.refused + this.belowNow.refused;
		return sent >= MIN_SAMPLE ? refused / sent : 0;
	}

	private rateLimited(slot: Slot, now: number, retryAfterMs: number | undefined): boolean {
		this.slowStart = false;
		if (this.mark !== undefined && slot.number > this.mark.number) this.refusedSinceMark++;
		if (this.limit === undefined) {
			if (this.mark !== undefined) return false;
			// The first: nothing new starts for as long as Hyfin asked, and then at a pace of what
			// it took before refusing, as though that took a second (a limiter holds about a
			// second's worth); the next 429 measures the limit.
			this.pausedUntil = now + (retryAfterMs ?? DEFAULT_PAUSE_MS);
			this.mark = { number: slot.number, at: slot.sentAt };
			const taken = slot.number - 1;
			this.limit = Math.max(MIN_PACE, (taken * 1000) / Math.max(1000, slot.sentAt - (this.firstStart ?? slot.sentAt)));
			this.cut(this.pausedUntil);
			return false;
		}
		// Started before the last cut: the pace then was too fast, and is no longer.
		if (slot.cuts !== this.cuts || slot.paced === undefined) return false;
		if (slot.paced === 'above') {
			this.above.refused++;
			// The measure may lower the limit only if the pace below it had fewer refusals than
			// above it: refusals that come whatever the pace (faults) would bring it down without end.
			const aboveShare = this.above.refused / Math.max(1, this.above.sent);
			this.measure(slot, now, this.faultShare() < aboveShare / 2);
			return true;
		}
		// Below the limit: a fault, unless Hyfin refuses more than one in three: then the limit is
		// lower than measured, or others sharing it take more now.
		const below = this.belowNow;
		below.refused++;
		if (below.refused >= MIN_STORM && below.refused > below.sent * STORM_SHARE) this.measure(slot, now, true);
		return false;
	}

	/**
	 * The limit is what Hyfin took between this 429 and the one that set the mark (both came
	 * when its limiter had nothing left), requests still unanswered counted as taken, and a few
	 * refusals that come whatever the pace counted as taken too. Then the pace is cut. Unless
	 * `mayLower`, the limit stays at least where it was; a cut at most halves it.
	 */
	private measure(slot: Slot, now: number, mayLower: boolean): void {
		const mark = this.mark ?? { number: 0, at: this.firstStart ?? slot.sentAt };
		const taken = Math.max(0, slot.number - mark.number - 1 - this.refusedSinceMark);
		const measured = (taken * 1000) / (1 - Math.min(MAX_FAULT_SHARE, this.faultShare())) / Math.max(1, slot.sentAt - mark.at);
		const limit = this.limit ?? measured;
		this.limit = Math.max(MIN_PACE, mayLower ? limit / 2 : limit, Math.min(measured, this.pace(slot.sentAt) ?? measured));
		this.mark = { number: slot.number, at: slot.sentAt };
		this.refusedSinceMark = 0;
		this.cut(now);
	}

	private cut(at: number): void {
		this.cutAt = at;
		this.cuts++;
		// Older cycles count less and less.
		this.below = { sent: (this.below.sent + this.belowNow.sent) * 0.8, refused: (this.below.refused + this.belowNow.refused) * 0.8 };
		this.belowNow = { sent: 0, refused: 0 };
		this.above = { sent: 0, refused: 0 };
	}

	private wake(): void {
		let free = this.currentWindow - this.active;
		while (free-- > 0 && this.waiting.length > 0) this.waiting.shift()?.();
	}
}
