'use strict';
/**
 * Installs the pinned n8n once into a cache folder outside the repository, with progress while
 * npm works (first time: minutes, about 2.3 GB), safely when several processes ask at once.
 */

const fs = require('fs');
const fsp = fs.promises;
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { streamLines } = require('./processes');
const { acquireLock, releaseLock } = require('./lock');

const N8N_VERSION = '2.8.4';
/** n8n-nodes-base depends on an xlsx tarball outside the npm registry: pin the registry one. */
const NPM_OVERRIDES = { xlsx: '0.18.5' };
const MARKER_FILE = '.hyfin-n8n-install-complete';

function cacheRoot() {
  return process.env.HYFIN_N8N_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-hyfin');
}

/** The folder that holds (or will hold) the pinned n8n install. */
function n8nInstallDir(root = cacheRoot()) {
  return path.join(root, `n8n-${N8N_VERSION}`);
}

/**
 * Optional pinned lockfile for the n8n install (copy of a good install's package-lock.json):
 * makes installs reproducible and skips npm's dependency resolution. Used when it exists.
 */
function lockfilePath() {
  return process.env.HYFIN_N8N_LOCKFILE || path.join(__dirname, `n8n-${N8N_VERSION}.package-lock.json`);
}

function binIn(dir) {
  return path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
}

function isInstalled(dir) {
  return fs.existsSync(path.join(dir, MARKER_FILE)) && fs.existsSync(binIn(dir));
}

/** Size of a folder in MB via `du` (best effort; null if unavailable). */
function duMb(dir) {
  return new Promise((resolve) => {
    if (!fs.existsSync(dir)) return resolve(0);
    let out = '';
    let child;
    try {
      child = spawn('du', ['-sm', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return resolve(null);
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stdout.on('data', (d) => (out += d));
    child.on('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    child.on('close', () => {
      clearTimeout(timer);
      const mb = parseInt(out, 10);
      resolve(Number.isFinite(mb) ? mb : null);
    });
  });
}

function countEntries(dir) {
  try {
    return fs.readdirSync(dir).length;
  } catch {
    return 0;
  }
}

/** Command line of the install script npm is running under `pid` (Linux /proc; best effort). */
function runningScript(pid) {
  try {
    const parent = new Map();
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        parent.set(Number(name), ppid);
      } catch {
        /* exited */
      }
    }
    for (const [child, ppid] of parent) {
      if (ppid !== pid) continue;
      const cmd = fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const cwd = fs.readlinkSync(`/proc/${child}/cwd`);
      const where = cwd.includes('node_modules') ? cwd.slice(cwd.lastIndexOf('node_modules') + 13) : cwd;
      return `${where}: ${cmd.slice(cmd[0] === 'sh' ? 2 : 0).join(' ')}`.slice(0, 160);
    }
  } catch {
    /* not Linux, or no permission */
  }
  return null;
}

/** Environment for child npm commands: drop what an outer `npm run`/jest put there. */
function npmChildEnv(extra = {}) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    const k = key.toLowerCase();
    if (
      k.startsWith('npm_package_') ||
      k.startsWith('npm_lifecycle_') ||
      [
        'npm_config_prefix',
        'npm_config_local_prefix',
        'npm_config_global',
        'npm_config_location',
        'npm_config_workspace',
        'npm_config_workspaces',
        'npm_config_include_workspace_root',
        'npm_config_dry_run',
        'npm_config_omit',
        'npm_config_production',
        'npm_config_ignore_scripts',
        'npm_config_package_lock_only',
        'init_cwd',
      ].includes(k)
    ) {
      delete env[key];
    }
  }
  delete env.NODE_ENV; // NODE_ENV=production would skip nothing here, but keep installs uniform
  // @scarf/scarf's postinstall reports analytics from a detached `npm ls` that holds npm's
  // output pipe open after npm exits; there is no network for it here anyway.
  return { ...env, npm_config_yes: 'true', SCARF_ANALYTICS: 'false', DO_NOT_TRACK: '1', ...extra };
}

