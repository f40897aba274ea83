#!/usr/bin/env node
'use strict';
/**
 * `npm run dev`: n8n's editor at http://127.0.0.1:5678 with this package loaded, against the local
 * Hyfin sandbox, the credential and the example workflows imported, an owner account ready: open
 * the browser, log in, press "Execute workflow".
 *
 *  1. the Hyfin sandbox, in-process: port 4010 (or a free one), data in .sandbox/hyfin.db;
 *  2. the pinned n8n, installed once into the cache (progress shown);
 *  3. `tsc --watch` (and gulp for icons and codex files) rebuilding dist/ as sources change;
 *  4. the persistent user folder .n8n-dev/: the package from dist/ installed as a community
 *     package, the credential and examples/*.workflow.json imported when new or changed;
 *  5. `n8n start` with N8N_DEV_RELOAD=true: after each good build the changed files are copied into
 *     the installed package and n8n reloads it in place (no restart); if no reload shows in n8n's
 *     log, n8n is restarted instead.
 * Ctrl-C stops everything (a second Ctrl-C kills at once).
 *
 *   npm run dev                  (builds first)
 *   node scripts/dev.js [--fresh] [--restart] [--verbose]
 *   --fresh: delete .n8n-dev/ first (owner, workflows, executions); the sandbox data stays
 *   --restart: restart n8n after each change instead of its hot reload
 *   --verbose: also show n8n's start-up log
 */

const fs = require('fs');
const path = require('path');
const n8n = require('./lib/n8n');
const { isPortFree } = require('./lib/processes');
const { pidAlive } = require('./lib/lock');
const { watchBuild } = require('./lib/dev-build');
const dev = require('./lib/dev-home');
const { startSandbox } = require('../sandbox/server');

const REPO = path.resolve(__dirname, '..');
const FRESH = process.argv.includes('--fresh');
const RESTART = process.argv.includes('--restart');
const VERBOSE = process.argv.includes('--verbose');
const EDITOR_PORT = 5678;
const SANDBOX_PORT = 4010;
const SANDBOX_DB = path.join(REPO, '.sandbox', 'hyfin.db'); // as `npm run sandbox` (sandbox/cli.js)
const OWNER = { email: 'dev@n8n-nodes-hyfin.test', firstName: 'Hyfin', lastName: 'Developer', password: 'Hyfin-dev-Passw0rd' };
const CREDENTIAL = { id: 'hyfinSandboxCredential', name: 'Hyfin sandbox', type: 'hyfinApi' };
/** How long to wait for n8n's "Hot reload triggered" after the package changed, before restarting it. */
const RELOAD_WAIT_MS = 5000;

const startedAt = Date.now();
const say = (line = '') => console.log(line);
const rel = (p) => path.relative(process.cwd(), p) || '.';
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const time = () => new Date().toTimeString().slice(0, 8);

const paths = dev.devPaths(REPO);
const state = { sandbox: null, build: null, server: null, bin: null, port: null, reloadSeen: null, stopping: false };

