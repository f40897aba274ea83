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
 * every new request for what Retry-After asked (a second if nothing) and restarts the window
 * small; the next 429 measures the requests taken per second since then (the pause included: a
 * limiter lets through over a pause what it refused before it), and that is the limit. The pace
 * drops a tenth below it and returns to it within two seconds (so that executions sharing the
 * limit keep their sum under it), then probes above it, slowly at first and faster the longer no
 * 429 comes; the next 429 measures the limit again over the time since the pace was back at it,
 * counting requests still in flight as taken. A 429 for a request sent below the limit is a
 * fault and is only retried, unless Hyfin refuses more than it takes: then the limit is lower
 * than measured. The refusals below the limit, up to one in twenty, are discounted, so that a
 * server that refuses a few requests whatever the pace does not bring it down without end; a cut
 * at most halves it. Turns that come due while n8n is busy are not all taken at once.
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

/** A request under way: when it started, the window then, and whether it filled it. */
export interface Slot {
	readonly sentAt: number;
	readonly window: number;
	readonly windowFull: boolean;
}

export const DEFAULT_CEILING = 100;
/** The window to start from: small, since it doubles each round. */
const INITIAL_WINDOW = 4;
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
 * The share the pace drops below the measured limit, and the time it takes to return to it: a
 * while below it, so that executions sharing the limit (queue mode) keep their sum under it.
 */
