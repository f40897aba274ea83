#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: our node beside n8n's HTTP Request node, sending N customers (default 1,000;
 * --n=5000 or BENCH_N) through real n8n to the Hyfin sandbox in four server profiles, and the peak
 * memory of n8n with 20,000 items (--memory-n). Prints a table and writes docs/benchmarks.md.
 * A script that prints figures: it measures, it asserts nothing.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureN8n } = require('./lib/install');
const n8n = require('./lib/n8n');
const { nodeRun } = require('./lib/runs');
const { codeNode, hyfinNode, manualTrigger, noOp, workflow } = require('./lib/workflows');
const { CALM, startSandbox } = require('../sandbox/server');

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const N = arg('n', process.env.BENCH_N ?? 1000);
const MEMORY_N = arg('memory-n', process.env.BENCH_MEMORY_N ?? 20000);
const CREDENTIAL = { id: 'benchHyfinCredential', name: 'Hyfin bench' };
const SENDER = 'Send';

/** Each server profile, and the requests per second it allows a sender with `concurrency` (60 ms: the mean latency). */
const PROFILES = {
	a: { label: '(a) 50 req/s rate limit', knobs: { rateLimitPerSec: 50 }, capacity: () => 50 },
	b: {
		label: '(b) ≤ 20 in flight, 50–70 ms',
		knobs: { maxInFlight: 20, latencyMs: 60, jitterMs: 10 },
		capacity: (c) => Math.min(20, c) / 0.06,
	},
	c: { label: '(c) no limit, 50–70 ms', knobs: { latencyMs: 60, jitterMs: 10 }, capacity: (c) => c / 0.06 },
	d: {
		label: '(d) faults',
		knobs: { fault429: 0.1, fault500: 0.02, fault502Html: 0.015, fault503: 0.015, faultReset: 0.02, faultTruncated: 0.01 },
	},
};

/** `count` customers with every field, ids unique per workflow. */
const customers = (count, prefix) =>
	codeNode({
		code: `return Array.from({ length: ${Number(count)} }, (_, i) => ({ json: {
	external_id: '${prefix}-' + i, first_name: 'First' + i, last_name: 'Last' + i, account_name: 'Account ' + (i % 97),
	mobile_phone: '555-01' + String(i % 100).padStart(2, '0') + '-' + String(i % 10000).padStart(4, '0'),
	email: 'customer' + i + '@example.com', notes: 'bench', active: true,
	notification_options: { notify_phone: true, notify_email: true },
} }));`,
	});

/** n8n's HTTP Request node as a user would set it up for Hyfin: JSON body, token header. */
const httpRequest = (sandbox, { onError, batching } = {}) => ({
	type: 'n8n-nodes-base.httpRequest',
	typeVersion: 4.2,
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
	...(onError ? { onError } : {}),
});

const benchWorkflow = (id, count, sender) =>
	workflow({ id, name: `Bench ${id}`, chain: { Start: manualTrigger(), Customers: customers(count, id), [SENDER]: sender } });

/** Peak resident memory of a process, read while it runs (VmHWM only grows). */
function watchPeakRss(pid) {
	let peakKb = 0;
	const read = () => {
		try {
			peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0));
		} catch {
			// It has exited: the last reading stands.
		}
	};
	const timer = setInterval(read, 100);
	return () => {
		read();
		clearInterval(timer);
		return peakKb / 1024;
	};
}

async function measure(running, home, sandbox, id, knobs, watchMemory = false) {
	sandbox.reset();
	sandbox.setKnobs({ ...CALM, ...knobs });
	let peakRss = () => 0;
	const result = await n8n.execute(running, home, id, {
		timeoutMs: 30 * 60_000,
		onSpawn: watchMemory ? (child) => (peakRss = watchPeakRss(child.pid)) : undefined,
	});
	const peakRssMb = peakRss();
	const seconds = (result.run ? nodeRun(result.run, SENDER).executionTime : result.durationMs) / 1000;
	return { stored: sandbox.store.count(sandbox.siteId), sent: sandbox.stats().received, seconds, failed: result.code !== 0, peakRssMb };
}

