import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';

import { readAnswer, readNetworkError, type HyfinAnswer, type RawResponse } from './answer';
import type { HyfinConnection } from './connection';
import type { Interruption, ItemControl } from './control';
import type { AdaptiveConcurrency } from './pool';
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
 * Hyfin did nothing with it (429, a 503 with Retry-After, a connection never made). Each try takes a slot of `concurrency` and tells it how Hyfin answered;
 * no slot is held while waiting. Nothing is sent once `control` says the run is interrupted,
 * and an interruption ends any wait at once.
 */
export async function sendWithRetries(
	context: IExecuteFunctions,
	connection: HyfinConnection,
	request: HyfinRequest,
	policy: RetryPolicy,
	concurrency: AdaptiveConcurrency,
	control: ItemControl,
): Promise<SentRequest> {
	let answer: HyfinAnswer | undefined;
	for (let attempts = 0; ;) {
		let interrupted = control.interruption();
		if (interrupted) return { interrupted, answer, attempts };
		await concurrency.acquire(control);
		try {
			interrupted = control.interruption();
			if (interrupted) return { interrupted, answer, attempts };
			attempts++;
			answer = await hyfinRequest(context, connection, request, control.requestSignal);
			if (answer.kind === 'failure' && answer.failure.status === 503) concurrency.overloaded();
		} finally {
			concurrency.release();
		}
		if (answer.kind !== 'failure') {
			concurrency.succeeded();
			return { answer, attempts };
		}
		const { failure } = answer;
		if (failure.reason === 'cancelled' || !shouldRetry(failure, attempts - 1, policy)) return { answer, attempts };
		if (!request.repeatable && !failure.unsent) return { answer, attempts, notRepeated: true };
		const waitMs = retryDelayMs(failure, attempts, policy);
		if (failure.status === 429) concurrency.rateLimited(waitMs);
		await control.wait(waitMs);
	}
}
