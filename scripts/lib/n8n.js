'use strict';
/**
 * Running a real n8n (install.js's ensureN8n) with this package installed as users get it: a user
 * folder (createHome), its CLI (importInto, execute headless), and `n8n start` with its REST API.
 * Used by the demo, dev, the benchmark and the E2E and UI tests.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const { getRandomPort } = require('get-port-please');

const { unpackInto } = require('./install');
const { parseRawOutput, errorOf, logOf } = require('./runs');

const ROOT = path.join(__dirname, '..', '..');

/** Fixed, so every command on a user folder can read what the first one encrypted. */
const ENCRYPTION_KEY = 'n8n-nodes-hyfin-fixed-encryption-key';

const DEFAULT_OWNER = { email: 'owner@n8n-nodes-hyfin.test', firstName: 'Hyfin', lastName: 'Tester', password: 'Hyfin-e2e-Passw0rd' };

/**
 * A user folder (`dir`, or a new temp folder) with the built package at `packageDir` installed in
 * it from its `npm pack` tarball, as n8n's community-package installer leaves it.
 * @param {{ packageDir?: string, dir?: string }} [options]
 * @returns {Promise<{ dir: string, packageName: string }>}
 */
async function createHome({ packageDir = ROOT, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-n8n-')) } = {}) {
	const { name, n8n } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	for (const file of [...n8n.nodes, ...n8n.credentials]) {
		if (!fs.existsSync(path.join(packageDir, file))) throw new Error(`${file} is missing: build the package first (npm run build)`);
	}
	const nodes = path.join(dir, '.n8n', 'nodes');
	const target = path.join(nodes, 'node_modules', name);
	fs.rmSync(target, { recursive: true, force: true });
	unpackInto(target, packageDir);
	fs.writeFileSync(
		path.join(nodes, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [name]: '*' } }),
	);
	return { dir, packageName: name };
}

/** @param {{ dir: string }} home */
const removeHome = (home) => fs.rmSync(home.dir, { recursive: true, force: true });

/**
 * The environment of n8n on `home`: nothing of the caller's n8n or npm settings, `extra` on top.
 * @param {{ dir: string }} home @param {Record<string, string>} [extra]
 */
function envOf(home, extra = {}) {
	const env = Object.fromEntries(
		Object.entries(process.env).filter(([key]) => !/^(N8N_|DB_|EXECUTIONS_|QUEUE_|npm_|NODE_ENV$|NODE_OPTIONS$|JEST_WORKER_ID$)/.test(key)),
	);
	return {
		...env,
		N8N_USER_FOLDER: home.dir,
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		// `n8n execute` prints its result through the logger at level info.
		N8N_LOG_LEVEL: process.env.HYFIN_N8N_LOG_LEVEL || 'info',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		// The default turns to false in a coming n8n: say what these runs rely on.
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		...extra,
	};
}

/**
 * Starts `n8n <args>` on `home` with its own task broker port; onLine sees each line it prints.
 * @typedef {{ node: string, bin: string }} N8n how to run n8n (install.js ensureN8n)
 * @param {N8n} n8n @param {{ dir: string }} home @param {string[]} args
 * @param {{ env?: Record<string, string>, timeoutMs?: number, onLine?: (line: string, stream: string) => void }} options
 */
async function spawnN8n(n8n, home, args, { env = {}, timeoutMs, onLine }) {
	const broker = String(await getRandomPort('127.0.0.1'));
	const child = spawn(n8n.node, [n8n.bin, ...args], {
		cwd: os.tmpdir(),
		env: envOf(home, { N8N_RUNNERS_BROKER_PORT: broker, ...env }),
		stdio: ['ignore', 'pipe', 'pipe'],
		timeout: timeoutMs,
		killSignal: 'SIGKILL',
	});
	for (const stream of ['stdout', 'stderr'])
		readline.createInterface({ input: child[stream] }).on('line', (line) => onLine?.(line, stream));
	return child;
}