async function startDevSandbox() {
  fs.mkdirSync(path.dirname(SANDBOX_DB), { recursive: true });
  const ignore = path.join(path.dirname(SANDBOX_DB), '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '*\n'); // as sandbox/cli.js does
  try {
    return await startSandbox({ port: SANDBOX_PORT, dbFile: SANDBOX_DB });
  } catch (err) {
    if (err.code !== 'EADDRINUSE') throw err;
    say(`      port ${SANDBOX_PORT} is taken (\`npm run sandbox\`?): using a free one`);
    return startSandbox({ port: 0, dbFile: SANDBOX_DB });
  }
}

/** Imports the credential and the examples that are new or changed since the last import. */
async function importWhatChanged(bin, sandbox) {
  const record = dev.importRecord.read(paths);
  const credential = {
    ...CREDENTIAL,
    data: { baseUrl: sandbox.baseUrl, siteId: sandbox.siteId, accessToken: sandbox.token },
  };
  const copied = dev.copyExampleFiles(paths);
  if (copied.length) say(`      copied ${copied.join(', ')} to ${rel(paths.filesDir)}`);
  if (record.credential !== dev.importRecord.hash(credential)) {
    const t = Date.now();
    await n8n.importCredentials(bin, paths.root, [credential]);
    record.credential = dev.importRecord.hash(credential);
    dev.importRecord.write(paths, record);
    say(`      credential "${CREDENTIAL.name}" imported: ${sandbox.baseUrl}  [${secs(Date.now() - t)}]`);
  } else {
    say(`      credential "${CREDENTIAL.name}": already imported`);
  }
  const examples = dev.exampleWorkflows(paths);
  record.workflows = record.workflows || {};
  const todo = examples.filter((e) => record.workflows[e.file] !== dev.importRecord.hash(e.workflow));
  if (todo.length) {
    const t = Date.now();
    await n8n.importWorkflow(bin, paths.root, todo.map((e) => e.workflow));
    for (const e of todo) record.workflows[e.file] = dev.importRecord.hash(e.workflow);
    dev.importRecord.write(paths, record);
    say(`      imported ${todo.map((e) => e.file).join(', ')}  [${secs(Date.now() - t)}]`);
  }
  const kept = examples.filter((e) => !todo.includes(e));
  if (kept.length) say(`      unchanged since imported (your edits in the editor stay): ${kept.map((e) => e.file).join(', ')}`);
  return examples.map((e) => e.workflow);
}

/** `n8n start` on the dev folder; n8n's log is shown once it is up (all of it with --verbose). */
async function startEditor() {
  const port = state.port || ((await isPortFree(EDITOR_PORT)) ? EDITOR_PORT : await n8n.freePort());
  if (port !== EDITOR_PORT && !state.port) say(`      port ${EDITOR_PORT} is taken: using ${port}`);
  state.port = port;
  let up = false;
  const server = await n8n.startN8n(state.bin, paths.root, {
    port,
    env: {
      // Hot reload of installed packages (n8n honours it unless NODE_ENV=production).
      N8N_DEV_RELOAD: RESTART ? undefined : 'true',
      N8N_RESTRICT_FILE_ACCESS_TO: fs.realpathSync(paths.filesDir),
    },
    onLog: (line) => {
      if (line.includes(`Hot reload triggered for ${paths.packageName}`) && state.reloadSeen) state.reloadSeen();
      if (up || VERBOSE) say(`[n8n] ${line}`);
    },
  });
  up = true;
  return server;
}

/** Creates the owner on a fresh user folder, else logs in; returns the auth cookie (null if the login fails). */
async function ownerCookie(url) {
  const settings = await n8n.n8nFetch(url, '/rest/settings');
  if ((settings.data || settings).userManagement.showSetupOnFirstLoad) {
    const cookie = await n8n.setupOwner(url, OWNER);
    say(`      owner ${OWNER.email} created`);
    return cookie;
  }
  try {
    return await n8n.login(url, OWNER);
  } catch {
    say(`      could not log in as ${OWNER.email} (password changed in the editor?): not checking the node types`);
    return null;
  }
}

/** After a build: copy what changed into the installed package, and have n8n load it. */
async function applyBuild(result) {
  const what = result.what === 'code' ? 'tsc' : 'icons/codex (gulp)';
  if (result.errors) {
    say(`[build ${time()}] ${what}: ${result.errors} error(s); n8n keeps the last good build`);
    for (const line of result.report) say(`  ${line}`);
    return;
  }
  const changed = await dev.installPackage(paths, state.bin);
  if (!changed.length) {
    say(`[build ${time()}] ${what} rebuilt dist/ in ${secs(result.ms)}: nothing changed for n8n`);
    return;
  }
  say(`[build ${time()}] ${what} rebuilt dist/ in ${secs(result.ms)}: ${changed.length} file(s) changed (${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ', ...' : ''})`);
  if (!state.server) return; // n8n is not up yet: it will load these files when it starts
  if (!RESTART) {
    const t = Date.now();
    const reloaded = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), RELOAD_WAIT_MS);
      state.reloadSeen = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    state.reloadSeen = null;
    if (state.stopping) return;
    if (reloaded) {
      say(`[dev ${time()}] n8n reloaded ${paths.packageName} in place (${secs(Date.now() - t)}); the open editor refetches the node types`);
      return;
    }
    say(`[dev ${time()}] no hot reload in n8n's log within ${secs(RELOAD_WAIT_MS)}: restarting n8n`);
  } else {
    say(`[dev ${time()}] restarting n8n (--restart)`);
  }
  await state.server.stop();
  state.server = null;
  const t2 = Date.now();
  state.server = await startEditor();
  say(`[dev ${time()}] n8n restarted in ${secs(Date.now() - t2)}: reload the page in the browser`);
}

