'use strict';
/**
 * Workflows in the JSON shape n8n's editor saves and `n8n import:workflow` reads: the nodes the
 * E2E tests and the benchmark build theirs from, and the examples as the demo, dev and the E2E
 * tests import them.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

/** The credential every example names; the demo, dev and the E2E tests import it under this id. */
const EXAMPLES_CREDENTIAL = { id: 'hyfinSandboxCredential', name: 'Hyfin sandbox' };

/**
 * That credential, for `n8n import:credentials`, pointing at `sandbox` (or another token).
 * @param {{ baseUrl: string, siteId: string, token: string }} sandbox
 */
const examplesCredential = (sandbox, accessToken = sandbox.token) => ({
	...EXAMPLES_CREDENTIAL,
	type: 'hyfinApi',
	data: { baseUrl: sandbox.baseUrl, siteId: sandbox.siteId, accessToken },
});

/** The Hyfin node's fields, read from the built package, as the resource mapper saves them. */
function fieldSchema() {
	const schemas = path.join(__dirname, '..', '..', 'dist', 'nodes', 'Hyfin', 'schemas');
	const { customerFields } = require(path.join(schemas, 'customer'));
	return require(path.join(schemas, 'record'))
		.mapperFields(customerFields)
		.map(({ id, displayName, required, defaultMatch, display, type, canBeUsedToMatch }) => ({
			id,
			displayName,
			required,
			defaultMatch,
			display,
			type,
			canBeUsedToMatch,
		}));
}

/**
 * "Map Automatically" (no value) or "Map Each Field Manually" (a value, or an `={{ expression }}`, per field id).
 * @param {Record<string, unknown>} [value]
 */
const columns = (value) => ({
	mappingMode: value ? 'defineBelow' : 'autoMapInputData',
	value: value ?? {},
	matchingColumns: [],
	schema: fieldSchema(),
	attemptToConvertTypes: false,
	convertFieldsToString: false,
});

/**
 * A Code node giving `items` (their json), or `code` as it is.
 * @param {{ items?: object[], code?: string }} content
 */
const codeNode = ({ items, code }) => ({
	type: 'n8n-nodes-base.code',
	typeVersion: 2,
	parameters: { jsCode: code ?? `return ${JSON.stringify(items, null, 1)}.map((json) => ({ json }));` },
});

/**
 * The Hyfin node: Customer → Add or Update.
 * @param {{ columns?: object, options?: object, credential: { id: string, name: string }, onError?: string }} settings
 */
const hyfinNode = ({ columns: mapping = columns(), options = {}, credential, onError }) => ({
	type: 'n8n-nodes-hyfin.hyfin',
	typeVersion: 1,
	parameters: { resource: 'customer', operation: 'addUpdate', columns: mapping, options },
	credentials: { hyfinApi: credential },
	...(onError ? { onError } : {}),
});

const manualTrigger = () => ({ type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} });
const noOp = () => ({ type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} });

/**
 * A workflow of the nodes in `chain` ({ name: node }), each connected to the next, and of those
 * in `branches`, one on each output of the chain's last node.
 * @param {{ id: string, name: string, chain: Record<string, object>, branches?: Record<string, object> }} spec
 */
function workflow({ id, name, chain, branches = {} }) {
	const names = Object.keys(chain);
	const to = (node) => [{ node, type: 'main', index: 0 }];
	const connections = Object.fromEntries(names.slice(0, -1).map((from, i) => [from, { main: [to(names[i + 1])] }]));
	if (Object.keys(branches).length > 0) connections[names[names.length - 1]] = { main: Object.keys(branches).map(to) };
	return {
		id,
		name,
		nodes: Object.entries({ ...chain, ...branches }).map(([nodeName, node], i) => ({
			id: crypto.randomUUID(),
			name: nodeName,
			position: [i * 220, 0],
			...node,
		})),
		connections,
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}

/**
 * The workflows of examples/, as they are, but for their Read/Write Files from Disk nodes: each
 * reads a copy of its file in `filesDir`, a folder n8n may read (N8N_RESTRICT_FILE_ACCESS_TO).
 * @param {string} filesDir
 * @returns {Array<{ id: string, name: string, nodes: Array<{ name: string, type: string, parameters: Record<string, any> }> }>}
 */
function exampleWorkflows(filesDir) {
	return fs
		.readdirSync(EXAMPLES)
		.filter((file) => file.endsWith('.workflow.json'))
		.map((file) => {
			const workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
			for (const node of workflow.nodes.filter((candidate) => candidate.type === 'n8n-nodes-base.readWriteFile')) {
				const name = path.basename(String(node.parameters.fileSelector));
				fs.copyFileSync(path.join(EXAMPLES, name), path.join(filesDir, name));
				node.parameters.fileSelector = path.join(filesDir, name);
			}
			return workflow;
		});
}

module.exports = { EXAMPLES_CREDENTIAL, examplesCredential, exampleWorkflows, columns, codeNode, hyfinNode, manualTrigger, noOp, workflow };
