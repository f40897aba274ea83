'use strict';
/**
 * The benchmark's workflows: N generated customers, sent to Hyfin by our node or by n8n's HTTP
 * Request node in the settings users would try, or passed through n8n's No Operation node.
 */

const CREDENTIAL = { id: 'benchHyfinCredential', name: 'Hyfin bench' };
const INPUT = 'Customers';
const SENDER = 'Send';

/** A Code node making `count` customers with every field, ids unique per run. */
function customersNode(count, prefix) {
	return {
		id: 'b0000000-0000-4000-8000-000000000001',
		name: INPUT,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [220, 0],
		parameters: {
			jsCode: [
				`const count = ${Number(count)};`,
				'const items = [];',
				'for (let i = 0; i < count; i++) {',
				'  items.push({ json: {',
				`    external_id: '${prefix}-' + i,`,
				"    first_name: 'First' + i, last_name: 'Last' + i, account_name: 'Account ' + (i % 97),",
				"    mobile_phone: '555-01' + String(i % 100).padStart(2, '0') + '-' + String(i % 10000).padStart(4, '0'),",
				"    email: 'customer' + i + '@example.com', notes: 'bench', active: true,",
				'    notification_options: { notify_phone: true, notify_email: true },',
				'  } });',
				'}',
				'return items;',
			].join('\n'),
		},
	};
}

function hyfinNode(options) {
	return {
		id: 'b0000000-0000-4000-8000-000000000002',
		name: SENDER,
		type: 'n8n-nodes-hyfin.hyfin',
		typeVersion: 1,
		position: [440, 0],
		parameters: {
			resource: 'customer',
			operation: 'addUpdate',
			columns: {
				mappingMode: 'autoMapInputData',
				value: {},
				matchingColumns: [],
				schema: [],
				attemptToConvertTypes: false,
				convertFieldsToString: false,
			},
			options,
		},
		credentials: { hyfinApi: CREDENTIAL },
	};
}

/** n8n's HTTP Request node as a user would set it up for Hyfin: JSON body, token header. */
function httpRequestNode(sandbox, { onError, batching }) {
	const node = {
		id: 'b0000000-0000-4000-8000-000000000003',
		name: SENDER,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [440, 0],
		parameters: {
			method: 'POST',
			url: `${sandbox.baseUrl}/api/v3/site/${encodeURIComponent(sandbox.siteId)}/customer/addUpdate`,
			sendHeaders: true,
			headerParameters: { parameters: [{ name: 'x-access-token', value: sandbox.token }] },
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify($json) }}',
			options: batching ? { batching: { batch: { batchSize: 10, batchInterval: 200 } } } : {},
		},
	};
	if (onError) node.onError = onError;
	return node;
}

function noOpNode() {
	return {
		id: 'b0000000-0000-4000-8000-000000000004',
		name: SENDER,
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [440, 0],
		parameters: {},
	};
}

/** Manual Trigger → Customers → the node under test. */
function workflow(id, count, sender) {
	return {
		id,
		name: `Bench ${id}`,
		nodes: [
			{ id: 'b0000000-0000-4000-8000-000000000000', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			customersNode(count, id),
			sender,
		],
		connections: {
			Start: { main: [[{ node: INPUT, type: 'main', index: 0 }]] },
			[INPUT]: { main: [[{ node: SENDER, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		active: false,
	};
}

/** The credential for our node, pointing at the sandbox. */
function credential(sandbox) {
	return {
		...CREDENTIAL,
		type: 'hyfinApi',
		data: { baseUrl: sandbox.baseUrl, siteId: sandbox.siteId, accessToken: sandbox.token },
	};
}

module.exports = { SENDER, credential, hyfinNode, httpRequestNode, noOpNode, workflow };
