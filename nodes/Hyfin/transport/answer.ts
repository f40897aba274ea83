import type { IDataObject } from 'n8n-workflow';

/**
 * How one answer from Hyfin is read. Hyfin's documents leave much open (shared/hyfin-api.md,
 * "Unknown"), so every plausible answer has a reading here, and none of them throws.
 */

export type HyfinAnswer =
	| { kind: 'success'; status: number; body: IDataObject }
	| { kind: 'rejected'; status: number; errors: string[] }
	| { kind: 'failure'; failure: HyfinFailure };

export type FailureReason =
	| 'network'
	| 'timeout'
	| 'redirect'
	| 'auth'
	| 'rateLimited'
	| 'server'
	| 'notFound'
	| 'notJson'
	| 'unexpected'
	| 'client';

export interface HyfinFailure {
	reason: FailureReason;
	/** What happened and what to check, fit for an error message. Never holds the access token. */
	message: string;
	/** Hyfin's answer, shortened, or the network error's code. */
	description: string;
	status?: number;
	/** Whether sending the same request again may succeed. */
	retryable: boolean;
	/** What the server asked for in `Retry-After`, if anything. */
	retryAfterMs?: number;
}

export interface RawResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

const EXCERPT_LENGTH = 160;
export const MAX_RETRY_AFTER_MS = 60_000;

/** A short, one-line view of what came back, for messages. */
export function excerpt(text: string): string {
	const line = text.replace(/\s+/g, ' ').trim();
	if (line === '') return '(empty body)';
	return line.length > EXCERPT_LENGTH ? `${line.slice(0, EXCERPT_LENGTH)}…` : line;
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds, capped; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	if (typeof text !== 'string' && typeof text !== 'number') return undefined;
	const trimmed = String(text).trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
	// An HTTP date names its month and year (`Wed, 21 Oct 2026 07:28:00 GMT`); Date.parse alone takes almost anything.
	if (!/[A-Za-z]{3}/.test(trimmed) || !/\d{4}/.test(trimmed)) return undefined;
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return undefined;
	return Math.min(Math.max(date - now, 0), MAX_RETRY_AFTER_MS);
}

function bodyText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	if (body === undefined || body === null) return '';
	return JSON.stringify(body);
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

const isObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

function header(headers: Record<string, unknown>, name: string): unknown {
	const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
	return key === undefined ? undefined : headers[key];
}

function rejectionErrors(json: IDataObject): string[] {
	if (Array.isArray(json.errors) && json.errors.length > 0) return json.errors.map((error) => (typeof error === 'string' ? error : JSON.stringify(error)));
	if (typeof json.errors === 'string') return [json.errors];
	if (typeof json.message === 'string') return [json.message];
	return ['rejected without a reason'];
}

/** Where a redirect pointed, resolved as a browser would; never throws on a malformed header. */
function redirectTarget(location: unknown, requestUrl: string): string {
	const text = Array.isArray(location) ? location[0] : location;
	if (typeof text !== 'string' || text.trim() === '') return '(no address given)';
	try {
		return new URL(text.trim(), requestUrl).href;
	} catch {
		return `"${excerpt(text)}" (not a valid address)`;
	}
}