/**
 * @typedef {{ timeoutMs?: number, env?: Record<string, string>, onLine?: (line: string, stream: string) => void,
 *   onSpawn?: (child: import('node:child_process').ChildProcess) => void }} RunOptions
 */

/**
 * Runs `n8n <args>` to its end: { code, signal, stdout, stderr, durationMs, timedOut }; a run
 * longer than timeoutMs is killed. onSpawn(child) sees the process (the benchmark reads its memory).
 * @param {N8n} n8n @param {{ dir: string }} home @param {string[]} args @param {RunOptions} [options]
 */
async function run(n8n, home, args, { timeoutMs = 180_000, env, onLine, onSpawn } = {}) {
	const started = Date.now();
	const out = { stdout: [], stderr: [] };
	const record = (line, stream) => out[stream].push(line) && onLine?.(line, stream);
	const child = await spawnN8n(n8n, home, args, { env, timeoutMs, onLine: record });
	onSpawn?.(child);
	const [code, signal] = await new Promise((resolve, reject) => child.on('error', reject).on('close', (...end) => resolve(end)));
	const durationMs = Date.now() - started;
	const [stdout, stderr] = [out.stdout.join('\n'), out.stderr.join('\n')];
	return { code, signal, timedOut: signal === 'SIGKILL' && durationMs >= timeoutMs, stdout, stderr, durationMs };
}

/**
 * `n8n import:<kind>` of `items` (credentials: [{ id, name, type, data }]; workflow: workflows with fixed ids).
 * @param {N8n} n8n @param {{ dir: string }} home @param {'credentials' | 'workflow'} kind @param {object[]} items
 * @param {{ env?: Record<string, string> }} [options] env: e.g. the database's, in queue mode
 */
async function importInto(n8n, home, kind, items, { env } = {}) {
	const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-import-')), `${kind}.json`);
	fs.writeFileSync(file, JSON.stringify(items));
	try {
		const result = await run(n8n, home, [`import:${kind}`, `--input=${file}`], { timeoutMs: 120_000, env });
		if (result.code !== 0) throw new Error(`n8n import:${kind} failed (exit ${result.code}):\n${logOf(result)}`);
	} finally {
		fs.rmSync(path.dirname(file), { recursive: true, force: true });
	}
}

/**
 * `n8n execute --id=<id> --rawOutput`: the command's result, with the run it printed and its error. Never rejects on a failed run.
 * @param {N8n} n8n @param {{ dir: string }} home @param {string} workflowId @param {RunOptions} [options]
 */
async function execute(n8n, home, workflowId, options = {}) {
	const result = await run(n8n, home, ['execute', `--id=${workflowId}`, '--rawOutput'], options);
	const parsed = parseRawOutput(result.stdout);
	return { ...result, run: parsed, error: errorOf(parsed) };
}

/**
 * The ids of the processes under `pid` (children, then theirs), read from Linux's /proc; none elsewhere.
 * @param {number} pid @returns {number[]}
 */
function descendantsOf(pid) {
	/** @type {Array<[number, number]>} */
	const parents = [];
	for (const entry of fs.existsSync('/proc') ? fs.readdirSync('/proc') : []) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			// "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			parents.push([Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])]);
		} catch {
			// It ended meanwhile.
		}
	}
	const found = [];
	for (let i = -1; i < found.length; i++) {
		const parent = i < 0 ? pid : found[i];
		for (const [child, ppid] of parents) if (ppid === parent) found.push(child);
	}
	return found;
}

/** The line each long-running command logs once it is ready. */
const READY = { start: 'Editor is now accessible via', worker: 'n8n worker is now ready' };

/**
 * `n8n start` on `port` (a free one by default), resolved once the editor is up:
 * { url, port, pid, logs(), stop(), kill() }. onLog(line) sees n8n's output as it comes. `command: 'worker'`
 * starts a queue-mode worker instead (give it the main's URLs in `env`), resolved once it is ready.
 * stop() asks n8n to shut down (SIGTERM, SIGKILL after 15 s); kill() is a crash: SIGKILL to n8n
 * and every process under it (its task runner) at once, as when its machine or container dies.
 * @param {N8n} n8n @param {{ dir: string }} home
 * @param {{ port?: number, env?: Record<string, string>, onLog?: (line: string) => void, timeoutMs?: number, command?: 'start' | 'worker' }} [options]
 */
