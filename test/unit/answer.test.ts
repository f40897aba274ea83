import {
	excerpt,
	MAX_RETRY_AFTER_MS,
	parseRetryAfter,
	readAnswer,
	readNetworkError,
	type FailureReason,
	type HyfinAnswer,
	type RawResponse,
} from '../../nodes/Hyfin/transport/answer';

/*
 * Failures are compared with toEqual: every value is asserted, while a key holding `undefined`
 * (`retryAfterMs` when there is none) counts the same as an absent one.
 */

const ORIGIN = 'https://h.example';

const answer = (statusCode: number, body: unknown, headers: Record<string, unknown> = {}): RawResponse => ({
	statusCode,
	headers,
	body,
});

const asIs = (text: string) => text;

const read = (statusCode: number, body: unknown, headers: Record<string, unknown> = {}) =>
	readAnswer(answer(statusCode, body, headers), { requestUrl: ORIGIN, siteId: 'site-1', redact: asIs });

const failure = (
	reason: FailureReason,
	status: number,
	message: string,
	description: string,
	retryable: boolean,
	retryAfterMs?: number,
): HyfinAnswer => ({
	kind: 'failure',
	failure: {
		reason,
		status,
		message,
		description,
		retryable,
		retryAfterMs,
		// Hyfin turned the request away unread: a 429, or a 503 that says when to come back (see "unsent" below).
		...(status === 429 || (status === 503 && retryAfterMs !== undefined) ? { unsent: true } : {}),
	},
});

const SUCCESS = { success: true, action: 'added', _id: '60f720d248f143332af022e0' };
const SUCCESS_TEXT = JSON.stringify(SUCCESS);
const REJECTION = { success: false, errors: ['invalid field2', 'missing field_name'] };
const HTML_502 =
	'<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n</body>\n</html>\n';
const HTML_502_SHOWN =
	'<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> </body> </html>';

const authMessage = (status: number) =>
	`Hyfin refused the access token (HTTP ${status}). Check the Access Token in the Hyfin API credential and that it belongs to this Site ID.`;
const RATE_MESSAGE = 'Hyfin is limiting the request rate (HTTP 429).';
const serverPage = (status: number) =>
	`Hyfin answered HTTP ${status}, a server error page, not JSON. Hyfin or a proxy in front of it is failing; try again later.`;
const serverJson = (status: number) =>
	`Hyfin answered HTTP ${status}, a server error. Hyfin or a proxy in front of it is failing; try again later.`;
const NOT_FOUND_MESSAGE =
	"Hyfin's address was not found (HTTP 404, and not a Hyfin answer). Check the Base URL and Site ID in the Hyfin API credential.";
const clientMessage = (status: number) => `Hyfin answered HTTP ${status} without saying what was wrong.`;
const NOT_JSON_MESSAGE =
	'Hyfin answered HTTP 200 with something that is not JSON. Check that the Base URL in the Hyfin API credential points at the Hyfin API, not a web page.';
const CUT_OFF_MESSAGE = "Hyfin's answer (HTTP 200) was cut off before it ended, so whether the record was saved is unknown.";
const UNEXPECTED_MESSAGE = 'Hyfin answered HTTP 200 with JSON that is neither a success nor a list of errors.';
const redirectMessage = (status: number, target: string) =>
	`Hyfin answered HTTP ${status}, a redirect to ${target}. It was not followed, so the access token went nowhere else. If that is the right address, put it in the credential's Base URL.`;

describe('readAnswer: success', () => {
	it.each([200, 201])('reads {success: true} at HTTP %i as a success with the whole body', (status) => {
		expect(read(status, SUCCESS_TEXT)).toStrictEqual({ kind: 'success', status, body: SUCCESS });
	});

	it('reads a body given as a Buffer', () => {
		expect(read(200, Buffer.from(SUCCESS_TEXT, 'utf8'))).toStrictEqual({ kind: 'success', status: 200, body: SUCCESS });
	});

	it('reads a body given as an already-parsed object', () => {
		expect(read(200, { ...SUCCESS })).toStrictEqual({ kind: 'success', status: 200, body: SUCCESS });
	});

	it('reads a body with surrounding whitespace', () => {
		expect(read(200, `\n  ${SUCCESS_TEXT}\n`)).toStrictEqual({ kind: 'success', status: 200, body: SUCCESS });
	});
});

