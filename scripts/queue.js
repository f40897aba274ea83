#!/usr/bin/env node
'use strict';
/**
 * `npm run queue`: n8n in queue mode on loopback (PostgreSQL, Redis, a main and two workers, this package installed
 * in each) against the Hyfin sandbox, with the examples and a published "customers POSTed to a webhook → Hyfin".
 * All in one temp folder; Ctrl-C or SIGTERM stops everything and removes it.
 *   node scripts/queue.js [--check] [--verbose]
 *   --check: POST customers to that webhook; check that workers ran it, PostgreSQL and the sandbox hold it; then stop
 *   --verbose: every line n8n prints (else only the workers' "Worker started/finished execution")
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureN8n } = require('./lib/install');
const n8n = require('./lib/n8n');
const { ensureServers, startQueue } = require('./lib/queue');
const { EXAMPLES_CREDENTIAL, examplesCredential, exampleWorkflows, hyfinNode, workflow } = require('./lib/workflows');
const { startSandbox } = require('../sandbox/server');

const [CHECK, VERBOSE] = ['--check', '--verbose'].map((flag) => process.argv.includes(flag));
const WEBHOOK = { id: 'hyfinQueueWebhook', path: 'hyfin-customers' };
const say = (line = '') => console.log(line);
const customer = (id) => ({ external_id: id, first_name: 'Queue', last_name: id, email: `${id.toLowerCase()}@example.com` });

/** Webhook (POST, a JSON array of customers) → an item per customer → Hyfin Customer → Add or Update; answers with the results. */
const webhookWorkflow = () =>
	workflow({
		id: WEBHOOK.id,
		name: 'Hyfin: customers POSTed to a webhook',
		chain: {
			Webhook: {
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				webhookId: crypto.randomUUID(),
				parameters: { httpMethod: 'POST', path: WEBHOOK.path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
			},
			'An item per customer': { type: 'n8n-nodes-base.splitOut', typeVersion: 1, parameters: { fieldToSplitOut: 'body', options: {} } },
			Hyfin: hyfinNode({ credential: EXAMPLES_CREDENTIAL }),
		},
	});

/** 6 POSTs of 5 customers at once (n8n 2.41 serves a published webhook a moment after its editor: 404 until then). */
async function check(queue, sandbox, url) {
	const batches = Array.from({ length: 6 }, (_, b) => Array.from({ length: 5 }, (_, i) => customer(`Q-${b + 1}-${i + 1}`)));
	const post = async (batch, until = Date.now() + 15_000) => {
		const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
		if (res.status === 404 && Date.now() < until) return new Promise((resolve) => setTimeout(resolve, 200)).then(() => post(batch, until));
		const results = await res.json().catch(() => null);
		return results?.length === 5 && results.every((result) => result.action === 'added')
			? []
			: [`HTTP ${res.status}: ${JSON.stringify(results)}`];
	};
	const problems = (await Promise.all(batches.map((batch) => post(batch)))).flat();
	const ranOn = (id) => queue.workers.filter((worker) => worker.logs().includes(`Worker started execution ${id} `)).map(({ name }) => name);
	const rows = await queue.postgres.sql(`SELECT id, status, mode FROM execution_entity WHERE "workflowId" = '${WEBHOOK.id}' ORDER BY id`);
	for (const [id, status, mode] of rows) {
		say(`  execution ${id}: ${status}, ${mode} (PostgreSQL); its worker's log: ${ranOn(id).join(', ') || 'none'}`);
		if (status !== 'success' || mode !== 'webhook' || ranOn(id).length !== 1) problems.push(`execution ${id}`);
	}
	if (rows.length !== batches.length) problems.push(`PostgreSQL holds ${rows.length} executions`);
	const missing = batches.flat().filter((sent) => !sandbox.store.get(sandbox.siteId, sent.external_id));
	say(`  the sandbox holds ${sandbox.store.count()} customers; ${missing.length} of the ${batches.flat().length} sent are missing`);
	if (missing.length > 0) problems.push(`the sandbox lacks ${missing.map((sent) => sent.external_id).join(', ')}`);
	if (problems.length > 0) throw new Error(`the queue-mode check failed:\n  - ${problems.join('\n  - ')}`);
}

async function main() {
	const since = Date.now();
	const progress = (line) => say(`[${((Date.now() - since) / 1000).toFixed(1).padStart(5)} s] ${line}`);
	const dir = (started.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-queue-')));
	const files = path.join(dir, 'files'); // the examples' files, which the workers read
	fs.mkdirSync(files);
	ensureServers(progress);
	const sandbox = (started.sandbox = await startSandbox({ dbFile: path.join(dir, 'hyfin.db') }));
	const running = await ensureN8n({ log: progress });
	progress(`PostgreSQL, Redis; n8n ${running.version}: n8n-nodes-hyfin into the user folders of a main and 2 workers`);
	const prepare = async (home, env) => {
		progress('the credential, the examples and the webhook workflow into PostgreSQL; the webhook workflow published');
		await n8n.importInto(running, home, 'credentials', [examplesCredential(sandbox)], { env });
		await n8n.importInto(running, home, 'workflow', [webhookWorkflow(), ...exampleWorkflows(files)], { env });
		const published = await n8n.run(running, home, ['publish:workflow', `--id=${WEBHOOK.id}`], { env });
		if (published.code !== 0 || /GOT ERROR/.test(published.stdout + published.stderr))
			throw new Error(`n8n publish:workflow failed (exit ${published.code}):\n${published.stdout}\n${published.stderr}`);
		progress('n8n start, n8n worker (×2)');
	};
	const onLog = (name, line) => (VERBOSE || /Worker (started|finished) execution/.test(line)) && say(`[${name}] ${line}`);
	const onStop = (stop) => (started.queue = stop);
	const queue = await startQueue(running, { dir, env: { N8N_RESTRICT_FILE_ACCESS_TO: files }, onLog, prepare, onStop });
	await n8n.signIn(queue.main.url);
	const { main: editor, workers, postgres, redis } = queue;
	progress(`ready: ${[editor, ...workers].map(({ name, readyMs }) => `${name} in ${(readyMs / 1000).toFixed(1)} s`).join(', ')}`);
	const url = `${editor.url}/webhook/${WEBHOOK.path}`;
	say(`\nThe editor:   ${editor.url}  (log in as ${n8n.DEFAULT_OWNER.email} / ${n8n.DEFAULT_OWNER.password})`);
	say(`The sandbox:  ${sandbox.baseUrl}  ("${EXAMPLES_CREDENTIAL.name}": Site ID ${sandbox.siteId}, Access Token ${sandbox.token})`);
	say(`The webhook:  curl -H 'content-type: application/json' -d '${JSON.stringify([customer('C-1')])}' ${url}`);
	say(`PostgreSQL:   psql -h 127.0.0.1 -p ${postgres.port} -U postgres    Redis: redis-cli -p ${redis.port}    Files: ${dir}\n`);
	if (!CHECK) return say('Executions, from the webhook or the editor, run on the workers: their logs say which. Ctrl-C stops everything.');
	await check(queue, sandbox, url);
	say('\nQueue mode OK.');
	await stopAll();
}

/** What was started, stopped on Ctrl-C, SIGTERM, the end of --check or a failure; then the temp folder is removed. */
const started = {};
const stopAll = async () => {
	started.stopping = true;
	await Promise.all([started.queue?.(), started.sandbox?.close()]);
	if (started.dir) fs.rmSync(started.dir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stopAll().finally(() => process.exit(0)));
main().catch(async (error) => {
	if (!started.stopping) console.error(`npm run queue failed: ${error.stack}`);
	await stopAll();
	process.exit(1);
});
