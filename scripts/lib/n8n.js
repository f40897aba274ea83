'use strict';
/**
 * Helpers to run a REAL n8n (pinned version, installed once into a cache folder outside the
 * repository) with this package loaded as an installed community package, headless or as a server.
 *
 * Plain CommonJS for Node 20, Node built-ins only. Used by `npm run demo`, `npm run dev`,
 * the E2E tests (jest, in-process via require) and the benchmarks.
 *
 *   const n8n = require('./scripts/lib/n8n');
 *   const bin = await n8n.ensureN8n({ log: console.log });
 *   const { home } = await n8n.createN8nHome({ packageDir: repoRoot });
 *   await n8n.importCredentials(bin, home, [{ id, name, type, data }]);
 *   await n8n.importWorkflow(bin, home, workflowJson);
 *   const { code, run } = await n8n.executeWorkflow(bin, home, workflowJson.id);
 *   const items = n8n.outputOf(run, 'My Node');
 *
 * Every function that takes `home` also accepts the object returned by createN8nHome().
 * `bin` is the path of n8n's JS entry point (node_modules/n8n/bin/n8n); it is always run as
 * `process.execPath bin ...` (never through npx or a shell), in its own process group.
 */

const fs = require('fs');
const fsp = fs.promises;
const os = require('os');
const path = require('path');
const net = require('net');
const { spawn } = require('child_process');

const N8N_VERSION = '2.8.4';
/** n8n-nodes-base depends on an xlsx tarball outside the npm registry: pin the registry one. */
const NPM_OVERRIDES = { xlsx: '0.18.5' };
/** Fixed, so that every command on the same user folder can decrypt what the first one wrote. */
const ENCRYPTION_KEY = 'n8n-nodes-hyfin-e2e-fixed-encryption-key';
const MARKER_FILE = '.hyfin-n8n-install-complete';
const DEFAULT_OWNER = {
  email: 'owner@n8n-nodes-hyfin.test',
  firstName: 'Hyfin',
  lastName: 'Tester',
  password: 'Hyfin-e2e-Passw0rd',
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function homeDir(home) {
  if (typeof home === 'string') return home;
  if (home && typeof home.home === 'string') return home.home;
  throw new TypeError('home must be a folder path or the object returned by createN8nHome()');
}

function defaultLog(line) {
  process.stderr.write(`${line}\n`);
}

// ---------------------------------------------------------------------------------------------
// Installing n8n
// ---------------------------------------------------------------------------------------------

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

function pidAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Lock = a directory created atomically with mkdir; owner.json inside names the holder. */
async function acquireLock(lockDir, log) {
  const started = Date.now();
  let lastNotice = 0;
  for (;;) {
    try {
      await fsp.mkdir(lockDir);
      await fsp.writeFile(
        path.join(lockDir, 'owner.json'),
        JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }),
      );
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    let owner = null;
    try {
      owner = JSON.parse(await fsp.readFile(path.join(lockDir, 'owner.json'), 'utf8'));
    } catch {
      owner = null;
    }
    let stale = false;
    if (owner && owner.host === os.hostname()) {
      // A dead holder, or one older than any install takes (a reused pid).
      stale = !pidAlive(owner.pid) || Date.now() - Date.parse(owner.since) > 45 * 60_000;
    } else if (!owner) {
      // Created but owner.json not written yet (or the writer died in between): wait a little.
      try {
        const st = await fsp.stat(lockDir);
        stale = Date.now() - st.mtimeMs > 30_000;
      } catch {
        continue; // gone meanwhile: try again at once
      }
    }
    if (stale) {
      log(`[n8n-install] removing stale lock ${lockDir} (holder ${owner ? owner.pid : '?'} is gone)`);
      await fsp.rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - lastNotice >= 15_000) {
      lastNotice = Date.now();
      const secs = Math.round((Date.now() - started) / 1000);
      log(
        `[n8n-install] another process (pid ${owner ? owner.pid : '?'}) is installing n8n ${N8N_VERSION}; ` +
          `waiting (${secs}s)`,
      );
    }
    if (Date.now() - started > 60 * 60_000) throw new Error(`timed out waiting for the lock ${lockDir}`);
    await sleep(1000);
  }
}

