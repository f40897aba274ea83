import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { readConnection, siteUrl, type HyfinConnection } from '../../nodes/Hyfin/transport/connection';

const NO_BASE_URL =
	'The Hyfin API credential has no Base URL: set it to the address of your Hyfin API, e.g. https://your-tenant.example.com';
const NO_SITE_ID =
	'The Hyfin API credential has no Site ID: use the site ID Hyfin gave you when the site was created';
const notAWebAddress = (value: string) =>
	`The Hyfin API credential's Base URL "${value}" is not a web address: it should look like https://your-tenant.example.com`;
const wrongScheme = (scheme: string) =>
	`The Hyfin API credential's Base URL must start with https:// (or http://), not ${scheme}//`;

const credential = (baseUrl: unknown, siteId: unknown = 'site-1') =>
	({ baseUrl, siteId, accessToken: 'secret' }) as ICredentialDataDecryptedObject;
const connect = (baseUrl: unknown, siteId: unknown = 'site-1') => readConnection(credential(baseUrl, siteId));

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
		['a query and fragment, dropped', 'https://h.example/prefix/?x=1#top', 'https://h.example/prefix', 'https://h.example'],
		['surrounding whitespace, trimmed', '  \thttps://h.example/prefix/ \n', 'https://h.example/prefix', 'https://h.example'],
	])('reads %s', (_, baseUrl, expectedBaseUrl, origin) => {
		expect(connect(baseUrl)).toStrictEqual({
			ok: true,
			connection: { baseUrl: expectedBaseUrl, origin, siteId: 'site-1', credentials: credential(baseUrl) },
		});
	});

	it('keeps user and password out of the origin', () => {
		expect(connect('https://user:pw@h.example/p')).toStrictEqual({
			ok: true,
			connection: {
				baseUrl: 'https://h.example/p',
				origin: 'https://h.example',
				siteId: 'site-1',
				credentials: credential('https://user:pw@h.example/p'),
			},
		});
	});

	it.each<[string, unknown, string]>([
		['trims a Site ID', '  site-1 \t', 'site-1'],
		['reads a numeric Site ID as text', 12345, '12345'],
		['keeps the Site ID’s inner characters as given', 'a b/c', 'a b/c'],
	])('%s', (_, siteId, expected) => {
		expect(connect('https://h.example', siteId)).toStrictEqual({
			ok: true,
			connection: {
				baseUrl: 'https://h.example',
				origin: 'https://h.example',
				siteId: expected,
				credentials: credential('https://h.example', siteId),
			},
		});
	});
});

describe('readConnection: a credential that cannot work', () => {
	it.each<[string, unknown]>([
		['left out', undefined],
		['null', null],
		['empty', ''],
		['whitespace', '   '],
		['not a string', 42],
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

	it('reports the Base URL first when both are missing', () => {
		expect(connect('', '')).toStrictEqual({ ok: false, message: NO_BASE_URL });
	});

	it('reports a bad Base URL before a missing Site ID', () => {
		expect(connect('ftp://h.example', '')).toStrictEqual({ ok: false, message: wrongScheme('ftp:') });
	});
});

describe('siteUrl', () => {
	const connection = (siteId: string, baseUrl = 'https://h.example'): HyfinConnection => ({
		baseUrl,
		origin: 'https://h.example',
		siteId,
		credentials: credential(baseUrl, siteId),
	});

	it('builds {base_url}/api/v3/site/{site_id}/{path}', () => {
		expect(siteUrl(connection('site-1'), 'customer/addUpdate')).toBe(
			'https://h.example/api/v3/site/site-1/customer/addUpdate',
		);
	});

	it('keeps the Base URL’s path prefix', () => {
		expect(siteUrl(connection('site-1', 'https://h.example/prefix'), 'customer/addUpdate')).toBe(
			'https://h.example/prefix/api/v3/site/site-1/customer/addUpdate',
		);
	});

	it('uses the version segment given', () => {
		expect(siteUrl(connection('site-1'), 'invoice/send', 'v3.1')).toBe(
			'https://h.example/api/v3.1/site/site-1/invoice/send',
		);
	});

	it.each([
		['a b/c', 'a%20b%2Fc'],
		['x?y#z', 'x%3Fy%23z'],
		['../admin', '..%2Fadmin'],
		['ä', '%C3%A4'],
		['60f720d248f143332af022e0', '60f720d248f143332af022e0'],
	])('path-encodes the Site ID %p as %p', (siteId, encoded) => {
		expect(siteUrl(connection(siteId), 'customer/addUpdate')).toBe(
			`https://h.example/api/v3/site/${encoded}/customer/addUpdate`,
		);
	});

	it('joins with a credential read by readConnection without doubled slashes', () => {
		const result = connect('https://h.example/prefix//', 'a b');
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(siteUrl(result.connection, 'customer/addUpdate')).toBe(
			'https://h.example/prefix/api/v3/site/a%20b/customer/addUpdate',
		);
	});
});
