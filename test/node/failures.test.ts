import nock from 'nock';

import { shutdownEngine } from './harness';
import {
	ADD_UPDATE_PATH,
	BASE_URL,
	TOKEN,
	added,
	autoColumns,
	everything,
	idFor,
	interceptAddUpdate,
	jsonOf,
	listen,
	localCredentials,
	pairingOf,
	runAddUpdate,
} from './fixtures';

beforeAll(() => nock.disableNetConnect());
beforeEach(() => nock.enableNetConnect('127.0.0.1'));
afterEach(() => nock.cleanAll());
afterAll(async () => {
	nock.enableNetConnect();
	await shutdownEngine();
});

const row = (id: string) => ({ external_id: id, first_name: 'First', last_name: 'Last' });
const HTML_502 = '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>';

describe('failures that are not about the record', () => {
	it('a refused token stops the workflow with a message saying what to check, and never shows the token', async () => {
		interceptAddUpdate(1, () => [401, { success: false, errors: [`invalid access token ${TOKEN}`] }]);
		const result = await runAddUpdate({ columns: autoColumns }, [row('a1')]);
		expect(result.error?.message).toBe(
			'Hyfin request for item 0 (external_id "a1") failed: Hyfin refused the access token (HTTP 401). Check the Access Token in the Hyfin API credential and that it belongs to this Site ID.',
		);
		expect(result.error?.description).toBe('HTTP 401: {"success":false,"errors":["invalid access token [redacted]"]}');
		expect(everything(result)).not.toContain(TOKEN);
	});

	it('a 403 is a refused token too', async () => {
		interceptAddUpdate(1, () => [403, 'Forbidden']);
		const result = await runAddUpdate({ columns: autoColumns }, [row('a2')]);
		expect(result.error?.message).toBe(
			'Hyfin request for item 0 (external_id "a2") failed: Hyfin refused the access token (HTTP 403). Check the Access Token in the Hyfin API credential and that it belongs to this Site ID.',
		);
	});

	it('an HTML 502 from a proxy is a NodeApiError quoting what came back', async () => {
		interceptAddUpdate(1, () => [502, HTML_502, { 'Content-Type': 'text/html' }]);
		const result = await runAddUpdate({ columns: autoColumns, options: { maxRetries: 0 } }, [row('p1')]);
		expect(result.error?.name).toBe('NodeApiError');
		expect(result.error?.message).toBe(
			'Hyfin request for item 0 (external_id "p1") failed: Hyfin answered HTTP 502, a server error page, not JSON. Hyfin or a proxy in front of it is failing; try again later.',
		);
		expect(result.error?.description).toBe(`HTTP 502: ${HTML_502}`);
	});

	it('an unreachable host says which address could not be reached', async () => {
		// A port that was just free, now closed: connecting to it is refused.
		const { server, url } = await listen();
		await new Promise((resolve) => server.close(resolve));
		const result = await runAddUpdate({ columns: autoColumns }, [row('n1')], localCredentials(url));
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.error?.message).toBe(
			`Hyfin request for item 0 (external_id "n1") failed: Could not reach Hyfin at ${url}: the connection was refused. Check the Base URL in the Hyfin API credential and that the server is up.`,
		);
		expect(result.error?.description).toBe('ECONNREFUSED');
	});

	it('a web page instead of JSON at HTTP 200 points at the Base URL', async () => {
		interceptAddUpdate(1, () => [200, '<!doctype html><html><body>Welcome to our website</body></html>']);
		const result = await runAddUpdate({ columns: autoColumns }, [row('w1')]);
		expect(result.error?.message).toBe(
			'Hyfin request for item 0 (external_id "w1") failed: Hyfin answered HTTP 200 with something that is not JSON. Check that the Base URL in the Hyfin API credential points at the Hyfin API, not a web page.',
		);
	});

	it('does not follow a redirect to another host, so the token goes nowhere else', async () => {
		nock(BASE_URL).post(ADD_UPDATE_PATH).reply(307, '', { Location: 'https://elsewhere.example.test/api/v3/site/x/customer/addUpdate' });
		const elsewhere = nock('https://elsewhere.example.test').post(/.*/).reply(200, { success: true, action: 'added', _id: 'x' });
		const result = await runAddUpdate({ columns: autoColumns }, [row('r1')]);
		expect(elsewhere.isDone()).toBe(false);
		expect(result.error?.message).toBe(
			'Hyfin request for item 0 (external_id "r1") failed: Hyfin answered HTTP 307, a redirect to https://elsewhere.example.test/api/v3/site/x/customer/addUpdate. It was not followed, so the access token went nowhere else. If that is the right address, put it in the credential\'s Base URL.',
		);
	});

	it('gives up on a request that takes longer than Request Timeout', async () => {
		// The server reads the request and never answers.
		const { server, url } = await listen();
		try {
			const result = await runAddUpdate(
				{ columns: autoColumns, options: { timeoutSeconds: 1, maxRetries: 0 } },
				[row('t1')],
				localCredentials(url),
			);
			expect(result.error?.message).toBe(`Hyfin request for item 0 (external_id "t1") failed: Hyfin at ${url} did not answer within 1 s.`);
		} finally {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		}
	});

	it('a broken Base URL in the credential fails each item with what to fix, sending nothing', async () => {
		const result = await runAddUpdate({ columns: autoColumns }, [row('c1')], {
			credentials: { hyfinApi: { baseUrl: 'hyfin.example.test', siteId: 's', accessToken: TOKEN } },
		});
		expect(result.error?.message).toBe(
			'The Hyfin API credential\'s Base URL "hyfin.example.test" is not a web address: it should look like https://your-tenant.example.com',
		);
	});

	it('a Base URL with a path prefix and a trailing slash reaches {base_url}/api/v3/...', async () => {
		const seen = interceptAddUpdate(1, added, 'https://gw.example.test', '/hyfin/api/v3/site/site%2042%2Fa/customer/addUpdate');
		const result = await runAddUpdate({ columns: autoColumns }, [row('b1')], {
			credentials: { hyfinApi: { baseUrl: ' https://gw.example.test/hyfin/ ', siteId: 'site 42/a', accessToken: TOKEN } },
		});
		expect(seen).toEqual([{ token: TOKEN, body: row('b1') }]);
		expect(jsonOf(result.outputs[0])).toEqual([{ success: true, action: 'added', _id: idFor('b1'), external_id: 'b1' }]);
	});
});

