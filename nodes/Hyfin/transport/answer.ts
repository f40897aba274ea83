import type { IDataObject } from 'n8n-workflow';

import { TOKEN_MASK, type Redact } from './redact';

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
	| 'cutOff'
	| 'cancelled'
	| 'redirect'
	| 'auth'
	| 'site'
	| 'rateLimited'
	| 'server'
	| 'notFound'
	| 'notJson'
	| 'unexpected'
	| 'client';

/**
 * Failures that say the credential or the address is wrong, not the record: every other request
 * of the run would get the same answer, so once one comes, nothing more is sent with it.
 */
const REFUSALS: ReadonlySet<FailureReason> = new Set(['auth', 'site', 'notFound', 'redirect']);

export const refusesEveryRequest = (failure: HyfinFailure) => REFUSALS.has(failure.reason);

export interface HyfinFailure {
	reason: FailureReason;
	/** What happened and what to check, fit for an error message. Never holds the access token. */
	message: string;
	/** Hyfin's answer, shortened, or the network error's code. */
	description: string;
	status?: number;
	/** Whether sending the same request again may succeed. */
	retryable: boolean;
	/**
	 * Whether the answer says Hyfin did nothing with the request (429, 503 with Retry-After, a
	 * connection never made), so even a request that must not be repeated can be sent again.
	 */
	unsent?: boolean;
	/** What the server asked for in `Retry-After`, if anything. */
	retryAfterMs?: number;
	/** When this is Hyfin's answer to another item of the run, repeated: how that item is named. */
	refusedFor?: string;
}

export interface RawResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

const EXCERPT_LENGTH = 160;
export const MAX_RETRY_AFTER_MS = 60_000;