async function runNpmInstall(dir, log) {
  const started = Date.now();
  const nodeModules = path.join(dir, 'node_modules');
  // Not detached: a Ctrl-C in the terminal reaches npm too (an interrupted install is redone).
  const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--loglevel=notice'], {
    cwd: dir,
    env: npmChildEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onLine = (line) => {
    if (line.trim()) log(`[npm] ${line}`);
  };
  streamLines(child.stdout, onLine);
  streamLines(child.stderr, onLine);
  let beating = false;
  const heartbeat = setInterval(async () => {
    if (beating) return;
    beating = true;
    const mb = await duMb(nodeModules);
    const secs = Math.round((Date.now() - started) / 1000);
    const entries = countEntries(nodeModules);
    const script = runningScript(child.pid);
    log(
      entries === 0
        ? `[n8n-install] ${secs}s elapsed; npm is resolving the dependency tree (nothing written yet)`
        : `[n8n-install] ${secs}s elapsed; node_modules: ${mb == null ? '?' : `${mb} MB`} ` +
            `of about 2300 MB, ${entries} top-level entries` +
            (script ? `; running install script of ${script}` : ''),
    );
    beating = false;
  }, 15_000);
  // If this process is interrupted, do not leave npm running on its own.
  const killChild = () => {
    try {
      child.kill('SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', killChild);
  try {
    const code = await new Promise((resolve, reject) => {
      child.on('error', reject);
      // 'exit', not 'close': a detached grandchild may keep npm's stdout open for a while.
      child.on('exit', (c, signal) => setTimeout(() => resolve(c == null ? `signal ${signal}` : c), 200));
    });
    if (code !== 0) throw new Error(`npm install of n8n ${N8N_VERSION} failed (exit ${code}) in ${dir}`);
  } finally {
    clearInterval(heartbeat);
    process.removeListener('exit', killChild);
  }
  return Date.now() - started;
}

const installPromises = new Map();

/**
 * Installs n8n N8N_VERSION once into `${HYFIN_N8N_CACHE || ~/.cache/n8n-nodes-hyfin}/n8n-<version>`
 * and returns the path of its bin script (node_modules/n8n/bin/n8n; run it with node).
 * Installs into a temp sibling folder and renames it when complete; a lock folder serialises
 * concurrent callers (other processes); an interrupted install is redone. Uses the pinned lockfile
 * (lockfilePath()) when it exists. Env: HYFIN_N8N_CACHE (cache root), HYFIN_N8N_LOCKFILE.
 * @param {{ log?: (line: string) => void, cacheDir?: string }} [opts]
 */
async function ensureN8n(opts = {}) {
  const log = opts.log || ((line) => process.stderr.write(`${line}\n`));
  const root = opts.cacheDir || cacheRoot();
  const finalDir = n8nInstallDir(root);
  if (isInstalled(finalDir)) return binIn(finalDir);
  // Several callers in the same process share one install.
  if (!installPromises.has(finalDir)) {
    const p = installLocked(root, finalDir, log).finally(() => installPromises.delete(finalDir));
    installPromises.set(finalDir, p);
  }
  return installPromises.get(finalDir);
}

async function installLocked(root, finalDir, log) {
  await fsp.mkdir(root, { recursive: true });
  const lockDir = `${finalDir}.lock`;
  await acquireLock(lockDir, {
    log: (line) => log(`[n8n-install] ${line}`),
    holderIs: `installing n8n ${N8N_VERSION}`,
  });
  const base = path.basename(finalDir);
  try {
    if (isInstalled(finalDir)) return binIn(finalDir); // someone else finished it meanwhile
    // Leftovers of interrupted installs (we hold the lock, so nobody is using them).
    for (const name of await fsp.readdir(root)) {
      if (name.startsWith(`${base}.tmp-`) || name.startsWith(`${base}.trash-`)) {
        log(`[n8n-install] removing leftover ${path.join(root, name)}`);
        await fsp.rm(path.join(root, name), { recursive: true, force: true });
      }
    }
    if (fs.existsSync(finalDir)) {
      log(`[n8n-install] removing incomplete install ${finalDir}`);
      const trash = path.join(root, `${base}.trash-${process.pid}`);
      await fsp.rename(finalDir, trash);
      await fsp.rm(trash, { recursive: true, force: true });
    }
    const tmpDir = path.join(root, `${base}.tmp-${process.pid}-${Date.now()}`);
    await fsp.mkdir(tmpDir, { recursive: true });
    const pkg = {
      name: 'hyfin-n8n-runtime',
      version: '1.0.0',
      private: true,
      description: `n8n ${N8N_VERSION} for the end-to-end runs of n8n-nodes-hyfin (generated)`,
      dependencies: { n8n: N8N_VERSION },
      overrides: NPM_OVERRIDES,
    };
    await fsp.writeFile(path.join(tmpDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    const lock = lockfilePath();
    if (fs.existsSync(lock)) {
      log(`[n8n-install] using the pinned lockfile ${lock}`);
      await fsp.copyFile(lock, path.join(tmpDir, 'package-lock.json'));
    }
    log(`[n8n-install] installing n8n ${N8N_VERSION} into ${finalDir} (first time only: 5-8 min on 2 cores, ~2.3 GB)`);
    const ms = await runNpmInstall(tmpDir, log);
    if (!fs.existsSync(binIn(tmpDir))) {
      throw new Error(`npm install finished but ${binIn(tmpDir)} is missing`);
    }
    await fsp.writeFile(
      path.join(tmpDir, MARKER_FILE),
      JSON.stringify({ version: N8N_VERSION, node: process.version, installedAt: new Date().toISOString(), ms }),
    );
    await fsp.rename(tmpDir, finalDir);
    log(`[n8n-install] n8n ${N8N_VERSION} installed in ${Math.round(ms / 1000)}s`);
    return binIn(finalDir);
  } finally {
    await releaseLock(lockDir);
  }
}

module.exports = { N8N_VERSION, cacheRoot, n8nInstallDir, lockfilePath, ensureN8n, npmChildEnv };
