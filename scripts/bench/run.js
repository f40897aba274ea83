'use strict';
/**
 * `npm run bench`: our node against n8n's HTTP Request node, sending N customers (default 1,000;
 * `--n=5000` or BENCH_N) through real n8n to the Hyfin sandbox in four server profiles, and the
 * peak memory of n8n with 20,000 items (`--memory-n`). Prints a table and writes docs/benchmarks.md.
 * A script that prints figures, not a test: it asserts nothing, it measures.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const n8n = require('../lib/n8n');
const { startSandbox } = require('../../sandbox/server');
const { SENDER, credential, hyfinNode, httpRequestNode, noOpNode, workflow } = require('./workflows');

const ROOT = path.join(__dirname, '..', '..');
const arg = (name, fallback) => {
	const given = process.argv.find((a) => a.startsWith(`--${name}=`));
	return Number(given ? given.split('=')[1] : process.env[`BENCH_${name.toUpperCase().replace('-', '_')}`] ?? fallback);
};
const N = arg('n', 1000);
const MEMORY_N = arg('memory-n', 20000);
const MEAN_LATENCY_S = 0.06;

const PROFILES = {
	a: { label: '(a) 50 req/s rate limit', knobs: { rateLimitPerSec: 50 }, capacity: () => 50 },
	b: {
		label: '(b) ≤ 20 in flight, 50–70 ms',
		knobs: { maxInFlight: 20, latencyMs: 60, jitterMs: 10 },
		capacity: (concurrency) => Math.min(20, concurrency) / MEAN_LATENCY_S,
	},
	c: { label: '(c) no limit, 50–70 ms', knobs: { latencyMs: 60, jitterMs: 10 }, capacity: (concurrency) => concurrency / MEAN_LATENCY_S },
	d: {
		label: '(d) faults',
		knobs: { fault429: 0.1, fault500: 0.02, fault502Html: 0.015, fault503: 0.015, faultReset: 0.02, faultTruncated: 0.01 },
		capacity: null,
	},
};

const CALM = { rateLimitPerSec: 0, maxInFlight: 0, latencyMs: 0, jitterMs: 0, fault429: 0, fault500: 0, fault502Html: 0, fault503: 0, faultReset: 0, faultHang: 0, faultTruncated: 0, seed: 1 };

function senders(sandbox) {
	return [
		{ id: 'benchOurs', name: 'Hyfin node, defaults', node: hyfinNode({}), concurrency: 10 },
		{ id: 'benchHttp', name: 'HTTP Request, defaults', node: httpRequestNode(sandbox, {}), concurrency: N },
		{ id: 'benchHttpContinue', name: 'HTTP Request, On Error = Continue', node: httpRequestNode(sandbox, { onError: 'continueRegularOutput' }), concurrency: N },
		{ id: 'benchHttpBatched', name: 'HTTP Request, 10 per 200 ms', node: httpRequestNode(sandbox, { batching: true }), concurrency: 10 },
	];
}

/** Peak resident memory of a process, read while it runs (VmHWM only grows). */
function watchPeakRss(pid) {
	let peakKb = 0;
	const read = () => {
		try {
			const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
			if (match) peakKb = Math.max(peakKb, Number(match[1]));
		} catch {
			// The process has exited: the last reading stands.
		}
	};
	const timer = setInterval(read, 100);
	return () => {
		read();
		clearInterval(timer);
		return peakKb / 1024;
	};
}

async function measure(bin, home, sandbox, id, knobs, { watchMemory = false } = {}) {
	sandbox.reset();
	sandbox.setKnobs({ ...CALM, ...knobs });
	let stopWatching = () => 0;
	const result = await n8n.executeWorkflow(bin, home, id, {
		timeoutMs: 30 * 60_000,
		onSpawn: watchMemory ? (child) => (stopWatching = watchPeakRss(child.pid)) : undefined,
	});
	const peakRssMb = stopWatching();
	const task = n8n.resultDataOf(result.run)?.runData?.[SENDER]?.[0];
	const stats = sandbox.stats();
	const sent = Object.entries(stats.requests)
		.filter(([route]) => route.endsWith('/customer/addUpdate'))
		.reduce((sum, [, outcomes]) => sum + Object.values(outcomes).reduce((a, b) => a + b, 0), 0);
	const stored = sandbox.store.count(sandbox.siteId);
	return { stored, sent, seconds: (task?.executionTime ?? result.durationMs) / 1000, failed: result.code !== 0, peakRssMb };
}

const pct = (value) => `${Math.round(value)}%`;

