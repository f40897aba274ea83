/**
 * Runs one node type inside n8n's real execution engine (n8n-core `WorkflowExecute` on an
 * n8n-workflow `Workflow`), without the n8n CLI or a database.
 *
 * Modelled on n8n's internal NodeTestHarness (n8n repo, packages/core/nodes-testing/, not
 * published): a two-node workflow is built, `Input` -> node under test. The run starts in
 * 'trigger' mode with `Input` (a trigger-type node) on the execution stack carrying the test
 * items, exactly as a production trigger hands its items to the engine. Outside 'manual' mode the
 * engine passes a trigger node's input straight through, so the node under test receives exactly
 * those items (with `pairedItem` set by the engine) and a real `source` (the `Input` node), which
 * the engine needs to route failed items to the error output the way n8n does.
 *
 * The engine's own code paths do the rest: parameter defaults, expression resolution per item,
 * credentials via `additionalData.credentialsHelper` (+ the credential type's `authenticate`),
 * continue-on-fail / error output routing, retry on fail, paired items. The run is collected
 * through the `workflowExecuteAfter` lifecycle hook.
 */
import { Container } from '@n8n/di';
import { Credentials, ExecutionLifecycleHooks, ExternalSecretsProxy, WorkflowExecute } from 'n8n-core';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import {
	ICredentialsHelper,
	NodeConnectionTypes,
	NodeHelpers,
	Workflow,
	createRunExecutionData,
	deepCopy,
	isExpression,
} from 'n8n-workflow';
import type {
	ExecutionError,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentials,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IRunData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	OnError,
} from 'n8n-workflow';

export interface RunNodeOptions {
	/** The node type under test, as an instance (e.g. `new Hyfin()`). */
	nodeType: INodeType | IVersionedNodeType;
	/** Full type name as users get it; default `'n8n-nodes-hyfin.hyfin'`. */
	nodeTypeName?: string;
	/** Node version to run; default: the newest version the type declares. */
	typeVersion?: number;
	/** The node's parameters. Expressions (`'={{ $json.x }}'`) are resolved by the engine, per item. */
	parameters: INodeParameters;
	/** Input items. Plain objects become `{ json }`; objects with a `json` object are used as they are. */
	items: INodeExecutionData[] | IDataObject[];
	/** Decrypted credential data by credential type name, e.g. `{ hyfinApi: { baseUrl, siteId, accessToken } }`. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Credential type instances, so their `authenticate` (generic or function) is really applied. */
	credentialTypes?: ICredentialType[];
	/** Node setting "On Error". Default: 'stopWorkflow'. */
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	/** Node setting "Retry On Fail". */
	retryOnFail?: boolean;
	/** With retryOnFail: tries (engine clamps to 2..5, default 3). */
	maxTries?: number;
	/** With retryOnFail: ms between tries (engine clamps to 0..5000; 0 means its default of 1000). */
	waitBetweenTries?: number;
	/** Cancels the execution this long after it starts, as the editor's Stop button does. */
	cancelAfterMs?: number;
}

export interface RunNodeResult {
	/** The node's outputs as the engine produced them: [0] = main/success, [1] = error output (continueErrorOutput). */
	outputs: INodeExecutionData[][];
	/** The node error if the run failed (stopWorkflow). */
	error?: ExecutionError;
	/** Full run data, by node name (the input node is `INPUT_NODE_NAME`). */
	runData: IRunData;
	/** The whole run as the `workflowExecuteAfter` hook received it (status, timings, ...). */
	run: IRun;
	/** The name the node under test got in the workflow (its `defaults.name`). */
	nodeName: string;
}

export const DEFAULT_NODE_TYPE_NAME = 'n8n-nodes-hyfin.hyfin';
export const INPUT_NODE_NAME = 'Input';
const INPUT_NODE_TYPE_NAME = 'n8n-nodes-test-harness.input';

/**
 * The start node. It is a trigger-type node: in any mode but 'manual' the engine does not call
 * `trigger()` but forwards the items it was started with, as it does for production triggers.
 */