describe('readAnswer: rejection ({success: false}) whatever the status', () => {
	it.each([200, 400, 409, 422])('reads {success: false, errors} at HTTP %i as a rejection', (status) => {
		expect(read(status, JSON.stringify(REJECTION))).toStrictEqual({
			kind: 'rejected',
			status,
			errors: ['invalid field2', 'missing field_name'],
		});
	});

	it('reads a rejection given as a Buffer', () => {
		expect(read(422, Buffer.from(JSON.stringify(REJECTION)))).toStrictEqual({
			kind: 'rejected',
			status: 422,
			errors: ['invalid field2', 'missing field_name'],
		});
	});

	it('reads a rejection given as an already-parsed object', () => {
		expect(read(200, { ...REJECTION })).toStrictEqual({
			kind: 'rejected',
			status: 200,
			errors: ['invalid field2', 'missing field_name'],
		});
	});

	it.each<[string, Record<string, unknown>, string[]]>([
		['no errors at all', { success: false }, ['rejected without a reason']],
		['an empty errors array', { success: false, errors: [] }, ['rejected without a reason']],
		['errors as one string', { success: false, errors: 'missing email' }, ['missing email']],
		['a message instead of errors', { success: false, message: 'Customer not found' }, ['Customer not found']],
		['errors preferred to a message', { success: false, errors: ['invalid email'], message: 'nope' }, ['invalid email']],
		[
			'errors that are not strings',
			{ success: false, errors: [{ field: 'email', error: 'invalid' }, 42, 'missing last_name'] },
			['{"field":"email","error":"invalid"}', '42', 'missing last_name'],
		],
	])('reads a rejection with %s', (_, body, errors) => {
		expect(read(400, JSON.stringify(body))).toStrictEqual({ kind: 'rejected', status: 400, errors });
	});
});

describe('readAnswer: auth failures', () => {
	it.each<[number, string, unknown, string]>([
		[401, 'an empty body', '', 'HTTP 401: (empty body)'],
		[401, 'an HTML page', '<h1>Unauthorized</h1>', 'HTTP 401: <h1>Unauthorized</h1>'],
		[403, 'a JSON message', '{"message":"Forbidden"}', 'HTTP 403: {"message":"Forbidden"}'],
		[
			403,
			'a Hyfin-style rejection',
			'{"success":false,"errors":["invalid token"]}',
			'HTTP 403: {"success":false,"errors":["invalid token"]}',
		],
		[401, 'no body', undefined, 'HTTP 401: (empty body)'],
	])('reads HTTP %i with %s as an auth failure, not retryable', (status, _, body, description) => {
		expect(read(status, body)).toEqual(failure('auth', status, authMessage(status), description, false));
	});
});

describe('readAnswer: rate limit (429)', () => {
	afterEach(() => jest.restoreAllMocks());

	it('reads Retry-After in seconds', () => {
		expect(read(429, 'Too Many Requests', { 'Retry-After': '5' })).toEqual(
			failure('rateLimited', 429, RATE_MESSAGE, 'HTTP 429: Too Many Requests', true, 5000),
		);
	});

	it('finds retry-after written in lower case', () => {
		expect(read(429, '', { 'retry-after': '7' })).toEqual(failure('rateLimited', 429, RATE_MESSAGE, 'HTTP 429: (empty body)', true, 7000));
	});

	it('finds RETRY-AFTER written in upper case', () => {
		expect(read(429, '', { 'RETRY-AFTER': '2' })).toEqual(failure('rateLimited', 429, RATE_MESSAGE, 'HTTP 429: (empty body)', true, 2000));
	});

	it('reads Retry-After as an HTTP date, relative to now', () => {
		const date = 'Wed, 21 Oct 2015 07:28:00 GMT';
		jest.spyOn(Date, 'now').mockReturnValue(Date.parse(date) - 30_000);
		expect(read(429, '', { 'Retry-After': date })).toEqual(
			failure('rateLimited', 429, RATE_MESSAGE, 'HTTP 429: (empty body)', true, 30_000),
		);
	});

	it('caps Retry-After at 60 s', () => {
		expect(read(429, '', { 'Retry-After': '3600' })).toEqual(
			failure('rateLimited', 429, RATE_MESSAGE, 'HTTP 429: (empty body)', true, 60_000),
		);
	});

	it('is retryable without a Retry-After', () => {
		expect(read(429, '')).toEqual(failure('rateLimited', 429, RATE_MESSAGE, 'HTTP 429: (empty body)', true));
	});

	it('ignores a garbage Retry-After', () => {
		expect(read(429, '', { 'Retry-After': 'soon' })).toEqual(failure('rateLimited', 429, RATE_MESSAGE, 'HTTP 429: (empty body)', true));
	});

	it('is a rate limit even with a Hyfin-style rejection body', () => {
		expect(read(429, '{"success":false,"errors":["slow down"]}', { 'retry-after': '1' })).toEqual(
			failure('rateLimited', 429, RATE_MESSAGE, 'HTTP 429: {"success":false,"errors":["slow down"]}', true, 1000),
		);
	});
});