const PACE_DIP = 0.1;
const PACE_RETURN_MS = 2000;
/** A 429 with no Retry-After pauses new requests this long. */
const DEFAULT_PAUSE_MS = 1000;
/** A pace is never slower than this (requests per second): Retry-After pauses cover the rest. */
const MIN_PACE = 0.5;
/** At most this share of refusals is taken for a fault rather than the limit. */
const MAX_FAULT_SHARE = 0.05;
/** Answers needed to measure the limit. */
const MIN_SAMPLE = 10;
/** Or this many refused: others take what the limit lets through. */
const MIN_STORM = 5;

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

	/** The limit measured at the last 429, in requests per second. */
	private limit?: number;

	/** When the pace last changed. */
	private paceMark?: { at: number };

	/** Requests sent since the measure began, and those of them refused (429); the rest count as taken, answered or not. */
	private sent = 0;

	private refused = 0;

	/** Requests sent while the pace was below the limit, and those of them refused, over recent intervals. */
	private below = { sent: 0, refused: 0 };

	/** The same, since the pace last changed. */
	private belowNow = { sent: 0, refused: 0 };

	/** How often the pace changed: a turn taken before a change is taken again. */
	private cuts = 0;

	private nextStart = Number.NEGATIVE_INFINITY;

	/** When the last request started. */
	private lastStart = Number.NEGATIVE_INFINITY;

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
		if (this.limit === undefined || this.paceMark === undefined) return undefined;
		// A cubic: just below the limit, flat as it reaches it, then ever faster above it.
		const t = (at - this.paceMark.at) / PACE_RETURN_MS - 1;
		return Math.max(MIN_PACE, this.limit * (1 + PACE_DIP * t ** 3));
	}

	/**
	 * Waits for room in the window, then for the request's turn at the pace and for any pause
	 * Hyfin asked for, and takes the room. `wait` ends early when the run is interrupted; the
	 * caller then sees that, sends nothing and releases the slot as 'other'.
	 */
	async acquire(wait: (ms: number) => Promise<void>): Promise<Slot> {
		while (this.active >= this.currentWindow) {
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		}
		this.active++;
		const windowFull = this.active >= this.currentWindow;
		let now = this.now();
		for (;;) {
			const cuts = this.cuts;
			const pace = this.pace(now);
			let startAt = Math.max(now, this.pausedUntil);
			if (pace !== undefined) {
				startAt = Math.max(startAt, this.nextStart);
				this.nextStart = startAt + 1000 / pace;
			}
			if (startAt <= now) break;
			await wait(startAt - now);
			now = this.now();
			// Woken early: the run was interrupted.
			if (now < startAt) break;
			// A turn taken at a pace since cut, or woken late right behind another (n8n was busy,
			// and the turns due meanwhile would all go at once): take a new turn.
			const late = pace !== undefined && now - this.lastStart < 500 / pace;
			if (cuts === this.cuts && !late) break;
		}
		this.lastStart = now;
		if (now > this.measureFrom()) this.sent++;
		else if (this.limit !== undefined && now > (this.paceMark?.at ?? now)) this.belowNow.sent++;
		return { sentAt: now, window: this.currentWindow, windowFull };
	}

	/**
	 * Gives the slot back, with what the answer said about Hyfin's load and, for a 429, how long
	 * Hyfin asked to wait (Retry-After). Returns true for a 503 to a request sent while the window
	 * was above what Hyfin takes (slow start or a probe): the window is already back at what Hyfin
	 * takes, so the request may go again as soon as there is room in it, without Retry-After.
	 */
	release(slot: Slot, load: Load, retryAfterMs?: number): boolean {
		this.active--;
		const now = this.now();
		let ours = false;
		if (load === 'answered') this.answered(slot, now);
		else if (load === 'overloaded') ours = this.overloaded(slot, now);
		else if (load === 'rateLimited') this.rateLimited(slot, now, retryAfterMs);
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
		const ours = this.windowTaken === undefined || slot.window > this.windowTaken;
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

	/** When the measure of the current interval starts: once the pace is back at the limit. */
	private measureFrom(): number {
		const mark = this.paceMark?.at ?? Number.POSITIVE_INFINITY;
		return this.limit === undefined ? mark : mark + PACE_RETURN_MS;
	}

	/** Counts a 429 for a request sent since the measure began. */
	private counted(slot: Slot): void {
		if (slot.sentAt > this.measureFrom()) this.refused++;
		else if (this.limit !== undefined && slot.sentAt > (this.paceMark?.at ?? slot.sentAt)) this.belowNow.refused++;
	}

	/** The share of requests refused while the pace was below the limit: refusals that come whatever the pace. */
	private faultShare(): number {
		const sent = this.below.sent + this.belowNow.sent;
		const refused = this.below.refused + this.belowNow.refused;
		return sent >= MIN_SAMPLE ? Math.min(MAX_FAULT_SHARE, refused / sent) : 0;
	}

	private rateLimited(slot: Slot, now: number, retryAfterMs: number | undefined): void {
		if (this.paceMark === undefined) {
			// The first: nothing new starts for as long as Hyfin asked, and the measure begins. After
			// the pause the window starts small again, so the requests it lets through find the rate
			// without a burst of refusals (other executions sharing the limit pause and restart too).
			this.pausedUntil = now + (retryAfterMs ?? DEFAULT_PAUSE_MS);
			this.currentWindow = Math.min(this.currentWindow, INITIAL_WINDOW);
			this.slowStart = true;
			this.newInterval(now);
			return;
		}
		this.slowStart = false;
		this.counted(slot);
		const from = this.measureFrom();
		if (slot.sentAt <= from) {
			// Sent while the pace was below the limit: a fault, unless Hyfin refused more than it
			// took, with the limit lower than measured (or taken by others sharing it).
			const below = this.belowNow;
			if (this.limit === undefined || below.refused < MIN_STORM || below.refused <= below.sent - below.refused) return;
			const measuredBelow = ((below.sent - below.refused) * 1000) / Math.max(1, now - this.paceMark.at);
			this.belowNow = { sent: 0, refused: 0 };
			this.limit = Math.max(MIN_PACE, this.limit / 2, Math.min(this.limit, measuredBelow));
			this.newInterval(now);
			return;
		}
		// Too soon to say: too few answers since, unless as many were refused (others share the limit and take it all).
		const taken = this.sent - this.refused;
		if (taken < MIN_SAMPLE && this.refused < MIN_STORM) return;
		// Measured over the pause too the first time: a limiter lets through over a pause what it
		// refused before it. A few refusals count as taken: a server that refuses some requests
		// whatever the pace (a fault) would otherwise bring the pace down at every refusal, without end.
		const measured = (taken * 1000) / (1 - this.faultShare()) / Math.max(1, now - from);
		const floor = this.limit === undefined ? MIN_PACE : Math.max(MIN_PACE, this.limit / 2);
		this.limit = Math.max(floor, Math.min(measured, this.pace(now) ?? measured));
		this.newInterval(now);
	}

	private newInterval(now: number): void {
		this.paceMark = { at: now };
		this.sent = this.refused = 0;
		// Older intervals count half as much each time.
		this.below = { sent: (this.below.sent + this.belowNow.sent) / 2, refused: (this.below.refused + this.belowNow.refused) / 2 };
		this.belowNow = { sent: 0, refused: 0 };
		this.nextStart = now;
		this.cuts++;
	}

	private wake(): void {
		let free = this.currentWindow - this.active;
		while (free-- > 0 && this.waiting.length > 0) this.waiting.shift()?.();
	}
}