async function main() {
	const started = Date.now();
	console.log(`Benchmark: N = ${N} customers per run, memory runs with ${MEMORY_N}.`);
	const running = await ensureN8n({ log: console.log });
	const home = await n8n.createHome();
	const sandbox = await startSandbox({ knobs: CALM });
	try {
		const ours = (options) => hyfinNode({ options, credential: CREDENTIAL });
		const rows = [
			{ id: 'benchOurs', name: 'Hyfin node, defaults', node: ours({}), concurrency: 10 },
			{ id: 'benchHttp', name: 'HTTP Request, defaults', node: httpRequest(sandbox), concurrency: N },
			{
				id: 'benchHttpContinue',
				name: 'HTTP Request, On Error = Continue',
				node: httpRequest(sandbox, { onError: 'continueRegularOutput' }),
				concurrency: N,
			},
			{ id: 'benchHttpBatched', name: 'HTTP Request, 10 per 200 ms', node: httpRequest(sandbox, { batching: true }), concurrency: 10 },
		];
		const extra = {
			id: 'benchOurs50',
			name: 'Hyfin node, Max Concurrent Requests = 50',
			node: ours({ maxConcurrent: 50 }),
			concurrency: 50,
		};
		const memory = [
			{ id: 'benchMemOurs', name: 'Hyfin node, defaults', node: ours({}) },
			{ id: 'benchMemNoOp', name: 'No Operation node', node: noOp() },
		];
		await n8n.importInto(running, home, 'credentials', [
			{ ...CREDENTIAL, type: 'hyfinApi', data: { baseUrl: sandbox.baseUrl, siteId: sandbox.siteId, accessToken: sandbox.token } },
		]);
		await n8n.importInto(running, home, 'workflow', [
			...[...rows, extra].map((row) => benchWorkflow(row.id, N, row.node)),
			...memory.map((row) => benchWorkflow(row.id, MEMORY_N, row.node)),
		]);

		const table = [];
		for (const [key, profile] of Object.entries(PROFILES)) {
			for (const row of key === 'b' ? [...rows, extra] : rows) {
				const m = await measure(running, home, sandbox, row.id, profile.knobs);
				const capacity = profile.capacity?.(row.concurrency);
				const share = capacity ? `${Math.round((m.stored / m.seconds / capacity) * 100)}%` : '–';
				table.push([
					profile.label,
					row.name,
					`${m.stored} / ${N}`,
					`${m.seconds.toFixed(1)} s${m.failed ? ' (workflow failed)' : ''}`,
					m.sent,
					share,
				]);
				console.log(table[table.length - 1].join(' · '));
			}
		}
		const memoryTable = [];
		for (const row of memory) {
			const m = await measure(running, home, sandbox, row.id, PROFILES.c.knobs, true);
			memoryTable.push([row.name, `${m.peakRssMb.toFixed(0)} MB`, `${m.seconds.toFixed(1)} s`]);
			console.log(`memory, ${MEMORY_N} items · ${memoryTable[memoryTable.length - 1].join(' · ')}`);
		}
		const cpu = `${os.cpus().length} cores (${os.cpus()[0]?.model}), ${Math.round(os.totalmem() / 2 ** 30)} GB`;
		const markdown = (rows) => rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
		const report = `# Benchmarks

Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: n8n ${running.version} (headless \`n8n execute\`), Node.js ${process.version}, ${cpu}.
Each run sends ${N} customers through real n8n to a fresh Hyfin sandbox. *Succeeded*: customers the sandbox holds after;
*time*: the sending node's execution time; *capacity*: (a) 50/s, (b) min(20, concurrency) ÷ 60 ms, (c) concurrency ÷ 60 ms
(the HTTP Request node sends every item at once). (d): 10% 429, 2% 500, 1.5% 502 HTML, 1.5% 503, 2% resets, 1% cut-off JSON.

${markdown([['profile', 'sender', 'succeeded', 'time', 'requests sent', 'throughput, % of capacity'], Array(6).fill('---'), ...table])}

## Memory: ${MEMORY_N} items, profile (c)

${markdown([['node', 'n8n process peak RSS', 'time'], Array(3).fill('---'), ...memoryTable])}
`;
		fs.writeFileSync(path.join(__dirname, '..', 'docs', 'benchmarks.md'), report);
		console.log(`\n${report}\nWritten to docs/benchmarks.md (${((Date.now() - started) / 1000).toFixed(0)} s in all).`);
	} finally {
		await sandbox.close();
		n8n.removeHome(home);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