describe('readAnswer: server errors', () => {
	it('reads a 500 with a JSON body as a server error, retryable', () => {
		expect(read(500, '{"error":"boom"}')).toEqual(failure('server', 500, serverJson(500), 'HTTP 500: {"error":"boom"}', true));
	});

	it('reads a 502 HTML page as a server error page, retryable, showing the page in one line', () => {
		expect(read(502, HTML_502)).toEqual(failure('server', 502, serverPage(502), `HTTP 502: ${HTML_502_SHOWN}`, true));
	});

	it('reads a 503 with Retry-After, passing on the wait', () => {
		expect(read(503, 'Service Unavailable', { 'Retry-After': '12' })).toEqual(
			failure('server', 503, serverPage(503), 'HTTP 503: Service Unavailable', true, 12_000),
		);
	});

	it('reads a 503 without Retry-After', () => {
		expect(read(503, '')).toEqual(failure('server', 503, serverPage(503), 'HTTP 503: (empty body)', true));
	});

	it('ignores Retry-After on a 500', () => {
		expect(read(500, '', { 'Retry-After': '12' })).toEqual(failure('server', 500, serverPage(500), 'HTTP 500: (empty body)', true));
	});

	it('reads a 504 gateway timeout page as a server error, retryable', () => {
		expect(read(504, '<html><body>Gateway Timeout</body></html>')).toEqual(
			failure('server', 504, serverPage(504), 'HTTP 504: <html><body>Gateway Timeout</body></html>', true),
		);
	});

	it.each([501, 505, 511])('reads HTTP %i as a server error that sending again will not fix', (status) => {
		expect(read(status, 'Not Implemented')).toEqual(
			failure('server', status, serverPage(status), `HTTP ${status}: Not Implemented`, false),
		);
	});

	it('counts a JSON array as not a JSON object in the message', () => {
		expect(read(500, '[]')).toEqual(failure('server', 500, serverPage(500), 'HTTP 500: []', true));
	});
});

describe('readAnswer: other 4xx', () => {
	it('reads a 404 HTML page as not found (a bad Base URL)', () => {
		expect(read(404, '<html><body><h1>404 Not Found</h1></body></html>')).toEqual(
			failure('notFound', 404, NOT_FOUND_MESSAGE, 'HTTP 404: <html><body><h1>404 Not Found</h1></body></html>', false),
		);
	});

	it('reads a 404 with JSON that is not a Hyfin answer as not found', () => {
		expect(read(404, '{"message":"Cannot POST /api/v3/site/s/customer/addUpdate"}')).toEqual(
			failure('notFound', 404, NOT_FOUND_MESSAGE, 'HTTP 404: {"message":"Cannot POST /api/v3/site/s/customer/addUpdate"}', false),
		);
	});

	it('reads a 404 with an empty body as not found', () => {
		expect(read(404, '')).toEqual(failure('notFound', 404, NOT_FOUND_MESSAGE, 'HTTP 404: (empty body)', false));
	});

	it.each<[number, string, string]>([
		[400, '<html>Bad Request</html>', 'HTTP 400: <html>Bad Request</html>'],
		[405, '', 'HTTP 405: (empty body)'],
		[409, '{"error":"conflict"}', 'HTTP 409: {"error":"conflict"}'],
		[422, '{"success":true}', 'HTTP 422: {"success":true}'],
		[413, 'Payload Too Large', 'HTTP 413: Payload Too Large'],
	])('reads HTTP %i without {success: false} as a client error, not retryable', (status, body, description) => {
		expect(read(status, body)).toEqual(failure('client', status, clientMessage(status), description, false));
	});
});