async function start(n8n, home, { port, env = {}, onLog, timeoutMs = 120_000, command = 'start' } = {}) {
	port ??= await getRandomPort('127.0.0.1');
	const url = `http://127.0.0.1:${port}`;
	// WEBHOOK_URL for n8n 2.8, N8N_WEBHOOK_URL for newer ones.
	const webhooks = { WEBHOOK_URL: `${url}/`, N8N_WEBHOOK_URL: `${url}/` };
	const settings = { N8N_PORT: String(port), N8N_HOST: '127.0.0.1', N8N_EDITOR_BASE_URL: url, ...webhooks };
	const lines = [];
	let ready;
	const up = new Promise((resolve) => (ready = resolve));
	const onLine = (line) => {
		lines.push(line);
		if (lines.length > 2000) lines.shift();
		// Logged at the very end of start-up, once webhooks and forms are registered.
		if (line.includes(READY[command])) ready('ready');
		onLog?.(line);
	};
	const child = await spawnN8n(n8n, home, [command], { env: { ...settings, N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10', ...env }, onLine });
	const exited = new Promise((resolve) => child.on('close', () => resolve('exited')));
	const stop = async () => {
		const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
		child.kill('SIGTERM');
		await exited;
		clearTimeout(force);
	};
	const late = new Promise((resolve) => setTimeout(resolve, timeoutMs, 'was not ready in time').unref());
	const state = await Promise.race([up, exited, late]);
	if (state !== 'ready') {
		await stop();
		throw new Error(`n8n ${command} ${state}:\n${lines.slice(-60).join('\n')}`);
	}
	const kill = async () => {
		for (const pid of [child.pid, ...descendantsOf(child.pid)]) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// Already gone.
			}
		}
		await exited;
	};
	return { url, port, pid: child.pid, logs: () => lines.join('\n'), stop, kill };
}

/**
 * A REST call to a running n8n; JSON in and out; throws on a non-2xx answer. `response` gets the raw answer.
 * @param {string} url @param {string} pathname
 * @param {{ cookie?: string, method?: string, body?: unknown, response?: (res: Response) => void }} [options]
 * @returns {Promise<any>}
 */
async function rest(url, pathname, { cookie, method = 'GET', body, response } = {}) {
	const res = await fetch(`${url}${pathname}`, {
		method,
		headers: { ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	response?.(res);
	const text = await res.text();
	if (!res.ok) throw new Error(`${method} ${pathname}: HTTP ${res.status}: ${text.slice(0, 500)}`);
	return text ? JSON.parse(text) : undefined;
}

/**
 * Creates the owner of a fresh n8n, or logs in as it; returns the `n8n-auth=...` cookie.
 * @param {string} url @param {{ email: string, firstName: string, lastName: string, password: string }} [owner]
 */
async function signIn(url, owner = DEFAULT_OWNER) {
	let cookie = '';
	const response = (res) => (cookie = /n8n-auth=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0] ?? '');
	const { showSetupOnFirstLoad } = (await rest(url, '/rest/settings')).data.userManagement;
	const login = { emailOrLdapLoginId: owner.email, email: owner.email, password: owner.password };
	const [pathname, body] = showSetupOnFirstLoad ? ['/rest/owner/setup', owner] : ['/rest/login', login];
	await rest(url, pathname, { method: 'POST', body, response });
	if (!cookie) throw new Error('n8n answered the sign-in without an n8n-auth cookie');
	return cookie;
}

module.exports = { ENCRYPTION_KEY, DEFAULT_OWNER, createHome, removeHome, envOf, run, importInto, execute, start, rest, signIn };
