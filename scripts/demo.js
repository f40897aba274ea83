#!/usr/bin/env node
'use strict';
/**
 * `npm run demo`: in a real n8n (installed once into a cache, this package into a fresh user folder) against a
 * local Hyfin sandbox, csv-to-hyfin twice (`added`, then `updated`) and payment-requests-from-sheet (per invoice,
 * the texts and emails sent), each row checked against what it implies; then all it started is removed.
 *   node scripts/demo.js [--keep] [--verbose]   --keep: leave the temp folder; --verbose: n8n's log as it runs
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parse } = require('csv-parse/sync');

const { ensureN8n, n8nVersion } = require('./lib/install');
const n8n = require('./lib/n8n');
const { logOf, itemsOf, outputOf } = require('./lib/runs');
const { examplesCredential, exampleWorkflows } = require('./lib/workflows');
const { startSandbox } = require('../sandbox/server');

const KEEP = process.argv.includes('--keep');
const VERBOSE = process.argv.includes('--verbose');
const CSV = path.join(__dirname, '..', 'examples', 'customers.csv');
const WORKFLOW_ID = 'hyfinCsvToCustomers';
const REQUESTS = { id: 'hyfinSheetPaymentRequests', rows: 'Sheet rows', hyfin: 'Hyfin: request the payment' };

/** The rows that are bad on purpose, and the field the error must name; every other row is stored. */
const REJECTED = { 'C-1007': 'last_name', 'C-1009': 'mobile_phone', 'C-1011': 'email', 'INV-2003': 'totals.total' };

const say = (line = '') => console.log(line);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const timings = [];
const timed = (label, work, started = Date.now()) => work().finally(() => timings.push([label, Date.now() - started]));

/** A failure of the demo, with n8n's log to show under it. */
const failure = (message, result) => Object.assign(new Error(message), { demo: true, log: logOf(result) });

/** A line of a table: each cell padded to its column's width (`columns`: [name, width]). */
const cells = (values, columns) => `  ${values.map((value, i) => String(value).padEnd(columns[i][1] ?? 0)).join('  ')}`.trimEnd();

/**
 * Run `runNo` of `workflow`, checked against what its rows imply: a line per row (`line` gives the row's id, its
 * cells and, if the sandbox disagrees with the row, how), the totals, the IF node's branches, what the sandbox holds.
 */
async function execute({ running, home, filesDir, sandbox, rows: csv }, runNo, workflow, { rows = csv, hyfin, columns, line, held }) {
	say(`\nRun ${runNo}: n8n execute --id=${workflow.id}`);
	const options = { env: { N8N_RESTRICT_FILE_ACCESS_TO: filesDir }, onLine: VERBOSE ? (text) => say(`      [n8n] ${text}`) : undefined };
	const result = await timed(`run ${runNo} (n8n execute)`, () => n8n.execute(running, home, workflow.id, options));
	if (result.code !== 0 || !result.run || result.error)
		throw failure(`run ${runNo}: the workflow failed (exit ${result.code}): ${result.error?.message ?? 'no run printed'}`, result);
	const nodeOf = (type) => workflow.nodes.find((node) => node.type === type).name;
	const outputs = itemsOf(result.run, hyfin ?? nodeOf('n8n-nodes-hyfin.hyfin'));
	const list = typeof rows === 'string' ? outputOf(result.run, rows) : rows;
	const [problems, counts] = [[], { added: 0, updated: 0, rejected: 0 }];
	say(
		cells(
			columns.map(([name]) => name),
			columns,
		),
	);
	list.forEach((row, index) => {
		const json = outputs.find((candidate) => candidate.pairedItem?.item === index)?.json ?? {};
		const outcome = json.success === true ? json.action : json.success === false ? 'rejected' : 'unexpected';
		counts[outcome] = (counts[outcome] ?? 0) + 1;
		const [id, values, wrong] = line(row, json, outcome === 'rejected' ? `rejected: ${json.errors.join(', ')}` : outcome, sandbox);
		const [field, wanted] = [REJECTED[id], runNo === 2 ? 'updated' : 'added'];
		if (field ? !(json.errors ?? []).some((error) => error.endsWith(field)) : outcome !== wanted)
			problems.push(`${id}: expected ${field ? `a rejection naming ${field}` : wanted}, got ${JSON.stringify(json)}`);
		if (wrong) problems.push(`${id}: ${wrong}`);
		say(cells(values, columns));
	});
	const ifNode = nodeOf('n8n-nodes-base.if');
	const [yes, no] = [0, 1].map((output) => outputOf(result.run, ifNode, output).length);
	say(`  Totals: ${list.length} rows: ${counts.added} added, ${counts.updated} updated, ${counts.rejected} rejected`);
	say(`  IF "${ifNode}": true: ${yes}, false: ${no}`);
	if (yes !== counts.added + counts.updated || no !== counts.rejected) problems.push(`the IF node's branches got ${yes} and ${no} items`);
	const count = sandbox.store.counts(sandbox.siteId)[held];
	if (count !== counts.added + counts.updated) problems.push(`the sandbox holds ${count} ${held}`);
	if (problems.length > 0) throw failure(`run ${runNo} is not what its rows imply:\n  - ${problems.join('\n  - ')}`, result);
}

