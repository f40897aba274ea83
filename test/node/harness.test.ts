import nock from 'nock';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { INPUT_NODE_NAME, runNode, shutdownEngine } from './harness';

const BASE_URL = 'https://toy.example.test';
const TOKEN = 'toy-secret-token';

/** What the toy node got from `this.getInputData()` in its last run. */
let seenInput: INodeExecutionData[] = [];

const toyApiProperties: INodeProperties[] = [
	{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
	{
		displayName: 'Access Token',
		name: 'accessToken',
		type: 'string',
		typeOptions: { password: true },
		default: '',
	},
];

class ToyApi implements ICredentialType {
	name = 'toyApi';
	displayName = 'Toy API';
	properties = toyApiProperties;
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'x-access-token': '={{$credentials.accessToken}}' } },
	};
}

/** The same credential, signed by a function instead of a generic description. */
class ToyApiFunctionAuth implements ICredentialType {
	name = 'toyApi';
	displayName = 'Toy API';
	properties = toyApiProperties;
	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => ({
		...requestOptions,
		headers: { ...requestOptions.headers, 'x-access-token': `fn:${String(credentials.accessToken)}` },
	});
}

class Toy implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Toy',
		name: 'toy',
		group: ['transform'],
		version: [1, 2],
		description: 'Creates toy customers',
		defaults: { name: 'Toy' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'toyApi', required: true }],
		properties: [
			{ displayName: 'Customer Name', name: 'customerName', type: 'string', default: '' },
			{ displayName: 'Refuse Name', name: 'refuseName', type: 'string', default: '' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		seenInput = items;
		const { baseUrl } = await this.getCredentials<{ baseUrl: string }>('toyApi');
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const name = this.getNodeParameter('customerName', i) as string;
				if (name === this.getNodeParameter('refuseName', i)) {
					throw new NodeOperationError(this.getNode(), `Customer "${name}" is refused`, {
						itemIndex: i,
					});
				}
				const response = (await this.helpers.httpRequestWithAuthentication.call(this, 'toyApi', {
					method: 'POST',
					url: `${baseUrl}/customers`,
					body: { name },
					json: true,
				})) as IDataObject;
				out.push({ json: response, pairedItem: { item: i } });
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [out];
	}
}

/** The API echoes the name and the token header it received. */
function mockCreateCustomer(times: number) {
	let nextId = 1;
	return nock(BASE_URL)
		.post('/customers')
		.times(times)
		.reply(function (_uri, body) {
			return [201, { id: nextId++, name: (body as IDataObject).name, token: this.req.headers['x-access-token'] }];
		});
}

const base = {
	nodeType: new Toy(),
	nodeTypeName: 'n8n-nodes-toy.toy',
	credentials: { toyApi: { baseUrl: BASE_URL, accessToken: TOKEN } },
	credentialTypes: [new ToyApi()],
	parameters: { customerName: '={{ $json.name.toUpperCase() }}', refuseName: 'BOB' },
	items: [{ name: 'Ada' }, { name: 'Bob' }, { name: 'Cy' }],
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
	seenInput = [];
	nock.cleanAll();
});
afterAll(async () => {
	nock.enableNetConnect();
	await shutdownEngine();
});

