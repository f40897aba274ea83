#!/usr/bin/env node
'use strict';
/**
 * `npm run demo`: the example workflow, end to end, in a real n8n, against a local Hyfin sandbox.
 *
 *  1. starts the Hyfin sandbox in-process (free port, fresh SQLite database in a temp folder);
 *  2. installs the pinned n8n once into the cache (~/.cache/n8n-nodes-hyfin, or $HYFIN_N8N_CACHE),
 *     showing npm's progress; later runs reuse it;
 *  3. installs this (built) package into a fresh n8n user folder as an installed community package;
 *  4. imports a "Hyfin sandbox" credential and examples/csv-to-hyfin.workflow.json, its Read/Write
 *     Files from Disk node pointed at a copy of examples/customers.csv in a folder n8n may read;
 *  5. executes the workflow headless twice (first run: `added`, second: `updated`), prints one line
 *     per CSV row, totals and the IF branches, checks every row against what the CSV implies;
 *  6. prints how many customers the sandbox holds, and the timings; removes all it made.
 *
 * n8n's own log lines are captured and shown only when something fails. Exit code 0 = the demo
 * ran and every row came out as expected; 1 = anything else, with a message saying what.
 *
 *   npm run demo                 (builds first)
 *   node scripts/demo.js [--keep] [--verbose]
 *   --keep: leave the temp folder (n8n user folder, sandbox database) for a look afterwards
 *   --verbose: stream n8n's log lines while it runs
 */

const fs = require('fs');
const os = require('os');
const path = require('path');
const n8n = require('./lib/n8n');
const { startSandbox } = require('../sandbox/server');
const {
  parseCsv,
  demoNodes,
  summarizeRun,
  formatRun,
  seconds,
} = require('./lib/demo-summary');

const KEEP = process.argv.includes('--keep');
const VERBOSE = process.argv.includes('--verbose');

const REPO = path.join(__dirname, '..');
const WORKFLOW_FILE = path.join(REPO, 'examples', 'csv-to-hyfin.workflow.json');
const CSV_FILE = path.join(REPO, 'examples', 'customers.csv');
const CREDENTIAL = { id: 'hyfinSandboxCredential', name: 'Hyfin sandbox', type: 'hyfinApi' };
const INSTALL_MARKER = '.hyfin-n8n-install-complete';

const startedAt = Date.now();
/** @type {[string, string][]} */
const timings = [];

const say = (line = '') => console.log(line);
const rel = (p) => path.relative(process.cwd(), p) || '.';
/** A path as the user would type it: ~/.cache/... rather than /home/me/.cache/... */
const tilde = (p) => {
  const home = os.homedir();
  return home && home !== '/' && (p === home || p.startsWith(`${home}/`)) ? `~${p.slice(home.length)}` : p;
};

/** A failure with what to show under it (e.g. n8n's captured log). */
class DemoError extends Error {
  constructor(message, details) {
    super(message);
    this.details = details;
  }
}

/** Runs `fn`, records how long it took under `label`, returns [result, ms]. */
async function timed(label, fn) {
  const t = Date.now();
  const result = await fn();
  const ms = Date.now() - t;
  timings.push([label, seconds(ms)]);
  return [result, ms];
}

