import { createServer } from 'http';
import type { AddressInfo } from 'net';
import { CredentialTestContext } from 'n8n-core';
import nock from 'nock';
import type { ICredentialDataDecryptedObject, INodeCredentialTestResult } from 'n8n-workflow';

import { Hyfin } from '../../nodes/Hyfin/Hyfin.node';
import { shutdownEngine } from './harness';

const BASE_URL = 'https://hyfin.example.test';
const TOKEN = 'tok_cred_test_5e1b';
const PROBE_PATH = /^\/api\/v3\/site\/site-7\/customer\/n8n-credential-test-[0-9a-f]{12}$/;

/** n8n's CLI finds the test through the node's `testedBy` and calls it with a CredentialTestContext. */
async function testCredential(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const node = new Hyfin();
	const testedBy = node.description.credentials?.find((credential) => credential.name === 'hyfinApi')?.testedBy;
	expect(testedBy).toBe('hyfinApiCredentialTest');
	const test = node.methods.credentialTest[testedBy as 'hyfinApiCredentialTest'];
	return await test.call(new CredentialTestContext(), { id: 'c1', name: 'Hyfin', type: 'hyfinApi', data });
}

const credential = { baseUrl: BASE_URL, siteId: 'site-7', accessToken: TOKEN };

/** Answers the probe GET once, recording the token it carried; any other request fails the test. */
function probe(status: number, body: string | object, headers: Record<string, string> = {}) {
	const seen: unknown[] = [];
	nock(BASE_URL)
		.get(PROBE_PATH)
		.reply(function () {
			seen.push(this.req.headers['x-access-token']);
			return [status, body, headers];
		});
	return seen;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(async () => {
	nock.enableNetConnect();
	await shutdownEngine();
});

describe('the Hyfin API credential test', () => {
	it("passes on Hyfin's JSON 'not found' for a random customer: token and site work", async () => {
		const seen = probe(404, { success: false, errors: ['customer not found'] });
		await expect(testCredential(credential)).resolves.toEqual({
			status: 'OK',
			message: 'Connected: Hyfin accepted the access token for site "site-7".',
		});
		expect(seen).toEqual([TOKEN]);
	});

	it('passes when Hyfin answers not-found with HTTP 200', async () => {
		probe(200, { success: false, errors: ['customer not found'] });
		await expect(testCredential(credential)).resolves.toEqual({
			status: 'OK',
			message: 'Connected: Hyfin accepted the access token for site "site-7".',
		});
	});

	it.each([401, 403])('says the token was refused on HTTP %i', async (status) => {
		probe(status, { success: false, errors: ['invalid access token'] });
		await expect(testCredential(credential)).resolves.toEqual({
			status: 'Error',
			message: `Hyfin refused the access token (HTTP ${status}). Check the Access Token in the Hyfin API credential and that it belongs to this Site ID.`,
		});
	});

	it.each<[number, string]>([
		[200, 'invalid access token'],
		[400, 'token expired'],
		[404, 'unauthorized'],
	])('never says Connected when Hyfin answers HTTP %i with {success: false} saying %p', async (status, said) => {
		probe(status, { success: false, errors: [said] });
		await expect(testCredential(credential)).resolves.toEqual({
			status: 'Error',
			message: `Hyfin refused the access token (HTTP ${status}: ${said}). Check the Access Token in the Hyfin API credential and that it belongs to this Site ID.`,
		});
	});

	it('signs with the token trimmed, and never shows it, whatever Hyfin echoes', async () => {
		const seen = probe(401, { success: false, errors: [`invalid access token ${TOKEN}`] });
		const result = await testCredential({ ...credential, accessToken: `${TOKEN}\n` });
		expect(seen).toEqual([TOKEN]);
		expect(result).toEqual({
			status: 'Error',
			message: 'Hyfin refused the access token (HTTP 401). Check the Access Token in the Hyfin API credential and that it belongs to this Site ID.',
		});
		expect(JSON.stringify(result)).not.toContain(TOKEN);
	});

	it('says the Base URL or Site ID look wrong on a 404 that is not Hyfin\'s JSON', async () => {
		probe(404, '<html><body><h1>Not Found</h1></body></html>', { 'Content-Type': 'text/html' });
		await expect(testCredential(credential)).resolves.toEqual({
			status: 'Error',
			message: "Hyfin's address was not found (HTTP 404, and not a Hyfin answer). Check the Base URL and Site ID in the Hyfin API credential.",
		});
	});

	it('says the site is unknown when Hyfin\'s JSON says so', async () => {
		probe(404, { success: false, errors: ['site not found'] });
		await expect(testCredential(credential)).resolves.toEqual({
			status: 'Error',
			message: 'Hyfin does not know site "site-7" (HTTP 404: site not found). Check the Site ID in the Hyfin API credential.',
		});
	});

	it('says the Base URL looks wrong on any answer that is not Hyfin\'s JSON', async () => {
		probe(200, '<!doctype html><title>Welcome</title>');
		await expect(testCredential(credential)).resolves.toEqual({
			status: 'Error',
			message:
				'Hyfin answered HTTP 200 with something that is not JSON. Check that the Base URL in the Hyfin API credential points at the Hyfin API, not a web page.',
		});
	});

	it('does not follow a redirect with the token', async () => {
		probe(301, '', { Location: 'https://login.example.test/' });
		const elsewhere = nock('https://login.example.test').get(/.*/).reply(200, { success: true });
		await expect(testCredential(credential)).resolves.toEqual({
			status: 'Error',
			message:
				"Hyfin answered HTTP 301, a redirect to https://login.example.test/. It was not followed, so the access token went nowhere else. If that is the right address, put it in the credential's Base URL.",
		});
		expect(elsewhere.isDone()).toBe(false);
	});

	it('says the host is unreachable when nothing listens there', async () => {
		nock.enableNetConnect('127.0.0.1');
		const server = createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		await new Promise((resolve) => server.close(resolve));
		await expect(testCredential({ ...credential, baseUrl: url })).resolves.toEqual({
			status: 'Error',
			message: `Could not reach Hyfin at ${url}: the connection was refused. Check the Base URL in the Hyfin API credential and that the server is up.`,
		});
	});

	it('reports a Base URL that is not a web address before sending anything', async () => {
		await expect(testCredential({ ...credential, baseUrl: 'not a url' })).resolves.toEqual({
			status: 'Error',
			message: 'The Hyfin API credential\'s Base URL "not a url" is not a web address: it should look like https://your-tenant.example.com',
		});
	});
});
