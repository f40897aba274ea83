import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import nock from 'nock';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { HyfinApi } from '../../credentials/HyfinApi.credentials';
import { Hyfin } from '../../nodes/Hyfin/Hyfin.node';
import { runNode, type RunNodeOptions } from './harness';

export const BASE_URL = 'https://hyfin.example.test';
export const SITE_ID = 'site 42/a';
export const TOKEN = 'tok_live_8f3a9c2e71d4b6';
export const ADD_UPDATE_PATH = '/api/v3/site/site%2042%2Fa/customer/addUpdate';

export const credentials = { hyfinApi: { baseUrl: BASE_URL, siteId: SITE_ID, accessToken: TOKEN } };

/** The resource mapper's value as n8n stores it for "Map Each Field Manually". */
export function manualColumns(value: IDataObject): IDataObject {
	return {
		mappingMode: 'defineBelow',
		value,
		matchingColumns: [],
		schema: [],
		attemptToConvertTypes: false,
		convertFieldsToString: false,
	};
}

export const autoColumns: IDataObject = {
	mappingMode: 'autoMapInputData',
	value: null,
	matchingColumns: [],
	schema: [],
	attemptToConvertTypes: false,
	convertFieldsToString: false,
};

/** Runs Hyfin → Customer → Add or Update in n8n's engine. */
export async function runAddUpdate(
	parameters: { columns: IDataObject; options?: IDataObject },
	items: IDataObject[],
	extra: Partial<RunNodeOptions> = {},
) {
	return await runNode({
		nodeType: new Hyfin(),
		parameters: { resource: 'customer', operation: 'addUpdate', ...parameters } as INodeParameters,
		items,
		credentials,
		credentialTypes: [new HyfinApi()],
		...extra,
	});
}

export interface SeenRequest {
	body: IDataObject;
	token: unknown;
}

type Reply = [status: number, body: string | IDataObject, headers?: Record<string, string>];

/**
 * Answers `times` Add/Update requests at Hyfin's endpoint with `answer(body)`, recording each
 * request's body and access token header.
 */
export function interceptAddUpdate(times: number, answer: (body: IDataObject) => Reply, origin = BASE_URL, path = ADD_UPDATE_PATH) {
	const seen: SeenRequest[] = [];
	nock(origin)
		.post(path)
		.times(times)
		.reply(function (_uri, body) {
			seen.push({ body: body as IDataObject, token: this.req.headers['x-access-token'] });
			return answer(body as IDataObject);
		});
	return seen;
}

/** Hyfin's documented success answer, with a stable id per external_id. */
export function added(body: IDataObject): Reply {
	return [200, { success: true, action: 'added', _id: idFor(String(body.external_id)) }];
}

export function idFor(externalId: string): string {
	let hash = 0;
	for (const char of externalId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
	return hash.toString(16).padStart(24, '0');
}

export const jsonOf = (items: Array<{ json: IDataObject }> | undefined) => (items ?? []).map((item) => item.json);
export const pairingOf = (items: Array<{ pairedItem?: unknown }> | undefined) => (items ?? []).map((item) => item.pairedItem);

/** A real local server: nock cannot refuse a connection, make a client's timeout fire, or drop one mid-answer. */
export async function listen(handler: Parameters<typeof createServer>[1] = () => {}): Promise<{ server: Server; url: string }> {
	const server = createServer(handler);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export const localCredentials = (baseUrl: string, accessToken = TOKEN) => ({
	credentials: { hyfinApi: { baseUrl, siteId: 's1', accessToken } },
});

/** Everything the run produced, as n8n would store it, errors included: the token must appear nowhere in it. */
export const everything = (result: object) =>
	JSON.stringify(result, (_key, value) => (value instanceof Error ? { ...value, message: value.message, stack: value.stack } : value));