/** n8n's log lines of one command: stdout before the result document, then stderr. */
function n8nLog(res, maxLines = 80) {
  const stdout = res.stdout || '';
  const json = stdout.search(/^\{/m);
  const lines = [
    ...(json >= 0 ? stdout.slice(0, json) : stdout).split('\n'),
    ...(res.stderr || '').split('\n'),
  ].filter((l) => l.trim());
  const shown = lines.slice(-maxLines);
  const cut = lines.length - shown.length;
  return `--- n8n's log (${cut ? `last ${shown.length} of ${lines.length} lines` : `${lines.length} lines`}) ---\n${shown.join('\n')}`;
}

/** The raw items ({ json, pairedItem }) node `name` put on output `index` in its last run. */
function itemsOf(run, name, index = 0) {
  const rd = n8n.resultDataOf(run);
  const runs = rd && rd.runData && rd.runData[name];
  if (!runs || runs.length === 0) throw new Error(`node "${name}" did not run`);
  const last = runs[runs.length - 1];
  return ((last.data && last.data.main && last.data.main[index]) || []).filter(Boolean);
}

/**
 * ensureN8n, with its progress shown (indented). npm's warnings (hundreds of lines about peer
 * dependencies, engines and deprecations inside n8n's own dependency tree) are counted, not
 * shown, unless the install fails.
 */
async function installN8n() {
  const dir = n8n.n8nInstallDir();
  const cached = fs.existsSync(path.join(dir, INSTALL_MARKER));
  if (!cached) {
    say(`      not cached yet: installing n8n ${n8n.N8N_VERSION} into ${tilde(dir)}`);
    say('      (first time only: several minutes and about 2.3 GB; progress every 15 s)');
  }
  const warnings = [];
  const log = (line) => {
    if (/^\[npm\] npm warn/i.test(line) && !VERBOSE) warnings.push(line);
    else say(`      ${line}`);
  };
  let bin;
  let ms;
  try {
    [bin, ms] = await timed(cached ? 'n8n (cached)' : 'n8n install', () => n8n.ensureN8n({ log }));
  } catch (err) {
    const hidden = warnings.length ? `--- npm's last warnings ---\n${warnings.slice(-40).join('\n')}` : undefined;
    throw new DemoError(`installing n8n ${n8n.N8N_VERSION} failed: ${err.message}`, hidden);
  }
  if (warnings.length) say(`      (npm printed ${warnings.length} warning lines about n8n's dependencies: not shown)`);
  say(`      ${cached ? 'cached' : 'installed'}: ${tilde(dir)}  [${seconds(ms)}]`);
  return bin;
}

/** "Run -> Read customers.csv -> ... -> In Hyfin? -> Synced / Rejected: fix in the sheet" */
function flowLine(workflow, nodes) {
  const names = [];
  let name = workflow.nodes[0].name;
  while (name && !names.includes(name) && name !== nodes.ifNode.name) {
    names.push(name);
    const out = workflow.connections[name] && workflow.connections[name].main;
    name = out && out[0] && out[0][0] && out[0][0].node;
  }
  return [...names, nodes.ifNode.name, `${nodes.trueBranch} / ${nodes.falseBranch}`].join(' -> ');
}

/** One headless execution of the workflow, checked and summarized. */
async function runWorkflow(ctx, runNo) {
  const { bin, home, workflow, nodes, csvRows, filesDir, sandbox } = ctx;
  say('');
  say(`Run ${runNo}: n8n execute --id=${workflow.id}`);
  const [res, ms] = await timed(`run ${runNo} (n8n execute)`, () =>
    n8n.executeWorkflow(bin, home, workflow.id, {
      timeoutMs: 180_000,
      // n8n 2.x reads and writes files only under N8N_RESTRICT_FILE_ACCESS_TO (default
      // ~/.n8n-files, in the real home folder): allow the demo's temp copy of the CSV instead.
      env: { N8N_RESTRICT_FILE_ACCESS_TO: filesDir },
      onLog: VERBOSE ? (line, stream) => say(`      [n8n ${stream}] ${line}`) : undefined,
    }),
  );
  if (res.timedOut) throw new DemoError(`run ${runNo}: n8n execute timed out after ${seconds(ms)}`, n8nLog(res));
  if (res.code !== 0 || res.error) {
    const err = res.error;
    const where = err && err.node && err.node.name ? ` at node "${err.node.name}"` : '';
    const what = err ? `${err.message}${err.description ? ` (${err.description})` : ''}` : 'no error recorded';
    throw new DemoError(`run ${runNo}: the workflow failed${where} (n8n exit ${res.code}): ${what}`, n8nLog(res));
  }
  if (!res.run) throw new DemoError(`run ${runNo}: n8n printed no result document`, n8nLog(res));

  let summary;
  try {
    summary = summarizeRun({
      csvRows,
      extractItems: itemsOf(res.run, nodes.extract.name),
      hyfinItems: itemsOf(res.run, nodes.hyfin.name),
      trueItems: itemsOf(res.run, nodes.ifNode.name, 0).map((i) => i.json),
      falseItems: itemsOf(res.run, nodes.ifNode.name, 1).map((i) => i.json),
      run: runNo,
    });
  } catch (err) {
    throw new DemoError(`run ${runNo}: ${err.message}`, n8nLog(res));
  }
  for (const line of formatRun(summary, {
    ifName: `IF "${nodes.ifNode.name}"`,
    trueBranch: nodes.trueBranch,
    falseBranch: nodes.falseBranch,
  })) {
    say(line);
  }
  say(`  [${seconds(ms)}: one cold n8n process, start to exit]`);

  const accepted = summary.totals.added + summary.totals.updated;
  const stored = sandbox.store.count(sandbox.siteId);
  if (stored !== accepted) {
    summary.problems.push(`the sandbox holds ${stored} customers after run ${runNo}; ${accepted} were accepted`);
  }
  if (summary.problems.length) {
    throw new DemoError(
      `run ${runNo}: the rows are not what ${rel(CSV_FILE)} implies:\n  - ${summary.problems.join('\n  - ')}`,
      n8nLog(res),
    );
  }
  return summary;
}

async function main(state) {
  say(`Hyfin demo: ${rel(WORKFLOW_FILE)} in a real n8n ${n8n.N8N_VERSION}, against a local Hyfin sandbox`);
  say('');

  const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-demo-')));
  state.work = work;

  say('[1/4] Hyfin sandbox');
  const [sandbox, sandboxMs] = await timed('sandbox start', () =>
    startSandbox({ port: 0, dbFile: path.join(work, 'hyfin-sandbox.db') }),
  );
  state.sandbox = sandbox;
  say(`      ${sandbox.baseUrl}  site ${sandbox.siteId}, fresh database in ${work}  [${seconds(sandboxMs)}]`);

  say(`[2/4] n8n ${n8n.N8N_VERSION}`);
  const bin = await installN8n();

  say('[3/4] n8n-nodes-hyfin into a fresh n8n user folder, as an installed community package');
  const [created, createMs] = await timed('package install (npm pack)', () =>
    n8n.createN8nHome({ dir: path.join(work, 'n8n-home'), packageDir: REPO }),
  );
  state.created = created;
  say(`      ${created.packageName}@${created.packageVersion} -> ${path.relative(work, created.nodesDir)}/node_modules  [${seconds(createMs)}]`);

  say('[4/4] credential and workflow');
  const workflow = JSON.parse(fs.readFileSync(WORKFLOW_FILE, 'utf8'));
  const nodes = demoNodes(workflow);
  const csvRows = parseCsv(fs.readFileSync(CSV_FILE, 'utf8'));
  if (csvRows.length === 0) throw new DemoError(`${rel(CSV_FILE)} has no data rows`);
  // The workflow's file path is a placeholder: read a copy of the CSV from a folder n8n may read
  // (outside its user folder, which n8n never lets a workflow read).
  const filesDir = path.join(work, 'n8n-files');
  fs.mkdirSync(filesDir);
  const csvCopy = path.join(filesDir, path.basename(CSV_FILE));
  fs.copyFileSync(CSV_FILE, csvCopy);
  nodes.read.parameters.fileSelector = csvCopy;
  nodes.hyfin.credentials = { [CREDENTIAL.type]: { id: CREDENTIAL.id, name: CREDENTIAL.name } };
  const home = created.home;
  const [, credMs] = await timed('import credential', () =>
    n8n.importCredentials(bin, home, [
      { ...CREDENTIAL, data: { baseUrl: sandbox.baseUrl, siteId: sandbox.siteId, accessToken: sandbox.token } },
    ]),
  );
  say(`      credential "${CREDENTIAL.name}" (${CREDENTIAL.type}): ${sandbox.baseUrl}, site ${sandbox.siteId}  [${seconds(credMs)}]`);
  const [, wfMs] = await timed('import workflow', () => n8n.importWorkflow(bin, home, workflow));
  say(`      workflow "${workflow.name}" (${workflow.id})  [${seconds(wfMs)}]`);
  say(`        ${flowLine(workflow, nodes)}`);
  say(`        reads ${rel(CSV_FILE)} (${csvRows.length} rows), copied to ${filesDir}`);
  say('        (N8N_RESTRICT_FILE_ACCESS_TO: n8n 2.x reads files only there, by default ~/.n8n-files)');

  const ctx = { bin, home, workflow, nodes, csvRows, filesDir, sandbox };
  await runWorkflow(ctx, 1);
  const second = await runWorkflow(ctx, 2);

  // What a merchant would see: ask the sandbox over HTTP, as any client would.
  const res = await fetch(`${sandbox.baseUrl}/__sandbox/customers?site=${encodeURIComponent(sandbox.siteId)}`);
  if (!res.ok) throw new DemoError(`GET /__sandbox/customers answered HTTP ${res.status}`);
  const customers = await res.json();
  const expectedIds = second.rows.filter((r) => r.outcome !== 'rejected').map((r) => r.externalId).sort();
  const storedIds = customers.map((c) => c.external_id).sort();
  say('');
  say(`The sandbox holds ${customers.length} customers (site ${sandbox.siteId}): ${storedIds[0]} ... ${storedIds[storedIds.length - 1]}`);
  if (JSON.stringify(storedIds) !== JSON.stringify(expectedIds)) {
    throw new DemoError(
      `the sandbox holds ${storedIds.join(', ')}; expected the accepted rows ${expectedIds.join(', ')}`,
    );
  }
}

/** Stops the sandbox and removes the temp folders (the n8n install in the cache stays). */
async function cleanup(state) {
  if (state.sandbox) {
    await state.sandbox.close().catch((err) => console.error(`closing the sandbox: ${err.message}`));
    state.sandbox = null;
  }
  if (KEEP && state.work) {
    say(`Kept ${state.work} (--keep)`);
    return;
  }
  if (state.created) await n8n.removeN8nHome(state.created); // also the npm pack temp folder
  if (state.work) fs.rmSync(state.work, { recursive: true, force: true });
  state.created = null;
  state.work = null;
}

function printTimings() {
  timings.push(['total', seconds(Date.now() - startedAt)]);
  const width = Math.max(...timings.map(([label]) => label.length));
  say('');
  say('Timings (the build ran before, in `npm run build`):');
  for (const [label, value] of timings) say(`  ${label.padEnd(width)}  ${value.padStart(8)}`);
}

const state = { sandbox: null, created: null, work: null };

// Ctrl-C: stop the sandbox, remove the temp folders, exit. Running n8n commands are process
// groups of their own; scripts/lib/n8n.js kills them when this process exits.
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\n${sig}: stopping the demo and removing its temp folders`);
    const s = { ...state };
    state.work = null; // removed below, after n8n.js's exit hook has killed the n8n processes
    if (s.sandbox) s.sandbox.close().catch(() => {});
    process.on('exit', () => {
      if (s.work && !KEEP) fs.rmSync(s.work, { recursive: true, force: true });
      if (s.created && s.created.packDir) fs.rmSync(s.created.packDir, { recursive: true, force: true });
    });
    process.exit(130);
  });
}

main(state)
  .then(async () => {
    await cleanup(state);
    printTimings();
    say('');
    say('Demo OK: everything it started is stopped and its temp folders are removed.');
  })
  .catch(async (err) => {
    console.error('');
    const stack = VERBOSE && !(err instanceof DemoError) && err && err.stack;
    console.error(`DEMO FAILED: ${stack || (err && err.message) || err}`);
    if (err instanceof DemoError && err.details) console.error(err.details);
    await cleanup(state).catch((e) => console.error(`cleanup: ${e.message}`));
    process.exitCode = 1;
  });