describe('readAnswer: 2xx that is not Hyfin’s JSON', () => {
	it('reads an HTML page at 200 as not JSON, not retryable', () => {
		expect(read(200, '<!DOCTYPE html><html><body>Welcome</body></html>')).toEqual(
			failure('notJson', 200, NOT_JSON_MESSAGE, 'HTTP 200: <!DOCTYPE html><html><body>Welcome</body></html>', false),
		);
	});

	it('reads truncated JSON at 200 as cut off, retryable', () => {
		expect(read(200, '{"success":tr')).toEqual(failure('notJson', 200, CUT_OFF_MESSAGE, 'HTTP 200: {"success":tr', true));
	});

	it('reads truncated JSON after leading whitespace as cut off', () => {
		expect(read(200, '\n  {"success":true,"act')).toEqual(failure('notJson', 200, CUT_OFF_MESSAGE, 'HTTP 200: {"success":true,"act', true));
	});

	it('reads truncated JSON given as a Buffer as cut off', () => {
		expect(read(200, Buffer.from('{"success":tr'))).toEqual(failure('notJson', 200, CUT_OFF_MESSAGE, 'HTTP 200: {"success":tr', true));
	});

	it.each<[string, unknown]>([
		['an empty string', ''],
		['whitespace', '  \n '],
		['undefined', undefined],
		['null', null],
		['an empty Buffer', Buffer.alloc(0)],
	])('reads an empty body (%s) at 200 as an unknown outcome, safe to send again', (_, body) => {
		expect(read(200, body)).toEqual(
			failure(
				'notJson',
				200,
				'Hyfin answered HTTP 200 with an empty body, so whether the record was saved is unknown.',
				'HTTP 200: (empty body)',
				true,
			),
		);
	});

	it.each<[string, unknown, string]>([
		['an object without success', '{"_id":"60f720d248f143332af022e0"}', '{"_id":"60f720d248f143332af022e0"}'],
		['success as the string "true"', '{"success":"true"}', '{"success":"true"}'],
		['an empty object', '{}', '{}'],
		['an array', '[{"success":true}]', '[{"success":true}]'],
		['a JSON string', '"ok"', '"ok"'],
		['JSON null', 'null', 'null'],
		['a parsed array', [{ success: true }], '[{"success":true}]'],
	])('reads JSON at 200 that is %s as unexpected, not retryable', (_, body, shown) => {
		expect(read(200, body)).toEqual(failure('unexpected', 200, UNEXPECTED_MESSAGE, `HTTP 200: ${shown}`, false));
	});
});

describe('readAnswer: redirects (never followed)', () => {
	it('names the absolute target of a relative Location', () => {
		expect(read(301, '', { Location: '/new/home' })).toEqual(
			failure('redirect', 301, redirectMessage(301, 'https://h.example/new/home'), 'HTTP 301: (empty body)', false),
		);
	});

	it('names a cross-origin Location as given', () => {
		expect(read(302, 'Found', { location: 'https://other.example/login?next=%2F' })).toEqual(
			failure('redirect', 302, redirectMessage(302, 'https://other.example/login?next=%2F'), 'HTTP 302: Found', false),
		);
	});

	it('names a redirect from https to http on the same host', () => {
		expect(read(307, '', { LOCATION: 'http://h.example/api' })).toEqual(
			failure('redirect', 307, redirectMessage(307, 'http://h.example/api'), 'HTTP 307: (empty body)', false),
		);
	});

	it('reads a redirect even when its body is a Hyfin-style answer', () => {
		expect(read(308, SUCCESS_TEXT, { Location: 'https://h.example/v2' })).toEqual(
			failure('redirect', 308, redirectMessage(308, 'https://h.example/v2'), `HTTP 308: ${SUCCESS_TEXT}`, false),
		);
	});

	it('resolves a path-relative Location against the request URL, as a browser would', () => {
		expect(
			readAnswer(answer(302, '', { Location: 'login' }), {
				requestUrl: 'https://h.example/prefix/api/v3/site/s/customer/addUpdate',
				siteId: 's',
				redact: asIs,
			}),
		).toEqual(
			failure(
				'redirect',
				302,
				redirectMessage(302, 'https://h.example/prefix/api/v3/site/s/customer/login'),
				'HTTP 302: (empty body)',
				false,
			),
		);
	});

	it('reports a malformed Location instead of throwing', () => {
		expect(read(302, '', { Location: 'http://[' })).toEqual(
			failure('redirect', 302, redirectMessage(302, '"http://[" (not a valid address)'), 'HTTP 302: (empty body)', false),
		);
	});

	it('says no address was given when Location is missing', () => {
		expect(read(302, '')).toEqual(failure('redirect', 302, redirectMessage(302, '(no address given)'), 'HTTP 302: (empty body)', false));
	});

	it('says no address was given when Location is empty', () => {
		expect(read(303, '', { Location: '' })).toEqual(
			failure('redirect', 303, redirectMessage(303, '(no address given)'), 'HTTP 303: (empty body)', false),
		);
	});
});