describe('runNode (n8n engine harness)', () => {
	it('feeds the items, resolves expressions per item and signs requests with the generic credential', async () => {
		const scope = mockCreateCustomer(2);
		const result = await runNode({ ...base, items: [{ name: 'Ada' }, { name: 'Cy' }] });

		expect(result.error).toBeUndefined();
		expect(result.run.status).toBe('success');
		expect(seenInput).toEqual([
			{ json: { name: 'Ada' }, pairedItem: { item: 0 } },
			{ json: { name: 'Cy' }, pairedItem: { item: 1 } },
		]);
		expect(result.outputs).toEqual([
			[
				{ json: { id: 1, name: 'ADA', token: TOKEN }, pairedItem: { item: 0 } },
				{ json: { id: 2, name: 'CY', token: TOKEN }, pairedItem: { item: 1 } },
			],
		]);
		expect(Object.keys(result.runData)).toEqual([INPUT_NODE_NAME, 'Toy']);
		expect(scope.isDone()).toBe(true);
	});

	it('accepts INodeExecutionData items as they are', async () => {
		mockCreateCustomer(1);
		const result = await runNode({ ...base, items: [{ json: { name: 'Ada' } }] });
		expect(seenInput).toEqual([{ json: { name: 'Ada' }, pairedItem: { item: 0 } }]);
		expect(result.outputs[0]).toHaveLength(1);
	});

	it('applies a function authenticate', async () => {
		mockCreateCustomer(1);
		const result = await runNode({
			...base,
			credentialTypes: [new ToyApiFunctionAuth()],
			items: [{ name: 'Ada' }],
		});
		expect(result.outputs).toEqual([[{ json: { id: 1, name: 'ADA', token: `fn:${TOKEN}` }, pairedItem: { item: 0 } }]]);
	});

	it('continueErrorOutput: the engine routes exactly the failed item to output 1', async () => {
		const scope = mockCreateCustomer(2);
		const result = await runNode({ ...base, onError: 'continueErrorOutput' });

		expect(result.error).toBeUndefined();
		expect(result.outputs).toEqual([
			[
				{ json: { id: 1, name: 'ADA', token: TOKEN }, pairedItem: { item: 0 } },
				{ json: { id: 2, name: 'CY', token: TOKEN }, pairedItem: { item: 2 } },
			],
			// n8n merges the paired input item's json into the error item.
			[{ json: { name: 'Bob', error: 'Customer "BOB" is refused' }, pairedItem: { item: 1 } }],
		]);
		expect(scope.isDone()).toBe(true);
	});

	it('continueRegularOutput: the failed item stays on the main output', async () => {
		mockCreateCustomer(2);
		const result = await runNode({ ...base, onError: 'continueRegularOutput' });
		expect(result.outputs).toEqual([
			[
				{ json: { id: 1, name: 'ADA', token: TOKEN }, pairedItem: { item: 0 } },
				{ json: { error: 'Customer "BOB" is refused' }, pairedItem: { item: 1 } },
				{ json: { id: 2, name: 'CY', token: TOKEN }, pairedItem: { item: 2 } },
			],
		]);
	});

	it('stopWorkflow: the run fails with the node error', async () => {
		const result = await runNode({ ...base, items: [{ name: 'Bob' }, { name: 'Ada' }] });

		expect(result.run.status).toBe('error');
		expect(result.error?.message).toBe('Customer "BOB" is refused');
		expect(result.runData.Toy[0].error?.message).toBe('Customer "BOB" is refused');
		expect(result.outputs).toEqual([]);
	});

	it('an HTTP error surfaces as the engine reports it', async () => {
		nock(BASE_URL).post('/customers').reply(500, { message: 'boom' });
		const result = await runNode({ ...base, items: [{ name: 'Ada' }] });
		expect(result.run.status).toBe('error');
		expect(result.error?.name).toBe('NodeApiError');
	});

	it('retryOnFail: the engine re-runs the node after a failure', async () => {
		nock(BASE_URL).post('/customers').reply(503, { message: 'busy' });
		mockCreateCustomer(1);
		const result = await runNode({
			...base,
			items: [{ name: 'Ada' }],
			retryOnFail: true,
			maxTries: 2,
			waitBetweenTries: 1,
		});
		expect(result.error).toBeUndefined();
		expect(result.outputs).toEqual([[{ json: { id: 1, name: 'ADA', token: TOKEN }, pairedItem: { item: 0 } }]]);
		expect(nock.isDone()).toBe(true);
	});

	it('reports parameter issues instead of a bare WorkflowHasIssuesError', async () => {
		class Strict extends Toy {
			description: INodeTypeDescription = {
				...new Toy().description,
				properties: [{ displayName: 'Id', name: 'id', type: 'string', default: '', required: true }],
			};
		}
		await expect(runNode({ ...base, nodeType: new Strict(), parameters: {}, items: [{}] })).rejects.toThrow(/workflow has issues.*"id"/);
	});
});
