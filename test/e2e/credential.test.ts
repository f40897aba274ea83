/**
 * The "Hyfin API" credential's test as n8n runs it (the editor's Test button: POST
 * /rest/credentials/test on `n8n start`), against the sandbox: Connected only when the token and
 * the site work, and each other case says what to check.
 */
import * as n8n from '../../scripts/lib/n8n';
import { CREDENTIALS, GOOD_TOKEN, WRONG_SITE_ID, WRONG_TOKEN, useE2E, type Server } from './helpers/n8n';

jest.setTimeout(240_000);

const e2e = useE2E(() => []);
let server: Server | undefined;
let cookie = '';

beforeAll(async () => {
	server = await n8n.start(e2e.n8n, e2e.home);
	cookie = await n8n.signIn(server.url);
}, 180_000);

afterAll(async () => {
	await server?.stop();
});

/** What n8n answers for the stored credential `id`, tested with `data` as typed into the form. */
async function testCredential(data: Record<string, string>, id = CREDENTIALS.good.id) {
	const body = { credentials: { id, name: 'Hyfin', type: 'hyfinApi', data } };
	return (await n8n.rest(server!.url, '/rest/credentials/test', { cookie, method: 'POST', body })).data;
}

const TOKEN_MESSAGE = 'Hyfin refused the access token. Check the Access Token and that it belongs to this Site ID.';
const NOT_HYFIN =
	'The Base URL did not answer like the Hyfin API (a web page, a redirect, an empty answer, or a proxy refusing the request). Check the Base URL, and the Access Token.';

test("passes with the sandbox's token and site: it asked for a customer that does not exist, and changed nothing", async () => {
	const { sandbox } = e2e;
	e2e.resetSandbox();
	await expect(testCredential({ baseUrl: sandbox.baseUrl, siteId: sandbox.siteId, accessToken: GOOD_TOKEN })).resolves.toEqual({
		status: 'OK',
		message: 'Connection successful!',
	});
	expect(sandbox.stats().requests).toEqual({ 'GET /api/v3/site/:site_id/customer/:external_id': { '404': 1 } });
	expect(sandbox.store.count()).toBe(0);
});

test('passes with a token pasted with a trailing line break and a Base URL with a trailing slash', async () => {
	const { sandbox } = e2e;
	await expect(
		testCredential({ baseUrl: `${sandbox.baseUrl}/`, siteId: ` ${sandbox.siteId} `, accessToken: `${GOOD_TOKEN}\n` }),
	).resolves.toEqual({
		status: 'OK',
		message: 'Connection successful!',
	});
});

test.each([
	['a token Hyfin refuses (401)', () => ({ accessToken: WRONG_TOKEN }), TOKEN_MESSAGE],
	[
		'a Site ID Hyfin does not know (404, site not found)',
		() => ({ siteId: WRONG_SITE_ID }),
		'Hyfin does not know this Site ID. Check the Site ID Hyfin gave you when the site was created.',
	],
	['a Base URL that is a web site (an HTML 404)', () => ({ baseUrl: `${e2e.sandbox.baseUrl}/not-the-api` }), NOT_HYFIN],
	['a Site ID of .. (a path that is not the API)', () => ({ siteId: '..' }), NOT_HYFIN],
])('fails on %s, saying what to check', async (_, change, message) => {
	const { sandbox } = e2e;
	const data = { baseUrl: sandbox.baseUrl, siteId: sandbox.siteId, accessToken: GOOD_TOKEN, ...change() };
	await expect(testCredential(data)).resolves.toEqual({ status: 'Error', message });
});
