'use strict';
/**
 * An n8n user folder (N8N_USER_FOLDER) with a package installed in it as a community package,
 * the way users get it, and the environment every n8n command on that folder runs with.
 */

const fs = require('fs');
const fsp = fs.promises;
const os = require('os');
const path = require('path');
const { freePort, run } = require('./processes');
const { npmChildEnv } = require('./n8n-install');

/** Fixed, so that every command on the same user folder can decrypt what the first one wrote. */
const ENCRYPTION_KEY = 'n8n-nodes-hyfin-e2e-fixed-encryption-key';

function homeDir(home) {
  if (typeof home === 'string') return home;
  if (home && typeof home.home === 'string') return home.home;
  throw new TypeError('home must be a folder path or the object returned by createN8nHome()');
}

/** The files a package.json's `n8n` section lists (its nodes and credentials). */
function n8nFilesOf(pkg) {
  return [...((pkg.n8n && pkg.n8n.nodes) || []), ...((pkg.n8n && pkg.n8n.credentials) || [])];
}

/**
 * `npm pack` of a built package into `destDir` (a new temp folder by default).
 * Returns the absolute path of the tarball.
 */
async function packPackage(packageDir, destDir) {
  const dest = destDir || (await fsp.mkdtemp(path.join(os.tmpdir(), 'hyfin-pack-')));
  await fsp.mkdir(dest, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dest], {
    cwd: packageDir,
    env: npmChildEnv(),
  });
  // Lifecycle scripts (prepack...) may print before the JSON array.
  const start = stdout.search(/^\[/m);
  let info;
  try {
    info = JSON.parse(stdout.slice(start));
  } catch {
    throw new Error(`cannot read the output of npm pack --json:\n${stdout}`);
  }
  const tarball = path.join(dest, info[0].filename);
  if (!fs.existsSync(tarball)) throw new Error(`npm pack reported ${tarball}, which does not exist`);
  return tarball;
}

/**
 * Makes a fresh n8n user folder and installs the package into it the way users get it:
 * the `npm pack` tarball extracted to <dir>/.n8n/nodes/node_modules/<name>, plus
 * <dir>/.n8n/nodes/package.json listing it. (Not `npm install`ed: its peer dependency
 * n8n-workflow "*" would pull a version that needs Node 24; n8n provides n8n-workflow at run time.)
 * @param {{ dir?: string, packageDir?: string, tarball?: string }} opts
 *   dir: the user folder (created; default: a new temp folder). packageDir: a BUILT package
 *   (default: this repository). tarball: a prebuilt `npm pack` tarball (skips packing; reuse
 *   the `tarball` returned by a previous call to make many homes quickly).
 * @returns {Promise<{ home: string, nodesDir: string, packageDir: string, packageName: string,
 *   packageVersion: string, tarball: string, packDir: string|null }>} packDir: the temp folder
 *   of the tarball when this call packed it (removeN8nHome(result) deletes it).
 */
async function createN8nHome(opts = {}) {
  const home = opts.dir || (await fsp.mkdtemp(path.join(os.tmpdir(), 'hyfin-n8n-home-')));
  const packageDir = path.resolve(opts.packageDir || path.join(__dirname, '..', '..'));
  await fsp.mkdir(home, { recursive: true });
  let tarball = opts.tarball;
  let packDir = null;
  if (!tarball) {
    const ownPkg = JSON.parse(await fsp.readFile(path.join(packageDir, 'package.json'), 'utf8'));
    for (const rel of n8nFilesOf(ownPkg)) {
      if (!fs.existsSync(path.join(packageDir, rel))) {
        throw new Error(`${path.join(packageDir, rel)} is missing: build the package first (npm run build)`);
      }
    }
    tarball = await packPackage(packageDir);
    packDir = path.dirname(tarball);
  }
  // Extract to a staging folder first to learn the package name from the tarball itself.
  const nodesDir = path.join(home, '.n8n', 'nodes');
  const staging = path.join(nodesDir, `.staging-${process.pid}-${Date.now()}`);
  await fsp.mkdir(staging, { recursive: true });
  await run('tar', ['xzf', tarball, '-C', staging, '--strip-components=1']);
  const pkg = JSON.parse(await fsp.readFile(path.join(staging, 'package.json'), 'utf8'));
  const target = path.join(nodesDir, 'node_modules', pkg.name);
  await fsp.mkdir(path.dirname(target), { recursive: true });
  await fsp.rm(target, { recursive: true, force: true });
  await fsp.rename(staging, target);
  for (const rel of n8nFilesOf(pkg)) {
    if (!fs.existsSync(path.join(target, rel))) {
      throw new Error(`the packed package lacks ${rel} (is it built, and listed in "files"?)`);
    }
  }
  await writeInstalledNodesList(nodesDir, pkg.name);
  return { home, nodesDir, packageDir, packageName: pkg.name, packageVersion: pkg.version, tarball, packDir };
}

