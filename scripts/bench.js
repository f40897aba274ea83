#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: our node beside n8n's HTTP Request node, sending N customers (default 1,000)
 * through real n8n to the Hyfin sandbox in six server profiles, each run 3 times (the median is
 * reported); then 20,000 items for memory and CPU. Prints each of issue 12's targets with its
 * figure and the HTTP Request node's beside it, and writes docs/benchmarks.md.
 *   node scripts/bench.js [--n=1000] [--runs=3] [--memory-n=20000] [--profiles=abcdef] [--max-concurrent=50]
 * A script that prints figures: it measures, and says which targets were met; it asserts nothing.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureN8n } = require('./lib/install');
const n8n = require('./lib/n8n');
const { nodeRun } = require('./lib/runs');
const { codeNode, hyfinNode, manualTrigger, noOp, workflow } = require('./lib/workflows');
const { CALM, startSandbox } = require('../sandbox/server');

const flag = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const N = Number(flag('n', process.env.BENCH_N ?? 1000));
const RUNS = Number(flag('runs', 3));
const MEMORY_N = Number(flag('memory-n', process.env.BENCH_MEMORY_N ?? 20000));
const ONLY = flag('profiles', 'abcdef');
const MAX_CONCURRENT = flag('max-concurrent', undefined);
const CREDENTIAL = { id: 'benchHyfinCredential', name: 'Hyfin bench' };
const SENDER = 'Send';
/** 20 in flight at 60 ms each. */
const IN_FLIGHT_CAPACITY = 20 / 0.06;
const INFLIGHT = { maxInFlight: 20, latencyMs: 60, jitterMs: 10 };

/** The server profiles: the sandbox's knobs, and what each allows a sender per second (undefined: no limit). */
const PROFILES = {
	a: { label: '(a) 50 req/s rate limit', knobs: { rateLimitPerSec: 50 }, capacity: 50 },
	b: { label: '(b) ≤ 20 in flight, 50–70 ms, 503 + Retry-After beyond', knobs: INFLIGHT, capacity: IN_FLIGHT_CAPACITY },
	c: { label: '(c) no limit, 50–70 ms', knobs: { latencyMs: 60, jitterMs: 10 } },
	d: {
		label: '(d) faults: 10% 429, 2% 500, 1.5% 502 HTML, 1.5% 503, 2% resets, 1% cut-off JSON',
		knobs: { fault429: 0.1, fault500: 0.02, fault502Html: 0.015, fault503: 0.015, faultReset: 0.02, faultTruncated: 0.01 },
	},
	e: {
		label: '(e) ≤ 20 in flight, down to 5 for 1 s mid-run, then 20 again',
		knobs: INFLIGHT,
		capacity: IN_FLIGHT_CAPACITY,
		drop: { afterRequests: 0.3, toMaxInFlight: 5, forMs: 1000 },
	},
	f: {
		label: '(f) ≤ 20 in flight, 503 only (no Retry-After)',
		knobs: { ...INFLIGHT, overloadRetryAfter: 0 },
		capacity: IN_FLIGHT_CAPACITY,
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

/** n8n's HTTP Request node as a user would set it up for Hyfin: JSON body, token header, optionally in batches. */
const httpRequest = (sandbox, batch) => ({
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
		options: batch ? { batching: { batch } } : {},
	},
});

const benchWorkflow = (id, count, sender) =>
	workflow({ id, name: `Bench ${id}`, chain: { Start: manualTrigger(), Customers: customers(count, id), [SENDER]: sender } });

/** Peak resident memory (VmHWM only grows) and CPU time of a process, read while it runs. */
function watchProcess(pid) {
	let peakKb = 0;
	let cpuTicks = 0;
	const read = () => {
		try {
			peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0));
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			const [utime, stime] = stat
				.slice(stat.lastIndexOf(')') + 2)
				.split(' ')
				.slice(11, 13)
				.map(Number);
			cpuTicks = utime + stime;
		} catch {
			// It has exited: the last reading stands.
		}
	};
	const timer = setInterval(read, 50);
	return () => {
		read();
		clearInterval(timer);
		// Linux counts CPU time in clock ticks of 10 ms.
		return { peakRssMb: peakKb / 1024, cpuMs: cpuTicks * 10 };
	};
}

