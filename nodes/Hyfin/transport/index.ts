import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';

import { readAnswer, readNetworkError, type HyfinAnswer, type RawResponse } from './answer';
import type { HyfinConnection } from './connection';

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
		})) as RawResponse;
	} catch (error) {
		return { kind: 'failure', failure: readNetworkError(error, connection.origin, timeoutMs) };
	}
	return readAnswer(response, request.url);
}