describe('parseRetryAfter', () => {
	const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

	it.each<[string, unknown, number | undefined]>([
		['whole seconds', '5', 5000],
		['zero seconds', '0', 0],
		['fractional seconds', '1.5', 1500],
		['seconds with spaces', ' 7 ', 7000],
		['a number', 3, 3000],
		['the first of several values', ['4', '9'], 4000],
		['exactly the cap', '60', 60_000],
		['over the cap', '3600', 60_000],
		['absent', undefined, undefined],
		['null', null, undefined],
		['empty', '', undefined],
		['a word', 'soon', undefined],
		['a negative number, which Date.parse would read as a year', '-1', undefined],
		['two numbers, which Date.parse would read as a date', '1 2', undefined],
		['an object', { seconds: 5 }, undefined],
	])('reads %s (%p) as %p ms', (_, value, expected) => {
		expect(parseRetryAfter(value, now)).toBe(expected);
	});

	it.each<[string, string, number]>([
		['30 s ahead', 'Wed, 21 Oct 2015 07:28:30 GMT', 30_000],
		['in the past, as no wait', 'Wed, 21 Oct 2015 07:27:00 GMT', 0],
		['now, as no wait', 'Wed, 21 Oct 2015 07:28:00 GMT', 0],
		['an hour ahead, capped', 'Wed, 21 Oct 2015 08:28:00 GMT', 60_000],
	])('reads an HTTP date %s', (_, value, expected) => {
		expect(parseRetryAfter(value, now)).toBe(expected);
	});

	it('caps at MAX_RETRY_AFTER_MS, which is 60 s', () => {
		expect(MAX_RETRY_AFTER_MS).toBe(60_000);
	});
});

describe('excerpt', () => {
	it('puts a body on one line', () => {
		expect(excerpt('  <p>\n\tBad   Gateway\r\n</p>  ')).toBe('<p> Bad Gateway </p>');
	});

	it.each([
		['empty text', ''],
		['spaces', '   '],
		['newlines and tabs', '\n\t\r\n'],
	])('shows %s as (empty body)', (_, text) => {
		expect(excerpt(text)).toBe('(empty body)');
	});

	it('keeps 160 characters whole', () => {
		const text = 'a'.repeat(160);
		expect(excerpt(text)).toBe(text);
	});

	it('cuts a longer text at 160 characters with an ellipsis', () => {
		expect(excerpt(`${'b'.repeat(160)}cdef`)).toBe(`${'b'.repeat(160)}…`);
	});

	it('cuts a long HTML page in an answer description', () => {
		const page = `<html>${'x'.repeat(300)}</html>`;
		const result = read(502, page);
		expect(result.kind === 'failure' && result.failure.description).toBe(`HTTP 502: ${page.slice(0, 160)}…`);
	});
});