async function releaseLock(lockDir) {
  await fsp.rm(lockDir, { recursive: true, force: true });
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

function streamLines(stream, onLine) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i).replace(/\r$/, ''));
      buf = buf.slice(i + 1);
    }
  });
  stream.on('end', () => {
    if (buf) onLine(buf);
    buf = '';
  });
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
  const log = opts.log || defaultLog;
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
  await acquireLock(lockDir, log);
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

// ---------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------

/** A free TCP port on 127.0.0.1 (asked from the OS; free at the time of the call). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function killGroup(child, signal) {
  if (!child || child.exitCode != null || child.signalCode != null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* gone */
    }
  }
}

/**
 * n8n processes started here (each in its own process group, so that its task runner can be
 * ended with it) must not outlive this process: on exit they are killed; on SIGINT/SIGTERM/SIGHUP
 * (when nobody else handles them) they get SIGTERM, this process waits for them (up to 15 s,
 * still reading their output: n8n does not finish its shutdown once its stdout is a broken pipe),
 * then re-raises the signal. A second signal kills them at once.
 */
const liveChildren = new Set();
let exitHookInstalled = false;
function track(child) {
  liveChildren.add(child);
  child.on('exit', () => liveChildren.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of liveChildren) killGroup(c, 'SIGKILL');
  });
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    if (process.listenerCount(sig) > 0) continue; // the host handles it; the exit hook still runs
    const handler = async () => {
      if (stopping) {
        for (const c of liveChildren) killGroup(c, 'SIGKILL');
        process.exit(130);
      }
      stopping = true;
      const waits = [...liveChildren].map((c) => new Promise((resolve) => c.once('exit', resolve)));
      for (const c of liveChildren) killGroup(c, 'SIGTERM');
      await Promise.race([Promise.all(waits), sleep(15_000)]);
      for (const c of liveChildren) killGroup(c, 'SIGKILL');
      process.removeListener(sig, handler);
      process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

/**
 * Runs `node bin ...args` in its own process group; resolves with
 * { code, signal, stdout, stderr, durationMs, timedOut }. Never rejects on a non-zero exit.
 */
function runN8nCommand(bin, args, { env, timeoutMs = 180_000, onLine, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: cwd || os.tmpdir(),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    track(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    if (onLine) {
      // Separate line splitters so that partial chunks do not mix.
      const split = (name) => {
        let buf = '';
        return (d) => {
          buf += d;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            onLine(buf.slice(0, i), name);
            buf = buf.slice(i + 1);
          }
        };
      };
      child.stdout.on('data', split('stdout'));
      child.stderr.on('data', split('stderr'));
    }
    let timedOut = false;
    let killTimer = null;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGTERM');
      // n8n's SIGTERM handling waits for running executions: do not give it long.
      killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), 2000);
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // The task runner is a child of n8n in n8n's process group: once n8n has exited, end whatever
    // is left of the group (it would also keep the output pipes, and so 'close', pending).
    const endGroup = () =>
      killGroup({ pid: child.pid, exitCode: null, signalCode: null, kill() {} }, 'SIGKILL');
    child.on('exit', () => setTimeout(endGroup, 500));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      endGroup();
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started, timedOut });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// n8n user folder with our package installed as a community package
// ---------------------------------------------------------------------------------------------

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}):\n${stderr || stdout}`));
    });
  });
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
    for (const rel of [...((ownPkg.n8n && ownPkg.n8n.nodes) || []), ...((ownPkg.n8n && ownPkg.n8n.credentials) || [])]) {
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
  for (const rel of [...((pkg.n8n && pkg.n8n.nodes) || []), ...((pkg.n8n && pkg.n8n.credentials) || [])]) {
    if (!fs.existsSync(path.join(target, rel))) {
      throw new Error(`the packed package lacks ${rel} (is it built, and listed in "files"?)`);
    }
  }
  await fsp.writeFile(
    path.join(nodesDir, 'package.json'),
    `${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [pkg.name]: '*' } }, null, 2)}\n`,
  );
  return { home, nodesDir, packageDir, packageName: pkg.name, packageVersion: pkg.version, tarball, packDir };
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

// ---------------------------------------------------------------------------------------------
// Environment and commands
// ---------------------------------------------------------------------------------------------

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
 * (e.g. { N8N_RUNNERS_BROKER_PORT: '5690', N8N_LOG_LEVEL: 'debug' }).
 * The log level default is `HYFIN_N8N_LOG_LEVEL` or 'info' (execute's result is logged at info); the broker port default
 * `HYFIN_N8N_BROKER_PORT` or 5679 (the run helpers below pick a free port themselves).
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

async function envWithPorts(home, options = {}) {
  const extra = { ...(options.env || {}) };
  if (!extra.N8N_RUNNERS_BROKER_PORT) {
    extra.N8N_RUNNERS_BROKER_PORT = String(options.brokerPort || (await freePort()));
  }
  return n8nEnv(home, extra);
}

function commandError(what, res) {
  const tail = (s) => s.split('\n').slice(-40).join('\n');
  return new Error(
    `${what} failed (exit ${res.code}${res.signal ? `, signal ${res.signal}` : ''}` +
      `${res.timedOut ? ', timed out' : ''})\n--- stdout ---\n${tail(res.stdout)}\n--- stderr ---\n${tail(res.stderr)}`,
  );
}

async function tempJson(prefix, value) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, 'input.json');
  await fsp.writeFile(file, JSON.stringify(value, null, 2));
  return { dir, file };
}

/**
 * `n8n import:credentials`. creds: [{ id, name, type, data: { ...plain values } }]
 * (n8n encrypts `data` with N8N_ENCRYPTION_KEY). Returns the command result.
 */
async function importCredentials(bin, home, creds, options = {}) {
  const list = (Array.isArray(creds) ? creds : [creds]).map((c) => ({
    isManaged: false,
    ...c,
    data: c.data || {},
  }));
  for (const c of list) {
    if (!c.id || !c.name || !c.type) throw new Error('each credential needs id, name, type and data');
  }
  const { dir, file } = await tempJson('hyfin-n8n-creds-', list);
  try {
    const res = await runN8nCommand(bin, ['import:credentials', `--input=${file}`], {
      env: await envWithPorts(home, options),
      timeoutMs: options.timeoutMs || 120_000,
    });
    if (res.code !== 0) throw commandError('n8n import:credentials', res);
    return res;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/**
 * `n8n import:workflow`. workflowJson: one workflow object (or an array); each needs a fixed
 * string `id` (execute by that id). Returns the id (or the ids for an array).
 */
async function importWorkflow(bin, home, workflowJson, options = {}) {
  const list = Array.isArray(workflowJson) ? workflowJson : [workflowJson];
  const prepared = list.map((wf) => {
    if (!wf || typeof wf.id !== 'string' || !wf.id) throw new Error('the workflow needs a fixed string "id"');
    return { active: false, settings: {}, connections: {}, ...wf };
  });
  const { dir, file } = await tempJson('hyfin-n8n-wf-', prepared.length === 1 ? prepared[0] : prepared);
  try {
    const res = await runN8nCommand(bin, ['import:workflow', `--input=${file}`], {
      env: await envWithPorts(home, options),
      timeoutMs: options.timeoutMs || 120_000,
    });
    if (res.code !== 0) throw commandError('n8n import:workflow', res);
    return Array.isArray(workflowJson) ? prepared.map((w) => w.id) : prepared[0].id;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Finds the JSON document that `n8n execute --rawOutput` prints after its log lines:
 * tries each line that starts with `{` (first first) up to each later line that ends with `}`
 * (last first). Returns the parsed value or null.
 */
function parseRawOutput(stdout) {
  if (!stdout) return null;
  const lines = stdout.split('\n');
  const starts = [];
  const ends = [];
  lines.forEach((l, i) => {
    if (l.startsWith('{')) starts.push(i);
    if (l.trimEnd().endsWith('}')) ends.push(i);
  });
  let attempts = 0;
  for (const s of starts) {
    for (let e = ends.length - 1; e >= 0 && ends[e] >= s; e--) {
      if (++attempts > 400) return null;
      try {
        return JSON.parse(lines.slice(s, ends[e] + 1).join('\n'));
      } catch {
        /* try a shorter slice */
      }
    }
  }
  return null;
}

/**
 * `n8n execute --id=<id> --rawOutput`. Resolves
 * { code, run, error, stdout, stderr, durationMs, timedOut, signal } where `run` is the parsed
 * result document ({ data: { resultData: { runData, lastNodeExecuted, error? } }, mode, status, ... };
 * null if none could be parsed) and `error` its resultData.error (null on success).
 * Never rejects on a failed run: check `code` (0 = success; 1 = the workflow failed, the
 * workflow id does not exist, or n8n crashed) and the data. A failed run's document is printed
 * too (after "Execution error:"), so `run`/`error` are usually set then as well.
 * options: { timeoutMs = 180000, brokerPort, env (extra env), onLog(line, 'stdout'|'stderr') }.
 * On timeout the process group gets SIGTERM, then SIGKILL 2 s later, and `timedOut` is true (a run
 * that finishes within those 2 s may still report code 0: check `timedOut`).
 */
async function executeWorkflow(bin, home, workflowId, options = {}) {
  const res = await runN8nCommand(bin, ['execute', `--id=${workflowId}`, '--rawOutput'], {
    env: await envWithPorts(home, options),
    timeoutMs: options.timeoutMs || 180_000,
    onLine: options.onLog,
  });
  const run = parseRawOutput(res.stdout);
  return {
    code: res.code,
    signal: res.signal,
    timedOut: res.timedOut,
    run,
    error: errorOf(run),
    stdout: res.stdout,
    stderr: res.stderr,
    durationMs: res.durationMs,
  };
}

/** The resultData of a parsed run (accepts the --rawOutput document or an IRun-like object). */
function resultDataOf(run) {
  if (!run) return null;
  if (run.data && run.data.resultData) return run.data.resultData;
  if (run.resultData) return run.resultData;
  if (run.runData) return run;
  return null;
}

/** The error recorded in a parsed run (null when it succeeded). */
function errorOf(run) {
  const rd = resultDataOf(run);
  return (rd && rd.error) || null;
}

/**
 * The json of the items that node `nodeName` put on output `outputIndex` in its last run
 * (run.data.resultData.runData[nodeName][last].data.main[outputIndex]). Returns [] for an
 * empty output, and throws if the node did not run.
 */
function outputOf(run, nodeName, outputIndex = 0) {
  const rd = resultDataOf(run);
  if (!rd || !rd.runData) throw new Error('no runData in this run result');
  const runs = rd.runData[nodeName];
  if (!runs || runs.length === 0) {
    throw new Error(`node "${nodeName}" did not run (ran: ${Object.keys(rd.runData).join(', ') || 'none'})`);
  }
  const last = runs[runs.length - 1];
  if (last.error && !(last.data && last.data.main)) {
    throw new Error(`node "${nodeName}" failed: ${last.error.message || JSON.stringify(last.error)}`);
  }
  const main = (last.data && last.data.main) || [];
  return (main[outputIndex] || []).map((item) => item.json);
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/**
 * `n8n start` on 127.0.0.1:<port> (a free port by default); resolves when /healthz/readiness
 * answers 200. Returns { url, port, process, logs(), stop() }; stop() ends the whole process group
 * and waits for it. onLog(line, 'stdout'|'stderr') sees n8n's output.
 */
async function startN8n(bin, home, options = {}) {
  const port = options.port || (await freePort());
  const env = await envWithPorts(home, {
    ...options,
    env: {
      N8N_PORT: String(port),
      N8N_LISTEN_ADDRESS: '127.0.0.1',
      N8N_HOST: '127.0.0.1',
      N8N_PROTOCOL: 'http',
      N8N_SECURE_COOKIE: 'false',
      N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}`,
      WEBHOOK_URL: `http://127.0.0.1:${port}/`,
      N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
      N8N_LOG_LEVEL: process.env.HYFIN_N8N_LOG_LEVEL || 'info',
      ...(options.env || {}),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const child = spawn(process.execPath, [bin, 'start'], {
    cwd: os.tmpdir(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  track(child);
  const logLines = [];
  let editorReady = false;
  const onLine = (line, stream) => {
    // Logged (level info) at the very end of `n8n start`, after the REST controllers are mounted
    // and the active workflows are activated. /healthz/readiness turns 200 much earlier: as soon as
    // the database is migrated, i.e. at once on a user folder that an import already migrated.
    if (line.startsWith('Editor is now accessible via')) editorReady = true;
    logLines.push(line);
    if (logLines.length > 2000) logLines.shift();
    if (options.onLog) options.onLog(line, stream);
  };
  streamLines(child.stdout, (l) => onLine(l, 'stdout'));
  streamLines(child.stderr, (l) => onLine(l, 'stderr'));
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      exited = { code, signal };
      killGroup({ pid: child.pid, exitCode: null, signalCode: null, kill() {} }, 'SIGKILL');
      resolve(exited);
    });
  });

  const stop = async () => {
    if (!exited) {
      killGroup(child, 'SIGTERM');
      const t = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
      await exitPromise;
      clearTimeout(t);
    }
    return exited;
  };

  const timeoutMs = options.timeoutMs || 120_000;
  for (;;) {
    if (exited) {
      throw new Error(
        `n8n start exited (code ${exited.code}, signal ${exited.signal}) before it was ready:\n` +
          logLines.slice(-60).join('\n'),
      );
    }
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(`n8n start was not ready after ${timeoutMs} ms:\n${logLines.slice(-60).join('\n')}`);
    }
    if (editorReady || !/^(info|debug)$/.test(env.N8N_LOG_LEVEL)) {
      try {
        const res = await fetch(`${url}/healthz/readiness`, { signal: AbortSignal.timeout(2000) });
        // Without the log line (log level above info), also wait for the REST API.
        const rest = editorReady
          ? res
          : await fetch(`${url}/rest/settings`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200 && rest.status === 200) break;
      } catch {
        /* not listening yet */
      }
    }
    await sleep(200);
  }
  return {
    url,
    port,
    process: child,
    readyMs: Date.now() - started,
    logs: () => logLines.join('\n'),
    stop,
  };
}

