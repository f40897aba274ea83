#!/usr/bin/env node
'use strict';
/**
 * End-to-end smoke test of scripts/lib/n8n.js against a REAL n8n (the pinned version):
 *  1. ensureN8n (installs once into the cache, with progress; then a warm call)
 *  2. a tiny dummy community package (one compiled JS node `smokeNode`) made in a temp folder,
 *     packed and installed into a fresh n8n user folder with createN8nHome — independent of
 *     this repository's own nodes
 *  3. import a credential and a workflow Manual Trigger -> Code (3 items) -> <dummy>.smokeNode,
 *     execute it headless, assert the output items exactly
 *  4. n8n start, owner setup, /types/nodes.json lists the dummy node type, the credential is
 *     listed, stop
 * Prints timings. Exit code 0 = all good, 1 = a failure.
 *
 *   node scripts/n8n-smoke.js [--keep] [--verbose]
 */

const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const n8n = require('./lib/n8n');

const KEEP = process.argv.includes('--keep');
const VERBOSE = process.argv.includes('--verbose');

const DUMMY_NAME = 'n8n-nodes-hyfin-smoke';
const DUMMY_TYPE = `${DUMMY_NAME}.smokeNode`;
const WORKFLOW_ID = 'HyfinSmokeWf0001';
const CREDENTIAL_ID = 'HyfinSmokeCred01';

const timings = {};
const t0 = () => process.hrtime.bigint();
const msSince = (start) => Number((process.hrtime.bigint() - start) / 1_000_000n);
const log = (line) => console.log(line);
const section = (title) => console.log(`\n=== ${title} ===`);

function writeDummyPackage(dir) {
  const pkg = {
    name: DUMMY_NAME,
    version: '0.0.1',
    description: 'Throw-away community package for the n8n smoke test of n8n-nodes-hyfin',
    keywords: ['n8n-community-node-package'],
    license: 'MIT',
    main: 'index.js',
    files: ['dist'],
    n8n: {
      n8nNodesApiVersion: 1,
      credentials: [],
      nodes: ['dist/nodes/SmokeNode/SmokeNode.node.js'],
    },
  };
  fs.mkdirSync(path.join(dir, 'dist', 'nodes', 'SmokeNode'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'index.js'), 'module.exports = {};\n');
  // Compiled-JS shape of a minimal programmatic node; the export name must match the file name.
  fs.writeFileSync(
    path.join(dir, 'dist', 'nodes', 'SmokeNode', 'SmokeNode.node.js'),
    `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SmokeNode = void 0;
class SmokeNode {
    constructor() {
        this.description = {
            displayName: 'Smoke Node',
            name: 'smokeNode',
            group: ['transform'],
            version: 1,
            description: 'Adds a field to every item (smoke test)',
            defaults: { name: 'Smoke Node' },
            inputs: ['main'],
            outputs: ['main'],
            properties: [
                { displayName: 'Field Name', name: 'fieldName', type: 'string', default: 'smoked' },
            ],
        };
    }
    async execute() {
        const items = this.getInputData();
        const out = items.map((item, i) => ({
            json: { ...item.json, [this.getNodeParameter('fieldName', i)]: true, position: i },
            pairedItem: { item: i },
        }));
        return [out];
    }
}
exports.SmokeNode = SmokeNode;
`,
  );
}

function smokeWorkflow() {
  return {
    id: WORKFLOW_ID,
    name: 'Hyfin smoke test',
    active: false,
    settings: { executionOrder: 'v1' },
    nodes: [
      {
        id: '8f7c2d1e-0000-4000-8000-000000000001',
        name: 'Manual Trigger',
        type: 'n8n-nodes-base.manualTrigger',
        typeVersion: 1,
        position: [0, 0],
        parameters: {},
      },
      {
        id: '8f7c2d1e-0000-4000-8000-000000000002',
        name: 'Make Items',
        type: 'n8n-nodes-base.code',
        typeVersion: 2,
        position: [220, 0],
        parameters: {
          jsCode: "return [1, 2, 3].map((n) => ({ json: { n, label: 'item ' + n } }));",
        },
      },
      {
        id: '8f7c2d1e-0000-4000-8000-000000000003',
        name: 'Smoke',
        type: DUMMY_TYPE,
        typeVersion: 1,
        position: [440, 0],
        parameters: { fieldName: 'smoked' },
      },
    ],
    connections: {
      'Manual Trigger': { main: [[{ node: 'Make Items', type: 'main', index: 0 }]] },
      'Make Items': { main: [[{ node: 'Smoke', type: 'main', index: 0 }]] },
    },
  };
}