/** <user folder>/.n8n/nodes/package.json: what n8n's community-package manager lists as installed. */
async function writeInstalledNodesList(nodesDir, packageName) {
  await fsp.writeFile(
    path.join(nodesDir, 'package.json'),
    `${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [packageName]: '*' } }, null, 2)}\n`,
  );
}

/**
 * Removes a user folder made by createN8nHome, and (given the object it returned) the temp
 * folder of the tarball it packed, if it packed one. Best effort.
 */
async function removeN8nHome(home) {
  await fsp.rm(homeDir(home), { recursive: true, force: true });
  if (home && typeof home === 'object' && home.packDir) {
    await fsp.rm(home.packDir, { recursive: true, force: true });
  }
}

/** Variables of the outer process that must not leak into n8n (jest, npm run, a developer's n8n). */
function baseEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(N8N_|DB_|EXECUTIONS_|QUEUE_|GENERIC_|WEBHOOK_URL$|npm_)/.test(key)) delete env[key];
  }
  delete env.NODE_ENV; // jest sets 'test'; n8n changes behaviour under it
  delete env.JEST_WORKER_ID;
  delete env.NODE_OPTIONS; // e.g. --inspect or ts-node hooks of the caller
  return env;
}

/**
 * Environment for n8n commands on user folder `home`. `extra` overrides anything
 * (e.g. { N8N_RUNNERS_BROKER_PORT: '5690', N8N_LOG_LEVEL: 'debug' }; null or undefined removes).
 * The log level default is `HYFIN_N8N_LOG_LEVEL` or 'info' (execute's result is logged at info); the broker port default
 * `HYFIN_N8N_BROKER_PORT` or 5679 (the run helpers pick a free port themselves: envWithPorts).
 */
function n8nEnv(home, extra = {}) {
  const dir = homeDir(home);
  const env = {
    ...baseEnv(),
    N8N_USER_FOLDER: dir,
    N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_HIRING_BANNER_ENABLED: 'false',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
    // `n8n execute` prints its result through the logger at level info: 'warn' hides it.
    N8N_LOG_LEVEL: process.env.HYFIN_N8N_LOG_LEVEL || 'info',
    N8N_LOG_OUTPUT: 'console',
    N8N_RUNNERS_BROKER_PORT: String(process.env.HYFIN_N8N_BROKER_PORT || 5679),
    N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
    N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
    N8N_REINSTALL_MISSING_PACKAGES: 'false',
    DB_TYPE: 'sqlite',
    N8N_SECURE_COOKIE: 'false',
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    GENERIC_TIMEZONE: 'UTC',
    TZ: 'UTC',
  };
  for (const [k, v] of Object.entries(extra || {})) {
    if (v === undefined || v === null) delete env[k];
    else env[k] = String(v);
  }
  return env;
}

/**
 * n8nEnv plus options.env, with the task broker on options.brokerPort or a free port (unless
 * options.env names one), so that n8n commands can run side by side.
 */
async function envWithPorts(home, options = {}) {
  const extra = { ...(options.env || {}) };
  if (!extra.N8N_RUNNERS_BROKER_PORT) {
    extra.N8N_RUNNERS_BROKER_PORT = String(options.brokerPort || (await freePort()));
  }
  return n8nEnv(home, extra);
}

module.exports = {
  ENCRYPTION_KEY,
  n8nFilesOf,
  packPackage,
  createN8nHome,
  writeInstalledNodesList,
  removeN8nHome,
  n8nEnv,
  envWithPorts,
};
