/**
 * Regression tests for what a probe in real n8n found (issue 8): records merged, older rows
 * winning, items lost, the token leaked, request problems read as rejections, cancel ignored,
 * cut-off answers misread, credential edge cases. Each runs the node in n8n's engine.
 */
import type { IncomingMessage, ServerResponse } from 'http';
import nock from 'nock';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { Hyfin } from '../../nodes/Hyfin/Hyfin.node';
import * as customerSchema from '../../nodes/Hyfin/schemas/customer';
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
	manualColumns,
	pairingOf,
	runAddUpdate,
} from './fixtures';

beforeAll(() => nock.disableNetConnect());
beforeEach(() => nock.enableNetConnect('127.0.0.1'));
afterEach(() => {
	nock.cleanAll();
	jest.restoreAllMocks();
});
afterAll(async () => {
	nock.enableNetConnect();
	await shutdownEngine();
});

const row = (id: string | number, first = 'First') => ({ external_id: id, first_name: first, last_name: 'Last' });
const success = (id: string, action = 'added') => ({ success: true, action, _id: idFor(id), external_id: id });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads a request's JSON body. */
async function bodyOf(req: IncomingMessage): Promise<IDataObject> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return JSON.parse(Buffer.concat(chunks).toString('utf8')) as IDataObject;
}

function answerJson(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}) {
	res.writeHead(status, { 'content-type': 'application/json', ...headers });
	res.end(JSON.stringify(json));
}

/** A Hyfin that stores what it is sent, answering each request after `delayMs(body)`, and logs what happens when. */
async function slowHyfin(delayMs: (body: IDataObject, arrival: number) => number) {
	const stored = new Map<string, IDataObject>();
	const log: string[] = [];
	let arrivals = 0;
	const { server, url } = await listen(async (req, res) => {
		const arrival = arrivals++;
		const body = await bodyOf(req);
		const name = `${String(body.external_id)}/${String(body.first_name)}`;
		log.push(`arrive ${name}`);
		await pause(delayMs(body, arrival));
		const action = stored.has(String(body.external_id)) ? 'updated' : 'added';
		stored.set(String(body.external_id), body);
		log.push(`answer ${name}`);
		answerJson(res, 200, { success: true, action, _id: idFor(String(body.external_id)) });
	});
	return {
		url,
		stored,
		log,
		arrivals: () => arrivals,
		close: () => new Promise((resolve) => server.close(resolve)),
	};
}

describe('1. different customers are never merged', () => {
	it('sends text ids exactly as they are: "1e3" is not "1000", "12.0" is not "12"', async () => {
		const seen = interceptAddUpdate(4, added);
		const result = await runAddUpdate({ columns: autoColumns }, [row('1e3'), row('1000'), row('12.0'), row('12')]);
		expect(seen.map(({ body }) => body.external_id).sort()).toEqual(['1000', '12', '12.0', '1e3']);
		expect(jsonOf(result.outputs[0])).toEqual([success('1e3'), success('1000'), success('12.0'), success('12')]);
	});

	it('refuses a numeric id too large to be exact, saying to format the column as text, and sends nothing for it', async () => {
		const seen = interceptAddUpdate(1, added);
		const result = await runAddUpdate({ columns: autoColumns }, [row(12345678901234567890), row(39772634)]);
		expect(seen.map(({ body }) => body.external_id)).toEqual(['39772634']);
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				success: false,
				errors: ['invalid external_id'],
				external_id: null,
				message:
					'Item 0 was not sent to Hyfin: External ID is a number with too many digits to be read exactly: format the column as text (plain text in Google Sheets, Text in Excel), so every digit is kept',
			},
			success('39772634'),
		]);
	});
});