function failingWorkflow() {
  return {
    id: 'HyfinSmokeFail01',
    name: 'Hyfin smoke test (fails)',
    nodes: [
      {
        id: '8f7c2d1e-0000-4000-8000-000000000011',
        name: 'Manual Trigger',
        type: 'n8n-nodes-base.manualTrigger',
        typeVersion: 1,
        position: [0, 0],
        parameters: {},
      },
      {
        id: '8f7c2d1e-0000-4000-8000-000000000012',
        name: 'Boom',
        type: 'n8n-nodes-base.code',
        typeVersion: 2,
        position: [220, 0],
        parameters: { jsCode: "throw new Error('smoke kaboom');" },
      },
    ],
    connections: { 'Manual Trigger': { main: [[{ node: 'Boom', type: 'main', index: 0 }]] } },
  };
}

const EXPECTED = [
  { n: 1, label: 'item 1', smoked: true, position: 0 },
  { n: 2, label: 'item 2', smoked: true, position: 1 },
  { n: 3, label: 'item 3', smoked: true, position: 2 },
];

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-n8n-smoke-'));
  let server = null;
  let created = null;
  try {
    section(`ensureN8n (n8n ${n8n.N8N_VERSION}, cache ${n8n.n8nInstallDir()})`);
    const wasInstalled = fs.existsSync(path.join(n8n.n8nInstallDir(), '.hyfin-n8n-install-complete'));
    let start = t0();
    const bin = await n8n.ensureN8n({ log });
    timings[wasInstalled ? 'install (warm, already cached)' : 'install (cold)'] = msSince(start);
    start = t0();
    await n8n.ensureN8n({ log });
    timings['install (warm)'] = msSince(start);
    log(`n8n bin: ${bin}`);

    section('dummy community package -> createN8nHome');
    const dummyDir = path.join(work, 'dummy-package');
    writeDummyPackage(dummyDir);
    start = t0();
    created = await n8n.createN8nHome({ dir: path.join(work, 'home'), packageDir: dummyDir });
    timings['createN8nHome (npm pack + extract)'] = msSince(start);
    const { home } = created;
    log(`home: ${home}`);
    log(`package: ${created.packageName}@${created.packageVersion} from ${created.tarball}`);
    const installed = path.join(home, '.n8n', 'nodes', 'node_modules', DUMMY_NAME);
    log(`installed files: ${fs.readdirSync(installed).join(', ')}`);

    section('import:credentials + import:workflow');
    start = t0();
    await n8n.importCredentials(bin, home, [
      {
        id: CREDENTIAL_ID,
        name: 'Smoke header auth',
        type: 'httpHeaderAuth',
        data: { name: 'X-Smoke', value: 'smoke-secret' },
      },
    ]);
    timings['import:credentials'] = msSince(start);
    start = t0();
    const id = await n8n.importWorkflow(bin, home, smokeWorkflow());
    timings['import:workflow'] = msSince(start);
    log(`imported workflow ${id}`);

    section('execute --rawOutput');
    start = t0();
    const res = await n8n.executeWorkflow(bin, home, WORKFLOW_ID, {
      timeoutMs: 120_000,
      onLog: VERBOSE ? (l, s) => log(`[n8n ${s}] ${l}`) : undefined,
    });
    timings['execute (cold process)'] = msSince(start);
    log(`exit code ${res.code}, ${res.durationMs} ms, JSON parsed: ${res.run ? 'yes' : 'no'}`);
    const before = res.stdout.slice(0, Math.max(0, res.stdout.search(/^\{/m))).trim();
    if (before) log(`stdout before the JSON:\n${before}`);
    if (res.stderr.trim()) log(`stderr:\n${res.stderr.trim()}`);
    if (res.code !== 0 || !res.run) {
      log(res.stdout.slice(-4000));
      throw new Error(`n8n execute failed (exit ${res.code})`);
    }
    log(`nodes that ran: ${Object.keys(n8n.resultDataOf(res.run).runData).join(', ')}`);
    const items = n8n.outputOf(res.run, 'Smoke');
    log(`Smoke output items:\n${JSON.stringify(items, null, 2)}`);
    assert.deepStrictEqual(items, EXPECTED);
    assert.deepStrictEqual(n8n.outputOf(res.run, 'Make Items'), EXPECTED.map(({ n, label }) => ({ n, label })));
    assert.strictEqual(n8n.errorOf(res.run), null);
    log('output items: as expected');

    start = t0();
    const res2 = await n8n.executeWorkflow(bin, home, WORKFLOW_ID, { timeoutMs: 120_000 });
    timings['execute (second run)'] = msSince(start);
    assert.strictEqual(res2.code, 0);
    assert.deepStrictEqual(n8n.outputOf(res2.run, 'Smoke'), EXPECTED);

    section('a failing workflow: exit code 1, error in the parsed run');
    await n8n.importWorkflow(bin, home, failingWorkflow());
    start = t0();
    const failed = await n8n.executeWorkflow(bin, home, 'HyfinSmokeFail01', { timeoutMs: 120_000 });
    timings['execute (failing workflow)'] = msSince(start);
    log(`exit code ${failed.code}; error: ${failed.error ? failed.error.message : '(none parsed)'}`);
    assert.strictEqual(failed.code, 1);
    assert.ok(failed.run, 'the failed run was not parsed');
    assert.match(failed.error.message, /smoke kaboom/);
    assert.strictEqual(n8n.resultDataOf(failed.run).lastNodeExecuted, 'Boom');

    section('n8n start + owner setup + /types/nodes.json');
    start = t0();
    server = await n8n.startN8n(bin, home, {
      onLog: VERBOSE ? (l) => log(`[n8n start] ${l}`) : undefined,
    });
    timings['start -> /healthz/readiness'] = msSince(start);
    log(`ready at ${server.url}`);
    start = t0();
    const cookie = await n8n.setupOwner(server.url, n8n.DEFAULT_OWNER);
    timings['owner setup'] = msSince(start);
    log(`cookie: ${cookie.slice(0, 24)}...`);
    start = t0();
    const types = await n8n.n8nFetch(server.url, '/types/nodes.json', { cookie });
    timings['GET /types/nodes.json'] = msSince(start);
    const names = types.map((t) => t.name);
    log(`/types/nodes.json: ${names.length} node type entries`);
    const mine = types.filter((t) => t.name.startsWith(`${DUMMY_NAME}.`));
    log(`dummy package types: ${JSON.stringify(mine.map((t) => ({ name: t.name, displayName: t.displayName, version: t.version })))}`);
    assert.ok(names.includes(DUMMY_TYPE), `${DUMMY_TYPE} is not listed`);
    const creds = await n8n.n8nFetch(server.url, '/rest/credentials', { cookie });
    const credList = Array.isArray(creds) ? creds : creds.data;
    log(`credentials: ${JSON.stringify(credList.map((c) => ({ id: c.id, name: c.name, type: c.type })))}`);
    assert.ok(credList.some((c) => c.id === CREDENTIAL_ID), 'the imported credential is not listed');
    const wf = await n8n.n8nFetch(server.url, `/rest/workflows/${WORKFLOW_ID}`, { cookie });
    const wfData = wf.data || wf;
    log(`workflow ${wfData.id} "${wfData.name}": ${wfData.nodes.map((x) => x.type).join(' -> ')}`);
    start = t0();
    const exited = await server.stop();
    timings['stop'] = msSince(start);
    log(`stopped (${JSON.stringify(exited)})`);
    server = null;

    section('timings (ms)');
    for (const [k, v] of Object.entries(timings)) log(`${k.padEnd(40)} ${String(v).padStart(8)}`);
    log('\nSMOKE OK');
  } finally {
    if (server) await server.stop();
    if (KEEP) log(`kept ${work}`);
    else {
      if (created) await n8n.removeN8nHome(created);
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
}

main().catch((err) => {
  console.error(`\nSMOKE FAILED: ${err && err.stack ? err.stack : err}`);
  if (Object.keys(timings).length) console.error(`timings so far: ${JSON.stringify(timings)}`);
  process.exitCode = 1;
});