describe('readNetworkError', () => {
	const networkError = (code: string | undefined, message: string) => Object.assign(new Error(message), code === undefined ? {} : { code });
	const unreachable = (what: string) =>
		`Could not reach Hyfin at https://h.example: ${what}. Check the Base URL in the Hyfin API credential and that the server is up.`;

	// unsent: the request never reached a server, so even one that must not be repeated may be sent again.
	it.each<[string, string, boolean, boolean]>([
		['ECONNREFUSED', 'the connection was refused', false, true],
		['ENOTFOUND', 'the host name was not found', false, true],
		['EAI_AGAIN', 'the host name could not be looked up', true, true],
		['EHOSTUNREACH', 'the host is unreachable', false, true],
		['ENETUNREACH', 'the network is unreachable', false, true],
	])('reads %s as a network failure', (code, what, retryable, unsent) => {
		expect(readNetworkError(networkError(code, `connect ${code} 203.0.113.7:443`), ORIGIN, 30_000, asIs)).toStrictEqual({
			reason: 'network',
			message: unreachable(what),
			description: code,
			retryable,
			...(unsent ? { unsent } : {}),
		});
	});

	it.each([
		['ECONNRESET', 'the connection was closed before an answer came'],
		['EPIPE', 'the connection was closed while sending'],
	])('reads %s as a request Hyfin took, not as a wrong address', (code, what) => {
		expect(readNetworkError(networkError(code, `read ${code}`), ORIGIN, 30_000, asIs)).toStrictEqual({
			reason: 'network',
			message: `Hyfin at https://h.example took the request, but ${what}, so whether it acted on it is unknown.`,
			description: code,
			retryable: true,
		});
	});

	it('reads a plain object with a code like an Error', () => {
		expect(readNetworkError({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND h.example' }, ORIGIN, 30_000, asIs)).toStrictEqual({
			reason: 'network',
			message: unreachable('the host name was not found'),
			description: 'ENOTFOUND',
			retryable: false,
			unsent: true,
		});
	});

	it.each<[string, unknown, string, number, string]>([
		['ECONNABORTED', networkError('ECONNABORTED', 'aborted'), 'ECONNABORTED', 30_000, '30'],
		['ETIMEDOUT', networkError('ETIMEDOUT', 'connect ETIMEDOUT 203.0.113.7:443'), 'ETIMEDOUT', 30_000, '30'],
		['a timeout message without a code', networkError(undefined, 'timeout of 30000ms exceeded'), 'timeout', 30_000, '30'],
		['a Timeout message in any case', { message: 'Request Timeout' }, 'timeout', 5_000, '5'],
		['a timeout rounded to whole seconds', networkError('ECONNABORTED', 'x'), 'ECONNABORTED', 1_500, '2'],
	])('reads %s as a timeout, retryable', (_, error, description, timeoutMs, seconds) => {
		expect(readNetworkError(error, ORIGIN, timeoutMs, asIs)).toStrictEqual({
			reason: 'timeout',
			message: `Hyfin at https://h.example did not answer within ${seconds} s.`,
			description,
			retryable: true,
		});
	});

	it('reads an unknown code as a failure before any answer, not retryable', () => {
		expect(readNetworkError(networkError('ERR_WEIRD', 'something odd'), ORIGIN, 30_000, asIs)).toStrictEqual({
			reason: 'network',
			message: unreachable('the request failed before any answer came'),
			description: 'ERR_WEIRD',
			retryable: false,
		});
	});

	it('describes an error without a code by its message on one line', () => {
		expect(readNetworkError(new Error('socket hang up\n  while reading'), ORIGIN, 30_000, asIs)).toStrictEqual({
			reason: 'network',
			message: unreachable('the request failed before any answer came'),
			description: 'socket hang up while reading',
			retryable: false,
		});
	});

	it('ignores a code that is not a string', () => {
		expect(readNetworkError({ code: 111, message: 'refused' }, ORIGIN, 30_000, asIs)).toStrictEqual({
			reason: 'network',
			message: unreachable('the request failed before any answer came'),
			description: 'refused',
			retryable: false,
		});
	});

	it.each<[string, unknown]>([
		['a string', 'boom'],
		['a number', 42],
		['null', null],
		['undefined', undefined],
		['an array', ['ECONNRESET']],
	])('reads a thrown %s as a network failure without crashing', (_, thrown) => {
		const result = readNetworkError(thrown, ORIGIN, 30_000, asIs);
		expect(result.reason).toBe('network');
		expect(result.message).toBe(unreachable('the request failed before any answer came'));
		expect(result.retryable).toBe(false);
		expect(result.description).toBe(thrown === null || thrown === undefined ? 'unknown error' : String(thrown));
		expect(Object.keys(result).sort()).toStrictEqual(['description', 'message', 'reason', 'retryable']);
	});

	it('reads a socket connection timeout as a timeout, safe to retry', () => {
		expect(readNetworkError(networkError('ERR_SOCKET_CONNECTION_TIMEOUT', 'connect failed'), ORIGIN, 30_000, asIs)).toStrictEqual({
			reason: 'timeout',
			message: 'Hyfin at https://h.example did not answer within 30 s.',
			description: 'ERR_SOCKET_CONNECTION_TIMEOUT',
			retryable: true,
		});
	});

	it('finds the code n8n keeps as httpCode when it wraps the client error in a NodeApiError', () => {
		const wrapped = {
			message: 'The service refused the connection - perhaps it is offline',
			httpCode: 'ECONNREFUSED',
			messages: ['connect ECONNREFUSED 127.0.0.1:1'],
		};
		expect(readNetworkError(wrapped, ORIGIN, 30_000, asIs)).toStrictEqual({
			reason: 'network',
			message: unreachable('the connection was refused'),
			description: 'ECONNREFUSED',
			retryable: false,
			unsent: true,
		});
	});

	it('names the origin it was given, never more', () => {
		const result = readNetworkError(networkError('ECONNREFUSED', 'x'), 'http://localhost:8080', 30_000, asIs);
		expect(result.message).toBe(
			'Could not reach Hyfin at http://localhost:8080: the connection was refused. Check the Base URL in the Hyfin API credential and that the server is up.',
		);
	});
});

describe('readAnswer: a rejection that is about the request, not the record', () => {
	const refused = (status: number, said: string) =>
		failure(
			'auth',
			status,
			`Hyfin refused the access token (HTTP ${status}: ${said}). Check the Access Token in the Hyfin API credential and that it belongs to this Site ID.`,
			`HTTP ${status}: ${JSON.stringify({ success: false, errors: [said] })}`,
			false,
		);

	it.each<[number, string]>([
		[200, 'invalid access token'],
		[400, 'Token expired'],
		[404, 'unauthorized'],
		[422, 'API key not valid'],
	])('reads {success: false} at HTTP %i saying %p as a refused token', (status, said) => {
		expect(read(status, JSON.stringify({ success: false, errors: [said] }))).toEqual(refused(status, said));
	});

	it.each<[number, string]>([
		[404, 'site not found'],
		[200, 'invalid site_id'],
		[400, 'Site ID unknown'],
	])('reads {success: false} at HTTP %i saying %p as an unknown site, named', (status, said) => {
		expect(read(status, JSON.stringify({ success: false, errors: [said] }))).toEqual(
			failure(
				'site',
				status,
				`Hyfin does not know site "site-1" (HTTP ${status}: ${said}). Check the Site ID in the Hyfin API credential.`,
				`HTTP ${status}: ${JSON.stringify({ success: false, errors: [said] })}`,
				false,
			),
		);
	});

	it('reads a JSON 404 naming neither as the address or site not found, for a write', () => {
		expect(read(404, JSON.stringify({ success: false, errors: ['not found'] }))).toEqual(
			failure(
				'notFound',
				404,
				'Hyfin answered HTTP 404 (not found): the site or the address was not found. Check the Site ID "site-1" and the Base URL in the Hyfin API credential.',
				'HTTP 404: {"success":false,"errors":["not found"]}',
				false,
			),
		);
	});

	it('reads a JSON 404 as the record missing when the request may ask for one that is not there (a Get)', () => {
		const body = JSON.stringify({ success: false, errors: ['customer not found'] });
		expect(readAnswer(answer(404, body), { requestUrl: ORIGIN, siteId: 's', redact: asIs, reading: 'record' })).toStrictEqual({
			kind: 'rejected',
			status: 404,
			errors: ['customer not found'],
		});
	});

	it.each(['missing email', 'invalid website', 'invalid notes (tok_x)'])('keeps %p a rejection of the record', (said) => {
		expect(read(200, JSON.stringify({ success: false, errors: [said] }))).toStrictEqual({ kind: 'rejected', status: 200, errors: [said] });
	});
});

describe('readAnswer: the token, redacted before anything is read', () => {
	const redact = (text: string) => text.split('tok_secret').join('[redacted]');
	const readRedacted = (status: number, body: string, headers: Record<string, unknown> = {}) =>
		readAnswer(answer(status, body, headers), { requestUrl: ORIGIN, siteId: 's', redact });

	it('in the errors of a rejection', () => {
		expect(readRedacted(200, '{"success":false,"errors":["invalid email tok_secret"]}')).toStrictEqual({
			kind: 'rejected',
			status: 200,
			errors: ['invalid email [redacted]'],
		});
	});

	it('in a success body', () => {
		expect(readRedacted(200, '{"success":true,"action":"added","_id":"tok_secret"}')).toStrictEqual({
			kind: 'success',
			status: 200,
			body: { success: true, action: 'added', _id: '[redacted]' },
		});
	});

	it('in the description of a failure, and in a redirect target', () => {
		const answered = readRedacted(302, '<a href="/x?t=tok_secret">moved</a>', { Location: '/login?t=tok_secret' });
		expect(answered.kind === 'failure' && [answered.failure.message, answered.failure.description]).toEqual([
			redirectMessage(302, 'https://h.example/login?t=[redacted]'),
			'HTTP 302: <a href="/x?t=[redacted]">moved</a>',
		]);
	});
});

describe('readNetworkError: answers that stop, and cancellation', () => {
	it.each<[string, unknown]>([
		[
			"n8n's wrapping of axios's ERR_BAD_RESPONSE",
			{ httpCode: 'ERR_BAD_RESPONSE', messages: ['stream has been aborted'], message: 'stream has been aborted' },
		],
		['a bare "aborted" error', { message: 'aborted' }],
	])('reads %s as an answer cut off, safe to send again', (_, error) => {
		expect(readNetworkError(error, ORIGIN, 30_000, asIs)).toStrictEqual({
			reason: 'cutOff',
			message: "Hyfin's answer was cut off: the connection closed before it ended, so whether the record was saved is unknown.",
			description: typeof (error as { httpCode?: string }).httpCode === 'string' ? 'ERR_BAD_RESPONSE' : 'aborted',
			retryable: true,
		});
	});

	it('reads ERR_CANCELED as the execution cancelled, not to be sent again', () => {
		expect(readNetworkError({ code: 'ERR_CANCELED', message: 'canceled' }, ORIGIN, 30_000, asIs)).toStrictEqual({
			reason: 'cancelled',
			message: 'The execution was cancelled before Hyfin answered.',
			description: 'ERR_CANCELED',
			retryable: false,
		});
	});

	it("redacts the error's own words", () => {
		const failure = readNetworkError({ message: 'bad header tok_secret' }, ORIGIN, 30_000, (text) =>
			text.replace('tok_secret', '[redacted]'),
		);
		expect(failure.description).toBe('bad header [redacted]');
	});
});

describe('readAnswer: a Get, which answers the record itself', () => {
	const get = (statusCode: number, body: unknown) =>
		readAnswer(
			{ statusCode, headers: {}, body: typeof body === 'string' ? body : JSON.stringify(body) },
			{
				requestUrl: 'https://h.example/api/v3/site/s1/product/P-1',
				siteId: 's1',
				redact: asIs,
				reading: 'record',
			},
		);
	const record = { _id: '6839e415564d3cc2160d945e', external_id: 'P-1', name: 'Wings', unit_price: '15.00' };

	it('reads the record, without a success field, as a success with the record as its body', () => {
		expect(get(200, record)).toStrictEqual({ kind: 'success', status: 200, body: record });
	});

	it('reads a JSON 404 with errors as the record not being there, not as a wrong address', () => {
		expect(get(404, { success: false, errors: ['product not found'] })).toStrictEqual({
			kind: 'rejected',
			status: 404,
			errors: ['product not found'],
		});
	});

	it('still reads a 404 about the site as the site being wrong', () => {
		expect(get(404, { success: false, errors: ['site not found'] })).toMatchObject({ kind: 'failure', failure: { reason: 'site' } });
	});

	it('reads a write answer without success: true as unexpected, as before', () => {
		const write = readAnswer(
			{ statusCode: 200, headers: {}, body: JSON.stringify(record) },
			{ requestUrl: 'https://h.example/x', siteId: 's1', redact: asIs },
		);
		expect(write).toMatchObject({ kind: 'failure', failure: { reason: 'unexpected' } });
	});
});

describe('readAnswer: which failures say Hyfin did nothing (unsent)', () => {
	it.each<[string, number, Record<string, string>, boolean]>([
		['429', 429, {}, true],
		['429 with Retry-After', 429, { 'Retry-After': '1' }, true],
		['503 with Retry-After', 503, { 'Retry-After': '1' }, true],
		['503 without Retry-After', 503, {}, false],
		['500', 500, {}, false],
		['502', 502, {}, false],
		['504', 504, {}, false],
	])('%s: unsent is %s', (_, status, headers, unsent) => {
		const answer = read(status, '', headers);
		expect(answer.kind === 'failure' && answer.failure.unsent === true).toBe(unsent);
	});

	it.each(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_BAD_RESPONSE'])('%s may have reached Hyfin: not unsent', (code) => {
		expect(readNetworkError(Object.assign(new Error(code), { code }), ORIGIN, 30_000, asIs).unsent).toBeUndefined();
	});
});