/** Reads an HTTP answer to a request to `requestUrl`: the status, then whether the body is Hyfin's JSON. */
export function readAnswer(response: RawResponse, requestUrl: string): HyfinAnswer {
	const status = response.statusCode;
	const text = bodyText(response.body);
	const json = parseJson(text);
	const shown = excerpt(text);
	const failure = (reason: FailureReason, message: string, retryable = false, retryAfterMs?: number): HyfinAnswer => ({
		kind: 'failure',
		failure: { reason, message, description: `HTTP ${status}: ${shown}`, status, retryable, retryAfterMs },
	});

	if (status >= 300 && status < 400) {
		const target = redirectTarget(header(response.headers, 'location'), requestUrl);
		return failure(
			'redirect',
			`Hyfin answered HTTP ${status}, a redirect to ${target}. It was not followed, so the access token went nowhere else. If that is the right address, put it in the credential's Base URL.`,
		);
	}
	if (status === 401 || status === 403) {
		return failure(
			'auth',
			`Hyfin refused the access token (HTTP ${status}). Check the Access Token in the Hyfin API credential and that it belongs to this Site ID.`,
		);
	}
	if (status === 429) {
		const retryAfterMs = parseRetryAfter(header(response.headers, 'retry-after'));
		return failure('rateLimited', `Hyfin is limiting the request rate (HTTP 429).`, true, retryAfterMs);
	}
	if (status >= 500) {
		const retryable = [500, 502, 503, 504].includes(status);
		const retryAfterMs = status === 503 ? parseRetryAfter(header(response.headers, 'retry-after')) : undefined;
		const what = isObject(json) ? 'a server error' : 'a server error page, not JSON';
		return failure('server', `Hyfin answered HTTP ${status}, ${what}. Hyfin or a proxy in front of it is failing; try again later.`, retryable, retryAfterMs);
	}
	if (isObject(json) && json.success === false) {
		return { kind: 'rejected', status, errors: rejectionErrors(json) };
	}
	if (status === 404) {
		return failure(
			'notFound',
			`Hyfin's address was not found (HTTP 404, and not a Hyfin answer). Check the Base URL and Site ID in the Hyfin API credential.`,
		);
	}
	if (status >= 400) {
		return failure('client', `Hyfin answered HTTP ${status} without saying what was wrong.`);
	}
	if (text.trim() === '') {
		// Nothing came back: whether the record was saved is unknown, and sending again is safe.
		return failure('notJson', `Hyfin answered HTTP ${status} with an empty body, so whether the record was saved is unknown.`, true);
	}
	if (json === undefined) {
		// A body that starts like JSON but does not parse was cut off on the way: sending again is safe.
		const truncated = text.trimStart().startsWith('{');
		return failure(
			'notJson',
			truncated
				? `Hyfin's answer (HTTP ${status}) was cut off before it ended, so whether the record was saved is unknown.`
				: `Hyfin answered HTTP ${status} with something that is not JSON. Check that the Base URL in the Hyfin API credential points at the Hyfin API, not a web page.`,
			truncated,
		);
	}
	if (isObject(json) && json.success === true) {
		return { kind: 'success', status, body: json };
	}
	return failure('unexpected', `Hyfin answered HTTP ${status} with JSON that is neither a success nor a list of errors.`);
}

const NETWORK_WORDS: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ENOTFOUND: 'the host name was not found',
	EAI_AGAIN: 'the host name could not be looked up',
	ECONNRESET: 'the connection was closed before an answer came',
	EPIPE: 'the connection was closed while sending',
	EHOSTUNREACH: 'the host is unreachable',
	ENETUNREACH: 'the network is unreachable',
};

/** Reads a request that got no HTTP answer at all. */
export function readNetworkError(error: unknown, origin: string, timeoutMs: number): HyfinFailure {
	// n8n wraps the HTTP client's error in a NodeApiError, which keeps the code as `httpCode` and the
	// original text in `messages`; a bare client error has `code` and `message`.
	const chain: IDataObject[] = [];
	for (let link: unknown = error; isObject(link) && chain.length < 5; link = (link as { cause?: unknown }).cause) {
		chain.push(link);
	}
	const code =
		chain
			.flatMap((link) => [link.code, link.httpCode])
			.find((value): value is string => typeof value === 'string' && /^E[A-Z_]+$/.test(value)) ?? '';
	const message =
		chain
			.flatMap((link) => [...(Array.isArray(link.messages) ? link.messages : []), link.message])
			.find((value): value is string => typeof value === 'string' && value !== '') ?? '';
	if (['ECONNABORTED', 'ETIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT'].includes(code) || /timeout/i.test(message)) {
		return {
			reason: 'timeout',
			message: `Hyfin at ${origin} did not answer within ${Math.round(timeoutMs / 1000)} s.`,
			description: code || 'timeout',
			retryable: true,
		};
	}
	const what = NETWORK_WORDS[code] ?? 'the request failed before any answer came';
	return {
		reason: 'network',
		message: `Could not reach Hyfin at ${origin}: ${what}. Check the Base URL in the Hyfin API credential and that the server is up.`,
		description: code || (message ? excerpt(message) : excerpt(String(error ?? 'unknown error'))),
		// A refused or unknown host will not change on its own; a dropped connection might.
		retryable: ['ECONNRESET', 'EPIPE', 'EAI_AGAIN'].includes(code),
	};
}