describe('2. the later row for an external_id is the one that stays', () => {
	it('sends rows with the same external_id one after another, in input order, and other ids beside them', async () => {
		// Hyfin takes longest over the first row: sent together, the older values would be stored last.
		const hyfin = await slowHyfin((body) => (body.first_name === 'Old' ? 150 : 5));
		try {
			const result = await runAddUpdate(
				{ columns: autoColumns },
				[row('same', 'Old'), row('other', 'Other'), row('SAME', 'New')],
				localCredentials(hyfin.url),
			);
			expect(hyfin.log).toEqual([
				'arrive same/Old',
				'arrive other/Other',
				'answer other/Other',
				'answer same/Old',
				'arrive SAME/New',
				'answer SAME/New',
			]);
			expect(jsonOf(result.outputs[0])).toEqual([success('same'), success('other'), success('SAME')]);
		} finally {
			await hyfin.close();
		}
	});

	it('keeps the last row for an id when many rows of it come together', async () => {
		const hyfin = await slowHyfin((_, arrival) => 40 - arrival * 4);
		try {
			const rows = Array.from({ length: 8 }, (_, n) => row('dup', `v${n}`));
			const result = await runAddUpdate({ columns: autoColumns, options: { maxConcurrent: 8 } }, rows, localCredentials(hyfin.url));
			expect(hyfin.stored.get('dup')?.first_name).toBe('v7');
			expect(hyfin.log.filter((line) => line.startsWith('arrive'))).toEqual(rows.map((_, n) => `arrive dup/v${n}`));
			expect(jsonOf(result.outputs[0]).map((json) => json.action)).toEqual(['added', ...Array(7).fill('updated')]);
		} finally {
			await hyfin.close();
		}
	});
});