/** The CSV example: a line per CSV row. */
const CSV_RUN = {
	columns: [['external_id', 11], ['name', 14], ['result']],
	line: (row, json, result) => [row.external_id, [row.external_id, `${row.first_name} ${row.last_name}`.trim(), result]],
	held: 'customers',
};

/** The payment-request example: per sheet row, its invoice and the texts and emails sent, as its customer chose. */
const REQUESTS_RUN = {
	...REQUESTS,
	columns: [['invoice', 8], ['customer', 8], ['amount', 9], ['payment request']],
	line: (row, json, result, sandbox) => {
		const sent = sandbox.store.notifications({ invoiceExternalId: row.Invoice }).map(({ channel, to }) => `${channel} to ${to}`);
		const chose = (channel, cell, flag) => (json.success && row[flag] === 'TRUE' && row[cell] ? [`${channel} to ${row[cell]}`] : []);
		const expected = [...chose('email', 'Email', 'Notify by Email'), ...chose('text', 'Phone', 'Notify by Text')];
		const wrong = sent.join() !== expected.join() && `sent ${sent.join(', ') || 'nothing'}; expected ${expected.join(', ') || 'nothing'}`;
		const told = json.success ? sent.join(', ') : `${result}; nothing sent`;
		return [row.Invoice, [row.Invoice, row['Customer ID'], row.Amount, told], wrong];
	},
	held: 'invoices',
};

async function main(state) {
	const version = n8nVersion();
	say(`Hyfin demo: examples/csv-to-hyfin and payment-requests-from-sheet in a real n8n ${version}, against a local Hyfin sandbox\n`);
	state.work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-demo-')));
	say('[1/4] Hyfin sandbox');
	const sandbox = (state.sandbox = await timed('sandbox start', () => startSandbox({ dbFile: path.join(state.work, 'hyfin.db') })));
	say(`      ${sandbox.baseUrl}, site ${sandbox.siteId}, a fresh database in ${state.work}`);
	say(`[2/4] n8n ${version} (installed into a cache the first time: several minutes)`);
	const log = (line) => (VERBOSE || !line.startsWith('[npm]') ? say(`      ${line}`) : undefined);
	const running = await timed('n8n', () => ensureN8n({ log }));
	say('[3/4] n8n-nodes-hyfin into a fresh n8n user folder, as an installed community package');
	const home = await timed('package install (npm pack)', () => n8n.createHome({ dir: path.join(state.work, 'n8n') }));
	say('[4/4] the credential and the workflows');
	// n8n 2.x reads files only under N8N_RESTRICT_FILE_ACCESS_TO, outside its own user folder.
	const filesDir = path.join(state.work, 'files');
	fs.mkdirSync(filesDir);
	const [workflow, requests] = [WORKFLOW_ID, REQUESTS.id].map((id) => exampleWorkflows(filesDir).find((candidate) => candidate.id === id));
	const credential = examplesCredential(sandbox);
	await timed('import credential', () => n8n.importInto(running, home, 'credentials', [credential]));
	await timed('import workflows', () => n8n.importInto(running, home, 'workflow', [workflow, requests]));
	const rows = parse(fs.readFileSync(CSV, 'utf8'), { columns: true });
	say(`      "${credential.name}", "${workflow.name}" (${rows.length} rows of examples/customers.csv), "${requests.name}"`);

	const context = { running, home, filesDir, rows, sandbox };
	await execute(context, 1, workflow, CSV_RUN);
	await execute(context, 2, workflow, CSV_RUN);
	const stored = sandbox.store.list({ siteId: sandbox.siteId }).map((customer) => customer.external_id);
	stored.sort();
	say(`\nThe sandbox holds ${stored.length} customers (site ${sandbox.siteId}): ${stored[0]} ... ${stored[stored.length - 1]}`);
	await execute(context, 3, requests, REQUESTS_RUN);
	const { invoices, notifications } = sandbox.store.counts(sandbox.siteId);
	say(`\nThe sandbox holds ${invoices} invoices, and sent ${notifications} texts and emails for them (none leaves it)`);
}

async function cleanUp(state) {
	await state.sandbox?.close();
	if (KEEP) say(`Kept ${state.work} (--keep)`);
	else if (state.work) fs.rmSync(state.work, { recursive: true, force: true });
}

const state = {};
const started = Date.now();
// Ctrl-C reaches n8n too (the same process group); the sandbox and the temp folder are ours to end.
process.once('SIGINT', () => cleanUp(state).finally(() => process.exit(130)));
main(state)
	.then(async () => {
		await cleanUp(state);
		say('\nTimings (the build ran before, in `npm run build`):');
		for (const [label, ms] of [...timings, ['total', Date.now() - started]]) say(`  ${label.padEnd(28)} ${seconds(ms).padStart(8)}`);
		say('\nDemo OK: everything it started is stopped and its temp folders are removed.');
	})
	.catch(async (error) => {
		console.error(`\nDEMO FAILED: ${error.demo ? error.message : error.stack}`);
		if (error.log) console.error(`--- n8n's log ---\n${error.log}`);
		await cleanUp(state).catch(() => {});
		process.exitCode = 1;
	});
