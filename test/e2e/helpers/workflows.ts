/**
 * The E2E tests' workflows, from the nodes of scripts/lib/workflows.js: Run → Customers (the
 * items) → Hyfin → with On Error = continue (using error output) Succeeded / Failed, or with
 * `branch: 'if'` In Hyfin? → Synced / Rejected; No Operation nodes, so every branch can be read.
 */
import { randomUUID } from 'crypto';

import { codeNode, columns, hyfinNode, manualTrigger, noOp, workflow } from '../../../scripts/lib/workflows';
import { CREDENTIALS } from './n8n';

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

/** The examples of invoices and payments: invoices.test.ts runs them, examples.test.ts the others. */
export const INVOICE_EXAMPLE_IDS = [
	'hyfinSheetPaymentRequests',
	'hyfinOrderLinesToInvoices',
	'hyfinResendUnpaidInvoices',
	'hyfinSheetCashPayments',
];

/** The examples of the Hyfin Trigger: trigger.test.ts runs them. */
export const TRIGGER_EXAMPLE_IDS = ['hyfinTriggerMarkPaid', 'hyfinTriggerFailedTexts'];

/** "Map Automatically". */
export const autoMap = () => columns();

/** "Map Each Field Manually": a value (or an `={{ expression }}`) per field id. */
export const mapEachField = (value: Record<string, unknown>) => columns(value);

export interface HyfinWorkflowSpec {
	/** Fixed, so the test executes it by id; 16 letters and digits, as n8n makes them. */
	id: string;
	name: string;
	items: object[];
	columns?: object;
	options?: object;
	/** Default: the sandbox's good credential. */
	credential?: { id: string; name: string };
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	branch?: 'if';
}

/** An IF node on `{{ $json.success }}`. */
const ifSuccess = () => ({
	type: 'n8n-nodes-base.if',
	typeVersion: 2.2,
	parameters: {
		conditions: {
			options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
			conditions: [
				{
					id: randomUUID(),
					leftValue: '={{ $json.success }}',
					rightValue: '',
					operator: { type: 'boolean', operation: 'true', singleValue: true },
				},
			],
			combinator: 'and',
		},
		options: {},
	},
});

export function hyfinWorkflow({
	id,
	name,
	items,
	columns: mapping,
	options,
	credential = CREDENTIALS.good,
	onError,
	branch,
}: HyfinWorkflowSpec) {
	if (!/^[A-Za-z0-9]{16}$/.test(id)) throw new Error(`workflow id "${id}" is not 16 letters and digits, as n8n makes them`);
	const chain = {
		[NODE.trigger]: manualTrigger(),
		[NODE.input]: codeNode({ items }),
		[NODE.hyfin]: hyfinNode({ columns: mapping, options, credential, onError }),
	};
	if (onError === 'continueErrorOutput')
		return workflow({ id, name, chain, branches: { [NODE.succeeded]: noOp(), [NODE.failed]: noOp() } });
	if (branch === 'if') {
		return workflow({
			id,
			name,
			chain: { ...chain, [NODE.ifSuccess]: ifSuccess() },
			branches: { [NODE.synced]: noOp(), [NODE.rejected]: noOp() },
		});
	}
	return workflow({ id, name, chain });
}