class HarnessInput implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Input',
		name: 'harnessInput',
		group: ['trigger'],
		version: 1,
		description: 'Hands the test items to the node under test',
		defaults: { name: INPUT_NODE_NAME },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async trigger() {
		return {};
	}
}

class HarnessNodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType | IVersionedNodeType>) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (!type) throw new Error(`Unknown node type "${nodeType}" (known: ${Object.keys(this.types).join(', ')})`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

/**
 * Returns the test credential data and applies the credential type's `authenticate` the way
 * n8n's CLI CredentialsHelper does: a function is called; a `generic` object has each key and
 * value of `headers`/`qs`/`body`/`auth` resolved as an expression with `{ $credentials }`.
 */
class HarnessCredentialsHelper extends ICredentialsHelper {
	private readonly types: Map<string, ICredentialType>;

	constructor(
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
		credentialTypes: ICredentialType[],
	) {
		super();
		this.types = new Map(credentialTypes.map((type) => [type.name, type]));
	}

	private type(name: string): ICredentialType | undefined {
		return this.types.get(name);
	}

	getParentTypes(name: string): string[] {
		const parents = this.type(name)?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const authenticate = this.type(typeName)?.authenticate;
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (authenticate?.type === 'generic') {
			const target = requestOptions as unknown as Record<string, Record<string, unknown> | undefined>;
			target.headers ??= {};
			const resolve = (value: string): string => {
				if (!isExpression(value)) return value;
				const resolved = workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '');
				return resolved ? resolved.toString() : '';
			};
			for (const [section, entries] of Object.entries(authenticate.properties)) {
				const bag = (target[section] ??= {});
				for (const [key, value] of Object.entries(entries as Record<string, string>)) {
					bag[resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	/** As in the CLI: only for types with an expirable hidden property and a `preAuthentication` function. */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		const expirable = type?.properties.find((property) => property.type === 'hidden' && property.typeOptions?.expirable === true);
		if (!type || !expirable || typeof type.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		const output = (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;
		// "Persist" the refreshed token in the test store, as the CLI does in its database.
		this.data[typeName] = { ...this.data[typeName], ...output };
		return Object.assign(credentials, output);
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<Credentials> {
		const credentials = new Credentials(nodeCredentials, type);
		credentials.setData(this.data[type] ?? {});
		return credentials;
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.data[type];
		if (data === undefined) throw new Error(`No test credentials given for type "${type}"`);
		return deepCopy(data);
	}

	async updateCredentials(_nodeCredentials: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		this.data[type] = data;
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.data[type] = { ...this.data[type], ...data };
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.type(type);
		if (!credentialType) return [];
		return [...(credentialType.extends ?? []).flatMap((parent) => this.getCredentialsProperties(parent)), ...credentialType.properties];
	}
}

function toExecutionData(items: INodeExecutionData[] | IDataObject[]): INodeExecutionData[] {
	return (items as Array<INodeExecutionData | IDataObject>).map((item) => {
		const json = (item as INodeExecutionData).json;
		if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
			return { ...(item as INodeExecutionData), json: deepCopy(json) };
		}
		return { json: deepCopy(item as IDataObject) };
	});
}

function newestVersion(nodeType: INodeType | IVersionedNodeType): number {
	if ('nodeVersions' in nodeType) return nodeType.currentVersion;
	const { version } = nodeType.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

let executionCounter = 0;

export async function runNode(opts: RunNodeOptions): Promise<RunNodeResult> {
	const nodeTypeName = opts.nodeTypeName ?? DEFAULT_NODE_TYPE_NAME;
	const typeVersion = opts.typeVersion ?? newestVersion(opts.nodeType);
	const nodeTypes = new HarnessNodeTypes({
		[INPUT_NODE_TYPE_NAME]: new HarnessInput(),
		[nodeTypeName]: opts.nodeType,
	});
	const description = nodeTypes.getByNameAndVersion(nodeTypeName, typeVersion).description;
	const nodeName = description.defaults.name ?? description.displayName;

	const credentialsData = deepCopy(opts.credentials ?? {});
	const nodeCredentials: INodeCredentials = {};
	for (const type of Object.keys(credentialsData)) {
		nodeCredentials[type] = { id: `test-${type}`, name: `${type} (test)` };
	}

	const inputNode: INode = {
		id: 'harness-input',
		name: INPUT_NODE_NAME,
		type: INPUT_NODE_TYPE_NAME,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const node: INode = {
		id: 'node-under-test',
		name: nodeName,
		type: nodeTypeName,
		typeVersion,
		position: [200, 0],
		parameters: deepCopy(opts.parameters),
		credentials: Object.keys(nodeCredentials).length ? nodeCredentials : undefined,
		onError: (opts.onError ?? 'stopWorkflow') as OnError,
		retryOnFail: opts.retryOnFail,
		maxTries: opts.maxTries,
		waitBetweenTries: opts.waitBetweenTries,
	};
	const connections = {
		[INPUT_NODE_NAME]: { main: [[{ node: nodeName, type: NodeConnectionTypes.Main, index: 0 }]] },
	};
	const settings = { executionOrder: 'v1' as const };

	const workflowId = 'harness-workflow';
	// The constructor fills in the parameters' defaults, as in n8n.
	const workflow = new Workflow({
		id: workflowId,
		name: 'Node test',
		nodes: [inputNode, node],
		connections,
		nodeTypes,
		settings,
		active: false,
	});

	const executionId = `harness-${++executionCounter}`;
	const workflowData: IWorkflowBase = {
		id: workflowId,
		name: 'Node test',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes: [inputNode, node],
		connections,
		settings,
	};
	const hooks = new ExecutionLifecycleHooks('trigger', executionId, workflowData);
	let hookRun: IRun | undefined;
	let ran: () => void = () => {};
	const hookRan = new Promise<void>((resolve) => (ran = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => {
		hookRun = run;
		ran();
	});

	const additionalData: IWorkflowExecuteAdditionalData = {
		credentialsHelper: new HarnessCredentialsHelper(credentialsData, opts.credentialTypes ?? []),
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		variables: {},
		externalSecretsProxy: Container.get(ExternalSecretsProxy),
		executeWorkflow: async () => {
			throw new Error('Sub-workflows are not supported by the test harness');
		},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('Task runners are not supported by the test harness');
		},
	};

	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: inputNode, data: { main: [toExecutionData(opts.items)] }, source: null }],
		},
	});

	const workflowExecute = new WorkflowExecute(additionalData, 'trigger', runExecutionData);
	// The engine only throws a bare WorkflowHasIssuesError; say which parameters are wrong.
	const issues = workflowExecute.checkReadyForExecution(workflow, { startNode: INPUT_NODE_NAME });
	if (issues !== null) {
		throw new Error(`The workflow has issues, n8n would refuse to run it: ${JSON.stringify(issues)}`);
	}
	const running = workflowExecute.processRunExecutionData(workflow);
	if (opts.cancelAfterMs !== undefined) {
		const timer = setTimeout(() => running.cancel(), opts.cancelAfterMs);
		// A cancelled run never settles; the engine reports it through the hook at once.
		await Promise.race([running, hookRan]);
		clearTimeout(timer);
	} else {
		await running;
	}

	if (hookRun === undefined) throw new Error('The engine finished without calling workflowExecuteAfter');
	const run: IRun = hookRun;
	const { runData } = run.data.resultData;
	const task = runData[nodeName]?.[0];
	const outputs = (task?.data?.[NodeConnectionTypes.Main] ?? []).map((items) => items ?? []);
	return { outputs, error: run.data.resultData.error, runData, run, nodeName };
}

/**
 * For afterAll. Every execute context lazily creates n8n-core's SSHClientsManager, which starts
 * an un-unref'd 60 s interval; shut it down or jest never exits. `Container.has` only says the
 * class is registered, so this may create the instance first, which is harmless.
 */
export async function shutdownEngine(): Promise<void> {
	Container.get(SSHClientsManager).onShutdown();
}