/**
 * Customers stored in each 250 ms from now on, read from the sandbox's store while a run goes on.
 * @returns {{ stop: () => number[] }}
 */
function watchStored(sandbox) {
	const counts = [sandbox.store.count(sandbox.siteId)];
	const timer = setInterval(() => counts.push(sandbox.store.count(sandbox.siteId)), 250);
	return {
		stop: () => {
			clearInterval(timer);
			return counts.slice(1).map((count, i) => count - counts[i]);
		},
	};
}

/** For (e): drops the in-flight limit after a share of the requests, raises it again, and measures the return. */
function dropMidRun(sandbox, drop) {
	const state = { droppedAt: 0, quarters: /** @type {number[]} */ ([]) };
	let watcher;
	const poll = setInterval(() => {
		if (state.droppedAt || sandbox.stats().received < N * drop.afterRequests) return;
		state.droppedAt = Date.now();
		sandbox.setKnobs({ maxInFlight: drop.toMaxInFlight });
		setTimeout(() => {
			sandbox.setKnobs({ maxInFlight: INFLIGHT.maxInFlight });
			watcher = watchStored(sandbox);
		}, drop.forMs);
	}, 10);
	return () => {
		clearInterval(poll);
		state.quarters = watcher?.stop() ?? [];
		// The first 250 ms after the recovery with at least 90% of the capacity.
		const quarter = state.quarters.findIndex((stored) => stored >= 0.9 * IN_FLIGHT_CAPACITY * 0.25);
		return quarter < 0 ? undefined : (quarter + 1) * 0.25;
	};
}

async function measure(running, home, sandbox, id, profile, { watch = false } = {}) {
	sandbox.reset();
	sandbox.setKnobs({ ...CALM, ...profile.knobs });
	let readProcess = () => ({ peakRssMb: 0, cpuMs: 0 });
	const stopDrop = profile.drop ? dropMidRun(sandbox, profile.drop) : undefined;
	const result = await n8n.execute(running, home, id, {
		timeoutMs: 30 * 60_000,
		onSpawn: watch ? (child) => (readProcess = watchProcess(child.pid)) : undefined,
	});
	const process = readProcess();
	const backAfterSec = stopDrop?.();
	const stats = sandbox.stats();
	const stored = sandbox.store.count(sandbox.siteId);
	// The sandbox keys customers by external_id: N stored means each landed, none twice.
	return {
		stored,
		seconds: (result.run ? nodeRun(result.run, SENDER).executionTime : result.durationMs) / 1000,
		failed: result.code !== 0,
		requests: stats.received,
		refused429: stats.rateLimited + stats.faults.fault429,
		refused503: stats.overloaded,
		backAfterSec,
		...process,
	};
}

const median = (values) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
};
const pct = (x) => `${Math.round(x * 100)}%`;

/** The median run of a row (by time), and every run's time. */
async function repeat(times, run) {
	const runs = [];
	for (let i = 0; i < times; i++) runs.push(await run());
	const middle = median(runs.map((r) => r.seconds));
	return { ...runs.find((r) => r.seconds === middle), allSeconds: runs.map((r) => r.seconds) };
}

