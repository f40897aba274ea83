/**
 * RunControl's waits on the n8n-workflow of n8n 2.41, which has no `sleepWithAbort` but a
 * `sleep(ms, signal)` (the other tests run on 2.8's). Found by the E2E suite on n8n 2.41.1: there
 * every wait (Retry-After, backoff) ended at once, and a burst of 429s used up every retry.
 */
jest.mock('n8n-workflow', () => {
	const actual = jest.requireActual('n8n-workflow');
	const { sleepWithAbort, ...rest } = actual;
	return { ...rest, sleep: async (ms: number, signal?: AbortSignal) => await (signal ? sleepWithAbort(ms, signal) : actual.sleep(ms)) };
});

import * as workflow from 'n8n-workflow';

import { RunControl } from '../../nodes/Hyfin/transport/control';

it('runs on the n8n-workflow of n8n 2.41, without sleepWithAbort', () => {
	expect('sleepWithAbort' in workflow).toBe(false);
});

it('waits as long as asked', async () => {
	const started = Date.now();
	await new RunControl(undefined).forItem(0).wait(150);
	expect(Date.now() - started).toBeGreaterThanOrEqual(140);
});

it('ends a wait at once when the execution is cancelled', async () => {
	const cancel = new AbortController();
	const waiting = new RunControl(cancel.signal).forItem(0).wait(10_000);
	const started = Date.now();
	cancel.abort();
	await waiting;
	expect(Date.now() - started).toBeLessThan(100);
});