describe('3. one bad item fails only itself, and nothing is sent after the node returns', () => {
	const e164 = (countryCode: string) => ({
		columns: manualColumns({ external_id: '={{ $json.id }}', first_name: 'A', last_name: 'B', mobile_phone: '={{ $json.phone }}' }),
		options: { phoneFormat: 'e164', defaultCountryCode: countryCode },
	});
	const items = [
		{ id: 'p0', phone: '07700 900123', cc: 44 },
		{ id: 'p1', phone: '07700 900124', cc: null },
		{ id: 'p2', phone: '(305) 555-0177', cc: '1' },
	];

	it('reads a Default Country Code from an expression per item, failing only the item whose value is not one', async () => {
		const seen = interceptAddUpdate(2, added);
		const result = await runAddUpdate(e164('={{ $json.cc }}'), items, { onError: 'continueRegularOutput' });
		expect(seen.map(({ body }) => [body.external_id, body.mobile_phone])).toEqual([
			['p0', '+447700900123'],
			['p2', '+13055550177'],
		]);
		expect(jsonOf(result.outputs[0])).toEqual([
			success('p0'),
			{
				error: 'The option "Default Country Code" must be a country calling code of 1 to 3 digits, such as 44, but for item 1 it is empty',
			},
			success('p2'),
		]);
		expect(pairingOf(result.outputs[0])).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	// Found by the property suite: an expression that finds no value failed its item as "must be text", even where unused.
	it('reads an option whose expression finds no value as empty: no matter with Phone Format As Given, an error with E.164', async () => {
		const seen = interceptAddUpdate(3, added);
		const missing = [
			{ id: 'm0', phone: '07700 900123' },
			{ id: 'm1', phone: '07700 900124', cc: 44 },
		];
		const asGiven = await runAddUpdate({ ...e164('={{ $json.cc }}'), options: { defaultCountryCode: '={{ $json.cc }}' } }, missing);
		expect(jsonOf(asGiven.outputs[0])).toEqual([success('m0'), success('m1')]);
		const international = await runAddUpdate(e164('={{ $json.cc }}'), missing, { onError: 'continueRegularOutput' });
		expect(jsonOf(international.outputs[0])).toEqual([
			{
				error: 'The option "Default Country Code" must be a country calling code of 1 to 3 digits, such as 44, but for item 0 it is empty',
			},
			success('m1'),
		]);
		expect(seen.map(({ body }) => body.mobile_phone)).toEqual(['07700 900123', '07700 900124', '+447700900124']);
	});

	it('routes an unforeseen exception while preparing an item to that item, by On Error', async () => {
		const parse = customerSchema.parseCustomer;
		jest.spyOn(customerSchema, 'parseCustomer').mockImplementation((raw, options) => {
			if (raw.external_id === 'boom') throw new TypeError(`cannot read ${TOKEN}`);
			return parse(raw, options);
		});
		const seen = interceptAddUpdate(2, added);
		const result = await runAddUpdate({ columns: autoColumns }, [row('a'), row('boom'), row('c')], { onError: 'continueErrorOutput' });
		expect(seen.map(({ body }) => body.external_id)).toEqual(['a', 'c']);
		expect(jsonOf(result.outputs[0])).toEqual([success('a'), success('c')]);
		expect(jsonOf(result.outputs[1])).toEqual([
			{
				...row('boom'),
				error:
					"Item 1 could not be sent to Hyfin: cannot read [redacted] (The node did not expect this. Check the item and the node's options; if they look right, please report it.)",
			},
		]);
		expect(pairingOf(result.outputs[1])).toEqual([{ item: 1 }]);
	});

	it('with On Error = Stop, fails on that item, and every request has ended before the node returns', async () => {
		const parse = customerSchema.parseCustomer;
		jest.spyOn(customerSchema, 'parseCustomer').mockImplementation((raw, options) => {
			if (raw.external_id === 'r3') throw new Error('unexpected');
			return parse(raw, options);
		});
		const hyfin = await slowHyfin(() => 60);
		try {
			const rows = Array.from({ length: 20 }, (_, n) => row(`r${n}`));
			const result = await runAddUpdate({ columns: autoColumns, options: { maxConcurrent: 5 } }, rows, localCredentials(hyfin.url));
			const sentByThen = hyfin.arrivals();
			expect(result.error?.message).toBe('Item 3 could not be sent to Hyfin: unexpected');
			// Items 0-2 were under way, and 4-7 started while item 3 was prepared; every one was answered.
			expect(hyfin.log.filter((line) => line.startsWith('answer')).length).toBe(sentByThen);
			await pause(200);
			expect(hyfin.arrivals()).toBe(sentByThen);
			expect(sentByThen).toBeLessThanOrEqual(8);
		} finally {
			await hyfin.close();
		}
	});
});

describe('4. every option is checked, including from expressions', () => {
	it('fails every item, naming the option, when a run-wide option from an expression is not valid', async () => {
		const seen = interceptAddUpdate(3, added);
		const result = await runAddUpdate(
			{ columns: autoColumns, options: { maxConcurrent: '={{ $json.workers }}' } },
			[{ ...row('a'), workers: 'lots' }, row('b')],
			{ onError: 'continueRegularOutput' },
		);
		expect(seen).toEqual([]);
		const error =
			'The option "Max Concurrent Requests" must be a whole number from 1 to 100, but for item 0 it is "lots". It is one setting for the whole run, so no item was sent.';
		expect(jsonOf(result.outputs[0])).toEqual([{ error }, { error }]);
		expect(pairingOf(result.outputs[0])).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it.each<[string, unknown, string]>([
		['maxConcurrent', 0, 'The option "Max Concurrent Requests" must be a whole number from 1 to 100, but for item 0 it is 0'],
		['maxConcurrent', 2.5, 'The option "Max Concurrent Requests" must be a whole number from 1 to 100, but for item 0 it is 2.5'],
		['maxRetries', -1, 'The option "Max Retries" must be a whole number from 0 to 10, but for item 0 it is -1'],
		[
			'rejectedRecords',
			'drop',
			'The option "Rejected Records" must be one of outputItems (Output as Items), error (Treat as Errors), but for item 0 it is "drop"',
		],
	])('stops the workflow on %s = %p, sending nothing', async (option, value, message) => {
		const seen = interceptAddUpdate(1, added);
		const result = await runAddUpdate({ columns: autoColumns, options: { [option]: value } as IDataObject }, [row('a')]);
		expect(seen).toEqual([]);
		expect(result.error?.message).toBe(`${message}. It is one setting for the whole run, so no item was sent.`);
	});

	it('names the parameter, the item and the field when an expression cannot be run, failing that item only', async () => {
		const seen = interceptAddUpdate(2, added);
		const broken = manualColumns({ external_id: '={{ $json.id }}', first_name: '={{ $json.first. }}', last_name: 'B' });
		const fields = await runAddUpdate({ columns: broken }, [{ id: 'f0' }], { onError: 'continueRegularOutput' });
		expect(jsonOf(fields.outputs[0])).toEqual([
			{ error: 'The "Fields" parameter could not be read for item 0 (the expression for first_name): invalid syntax' },
		]);
		const option = await runAddUpdate(
			{ columns: autoColumns, options: { timeoutSeconds: '={{ $json.wait. }}', maxRetries: 1 } },
			[row('f1')],
			{
				onError: 'continueRegularOutput',
			},
		);
		expect(jsonOf(option.outputs[0])).toEqual([
			{ error: 'The option "Request Timeout (Seconds)" could not be read for item 0: invalid syntax' },
		]);
		expect(seen).toEqual([]);
	});

	it('fails only the item whose per-item option is not valid', async () => {
		const seen = interceptAddUpdate(2, added);
		const result = await runAddUpdate(
			{ columns: autoColumns, options: { timeoutSeconds: '={{ $json.wait }}', dryRun: '={{ $json.dry }}' } },
			[
				{ ...row('a'), wait: 10, dry: false },
				{ ...row('b'), wait: 'soon', dry: false },
				{ ...row('c'), wait: 5, dry: 'maybe' },
				{ ...row('d'), wait: '20', dry: 'false' },
			],
			{ onError: 'continueRegularOutput' },
		);
		expect(seen.map(({ body }) => body.external_id)).toEqual(['a', 'd']);
		expect(jsonOf(result.outputs[0])).toEqual([
			success('a'),
			{ error: 'The option "Request Timeout (Seconds)" must be a number from 1 to 3600, but for item 1 it is "soon"' },
			{ error: 'The option "Dry Run" must be true or false, but for item 2 it is "maybe"' },
			success('d'),
		]);
	});
});

describe('5. the access token appears nowhere', () => {
	it('redacts a token Hyfin quotes in a rejection, in the output and the stored run', async () => {
		interceptAddUpdate(1, () => [200, { success: false, errors: [`invalid email (${TOKEN})`, 'missing last_name'] }]);
		const result = await runAddUpdate({ columns: autoColumns }, [row('t1')]);
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				success: false,
				errors: ['invalid email ([redacted])', 'missing last_name'],
				external_id: 't1',
				message: 'Hyfin rejected item 0 (external_id "t1"): invalid email ([redacted]); missing last_name',
			},
		]);
		expect(everything(result)).not.toContain(TOKEN);
	});

	it.each<[string, string, (token: string) => string]>([
		// The description keeps the first 160 characters: the token spans the 160th.
		[
			'cut mid-way by the shortened description',
			'tok_live_8f3a9c2e71d4b6',
			(token) => `<html><body>${'x'.repeat(140)} ${token} more</body></html>`,
		],
		['JSON-escaped', 'tok"q\\uote/8f3a', (token) => JSON.stringify({ message: `bad gateway for ${token}` })],
		['with its whitespace collapsed', 'tok 8f3a  9c2e', (token) => `<p>bad gateway for ${token.replace(/\s+/g, '\n ')}</p>`],
		['cut off at the end of the answer', 'tok_live_8f3a9c2e71d4b6', (token) => `{"success":false,"errors":["gateway ${token.slice(0, 12)}`],
	])('redacts a token %s in a failure', async (_, token, page) => {
		nock(BASE_URL).post(ADD_UPDATE_PATH).reply(502, page(token));
		const result = await runAddUpdate({ columns: autoColumns, options: { maxRetries: 0 } }, [row('t2')], {
			credentials: { hyfinApi: { baseUrl: BASE_URL, siteId: 'site 42/a', accessToken: token } },
		});
		expect(result.error?.description).toMatch(/\[redacted\]/);
		const stored = everything(result);
		for (const form of [token, JSON.stringify(token).slice(1, -1), token.slice(0, 8)]) expect(stored).not.toContain(form);
	});
});

describe('6. a failure of the request is not a rejection of the record', () => {
	it('stops the workflow on a wrong Site ID, naming it', async () => {
		interceptAddUpdate(1, () => [404, { success: false, errors: ['site not found'] }]);
		const result = await runAddUpdate({ columns: autoColumns }, [row('s1'), row('s2')]);
		expect(result.error?.message).toBe(
			'Hyfin request for item 0 (external_id "s1") failed: Hyfin does not know site "site 42/a" (HTTP 404: site not found). Check the Site ID in the Hyfin API credential.',
		);
		expect(nock.pendingMocks()).toEqual([]);
	});

	it('reads a JSON 404 that does not name the site as a failure of the address, not a rejection', async () => {
		interceptAddUpdate(1, () => [404, { success: false, errors: ['not found'] }]);
		const result = await runAddUpdate({ columns: autoColumns }, [row('s1')]);
		expect(result.error?.message).toBe(
			'Hyfin request for item 0 (external_id "s1") failed: Hyfin answered HTTP 404 (not found): the site or the address was not found. Check the Site ID "site 42/a" and the Base URL in the Hyfin API credential.',
		);
	});

	it('reads a refused token answered with 200 as a failure', async () => {
		interceptAddUpdate(1, () => [200, { success: false, errors: ['invalid access token'] }]);
		const result = await runAddUpdate({ columns: autoColumns }, [row('s1')]);
		expect(result.error?.message).toBe(
			'Hyfin request for item 0 (external_id "s1") failed: Hyfin refused the access token (HTTP 200: invalid access token). Check the Access Token in the Hyfin API credential and that it belongs to this Site ID.',
		);
	});

	it('with On Error = Continue, sends nothing more once Hyfin refused the token: the rest fail at once with its answer', async () => {
		const seen = interceptAddUpdate(300, () => [401, { success: false, errors: ['invalid access token'] }]);
		const rows = Array.from({ length: 300 }, (_, n) => row(`k${n}`));
		const result = await runAddUpdate({ columns: autoColumns, options: { maxConcurrent: 10 } }, rows, { onError: 'continueRegularOutput' });
		// The first wave was under way when the first refusal came; nothing was sent after it.
		expect(seen.length).toBeLessThanOrEqual(10);
		const errors = jsonOf(result.outputs[0]).map((json) => json.error);
		expect(errors).toHaveLength(300);
		expect(errors[0]).toBe(
			'Hyfin request for item 0 (external_id "k0") failed: Hyfin refused the access token (HTTP 401). Check the Access Token in the Hyfin API credential and that it belongs to this Site ID. (HTTP 401: {"success":false,"errors":["invalid access token"]})',
		);
		expect(errors[299]).toBe(
			'Item 299 (external_id "k299") was not sent, as Hyfin\'s answer to item 0 (external_id "k0") holds for every request of this run: Hyfin refused the access token (HTTP 401). Check the Access Token in the Hyfin API credential and that it belongs to this Site ID. (HTTP 401: {"success":false,"errors":["invalid access token"]})',
		);
	});
});

describe('7. cancelling the execution ends every wait and request at once', () => {
	/** The node's execute, timed: when it returned, and what it returned or threw. */
	function timedExecute() {
		const timing = { returnedAt: 0 };
		const original = Hyfin.prototype.execute;
		jest.spyOn(Hyfin.prototype, 'execute').mockImplementation(async function (this: never) {
			try {
				return await original.call(this);
			} finally {
				timing.returnedAt = Date.now();
			}
		});
		return timing;
	}

	it('ends a Retry-After wait of 30 s', async () => {
		const timing = timedExecute();
		let requests = 0;
		const { server, url } = await listen((_req, res) => {
			requests++;
			answerJson(res, 429, { success: false, errors: ['rate limit exceeded'] }, { 'retry-after': '30' });
		});
		try {
			const started = Date.now();
			await runAddUpdate({ columns: autoColumns }, [row('c1')], { ...localCredentials(url), cancelAfterMs: 300 });
			while (timing.returnedAt === 0) await pause(10);
			expect(timing.returnedAt - started).toBeLessThan(2000);
			expect(requests).toBe(1);
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});

	it('aborts a request under way', async () => {
		const timing = timedExecute();
		let closedAt = 0;
		const { server, url } = await listen((req) => {
			// Never answers; notes when the client lets go.
			req.socket.on('close', () => (closedAt = Date.now()));
		});
		try {
			const started = Date.now();
			await runAddUpdate({ columns: autoColumns }, [row('c2')], { ...localCredentials(url), cancelAfterMs: 300 });
			while (timing.returnedAt === 0 || closedAt === 0) await pause(10);
			expect(timing.returnedAt - started).toBeLessThan(2000);
			expect(closedAt - started).toBeLessThan(2000);
		} finally {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		}
	});
});

describe('8. an answer cut off by a dropped connection', () => {
	it('is read as cut off and sent again', async () => {
		let requests = 0;
		const { server, url } = await listen(async (req, res) => {
			const body = await bodyOf(req);
			const whole = JSON.stringify({ success: true, action: requests === 0 ? 'added' : 'updated', _id: idFor(String(body.external_id)) });
			if (requests++ === 0) {
				res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(whole.length) });
				res.write(whole.slice(0, 20), () => res.destroy());
				return;
			}
			answerJson(res, 200, JSON.parse(whole));
		});
		try {
			const result = await runAddUpdate({ columns: autoColumns }, [row('cut')], localCredentials(url));
			expect(requests).toBe(2);
			expect(jsonOf(result.outputs[0])).toEqual([success('cut', 'updated')]);
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});

	it('says so when the retries run out', async () => {
		const { server, url } = await listen((req, res) => {
			req.resume();
			req.on('end', () => {
				res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
				res.write('{"success":tr', () => res.destroy());
			});
		});
		try {
			const result = await runAddUpdate({ columns: autoColumns, options: { maxRetries: 0 } }, [row('cut')], localCredentials(url));
			expect(result.error?.message).toBe(
				'Hyfin request for item 0 (external_id "cut") failed: Hyfin\'s answer was cut off: the connection closed before it ended, so whether the record was saved is unknown.',
			);
			expect(result.error?.description).toBe('ERR_BAD_RESPONSE');
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});
});

describe('9. the credential is trimmed and checked before anything is sent', () => {
	it('signs with a token pasted with a trailing line break as Hyfin gave it', async () => {
		const seen = interceptAddUpdate(1, added);
		await runAddUpdate({ columns: autoColumns }, [row('n1')], {
			credentials: { hyfinApi: { baseUrl: BASE_URL, siteId: ' site 42/a ', accessToken: `${TOKEN}\n` } },
		});
		expect(seen).toEqual([{ token: TOKEN, body: row('n1') }]);
	});

	it.each<[string, ICredentialDataDecryptedObject, string]>([
		[
			'a Site ID of ..',
			{ baseUrl: BASE_URL, siteId: '..', accessToken: TOKEN },
			'The Hyfin API credential\'s Site ID ".." is not a site ID: use the site ID Hyfin gave you when the site was created',
		],
		[
			'a Base URL with a password',
			{ baseUrl: 'https://me:pa55word@hyfin.example.test', siteId: 's', accessToken: TOKEN },
			"The Hyfin API credential's Base URL holds a user name or password (before an @): remove it, e.g. https://hyfin.example.test. Hyfin is signed in to with the Access Token.",
		],
		[
			'a malformed Base URL with a password',
			{ baseUrl: 'https://me:pa55word@hyfin example', siteId: 's', accessToken: TOKEN },
			'The Hyfin API credential\'s Base URL "https://…@hyfin example" is not a web address: it should look like https://your-tenant.example.com',
		],
	])('fails on %s, sending nothing and quoting no password', async (_, hyfinApi, message) => {
		const seen = interceptAddUpdate(1, added);
		const result = await runAddUpdate({ columns: autoColumns }, [row('n2')], { credentials: { hyfinApi } });
		expect(seen).toEqual([]);
		expect(result.error?.message).toBe(message);
		expect(everything(result)).not.toContain('pa55word');
	});
});
