/**
 * Workflows for the E2E tests, in the JSON shape n8n's editor saves (and `n8n import:workflow`
 * reads): Manual Trigger → Code node making the input items → Hyfin → (IF on success, or the
 * success and error outputs) → No Operation nodes, so each branch's items can be read back.
 * The Hyfin node's parameters have the shapes of examples/csv-to-hyfin.workflow.json.
 */
import crypto from 'crypto';

import { CREDENTIALS } from './n8n';

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
}

type Connection = { node: string; type: 'main'; index: number };

export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, { main: Connection[][] }>;
	settings: Record<string, unknown>;
	pinData: Record<string, unknown>;
	active: boolean;
}

/** Node names, as the tests read their outputs. */
export const NODE = {
	trigger: 'Run',
	input: 'Customers',
	hyfin: 'Hyfin',
	ifSuccess: 'In Hyfin?',
	synced: 'Synced',
	rejected: 'Rejected',
	succeeded: 'Succeeded',
	failed: 'Failed',
} as const;

/** The Hyfin node's field list, as the resource mapper saves it (every field displayed). */
const FIELD_SCHEMA = [
	['external_id', 'External ID', 'string', true],
	['first_name', 'First Name', 'string', true],
	['last_name', 'Last Name', 'string', true],
	['account_name', 'Account Name', 'string', false],
	['mobile_phone', 'Mobile Phone', 'string', false],
	['email', 'Email', 'string', false],
	['notes', 'Notes', 'string', false],
	['active', 'Active', 'boolean', false],
	['notify_phone', 'Notify by Text', 'boolean', false],
	['notify_email', 'Notify by Email', 'boolean', false],
].map(([id, displayName, type, required]) => ({
	id,
	displayName,
	required,
	defaultMatch: id === 'external_id',
	display: true,
	type,
	canBeUsedToMatch: false,
}));

/** "Map Automatically": input fields named like Hyfin's. */
export function autoMap() {
	return {
		mappingMode: 'autoMapInputData',
		value: {},
		matchingColumns: [],
		schema: FIELD_SCHEMA,
		attemptToConvertTypes: false,
		convertFieldsToString: false,
	};
}

/** "Map Each Field Manually": a value (or an `={{ expression }}`) per field id. */
export function mapEachField(value: Record<string, unknown>) {
	return {
		mappingMode: 'defineBelow',
		value,
		matchingColumns: [],
		schema: FIELD_SCHEMA,
		attemptToConvertTypes: false,
		convertFieldsToString: false,
	};
}

export interface HyfinWorkflowSpec {
	/** Fixed, so the test executes it by id; 16 letters and digits, as n8n makes them. */
	id: string;
	name: string;
	/** The Code node's output items (their json). */
	items: Array<Record<string, unknown>>;
	/** The resource mapper's value; default: map automatically. */
	columns?: Record<string, unknown>;
	/** The node's Options collection. */
	options?: Record<string, unknown>;
	credential?: { id: string; name: string };
	/** The node's On Error setting; with `continueErrorOutput`, both outputs lead to a No Op node. */
	onError?: WorkflowNode['onError'];
	/** `if`: an IF node on `{{ $json.success }}` with a No Op node on each branch. */
	branch?: 'if' | 'none';
}

function nodeId(workflowId: string, name: string): string {
	const hex = crypto.createHash('sha256').update(`${workflowId}/${name}`).digest('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const to = (node: string): Connection[] => [{ node, type: 'main', index: 0 }];

/** Manual Trigger → Code (the items) → Hyfin → branches, as a user would build it. */
export function hyfinWorkflow(spec: HyfinWorkflowSpec): Workflow {
	if (!/^[A-Za-z0-9]{16}$/.test(spec.id)) throw new Error(`workflow id "${spec.id}" is not 16 letters and digits`);
	const node = (name: string, type: string, typeVersion: number, x: number, y: number, parameters: Record<string, unknown> = {}): WorkflowNode => ({
		id: nodeId(spec.id, name),
		name,
		type,
		typeVersion,
		position: [x, y],
		parameters,
	});
	const hyfin: WorkflowNode = {
		...node(NODE.hyfin, 'n8n-nodes-hyfin.hyfin', 1, 440, 0, {
			resource: 'customer',
			operation: 'addUpdate',
			columns: spec.columns ?? autoMap(),
			options: spec.options ?? {},
		}),
		credentials: { hyfinApi: spec.credential ?? CREDENTIALS.good },
		...(spec.onError ? { onError: spec.onError } : {}),
	};
	const nodes: WorkflowNode[] = [
		node(NODE.trigger, 'n8n-nodes-base.manualTrigger', 1, 0, 0),
		node(NODE.input, 'n8n-nodes-base.code', 2, 220, 0, {
			jsCode: `return ${JSON.stringify(spec.items, null, 1)}.map((json) => ({ json }));`,
		}),
		hyfin,
	];
	const connections: Workflow['connections'] = {
		[NODE.trigger]: { main: [to(NODE.input)] },
		[NODE.input]: { main: [to(NODE.hyfin)] },
	};

	if (spec.onError === 'continueErrorOutput') {
		nodes.push(node(NODE.succeeded, 'n8n-nodes-base.noOp', 1, 660, -100), node(NODE.failed, 'n8n-nodes-base.noOp', 1, 660, 100));
		connections[NODE.hyfin] = { main: [to(NODE.succeeded), to(NODE.failed)] };
	} else if (spec.branch === 'if') {
		nodes.push(
			node(NODE.ifSuccess, 'n8n-nodes-base.if', 2.2, 660, 0, {
				conditions: {
					options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
					conditions: [
						{
							id: nodeId(spec.id, 'condition'),
							leftValue: '={{ $json.success }}',
							rightValue: '',
							operator: { type: 'boolean', operation: 'true', singleValue: true },
						},
					],
					combinator: 'and',
				},
				options: {},
			}),
			node(NODE.synced, 'n8n-nodes-base.noOp', 1, 880, -100),
			node(NODE.rejected, 'n8n-nodes-base.noOp', 1, 880, 100),
		);
		connections[NODE.hyfin] = { main: [to(NODE.ifSuccess)] };
		connections[NODE.ifSuccess] = { main: [to(NODE.synced), to(NODE.rejected)] };
	}

	return {
		id: spec.id,
		name: spec.name,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}
