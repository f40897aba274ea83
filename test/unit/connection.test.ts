import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { readConnection, siteUrl } from '../../nodes/Hyfin/transport/connection';

const NO_BASE_URL =
	'The Hyfin API credential has no Base URL: set it to the address of your Hyfin API, e.g. https://your-tenant.example.com';
const NO_SITE_ID = 'The Hyfin API credential has no Site ID: use the site ID Hyfin gave you when the site was created';
const notAWebAddress = (value: string) =>
	`The Hyfin API credential's Base URL "${value}" is not a web address: it should look like https://your-tenant.example.com`;
const wrongScheme = (scheme: string) => `The Hyfin API credential's Base URL must start with https:// (or http://), not ${scheme}//`;

const credential = (baseUrl: unknown, siteId: unknown = 'site-1') =>
	({ baseUrl, siteId, accessToken: 'secret' }) as ICredentialDataDecryptedObject;
const connect = (baseUrl: unknown, siteId: unknown = 'site-1') => readConnection(credential(baseUrl, siteId));

/** A connection without its redactor (a function), which is tested on its own below. */
function read(credentials: ICredentialDataDecryptedObject) {
	const result = readConnection(credentials);
	if (!result.ok) return result;
	const { redact, ...connection } = result.connection;
	expect(typeof redact).toBe('function');
	return { ok: true, connection };
}

const connected = (baseUrl: string, origin: string, siteId = 'site-1', accessToken = 'secret') => ({
	ok: true,
	connection: { baseUrl, origin, siteId, credentials: { baseUrl, siteId, accessToken } },
});

describe('readConnection: a valid credential', () => {
	it.each<[string, string, string, string]>([
		['a bare host', 'https://h.example', 'https://h.example', 'https://h.example'],
		['a trailing slash, removed', 'https://h.example/', 'https://h.example', 'https://h.example'],
		['several trailing slashes, removed', 'https://h.example///', 'https://h.example', 'https://h.example'],
		['a path prefix, kept', 'https://h.example/prefix/', 'https://h.example/prefix', 'https://h.example'],
		['a deeper prefix with slashes after it', 'https://h.example/a/b//', 'https://h.example/a/b', 'https://h.example'],
		['http and a port, kept', 'http://h.example:8080/api-root', 'http://h.example:8080/api-root', 'http://h.example:8080'],
		['the default https port, dropped', 'https://h.example:443/', 'https://h.example', 'https://h.example'],
		['an upper-case host, lower-cased', 'https://H.Example/Prefix', 'https://h.example/Prefix', 'https://h.example'],
		['surrounding whitespace, trimmed', '  \thttps://h.example/prefix/ \n', 'https://h.example/prefix', 'https://h.example'],
	])('reads %s', (_, baseUrl, expectedBaseUrl, origin) => {
		expect(read(credential(baseUrl))).toStrictEqual(connected(expectedBaseUrl, origin));
	});

	it.each<[string, unknown, string]>([
		['trims a Site ID', '  site-1 \t', 'site-1'],
		['reads a numeric Site ID as text', 12345, '12345'],
		['keeps the Site ID’s inner characters as given', 'a b/c', 'a b/c'],
		['keeps a Site ID of dots and more', '..a', '..a'],
	])('%s', (_, siteId, expected) => {
		expect(read(credential('https://h.example', siteId))).toStrictEqual(connected('https://h.example', 'https://h.example', expected));
	});

	it.each<[string, string]>([
		['a trailing line break', 'tok_abc123\n'],
		['surrounding spaces and tabs', ' \ttok_abc123 '],
		['a Windows line break', 'tok_abc123\r\n'],
	])('trims an Access Token pasted with %s, so it is signed as Hyfin gave it', (_, accessToken) => {
		expect(read({ baseUrl: 'https://h.example', siteId: 'site-1', accessToken })).toStrictEqual(
			connected('https://h.example', 'https://h.example', 'site-1', 'tok_abc123'),
		);
	});

	it('redacts its own token', () => {
		const result = readConnection({ baseUrl: 'https://h.example', siteId: 's', accessToken: ' tok_abc123 ' });
		expect(result.ok && result.connection.redact('token tok_abc123 refused')).toBe('token [redacted] refused');
	});
});