async function main() {
	const started = Date.now();
	console.log(`Benchmark: N = ${N} customers per run, memory runs with ${MEMORY_N}.`);
	const bin = await n8n.ensureN8n({ log: (line) => console.log(line) });
	const home = await n8n.createN8nHome({ packageDir: ROOT });
	const sandbox = await startSandbox({ knobs: CALM });
	try {
		const rows = senders(sandbox);
		const extra = { id: 'benchOurs50', name: 'Hyfin node, Max Concurrent Requests = 50', node: hyfinNode({ maxConcurrent: 50 }), concurrency: 50 };
		const memory = [
			{ id: 'benchMemOurs', name: 'Hyfin node, defaults', node: hyfinNode({}) },
			{ id: 'benchMemNoOp', name: 'No Operation node', node: noOpNode() },
		];
		await n8n.importCredentials(bin, home, [credential(sandbox)]);
		await n8n.importWorkflow(bin, home, [
			...[...rows, extra].map((row) => workflow(row.id, N, row.node)),
			...memory.map((row) => workflow(row.id, MEMORY_N, row.node)),
		]);

		const table = [];
		for (const [key, profile] of Object.entries(PROFILES)) {
			for (const row of key === 'b' ? [...rows, extra] : rows) {
				process.stdout.write(`${profile.label} · ${row.name} … `);
				const m = await measure(bin, home, sandbox, row.id, profile.knobs);
				const throughput = m.stored / m.seconds;
				const capacity = profile.capacity ? profile.capacity(row.concurrency) : null;
				const line = {
					profile: profile.label,
					sender: row.name,
					succeeded: `${m.stored} / ${N}`,
					wall: `${m.seconds.toFixed(1)} s${m.failed ? ' (workflow failed)' : ''}`,
					sent: String(m.sent),
					capacity: capacity ? pct((throughput / capacity) * 100) : '–',
				};
				console.log(`${line.succeeded} in ${line.wall}, ${line.sent} requests, ${line.capacity} of capacity`);
				table.push(line);
			}
		}

		const memoryRows = [];
		for (const row of memory) {
			process.stdout.write(`memory, ${MEMORY_N} items, profile (c) · ${row.name} … `);
			const m = await measure(bin, home, sandbox, row.id, PROFILES.c.knobs, { watchMemory: true });
			console.log(`peak RSS ${m.peakRssMb.toFixed(0)} MB in ${m.seconds.toFixed(1)} s`);
			memoryRows.push({ name: row.name, rss: `${m.peakRssMb.toFixed(0)} MB`, wall: `${m.seconds.toFixed(1)} s` });
		}

		const report = render(table, memoryRows);
		console.log(`\n${report}`);
		fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
		fs.writeFileSync(path.join(ROOT, 'docs', 'benchmarks.md'), report);
		console.log(`Written to docs/benchmarks.md (${((Date.now() - started) / 1000).toFixed(0)} s in all).`);
	} finally {
		await sandbox.close();
		await n8n.removeN8nHome(home);
	}
}

function render(table, memoryRows) {
	const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
	const lines = [
		'# Benchmarks',
		'',
		`Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: n8n ${n8n.N8N_VERSION} (headless \`n8n execute\`),`,
		`Node.js ${process.version}, ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GB.`,
		`Each run sends ${N} customers through real n8n to the Hyfin sandbox (\`sandbox/\`), fresh for each run.`,
		'*Succeeded* counts the customers the sandbox holds afterwards; *time* is the sending node\'s execution time;',
		'*capacity* is what the server profile allows: (a) 50/s, (b) min(20, the node\'s concurrency) ÷ 60 ms,',
		'(c) the node\'s concurrency ÷ 60 ms (the HTTP Request node sends every item at once without batching).',
		'The sandbox\'s rate limit is a token bucket that starts full (50 requests), so a run in (a) can pass 100%.',
		'(d) answers 10% of requests 429, 2% 500, 1.5% 502 (HTML), 1.5% 503, 2% with a reset connection and 1% with',
		'JSON cut off after the record was stored; *succeeded* there must be exactly N records, none twice (the',
		'sandbox keys records by external_id, and the E2E suite checks the same profile with 300 items).',
		'',
		'| profile | sender | succeeded | time | requests sent | throughput, % of capacity |',
		'|---|---|---|---|---|---|',
		...table.map((r) => `| ${r.profile} | ${r.sender} | ${r.succeeded} | ${r.wall} | ${r.sent} | ${r.capacity} |`),
		'',
		`## Memory: ${MEMORY_N} items, profile (c)`,
		'',
		'| node | n8n process peak RSS | time |',
		'|---|---|---|',
		...memoryRows.map((r) => `| ${r.name} | ${r.rss} | ${r.wall} |`),
		'',
	];
	return lines.join('\n');
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
