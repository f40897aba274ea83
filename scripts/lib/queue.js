'use strict';
/**
 * n8n in queue mode on loopback: a PostgreSQL and a Redis of its own (Debian's packages, data in a
 * temp folder, free ports), a main (`n8n start`) and workers (`n8n worker`), each with its own user
 * folder holding this package as an installed community package. Used by `npm run queue`.
 */
const fs = require('node:fs');
const path = require('node:path');
const { execFile, execFileSync, spawn, spawnSync } = require('node:child_process');
const { promisify } = require('node:util');
const { getRandomPort } = require('get-port-please');

const n8n = require('./n8n');

const execFileAsync = promisify(execFile);

const PG = '/usr/lib/postgresql';
const asRoot = process.getuid?.() === 0;

/** PostgreSQL's bin folder (the newest installed), or undefined. */
const pgBin = () =>
	(fs.existsSync(PG) ? fs.readdirSync(PG).sort((a, b) => Number(b) - Number(a)) : [])
		.map((version) => path.join(PG, version, 'bin'))
		.find((bin) => fs.existsSync(path.join(bin, 'initdb')));

/** Installs Debian's postgresql and redis-server when either is missing (as root, as CI runs). */
function ensureServers(log) {
	if (pgBin() && !spawnSync('redis-server', ['--version']).error) return;
	if (!asRoot) throw new Error('PostgreSQL or Redis is missing: sudo apt-get install -y postgresql redis-server');
	log('[apt] apt-get install -y postgresql redis-server');
	const options = { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
	execFileSync('apt-get', ['update', '-qq'], options);
	execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql', 'redis-server'], options);
}

/** A PostgreSQL server in `dir`, run as the postgres user when root (initdb refuses root): { port, env, sql(query), stop() }. */
async function startPostgres(dir) {
	const bin = pgBin() ?? '';
	const pg = (/** @type {string} */ command, /** @type {string[]} */ ...args) => {
		const argv = [...(asRoot ? ['runuser', '-u', 'postgres', '--'] : []), path.join(bin, command), ...args];
		return execFileSync(argv[0], argv.slice(1), { stdio: 'pipe' });
	};
	fs.mkdirSync(dir, { mode: 0o700 });
	if (asRoot) {
		fs.chmodSync(path.dirname(dir), 0o711); // the postgres user walks through the temp folder
		fs.chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'])), Number(execFileSync('id', ['-g', 'postgres'])));
	}
	pg('initdb', '-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync');
	const port = String(await getRandomPort('127.0.0.1'));
	// Throwaway data: no fsync. The socket goes into the data folder, not /var/run/postgresql.
	const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
	pg('pg_ctl', '-D', dir, '-l', path.join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start');
	const login = { DB_POSTGRESDB_HOST: '127.0.0.1', DB_POSTGRESDB_PORT: port, DB_POSTGRESDB_USER: 'postgres', DB_POSTGRESDB_PASSWORD: '' };
	const psql = ['-h', '127.0.0.1', '-p', port, '-U', 'postgres', '-AtF\t', '-c'];
	return {
		port,
		env: { DB_TYPE: 'postgresdb', DB_POSTGRESDB_DATABASE: 'postgres', ...login },
		/**
		 * The rows, each column a string (up to 256 MB: an execution's data can be megabytes). Without
		 * blocking: the sandbox serves Hyfin from this process, and a synchronous psql would stall it,
		 * then let the requests queued meanwhile through at once.
		 * @param {string} query @returns {Promise<string[][]>}
		 */
		sql: async (query) => {
			const { stdout } = await execFileAsync(path.join(bin, 'psql'), [...psql, query], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
			return stdout
				.split('\n')
				.filter(Boolean)
				.map((row) => row.split('\t'));
		},
		stop: async () => void pg('pg_ctl', '-D', dir, '-m', 'fast', '-w', 'stop'),
	};
}

/** A Redis server in `dir`, nothing saved; its own process group, so that a Ctrl-C leaves it to stop(), after n8n. */
async function startRedis(dir) {
	const port = String(await getRandomPort('127.0.0.1'));
	fs.mkdirSync(dir);
	const args = ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
	const child = spawn('redis-server', args, { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
	const exited = new Promise((resolve) => child.on('close', resolve));
	await new Promise((resolve, reject) => {
		child.on('error', reject).on('close', (code) => reject(new Error(`redis-server exited (${code})`)));
		child.stdout.on('data', (data) => String(data).includes('Ready to accept connections') && resolve(undefined));
	});
	child.stdout.resume();
	const stop = async () => void (child.kill('SIGTERM') && (await exited));
	return { port, env: { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: port }, stop };
}

/**
 * PostgreSQL, Redis, a main and `workers` workers, all under `dir`: { main, workers, postgres, redis, env, homes, stop() }.
 * `prepare(home, env)` runs on the main's user folder before n8n starts (imports, publishing); `env`
 * goes to every n8n process; `onLog(name, line)` sees each line n8n prints ('main', 'worker-1', ...);
 * `onStop(stop)` gets, at once, what stops all started so far (for a Ctrl-C during start-up).
 * @param {import('./n8n').N8n} running
 * @param {{ dir: string, workers?: number, env?: Record<string, string>, onLog?: (name: string, line: string) => void,
 *   prepare?: (home: { dir: string }, env: Record<string, string>) => Promise<void>, onStop?: (stop: () => Promise<void>) => void }} options
 */
async function startQueue(running, { dir, workers = 2, env: extra = {}, onLog, prepare, onStop }) {
	/** @type {{ stopped: boolean, pending: Promise<unknown>[], n8n: Array<{ stop: () => Promise<void> }>, servers: Array<{ stop: () => Promise<void> }> }} */
	const started = { stopped: false, pending: [], n8n: [], servers: [] };
	/** @type {Promise<void> | undefined} */
	let stopping;
	/** Once, however often called: waits for what is starting, then stops n8n, then Redis and PostgreSQL. */
	const stop = () =>
		(stopping ??= (async () => {
			started.stopped = true;
			await Promise.allSettled(started.pending);
			await Promise.all(started.n8n.map((process) => process.stop()));
			for (const server of started.servers.reverse()) await server.stop().catch(() => undefined);
		})());
	/** Starts something (stop() waits for it) and keeps it in `list`; nothing new starts once stop() was called. @type {<T>(work: () => Promise<T>, list?: object[]) => Promise<T>} */
	const step = (work, list) => {
		if (started.stopped) return Promise.reject(new Error('stopped while starting'));
		const promise = work().then((thing) => (list?.push(thing), thing));
		started.pending.push(promise);
		return promise;
	};
	onStop?.(stop);
	try {
		const postgres = await step(() => startPostgres(path.join(dir, 'postgres')), started.servers);
		const redis = await step(() => startRedis(path.join(dir, 'redis')), started.servers);
		const env = { EXECUTIONS_MODE: 'queue', ...postgres.env, ...redis.env, ...extra };
		const names = ['main', ...Array.from({ length: workers }, (_, i) => `worker-${i + 1}`)];
		const homes = await Promise.all(names.map((name) => n8n.createHome({ dir: path.join(dir, name) })));
		await step(async () => prepare?.(homes[0], env));
		const port = await getRandomPort('127.0.0.1');
		const url = `http://127.0.0.1:${port}`;
		// Workers get the main's URLs: a Wait node's resume URL or a trigger's webhook is the main's.
		const urls = { N8N_EDITOR_BASE_URL: url, WEBHOOK_URL: `${url}/`, N8N_WEBHOOK_URL: `${url}/` };
		// All at once; if one fails, stop() waits for the others before it stops them.
		const processes = await Promise.all(
			names.map((name, i) => {
				const [command, own] = i === 0 ? ['start', { OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true' }] : ['worker', urls];
				const onLine = (/** @type {string} */ line) => onLog?.(name, line);
				const since = Date.now();
				const options = { port, command, env: { ...env, ...own }, onLog: onLine };
				return step(async () => ({ name, ...(await n8n.start(running, homes[i], options)), readyMs: Date.now() - since }), started.n8n);
			}),
		);
		return { main: processes[0], workers: processes.slice(1), postgres, redis, env, homes, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

module.exports = { ensureServers, startPostgres, startRedis, startQueue };