describe('readConnection: a credential that cannot work', () => {
	it.each<[string, unknown]>([
		['left out', undefined],
		['null', null],
		['empty', ''],
		['whitespace', '   '],
		['a number', 42],
	])('rejects a Base URL that is %s', (_, baseUrl) => {
		expect(connect(baseUrl)).toStrictEqual({ ok: false, message: NO_BASE_URL });
	});

	it.each([
		['a bare host name', 'h.example', 'h.example'],
		['a scheme alone', 'https://', 'https://'],
		['words', 'my hyfin site', 'my hyfin site'],
		['a trimmed value, shown trimmed', '  //h.example  ', '//h.example'],
		['a host and port without a scheme', 'localhost:5678', 'localhost:5678'],
	])('rejects %s as not a web address', (_, baseUrl, shown) => {
		expect(connect(baseUrl)).toStrictEqual({ ok: false, message: notAWebAddress(shown) });
	});

	it.each([
		['ftp://h.example', 'ftp:'],
		['file:///etc/hosts', 'file:'],
		['ws://h.example', 'ws:'],
	])('rejects the scheme of %s', (baseUrl, scheme) => {
		expect(connect(baseUrl)).toStrictEqual({ ok: false, message: wrongScheme(scheme) });
	});

	it.each<[string, unknown]>([
		['left out', undefined],
		['null', null],
		['empty', ''],
		['whitespace', ' \t '],
	])('rejects a Site ID that is %s', (_, siteId) => {
		const credentials: ICredentialDataDecryptedObject = { baseUrl: 'https://h.example', accessToken: 'secret' };
		if (siteId !== undefined) (credentials as Record<string, unknown>).siteId = siteId;
		expect(readConnection(credentials)).toStrictEqual({ ok: false, message: NO_SITE_ID });
	});

	it.each(['.', '..', ' .. '])("rejects the Site ID %p, which would change the request's path", (siteId) => {
		expect(connect('https://h.example', siteId)).toStrictEqual({
			ok: false,
			message: `The Hyfin API credential's Site ID "${siteId.trim()}" is not a site ID: use the site ID Hyfin gave you when the site was created`,
		});
	});

	const WITH_USER =
		"The Hyfin API credential's Base URL holds a user name or password (before an @): remove it, e.g. https://h.example. Hyfin is signed in to with the Access Token.";
	const WITH_QUERY =
		"The Hyfin API credential's Base URL has a query string or fragment (from ? or #): remove it. The node adds /api/v3/site/... to the Base URL, so nothing may follow its path.";

	it.each([
		['a user and password', 'https://user:s3cret-pw@h.example/p', WITH_USER],
		['a user alone', 'https://user@h.example', WITH_USER],
		['an empty user', 'https://@h.example', WITH_USER],
		['a query string', 'https://h.example/p?key=s3cret-pw', WITH_QUERY],
		['an empty query', 'https://h.example/p?', WITH_QUERY],
		['a fragment', 'https://h.example/p#top', WITH_QUERY],
	])('rejects a Base URL with %s, never quoting it', (_, baseUrl, message) => {
		expect(connect(baseUrl)).toStrictEqual({ ok: false, message });
	});

	it.each([
		['https://user:s3cret-pw@h example', 'https://…@h example'],
		['user:s3cret-pw@h.example', '…@h.example'],
		['h.example?key=s3cret-pw', 'h.example?…'],
		['user:s3cret@h.example?key=x', '…@h.example?…'],
	])('quotes a malformed Base URL %p without what may be a password', (baseUrl, shown) => {
		expect(connect(baseUrl)).toStrictEqual({ ok: false, message: notAWebAddress(shown) });
	});

	it.each<[string, unknown]>([
		['left out', undefined],
		['empty', ''],
		['only a line break', '\n'],
	])('rejects an Access Token that is %s', (_, accessToken) => {
		expect(readConnection({ baseUrl: 'https://h.example', siteId: 's', accessToken } as ICredentialDataDecryptedObject)).toStrictEqual({
			ok: false,
			message: 'The Hyfin API credential has no Access Token: paste the API access token Hyfin gave you',
		});
	});

	it.each([
		['an inner line break', 'tok_abc\n123'],
		['a control character', 'tok_abc\u0007123'],
		['a character beyond Latin-1', 'tok_abc€123'],
	])('rejects an Access Token with %s, never quoting it', (_, accessToken) => {
		const result = readConnection({ baseUrl: 'https://h.example', siteId: 's', accessToken });
		expect(result).toStrictEqual({
			ok: false,
			message:
				"The Hyfin API credential's Access Token holds a line break or another character a request header cannot carry: paste the token again, exactly as Hyfin gave it",
		});
	});

	it('reports the Base URL first when both are missing', () => {
		expect(connect('', '')).toStrictEqual({ ok: false, message: NO_BASE_URL });
	});

	it('reports a bad Base URL before a missing Site ID', () => {
		expect(connect('ftp://h.example', '')).toStrictEqual({ ok: false, message: wrongScheme('ftp:') });
	});
});

describe('siteUrl', () => {
	const connection = (siteId: string, baseUrl = 'https://h.example') => ({ baseUrl, siteId });

	it('builds {base_url}/api/v3/site/{site_id}/{path}', () => {
		expect(siteUrl(connection('site-1'), 'customer/addUpdate')).toBe('https://h.example/api/v3/site/site-1/customer/addUpdate');
	});

	it('keeps the Base URL’s path prefix', () => {
		expect(siteUrl(connection('site-1', 'https://h.example/prefix'), 'customer/addUpdate')).toBe(
			'https://h.example/prefix/api/v3/site/site-1/customer/addUpdate',
		);
	});

	it('uses the version segment given', () => {
		expect(siteUrl(connection('site-1'), 'invoice/send', 'v3.1')).toBe('https://h.example/api/v3.1/site/site-1/invoice/send');
	});

	it.each([
		['a b/c', 'a%20b%2Fc'],
		['x?y#z', 'x%3Fy%23z'],
		['../admin', '..%2Fadmin'],
		['ä', '%C3%A4'],
		['60f720d248f143332af022e0', '60f720d248f143332af022e0'],
	])('path-encodes the Site ID %p as %p', (siteId, encoded) => {
		expect(siteUrl(connection(siteId), 'customer/addUpdate')).toBe(`https://h.example/api/v3/site/${encoded}/customer/addUpdate`);
	});

	it('joins with a credential read by readConnection without doubled slashes', () => {
		const result = connect('https://h.example/prefix//', 'a b');
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(siteUrl(result.connection, 'customer/addUpdate')).toBe('https://h.example/prefix/api/v3/site/a%20b/customer/addUpdate');
	});
});
