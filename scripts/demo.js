#!/usr/bin/env node
'use strict';
/**
 * `npm run demo`: examples/csv-to-hyfin.workflow.json in a real n8n against a local Hyfin sandbox.
 * It starts the sandbox, installs n8n once into a cache (scripts/lib/install.js), installs this
 * package into a fresh n8n user folder from its npm pack tarball, imports the example's credential
 * and workflow, executes it twice (`added`, then `updated`), prints one line per CSV row and checks
 * each against what the CSV implies; then it stops and removes all it started.
 *
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

/** The CSV's rows that are bad on purpose, and the field the error must name; every other row is stored. */
const REJECTED = { 'C-1007': 'last_name', 'C-1009': 'mobile_phone', 'C-1011': 'email' };

const say = (line = '') => console.log(line);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const timings = [];
async function timed(label, work) {
	const started = Date.now();
	const result = await work();
	timings.push([label, Date.now() - started]);
	return result;
}

/** A failure of the demo, with n8n's log to show under it. */
const failure = (message, result) => Object.assign(new Error(message), { demo: true, log: logOf(result) });

/** One execution: a line per row, the totals and the IF node's branches, each checked against the CSV. */
async function execute(context, runNo) {
	const { running, home, filesDir, rows, sandbox, workflow } = context;
	say(`\nRun ${runNo}: n8n execute --id=${WORKFLOW_ID}`);
	const result = await timed(`run ${runNo} (n8n execute)`, () =>
		n8n.execute(running, home, WORKFLOW_ID, {
			env: { N8N_RESTRICT_FILE_ACCESS_TO: filesDir },
			onLine: VERBOSE ? (line) => say(`      [n8n] ${line}`) : undefined,
		}),
	);
	if (result.code !== 0 || !result.run || result.error) {
		throw failure(`run ${runNo}: the workflow failed (exit ${result.code}): ${result.error?.message ?? 'no run printed'}`, result);
	}
	const name = (type) => workflow.nodes.find((node) => node.type === type).name;
	const hyfin = itemsOf(result.run, name('n8n-nodes-hyfin.hyfin'));
	const problems = [];
	const counts = { added: 0, updated: 0, rejected: 0 };
	say(`  ${'external_id'.padEnd(11)}  ${'name'.padEnd(14)}  result`);
	rows.forEach((row, index) => {
		const item = hyfin.find((candidate) => candidate.pairedItem?.item === index);
		const json = item?.json ?? {};
		const outcome = json.success === true ? json.action : json.success === false ? 'rejected' : 'unexpected';
		counts[outcome] = (counts[outcome] ?? 0) + 1;
		const field = REJECTED[row.external_id];
		if (field ? !(json.errors ?? []).some((error) => error.endsWith(field)) : outcome !== (runNo === 1 ? 'added' : 'updated')) {
			problems.push(
				`${row.external_id}: ${field ? `expected a rejection naming ${field}` : `expected ${runNo === 1 ? 'added' : 'updated'}`}, got ${JSON.stringify(json)}`,
			);
		}
		const result = outcome === 'rejected' ? `rejected: ${json.errors.join(', ')}` : outcome;
		say(`  ${row.external_id.padEnd(11)}  ${`${row.first_name} ${row.last_name}`.trim().padEnd(14)}  ${result}`);
	});
	const ifNode = name('n8n-nodes-base.if');
	const [synced, rejected] = [0, 1].map((output) => outputOf(result.run, ifNode, output).length);
	say(`  Totals: ${rows.length} rows: ${counts.added} added, ${counts.updated} updated, ${counts.rejected} rejected`);
	say(`  IF "${ifNode}": true: ${synced}, false: ${rejected}`);
	if (synced !== counts.added + counts.updated || rejected !== counts.rejected)
		problems.push(`the IF node's branches got ${synced} and ${rejected} items`);
	if (sandbox.store.count() !== counts.added + counts.updated) problems.push(`the sandbox holds ${sandbox.store.count()} customers`);
	if (problems.length > 0) throw failure(`run ${runNo} is not what ${path.basename(CSV)} implies:\n  - ${problems.join('\n  - ')}`, result);
}

async function main(state) {
	const version = n8nVersion();
	say(`Hyfin demo: examples/csv-to-hyfin.workflow.json in a real n8n ${version}, against a local Hyfin sandbox\n`);
	state.work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-demo-')));
	say('[1/4] Hyfin sandbox');
	const sandbox = (state.sandbox = await timed('sandbox start', () => startSandbox({ dbFile: path.join(state.work, 'hyfin.db') })));
	say(`      ${sandbox.baseUrl}, site ${sandbox.siteId}, a fresh database in ${state.work}`);
	say(`[2/4] n8n ${version} (installed into a cache the first time: several minutes)`);
	const running = await timed('n8n', () =>
		ensureN8n({ log: (line) => (VERBOSE || !line.startsWith('[npm]') ? say(`      ${line}`) : undefined) }),
	);
	say('[3/4] n8n-nodes-hyfin into a fresh n8n user folder, as an installed community package');
	const home = await timed('package install (npm pack)', () => n8n.createHome({ dir: path.join(state.work, 'n8n') }));
	say('[4/4] the credential and the workflow');
	// n8n 2.x reads files only under N8N_RESTRICT_FILE_ACCESS_TO, outside its own user folder.
	const filesDir = path.join(state.work, 'files');
	fs.mkdirSync(filesDir);
	const workflow = exampleWorkflows(filesDir).find((candidate) => candidate.id === WORKFLOW_ID);
	const credential = examplesCredential(sandbox);
	await timed('import credential', () => n8n.importInto(running, home, 'credentials', [credential]));
	await timed('import workflow', () => n8n.importInto(running, home, 'workflow', [workflow]));
	const rows = parse(fs.readFileSync(CSV, 'utf8'), { columns: true });
	say(`      "${credential.name}" and "${workflow.name}", reading ${rows.length} rows of examples/customers.csv`);

	const context = { running, home, filesDir, rows, sandbox, workflow };
	await execute(context, 1);
	await execute(context, 2);
	const stored = sandbox.store
		.list({ siteId: sandbox.siteId })
		.map((customer) => customer.external_id)
		.sort();
	say(`\nThe sandbox holds ${stored.length} customers (site ${sandbox.siteId}): ${stored[0]} ... ${stored[stored.length - 1]}`);
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
