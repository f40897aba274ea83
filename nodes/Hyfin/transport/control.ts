import * as workflow from 'n8n-workflow';

import type { HyfinFailure } from './answer';

/**
 * A wait that an AbortSignal ends early, from the n8n-workflow that n8n provides at run time:
 * n8n 2.8 has `sleepWithAbort(ms, signal)`; 2.41 dropped it for `sleep(ms, signal)`.
 */
const abortableSleep: (ms: number, signal: AbortSignal) => Promise<void> =
	(workflow as { sleepWithAbort?: (ms: number, signal: AbortSignal) => Promise<void> }).sleepWithAbort ??
	((ms, signal) => (workflow.sleep as (ms: number, signal: AbortSignal) => Promise<void>)(ms, signal));

/** Why an item may send nothing (more). */
export type Interruption =
	| { kind: 'cancelled' }
	/** On Error = Stop, and an earlier item failed: the run is ending. */
	| { kind: 'halted' }
	/** Hyfin refused the credential or the address for another item; this is that answer. */
	| { kind: 'refused'; failure: HyfinFailure };

/** What one item's requests obey; see RunControl. */
export interface ItemControl {
	interruption(): Interruption | undefined;
	readonly requestSignal: AbortSignal;
	/** Waits `ms`, or less if the item is interrupted meanwhile. */
	wait(ms: number): Promise<void>;
	/**
	 * Hyfin refused the credential or the address for this item: no request of the run goes
	 * out after this. Called before the item's slot is given back, so none slips through.
	 */
	refuse(failure: HyfinFailure): void;
}

/**
 * What every request of one execution obeys: n8n's cancel signal, which also aborts requests
 * under way; a refusal of the credential or the address, which every further request would get
 * too; and a halt when an item fails with On Error = Stop, after which the items after that one
 * send nothing more, as if the items had been sent one by one. Each of them ends the waits it
 * concerns at once: a backoff, a Retry-After, a pause for the rate.
 */
export class RunControl {
	private readonly requests = new AbortController();

	/** Each wait under way, with its item. */
	private readonly waits = new Map<AbortController, number>();

	private cancelled = false;

	private refusal?: HyfinFailure;

	private haltedAfter = Number.POSITIVE_INFINITY;

	private readonly onCancel = () => this.cancel();

	constructor(private readonly cancelSignal: AbortSignal | undefined) {
		if (cancelSignal?.aborted) this.cancel();
		else cancelSignal?.addEventListener('abort', this.onCancel, { once: true });
	}

	/** Whether no new item may start. */
	get stopped(): boolean {
		return this.cancelled || this.haltedAfter !== Number.POSITIVE_INFINITY;
	}

	get wasCancelled(): boolean {
		return this.cancelled;
	}

	interruptionOf(itemIndex: number): Interruption | undefined {
		if (this.cancelled) return { kind: 'cancelled' };
		if (this.refusal) return { kind: 'refused', failure: this.refusal };
		return itemIndex > this.haltedAfter ? { kind: 'halted' } : undefined;
	}

	/** `refusedFor` names the item in the message of a refusal (see HyfinFailure). */
	forItem(itemIndex: number, refusedFor?: string): ItemControl {
		return {
			interruption: () => this.interruptionOf(itemIndex),
			requestSignal: this.requests.signal,
			wait: async (ms) => await this.wait(ms, itemIndex),
			refuse: (failure) => this.refuse(refusedFor === undefined ? failure : { ...failure, refusedFor }),
		};
	}

	/** Item `itemIndex` failed with On Error = Stop: the items after it send nothing more. */
	halt(itemIndex: number): void {
		this.haltedAfter = Math.min(this.haltedAfter, itemIndex);
		this.endWaits((waiting) => waiting > itemIndex);
	}

	refuse(failure: HyfinFailure): void {
		this.refusal ??= failure;
		this.endWaits(() => true);
	}

	cancel(): void {
		this.cancelled = true;
		this.requests.abort();
		this.endWaits(() => true);
	}

	/** Stops listening to n8n's cancel signal, once the node's execution is over. */
	dispose(): void {
		this.cancelSignal?.removeEventListener('abort', this.onCancel);
	}

	/**
	 * Each wait has a signal of its own, so thousands of waits leave no listeners behind. A wait
	 * ended early resolves (the caller sees why in `interruption`); any other failure rejects,
	 * and fails the item (executePlans), rather than pass for a wait that ran its course.
	 */
	private async wait(ms: number, itemIndex: number): Promise<void> {
		if (ms <= 0 || this.interruptionOf(itemIndex)) return;
		const wait = new AbortController();
		this.waits.set(wait, itemIndex);
		await abortableSleep(ms, wait.signal)
			.catch(async (error: unknown) => (wait.signal.aborted ? undefined : await Promise.reject(error)))
			.finally(() => this.waits.delete(wait));
	}

	private endWaits(which: (itemIndex: number) => boolean): void {
		for (const [wait, itemIndex] of this.waits) if (which(itemIndex)) wait.abort();
	}
}
