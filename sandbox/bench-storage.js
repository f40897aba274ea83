#!/usr/bin/env node
'use strict';
/**
 * Prints how fast the sandbox stores customers as the table grows, to show that 100,000 customers
 * cost no more per upsert than the first thousand. A script that prints figures, not a test.
 *
 *   node sandbox/bench-storage.js                 # 100,000 upserts straight into the store
 *   node sandbox/bench-storage.js --via=http      # the same through the HTTP API (slower: HTTP)
 *   node sandbox/bench-storage.js --count=20000 --db=/tmp/x.db
 *
 * Uses a fresh temporary file database, set up as for a demo (WAL), unless --db names one.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createStore } = require('./store');
const { startSandbox } = require('./server');

const BATCH = 1000;
const HTTP_CONCURRENCY = 8;
const WARM_UP = 3000;

/** @param {string[]} argv */
function options(argv) {
	const flags = Object.fromEntries(argv.map((arg) => arg.replace(/^--/, '').split('=')));
	const count = Number(flags.count ?? 100_000);
	if (!Number.isInteger(count) || count < 2 * BATCH) throw new Error(`--count must be a whole number of at least ${2 * BATCH}`);
	const via = flags.via ?? 'store';
	if (via !== 'store' && via !== 'http') throw new Error('--via must be store or http');
	return { count, via, db: /** @type {string | undefined} */ (flags.db) };
}

/** @param {number} i */
function customer(i) {
	return {
		external_id: `bench-${i}`,
		first_name: `First${i}`,
		last_name: `Last${i}`,
		account_name: i % 3 === 0 ? `Account ${i}` : '',
		mobile_phone: `555-${String(i).padStart(7, '0')}`,
		email: `customer${i}@example.com`,
		notes: 'bench',
		active: true,
		notification_options: { notify_phone: i % 2 === 0, notify_email: true },
	};
}

/** @param {() => unknown} fn */
async function timed(fn) {
	const start = process.hrtime.bigint();
	await fn();
	return Number(process.hrtime.bigint() - start) / 1e6;
}

/** @param {number} ms @param {number} n */
const line = (ms, n) => `${ms.toFixed(1).padStart(8)} ms  (${((ms * 1000) / n).toFixed(0).padStart(5)} µs per customer)`;

/**
 * Runs `count` jobs, at most `limit` at once.
 * @param {number} count
 * @param {number} limit
 * @param {(i: number) => Promise<void>} job
 */
async function pool(count, limit, job) {
	let next = 0;
	const worker = async () => {
		while (next < count) await job(next++);
	};
	await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

async function main() {
	const { count, via, db } = options(process.argv.slice(2));
	const folder = db ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-bench-'));
	const dbFile = db ?? path.join(/** @type {string} */ (folder), 'bench.db');
	const sandbox = via === 'http' ? await startSandbox({ dbFile }) : null;
	const store = sandbox ? sandbox.store : createStore(dbFile);
	const siteId = sandbox ? sandbox.siteId : 'site_bench';
	const headers = { 'content-type': 'application/json', 'x-access-token': sandbox?.token ?? '' };

	/** @param {number} i */
	const upsert = async (i) => {
		if (!sandbox) {
			store.upsert(siteId, customer(i));
			return;
		}
		const res = await fetch(`${sandbox.baseUrl}/api/v3/site/${siteId}/customer/addUpdate`, {
			method: 'POST',
			headers,
			body: JSON.stringify(customer(i)),
		});
		const answer = /** @type {{ success?: unknown }} */ (await res.json());
		if (!answer.success) throw new Error(`upsert ${i} failed: ${JSON.stringify(answer)}`);
	};
	/** @param {number} i */
	const get = async (i) => {
		if (!sandbox) {
			if (!store.get(siteId, `bench-${i}`)) throw new Error(`bench-${i} not found`);
			return;
		}
		const res = await fetch(`${sandbox.baseUrl}/api/v3/site/${siteId}/customer/bench-${i}`, { headers });
		if (res.status !== 200) throw new Error(`GET bench-${i}: ${res.status}`);
		await res.arrayBuffer();
	};
	const concurrency = sandbox ? HTTP_CONCURRENCY : 1;

	// Runs the same code paths without storing anything (lookups of unknown customers, rejected
	// upserts), so the first timed batch does not pay for the JIT and for opening connections,
	// which would look like a table that gets faster as it grows.
	const warmUp = await timed(() =>
		pool(WARM_UP, concurrency, async (i) => {
			if (!sandbox) return void store.get(siteId, `warm-${i}`);
			const res = await (i % 2
				? fetch(`${sandbox.baseUrl}/api/v3/site/${siteId}/customer/warm-${i}`, { headers })
				: fetch(`${sandbox.baseUrl}/api/v3/site/${siteId}/customer/addUpdate`, {
						method: 'POST',
						headers,
						body: JSON.stringify({ ...customer(i), last_name: undefined }),
					}));
			await res.arrayBuffer();
		}),
	);
	console.log(`warm-up: ${WARM_UP} requests that store nothing, ${warmUp.toFixed(0)} ms`);
	console.log(`Upserting ${count.toLocaleString('en')} customers via ${via} into ${dbFile}`);
	/** @type {number[]} */
	const batches = [];
	const total = await timed(async () => {
		for (let from = 0; from < count; from += BATCH) {
			const n = Math.min(BATCH, count - from);
			batches.push(await timed(() => pool(n, concurrency, (k) => upsert(from + k))));
			if (batches.length % 10 === 0) process.stderr.write(`  ${(from + n).toLocaleString('en')} so far\r`);
		}
	});

	process.stderr.write('\n');
	console.log(`first ${BATCH} upserts (added)        ${line(batches[0], BATCH)}`);
	console.log(`last ${BATCH} upserts (added)         ${line(batches[batches.length - 1], BATCH)}`);
	const sorted = [...batches].sort((a, b) => a - b);
	console.log(`median ${BATCH}-upsert batch           ${line(sorted[Math.floor(sorted.length / 2)], BATCH)}`);
	console.log(`slowest ${BATCH}-upsert batch          ${line(sorted[sorted.length - 1], BATCH)}`);
	const updates = await timed(() => pool(BATCH, concurrency, (k) => upsert(Math.floor((k * count) / BATCH))));
	console.log(`${BATCH} updates spread over all rows  ${line(updates, BATCH)}`);
	const oneGet = await timed(() => get(count - 1));
	console.log(`one GET of the newest customer       ${oneGet.toFixed(2).padStart(8)} ms`);
	const gets = await timed(() => pool(BATCH, concurrency, (k) => get(Math.floor((k * count) / BATCH))));
	console.log(`${BATCH} GETs spread over all rows     ${line(gets, BATCH)}`);
	const firstPage = await timed(() => store.list({ siteId, limit: 100 }));
	console.log(`merchant page (newest 100)           ${firstPage.toFixed(2).padStart(8)} ms`);
	const lastPage = await timed(() => store.list({ siteId, limit: 100, offset: count - 100 }));
	console.log(`merchant page (oldest 100)           ${lastPage.toFixed(2).padStart(8)} ms`);
	console.log(
		`total ${(total / 1000).toFixed(1)} s for ${count.toLocaleString('en')} upserts; ${store.count(siteId).toLocaleString('en')} stored`,
	);

	if (sandbox) await sandbox.close();
	else store.close();
	if (folder) fs.rmSync(folder, { recursive: true, force: true });
}

main().catch((/** @type {unknown} */ error) => {
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
});