/** Pulls `n8n-auth=...` out of a fetch Response's set-cookie headers. */
function authCookieOf(res) {
  const all =
    typeof res.headers.getSetCookie === 'function'
      ? res.headers.getSetCookie()
      : [res.headers.get('set-cookie') || ''];
  for (const c of all) {
    const m = /(?:^|[,\s])n8n-auth=([^;]+)/.exec(c);
    if (m) return `n8n-auth=${m[1]}`;
  }
  return null;
}

/**
 * POST /rest/owner/setup on a fresh instance. Returns the cookie header value `n8n-auth=...`.
 * (password: 8+ characters with a number and a capital letter.)
 */
async function setupOwner(url, owner = {}) {
  const body = { ...DEFAULT_OWNER, ...owner };
  const res = await fetch(`${url}/rest/owner/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST /rest/owner/setup: HTTP ${res.status}: ${text.slice(0, 500)}`);
  const cookie = authCookieOf(res);
  if (!cookie) throw new Error('POST /rest/owner/setup answered without an n8n-auth cookie');
  return cookie;
}

/** POST /rest/login; returns the `n8n-auth=...` cookie (for an instance whose owner exists). */
async function login(url, { email = DEFAULT_OWNER.email, password = DEFAULT_OWNER.password } = {}) {
  const res = await fetch(`${url}/rest/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ emailOrLdapLoginId: email, email, password }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST /rest/login: HTTP ${res.status}: ${text.slice(0, 500)}`);
  const cookie = authCookieOf(res);
  if (!cookie) throw new Error('POST /rest/login answered without an n8n-auth cookie');
  return cookie;
}

/** GET/POST a JSON endpoint of a running n8n with the auth cookie; throws on a non-2xx answer. */
async function n8nFetch(url, pathname, { cookie, method = 'GET', body } = {}) {
  const res = await fetch(`${url}${pathname}`, {
    method,
    headers: {
      ...(cookie ? { cookie } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${pathname}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

module.exports = {
  N8N_VERSION,
  ENCRYPTION_KEY,
  DEFAULT_OWNER,
  cacheRoot,
  n8nInstallDir,
  lockfilePath,
  ensureN8n,
  packPackage,
  createN8nHome,
  removeN8nHome,
  n8nEnv,
  freePort,
  runN8nCommand,
  importCredentials,
  importWorkflow,
  executeWorkflow,
  parseRawOutput,
  resultDataOf,
  errorOf,
  outputOf,
  startN8n,
  setupOwner,
  login,
  n8nFetch,
};
