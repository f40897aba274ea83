import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';

import { readAnswer, readNetworkError, refusesEveryRequest, type HyfinAnswer, type RawResponse } from './answer';
import type { HyfinConnection } from './connection';
import type { Interruption, ItemControl } from './control';
import type { Capacity, Load } from './capacity';
import { retryDelayMs, shouldRetry, type RetryPolicy } from './retry';

export const CREDENTIAL_NAME = 'hyfinApi';
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface HyfinRequest {
	method: IHttpRequestMethods;
	url: string;
	body?: IDataObject;
	timeoutMs?: number;
	/**
	 * Whether sending it twice leaves the same state (an upsert, a Get). A request that is not
	 * (Send Invoice texts the customer) is sent again only after an answer saying Hyfin did nothing.
	 */
	repeatable: boolean;
	/** What its success looks like (see AnswerContext). */
	reading?: 'write' | 'record';
}

/**
 * The one place the node talks to Hyfin. The access token is added by n8n from the credential
 * (`x-access-token`); redirects are never followed, so it cannot travel to another host.
 * Every outcome comes back as a value, with the token redacted; nothing here throws.
 */
export async function hyfinRequest(
	context: IExecuteFunctions,
	connection: HyfinConnection,
	request: HyfinRequest,
	abortSignal?: AbortSignal,
): Promise<HyfinAnswer> {
	const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	let response: RawResponse;
	try {
		response = (await context.helpers.httpRequestWithAuthentication.call(
			context,
			CREDENTIAL_NAME,
			{
				method: request.method,
				url: request.url,
				body: request.body,
				headers: { Accept: 'application/json' },
				json: true,
				// Read the body as text: Hyfin's JSON, a proxy's HTML page and a cut-off answer all arrive here.
				encoding: 'text',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				disableFollowRedirect: true,
				sendCredentialsOnCrossOriginRedirect: false,
				timeout: timeoutMs,
				abortSignal,
			},
			{
				// n8n would otherwise read and decrypt the credential from its database for every request.
				credentialsDecrypted: { id: '', name: CREDENTIAL_NAME, type: CREDENTIAL_NAME, data: connection.credentials },
			},
		)) as RawResponse;
	} catch (error) {
		return { kind: 'failure', failure: readNetworkError(error, connection.origin, timeoutMs, connection.redact) };
	}
	return readAnswer(response, {
		requestUrl: request.url,
		siteId: connection.siteId,
		redact: connection.redact,
		reading: request.reading,
	});
}

export type SentRequest =
	| {
			answer: HyfinAnswer;
			/** Tries made, the first included. */
			attempts: number;
			/** The failure might pass, but the request was not sent again: Hyfin may have acted on it. */
			notRepeated?: boolean;
	  }
	| {
			/** Why the request was not sent (again), and the last answer if one came. */
			interrupted: Interruption;
			answer?: HyfinAnswer;
			attempts: number;
	  };

/**
 * Sends one request, trying it again on its own when the failure may pass (429, 503, 5xx,
 * a dropped connection, a timeout, a cut-off answer): after `Retry-After` when Hyfin gives one,
 * else after a backoff. A request that is not repeatable is sent again only when the answer says
 * Hyfin did nothing with it (429, a 503 with Retry-After, a connection never made). Each try
 * takes room in `capacity` (and waits its turn at the pace) and tells it how Hyfin answered; no
 * room is held while waiting to retry. Nothing is sent once `control` says the run is
 * interrupted, and an interruption ends any wait at once.
 */
export async function sendWithRetries(
	context: IExecuteFunctions,
	connection: HyfinConnection,
	request: HyfinRequest,
	policy: RetryPolicy,
	capacity: Capacity,
	control: ItemControl,
): Promise<SentRequest> {
	const send = async (signal: AbortSignal) => await hyfinRequest(context, connection, request, signal);
	return await sendTries(send, request.repeatable, policy, capacity, control);
}

/** What a failure says about Hyfin's load. */
function loadOf(answer: HyfinAnswer | undefined): Load {
	if (answer === undefined) return 'other';
	if (answer.kind !== 'failure') return 'answered';
	if (answer.failure.status === 429) return 'rateLimited';
	return answer.failure.status === 503 ? 'overloaded' : 'other';
}

/** Refusals of the node's own probing (see Capacity.release) that use up none of an item's retries, at most. */
const MAX_PROBE_REFUSALS = 10;

/** sendWithRetries with the sending itself given: `send` reports every outcome as an answer. */
export async function sendTries(
	send: (signal: AbortSignal) => Promise<HyfinAnswer>,
	repeatable: boolean,
	policy: RetryPolicy,
	capacity: Capacity,
	control: ItemControl,
	random: () => number = Math.random,
): Promise<SentRequest> {
	let answer: HyfinAnswer | undefined;
	let probeRefusals = 0;
	for (let attempts = 0; ;) {
		let interrupted = control.interruption();
		if (interrupted) return { interrupted, answer, attempts };
		const slot = await capacity.acquire(
			async (ms) => await control.wait(ms),
			() => control.interruption() !== undefined,
		);
		let sent: HyfinAnswer | undefined;
		let refusedForOurProbe = false;
		try {
			interrupted = control.interruption();
			if (interrupted) return { interrupted, answer, attempts };
			attempts++;
			answer = sent = await send(control.requestSignal);
			// Before the slot is given back: the request it would let start must see the refusal.
			if (sent.kind === 'failure' && refusesEveryRequest(sent.failure)) control.refuse(sent.failure);
		} finally {
			refusedForOurProbe = capacity.release(slot, loadOf(sent), sent?.kind === 'failure' ? sent.failure.retryAfterMs : undefined);
		}
		if (answer.kind !== 'failure') return { answer, attempts };
		const { failure } = answer;
		if (refusedForOurProbe && probeRefusals < MAX_PROBE_REFUSALS) probeRefusals++;
		else refusedForOurProbe = false;
		if (failure.reason === 'cancelled' || !shouldRetry(failure, attempts - 1 - probeRefusals, policy)) return { answer, attempts };
		if (!repeatable && !failure.unsent) return { answer, attempts, notRepeated: true };
		// A 503 to the node's own probe goes again as soon as there is room; a 429 waits its Retry-After.
		if (!refusedForOurProbe || failure.status !== 503) await control.wait(retryDelayMs(failure, attempts, policy, random));
	}
}