async function main() {
  say(`${paths.packageName} dev: n8n ${n8n.N8N_VERSION}'s editor with this package, against the Hyfin sandbox`);
  if (fs.existsSync(paths.pidFile)) {
    const pid = Number(fs.readFileSync(paths.pidFile, 'utf8'));
    if (pid !== process.pid && pidAlive(pid)) throw new Error(`npm run dev is already running (pid ${pid}): stop it first`);
  }
  if (FRESH) {
    say(`--fresh: deleting ${rel(paths.root)}`);
    fs.rmSync(paths.root, { recursive: true, force: true });
  }
  dev.prepareDevFolder(paths);
  fs.writeFileSync(paths.pidFile, String(process.pid));

  say('[1/5] Hyfin sandbox');
  state.sandbox = await startDevSandbox();
  say(`      ${state.sandbox.baseUrl}  (${rel(SANDBOX_DB)}, ${state.sandbox.store.count()} customers)`);

  say(`[2/5] n8n ${n8n.N8N_VERSION}`);
  state.bin = await n8n.ensureN8n({ log: (line) => say(`      ${line}`) });
  say(`      ${n8n.n8nInstallDir()}`);

  say('[3/5] tsc --watch (dist/)');
  let builds = Promise.resolve();
  let onFirstBuild;
  const firstBuild = new Promise((resolve) => (onFirstBuild = resolve));
  state.build = watchBuild({
    repo: REPO,
    onBuilt: (result) => {
      if (onFirstBuild) {
        onFirstBuild(result);
        onFirstBuild = null;
        return;
      }
      builds = builds.then(() => applyBuild(result)).catch((err) => say(`[dev] applying the build failed: ${err.message}`));
    },
    onExit: (code) => say(`[build] tsc --watch exited (code ${code}): no more rebuilds; restart npm run dev`),
  });
  const first = await firstBuild;
  if (first.errors) {
    say(`      ${first.errors} error(s): n8n gets the dist/ of the last good build`);
    for (const line of first.report) say(`  ${line}`);
  } else {
    say(`      compiled in ${secs(first.ms)}; watching nodes/ and credentials/`);
  }

  say(`[4/5] ${rel(paths.root)}: the package, the credential, the examples`);
  const changed = await dev.installPackage(paths, state.bin);
  say(`      ${rel(paths.packageDir)}: ${changed.length ? `${changed.length} file(s) updated from dist/` : 'up to date'}`);
  const workflows = await importWhatChanged(state.bin, state.sandbox);

  say('[5/5] n8n start');
  const t = Date.now();
  state.server = await startEditor();
  say(`      ready in ${secs(Date.now() - t)}`);
  const cookie = await ownerCookie(state.server.url);
  if (cookie) {
    const types = await n8n.n8nFetch(state.server.url, '/types/nodes.json', { cookie });
    const ours = [...new Set(types.map((type) => type.name).filter((name) => name.startsWith(`${paths.packageName}.`)))];
    if (!ours.length) throw new Error(`n8n did not load ${paths.packageName}: see its log above (node scripts/dev.js --verbose)`);
    say(`      node types: ${ours.join(', ')}`);
  }

  const { sandbox, server } = state;
  say(`
Ready in ${secs(Date.now() - startedAt)}.

  Editor      ${server.url}
  Log in      ${OWNER.email}  /  ${OWNER.password}
  Workflows   open one, press "Execute workflow":
${workflows.map((wf) => `                ${wf.name}`).join('\n')}
  Files       ${rel(paths.filesDir)}/ (the only folder workflows may read or write)
  Sandbox     ${sandbox.url}  (its customers page; data in ${rel(SANDBOX_DB)})
  Credential  "${CREDENTIAL.name}" (Hyfin API): Base URL ${sandbox.baseUrl}, Site ID ${sandbox.siteId},
              Access Token ${sandbox.token}

Edit nodes/ or credentials/: tsc --watch rebuilds dist/, the changes are copied into
${rel(paths.packageDir)}, and ${RESTART
    ? 'n8n is restarted (--restart): reload the page afterwards.'
    : 'n8n reloads the package in place\n(N8N_DEV_RELOAD); the open editor picks up new node descriptions by itself. If n8n does not\nreload it, n8n is restarted.'}
Owner, workflows and executions stay in ${rel(paths.root)}/ (--fresh starts over). Ctrl-C stops everything.
`);
}

/** Stops n8n, the watchers and the sandbox; returns when they are gone. */
async function shutdown() {
  state.stopping = true;
  if (state.reloadSeen) state.reloadSeen();
  const steps = [
    state.build && state.build.stop(),
    state.server && state.server.stop(),
    state.sandbox && state.sandbox.close(),
  ].filter(Boolean);
  await Promise.allSettled(steps);
  try {
    if (Number(fs.readFileSync(paths.pidFile, 'utf8')) === process.pid) fs.rmSync(paths.pidFile);
  } catch {
    /* not written */
  }
}

// Installed before anything is spawned, so that scripts/lib/processes.js leaves the signals to us
// (it still kills every child it started if this process exits).
let interruptedAt = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (interruptedAt) {
      if (Date.now() - interruptedAt < 500) return; // the same Ctrl-C, delivered twice
      say('\nStopping at once.');
      process.exit(130);
    }
    interruptedAt = Date.now();
    say(`\n${sig}: stopping n8n, tsc --watch and the sandbox (Ctrl-C again to kill at once)...`);
    const t = Date.now();
    shutdown().then(() => {
      say(`Stopped in ${secs(Date.now() - t)}.`);
      process.exit(0);
    });
  });
}

main().catch(async (err) => {
  console.error(`\nnpm run dev failed: ${err.message}`);
  if (!state.stopping) await shutdown();
  process.exit(1);
});
