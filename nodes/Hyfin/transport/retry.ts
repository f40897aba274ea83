import { MAX_RETRY_AFTER_MS, type HyfinFailure } from './answer';

/** How one request is tried again. Only the request is retried, never the node or other items. */
export interface RetryPolicy {
	/** Tries after the first; 0 sends once. */
	maxRetries: number;
	/** The first backoff; it doubles with each try. */
	baseDelayMs: number;
	/** No backoff waits longer than this. */
	maxDelayMs: number;
}

export const DEFAULT_MAX_RETRIES = 5;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxRetries: DEFAULT_MAX_RETRIES,
	baseDelayMs: 500,
	maxDelayMs: 30_000,
};

/**
 * Exponential backoff with jitter: the n-th retry waits between half and all of
 * `baseDelayMs * 2^(n-1)`, capped, so many items that failed together do not return together.
 */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
	return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** How long to wait before retry number `retry` after `failure`: what the server asked for, else a backoff. */
export function retryDelayMs(failure: HyfinFailure, retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
	if (failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, MAX_RETRY_AFTER_MS);
	return backoffMs(retry, policy, random);
}

/** Whether a failed try should be followed by another: retryable, and tries left. */
export function shouldRetry(failure: HyfinFailure, retriesDone: number, policy: RetryPolicy): boolean {
	return failure.retryable && retriesDone < policy.maxRetries;
}