describe('On Error = Continue', () => {
	const answers = (body: { external_id?: unknown }) => {
		if (body.external_id === 'bad-gateway') return [502, HTML_502] as [number, string];
		if (body.external_id === 'refused') return [401, { success: false, errors: ['invalid access token'] }] as [number, object];
		return added(body as never);
	};

	it('(using error output) routes exactly the failed items there, merged with their input, and the rest go on', async () => {
		interceptAddUpdate(4, answers as never);
		const result = await runAddUpdate(
			{ columns: autoColumns, options: { maxRetries: 0 } },
			[row('ok-0'), row('bad-gateway'), row('ok-2'), row('refused')],
			{ onError: 'continueErrorOutput' },
		);
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.outputs[0])).toEqual([
			{ success: true, action: 'added', _id: idFor('ok-0'), external_id: 'ok-0' },
			{ success: true, action: 'added', _id: idFor('ok-2'), external_id: 'ok-2' },
		]);
		expect(pairingOf(result.outputs[0])).toEqual([{ item: 0 }, { item: 2 }]);
		expect(jsonOf(result.outputs[1])).toEqual([
			{
				...row('bad-gateway'),
				error: `Hyfin request for item 1 (external_id "bad-gateway") failed: Hyfin answered HTTP 502, a server error page, not JSON. Hyfin or a proxy in front of it is failing; try again later. (HTTP 502: ${HTML_502})`,
			},
			{
				...row('refused'),
				error:
					'Hyfin request for item 3 (external_id "refused") failed: Hyfin refused the access token (HTTP 401). Check the Access Token in the Hyfin API credential and that it belongs to this Site ID. (HTTP 401: {"success":false,"errors":["invalid access token"]})',
			},
		]);
		expect(pairingOf(result.outputs[1])).toEqual([{ item: 1 }, { item: 3 }]);
	});

	it('(using regular output) keeps every item in input order, failed ones carrying only the error', async () => {
		interceptAddUpdate(2, answers as never);
		const result = await runAddUpdate({ columns: autoColumns, options: { maxRetries: 0 } }, [row('bad-gateway'), row('ok-1')], {
			onError: 'continueRegularOutput',
		});
		expect(result.outputs).toHaveLength(1);
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				error: `Hyfin request for item 0 (external_id "bad-gateway") failed: Hyfin answered HTTP 502, a server error page, not JSON. Hyfin or a proxy in front of it is failing; try again later. (HTTP 502: ${HTML_502})`,
			},
			{ success: true, action: 'added', _id: idFor('ok-1'), external_id: 'ok-1' },
		]);
		expect(pairingOf(result.outputs[0])).toEqual([{ item: 0 }, { item: 1 }]);
	});
});