async function main() {
	const started = Date.now();
	console.log(`Benchmark: N = ${N} customers per run, ${RUNS} runs each (median), memory and CPU with ${MEMORY_N}.`);
	const running = await ensureN8n({ log: console.log });
	const home = await n8n.createHome();
	const sandbox = await startSandbox({ knobs: CALM });
	try {
		const ours = hyfinNode({ options: MAX_CONCURRENT ? { maxConcurrent: Number(MAX_CONCURRENT) } : {}, credential: CREDENTIAL });
		const rows = [
			{ id: 'benchOurs', name: `Hyfin node, ${MAX_CONCURRENT ? `Max Concurrent Requests = ${MAX_CONCURRENT}` : 'defaults'}`, node: ours },
			{ id: 'benchHttp', name: 'HTTP Request, defaults', node: httpRequest(sandbox) },
			{ id: 'benchHttpBatched', name: 'HTTP Request, 10 per 200 ms', node: httpRequest(sandbox, { batchSize: 10, batchInterval: 200 }) },
		];
		const heavy = [
			{ id: 'benchMemOurs', name: rows[0].name, node: ours },
			{ id: 'benchMemHttp', name: 'HTTP Request, 50 at a time', node: httpRequest(sandbox, { batchSize: 50, batchInterval: 0 }) },
			{ id: 'benchMemNoOp', name: 'No Operation node', node: noOp() },
		];
		await n8n.importInto(running, home, 'credentials', [
			{ ...CREDENTIAL, type: 'hyfinApi', data: { baseUrl: sandbox.baseUrl, siteId: sandbox.siteId, accessToken: sandbox.token } },
		]);
		await n8n.importInto(running, home, 'workflow', [
			...rows.map((row) => benchWorkflow(row.id, N, row.node)),
			...heavy.map((row) => benchWorkflow(row.id, MEMORY_N, row.node)),
		]);

		const results = {};
		const table = [];
		for (const [key, profile] of Object.entries(PROFILES).filter(([key]) => ONLY.includes(key))) {
			results[key] = [];
			for (const row of rows) {
				const m = await repeat(RUNS, () => measure(running, home, sandbox, row.id, profile));
				const throughput = m.stored / m.seconds;
				results[key].push({ row, ...m, throughput });
				table.push([
					profile.label,
					row.name,
					`${m.stored} / ${N}`,
					`${m.seconds.toFixed(1)} s${m.failed ? ' (workflow failed)' : ''}`,
					m.allSeconds.map((s) => s.toFixed(1)).join(', '),
					String(m.requests),
					`${pct(m.refused429 / m.requests)} / ${pct(m.refused503 / m.requests)}`,
					profile.capacity ? pct(throughput / profile.capacity) : '–',
					m.backAfterSec === undefined ? '–' : `${m.backAfterSec.toFixed(2)} s`,
				]);
				console.log(table[table.length - 1].join(' · '));
			}
		}

		const heavyRuns = {};
		const heavyTable = [];
		if (MEMORY_N > 0) {
			for (const row of heavy) {
				const m = await repeat(1, () => measure(running, home, sandbox, row.id, PROFILES.c, { watch: true }));
				heavyRuns[row.id] = m;
				heavyTable.push([
					row.name,
					`${m.stored} / ${MEMORY_N}`,
					`${m.peakRssMb.toFixed(0)} MB`,
					`${(m.cpuMs / 1000).toFixed(1)} s`,
					`${m.seconds.toFixed(1)} s`,
				]);
				console.log(`${MEMORY_N} items · ${heavyTable[heavyTable.length - 1].join(' · ')}`);
			}
		}

		const targets = checkTargets(results, heavyRuns);
		for (const line of targets) console.log(`${line[2]} · ${line[0]} · ${line[1]}`);
		const cpu = `${os.cpus().length} cores (${os.cpus()[0]?.model}), ${Math.round(os.totalmem() / 2 ** 30)} GB`;
		const markdown = (cells) => cells.map((row) => `| ${row.join(' | ')} |`).join('\n');
		const report = `# Benchmarks

Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: n8n ${running.version} (headless \`n8n execute\`), Node.js ${process.version}, ${cpu}.
Each run sends ${N} customers through real n8n to a fresh Hyfin sandbox; each row is the median of ${RUNS} runs (by time; every run's time is listed).
*Succeeded*: customers the sandbox holds after; *time*: the sending node's execution time; *refused*: requests answered 429 / 503;
*share*: customers per second as a share of what the server allows ((a) 50/s; (b), (e), (f) 20 ÷ 60 ms = 333/s); *back*: in (e), the time from
the limit's return to the first 250 ms at 90% of 333/s. The HTTP Request node sends every item at once unless batched.
The sandbox's rate limit is a token bucket that starts full (50 requests), so a run in (a) can pass 100%.

## Targets (issue 12)

${markdown([['target', 'Hyfin node (HTTP Request beside it)', 'met'], Array(3).fill('---'), ...targets])}

## Every run

${markdown([['profile', 'sender', 'succeeded', 'time', 'runs', 'requests', 'refused 429 / 503', 'share', 'back'], Array(9).fill('---'), ...table])}

## ${MEMORY_N} items, profile (c): memory and CPU of the n8n process

${markdown([['sender', 'succeeded', 'peak RSS', 'CPU time', 'node time'], Array(5).fill('---'), ...heavyTable])}
`;
		if (!MAX_CONCURRENT && ONLY === 'abcdef' && MEMORY_N > 0) {
			fs.writeFileSync(path.join(__dirname, '..', 'docs', 'benchmarks.md'), report);
			console.log('Written to docs/benchmarks.md.');
		}
		console.log(`\n${report}\n(${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
	} finally {
		await sandbox.close();
		n8n.removeHome(home);
	}
}

/** Each target of issue 12: [what, the figure (the HTTP Request node's beside it), 'met' | 'NOT met' | '–']. */
function checkTargets(results, heavy) {
	const lines = [];
	const [ours, http] = ['benchOurs', 'benchHttp'].map((id) => (key) => results[key]?.find((r) => r.row.id === id));
	const vs = (key, figure) => `${figure(ours(key))} (HTTP Request: ${figure(http(key))})`;
	const met = (ok) => (ok ? 'met' : 'NOT met');
	const add = (key, what, figure, ok) => results[key] && lines.push([what, vs(key, figure), met(ok(ours(key)))]);
	const share = (key) => (r) => `${pct(r.throughput / PROFILES[key].capacity)} of capacity, ${r.stored} / ${N}`;
	add('a', '(a) ≥ 95% of 50 req/s', share('a'), (r) => r.stored === N && r.throughput >= 0.95 * 50);
	add(
		'a',
		'(a) under 5% of requests answered 429',
		(r) => pct(r.refused429 / r.requests),
		(r) => r.refused429 / r.requests < 0.05,
	);
	add('b', '(b) ≥ 90% of 20 ÷ 60 ms', share('b'), (r) => r.stored === N && r.throughput >= 0.9 * IN_FLIGHT_CAPACITY);
	if (results.c) {
		const [o, h] = [ours('c'), http('c')];
		lines.push([
			'(c) no slower than the HTTP Request node',
			vs('c', (r) => `${r.seconds.toFixed(2)} s`),
			met(o.stored === N && o.seconds <= h.seconds),
		]);
	}
	add(
		'd',
		'(d) every record lands, once',
		(r) => `${r.stored} / ${N}, ${r.failed ? 'workflow failed' : 'no item failed'}`,
		(r) => r.stored === N && !r.failed,
	);
	add(
		'e',
		'(e) nothing lost',
		(r) => `${r.stored} / ${N}`,
		(r) => r.stored === N && !r.failed,
	);
	add(
		'e',
		'(e) under 10% of requests refused',
		(r) => pct((r.refused429 + r.refused503) / r.requests),
		(r) => (r.refused429 + r.refused503) / r.requests < 0.1,
	);
	add(
		'e',
		'(e) back to ≥ 90% within 2 s of the recovery',
		(r) => (r.backAfterSec === undefined ? 'never' : `${r.backAfterSec.toFixed(2)} s`),
		(r) => r.backAfterSec !== undefined && r.backAfterSec <= 2,
	);
	add('f', '(f) ≥ 90% of 20 ÷ 60 ms with 503 alone', share('f'), (r) => r.stored === N && r.throughput >= 0.9 * IN_FLIGHT_CAPACITY);
	const [mem, memHttp, noop] = ['benchMemOurs', 'benchMemHttp', 'benchMemNoOp'].map((id) => heavy[id]);
	if (mem && noop && memHttp) {
		lines.push([
			`memory, ${MEMORY_N} items: peak RSS within 15% of No Operation's`,
			`${mem.peakRssMb.toFixed(0)} MB, ${pct(mem.peakRssMb / noop.peakRssMb - 1)} over ${noop.peakRssMb.toFixed(0)} MB (HTTP Request: ${memHttp.peakRssMb.toFixed(0)} MB)`,
			met(mem.peakRssMb <= noop.peakRssMb * 1.15),
		]);
		const perItem = (a, b) => (a.cpuMs - b.cpuMs) / MEMORY_N;
		lines.push([
			"CPU per item under 0.2 ms beyond n8n's (its HTTP Request node sending the same requests)",
			`${perItem(mem, memHttp).toFixed(3)} ms (all of it, requests included, beyond No Operation: ${perItem(mem, noop).toFixed(3)} ms; HTTP Request's: ${perItem(memHttp, noop).toFixed(3)} ms)`,
			met(perItem(mem, memHttp) < 0.2),
		]);
	}
	return lines;
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