/** A short, one-line view of what came back, for messages; a redaction mark is never cut in two. */
export function excerpt(text: string): string {
	const line = text.replace(/\s+/g, ' ').trim();
	if (line === '') return '(empty body)';
	if (line.length <= EXCERPT_LENGTH) return line;
	const mark = line.lastIndexOf(TOKEN_MASK, EXCERPT_LENGTH - 1);
	const end = mark >= 0 && mark + TOKEN_MASK.length > EXCERPT_LENGTH ? mark + TOKEN_MASK.length : EXCERPT_LENGTH;
	return `${line.slice(0, end)}…`;
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

const isObject = (value: unknown): value is IDataObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function header(headers: Record<string, unknown>, name: string): unknown {
	const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
	return key === undefined ? undefined : headers[key];
}

function rejectionErrors(json: IDataObject): string[] {
	if (Array.isArray(json.errors) && json.errors.length > 0)
		return json.errors.map((error) => (typeof error === 'string' ? error : JSON.stringify(error)));
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

/** Where an answer came from, for reading it. */
export interface AnswerContext {
	requestUrl: string;
	/** The credential's Site ID, named in messages about it. */
	siteId: string;
	/** Applied to everything the answer holds before it is read. */
	redact: Redact;
	/**
	 * What a success looks like: `write`, Hyfin's `{ success: true, ... }`; `record`, the record
	 * itself (a Get). A Get's JSON 404 can be about the record (one that does not exist); a write
	 * takes any record, so its 404 is about the site or the address: the request failed.
	 */
	reading?: 'write' | 'record';
}

// How Hyfin's errors may say that the request, not the record, is wrong (Hyfin documents none).
const ABOUT_TOKEN = /\b(access[\s_-]*token|api[\s_-]*key|token|unauthori[sz]ed|not authori[sz]ed|forbidden|authenticat\w*|credentials?)\b/i;
const ABOUT_SITE = /\bsite(?:[\s_-]*id)?\b/i;

/** Reads an HTTP answer: the status, then whether the body is Hyfin's JSON. */
export function readAnswer(response: RawResponse, { requestUrl, siteId, redact, reading = 'write' }: AnswerContext): HyfinAnswer {
	const status = response.statusCode;
	// Everything from the answer is redacted first, so the token cannot reach an output or a message.
	const text = redact(bodyText(response.body));
	const json = parseJson(text);
	const shown = excerpt(text);
	const failure = (reason: FailureReason, message: string, retryable = false, retryAfterMs?: number, unsent = false): HyfinAnswer => ({
		kind: 'failure',
		failure: { reason, message, description: `HTTP ${status}: ${shown}`, status, retryable, retryAfterMs, ...(unsent ? { unsent } : {}) },
	});

	if (status >= 300 && status < 400) {
		const target = redact(redirectTarget(header(response.headers, 'location'), requestUrl));
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
		return failure('rateLimited', `Hyfin is limiting the request rate (HTTP 429).`, true, retryAfterMs, true);
	}
	if (status >= 500) {
		const retryable = [500, 502, 503, 504].includes(status);
		const retryAfterMs = status === 503 ? parseRetryAfter(header(response.headers, 'retry-after')) : undefined;
		const what = isObject(json) ? 'a server error' : 'a server error page, not JSON';
		return failure(
			'server',
			`Hyfin answered HTTP ${status}, ${what}. Hyfin or a proxy in front of it is failing; try again later.`,
			retryable,
			retryAfterMs,
			// A 503 that says when to come back is a server turning requests away, not one that failed on them.
			status === 503 && retryAfterMs !== undefined,
		);
	}
	if (isObject(json) && json.success === false) {
		const errors = rejectionErrors(json);
		const said = errors.join('; ');
		if (errors.some((error) => ABOUT_TOKEN.test(error))) {
			return failure(
				'auth',
				`Hyfin refused the access token (HTTP ${status}: ${said}). Check the Access Token in the Hyfin API credential and that it belongs to this Site ID.`,
			);
		}
		if (errors.some((error) => ABOUT_SITE.test(error))) {
			return failure(
				'site',
				`Hyfin does not know site "${siteId}" (HTTP ${status}: ${said}). Check the Site ID in the Hyfin API credential.`,
			);
		}
		if (status === 404 && reading !== 'record') {
			return failure(
				'notFound',
				`Hyfin answered HTTP 404 (${said}): the site or the address was not found. Check the Site ID "${siteId}" and the Base URL in the Hyfin API credential.`,
			);
		}
		return { kind: 'rejected', status, errors };
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
	if (isObject(json) && (json.success === true || (reading === 'record' && json.success === undefined))) {
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

/** Codes of a connection that Hyfin, or something in front of it, closed after the request was sent. */
const DROPPED: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE']);

/** Codes of a request that never reached a server: whatever it asked for was not done. */
const NEVER_CONNECTED: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Reads a request that got no whole HTTP answer. */
export function readNetworkError(error: unknown, origin: string, timeoutMs: number, redact: Redact): HyfinFailure {
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
	const message = redact(
		chain
			.flatMap((link) => [...(Array.isArray(link.messages) ? link.messages : []), link.message])
			.find((value): value is string => typeof value === 'string' && value !== '') ?? '',
	);
	if (code === 'ERR_CANCELED') {
		return { reason: 'cancelled', message: 'The execution was cancelled before Hyfin answered.', description: code, retryable: false };
	}
	if (['ECONNABORTED', 'ETIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT'].includes(code) || /timeout/i.test(message)) {
		return {
			reason: 'timeout',
			message: `Hyfin at ${origin} did not answer within ${Math.round(timeoutMs / 1000)} s.`,
			description: code || 'timeout',
			retryable: true,
		};
	}
	// axios's words for an answer whose connection closed before its body ended.
	if (code === 'ERR_BAD_RESPONSE' || /\baborted\b/i.test(message)) {
		return {
			reason: 'cutOff',
			message: `Hyfin's answer was cut off: the connection closed before it ended, so whether the record was saved is unknown.`,
			description: code || excerpt(message),
			retryable: true,
		};
	}
	const what = NETWORK_WORDS[code] ?? 'the request failed before any answer came';
	if (DROPPED.has(code)) {
		// The request reached Hyfin: the address is right, and whether Hyfin acted on it is unknown.
		return {
			reason: 'network',
			message: `Hyfin at ${origin} took the request, but ${what}, so whether it acted on it is unknown.`,
			description: code,
			retryable: true,
		};
	}
	return {
		reason: 'network',
		message: `Could not reach Hyfin at ${origin}: ${what}. Check the Base URL in the Hyfin API credential and that the server is up.`,
		description: code || excerpt(message || redact(String(error ?? 'unknown error'))),
		// A refused or unknown host will not change on its own; a dropped connection might.
		retryable: ['ECONNRESET', 'EPIPE', 'EAI_AGAIN'].includes(code),
		...(NEVER_CONNECTED.has(code) ? { unsent: true } : {}),
	};
}
