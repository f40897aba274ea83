import { sleep, type IDataObject, type IExecuteFunctions, type IHttpRequestMethods } from 'n8n-workflow';

import { readAnswer, readNetworkError, type HyfinAnswer, type RawResponse } from './answer';
import type { HyfinConnection } from './connection';
import type { AdaptiveConcurrency } from './pool';
import { retryDelayMs, shouldRetry, type RetryPolicy } from './retry';

export const CREDENTIAL_NAME = 'hyfinApi';
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface HyfinRequest {
	method: IHttpRequestMethods;
	url: string;
	body?: IDataObject;
	timeoutMs?: number;
}

/**
 * The one place the node talks to Hyfin. The access token is added by n8n from the credential
 * (`x-access-token`); redirects are never followed, so it cannot travel to another host.
 * Every outcome comes back as a value; nothing here throws.
 */
export async function hyfinRequest(
	context: IExecuteFunctions,
	connection: HyfinConnection,
	request: HyfinRequest,
): Promise<HyfinAnswer> {
	const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	let response: RawResponse;
	try {
		response = (await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_NAME, {
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
		}, {
			// n8n would otherwise read and decrypt the credential from its database for every request.
			credentialsDecrypted: { id: '', name: CREDENTIAL_NAME, type: CREDENTIAL_NAME, data: connection.credentials },
		})) as RawResponse;
	} catch (error) {
		return { kind: 'failure', failure: readNetworkError(error, connection.origin, timeoutMs) };
	}
	return readAnswer(response, request.url);
}

export interface SentRequest {
	answer: HyfinAnswer;
	/** Tries made, the first included. */
	attempts: number;
}

/**
 * Sends one request, trying it again on its own when the failure may pass (429, 503, 5xx,
 * a dropped connection, a timeout, a cut-off answer): after `Retry-After` when Hyfin gives one,
 * else after a backoff. Each try takes a slot of `concurrency` and tells it how Hyfin answered;
 * no slot is held while waiting.
 */
export async function sendWithRetries(
	context: IExecuteFunctions,
	connection: HyfinConnection,
	request: HyfinRequest,
	policy: RetryPolicy,
	concurrency: AdaptiveConcurrency,
): Promise<SentRequest> {
	for (let attempts = 1; ; attempts++) {
		await concurrency.acquire();
		let answer: HyfinAnswer;
		try {
			answer = await hyfinRequest(context, connection, request);
			if (answer.kind === 'failure' && answer.failure.status === 503) concurrency.overloaded();
		} finally {
			concurrency.release();
		}
		if (answer.kind !== 'failure') {
			concurrency.succeeded();
			return { answer, attempts };
		}
		const { failure } = answer;
		if (!shouldRetry(failure, attempts - 1, policy)) return { answer, attempts };
		const waitMs = retryDelayMs(failure, attempts, policy);
		if (failure.status === 429) concurrency.rateLimited(waitMs);
		await sleep(waitMs);
	}
}
