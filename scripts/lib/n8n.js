'use strict';
/**
 * Helpers to run a REAL n8n (pinned version, installed once into a cache folder outside the
 * repository) with this package loaded as an installed community package, headless or as a server.
 * This module is what callers require; the work is done in:
 *   n8n-install.js  ensureN8n: the pinned n8n, installed once (lock, progress)
 *   n8n-home.js     a user folder with the package installed as users get it; n8n's environment
 *   n8n-cli.js      import credentials and workflows, execute headless, read the run
 *   n8n-server.js   n8n start, owner set-up, login, REST calls
 *   processes.js    process groups that never outlive the caller; free ports
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

const { N8N_VERSION, cacheRoot, n8nInstallDir, lockfilePath, ensureN8n } = require('./n8n-install');
const { ENCRYPTION_KEY, packPackage, createN8nHome, removeN8nHome, n8nEnv } = require('./n8n-home');
const { freePort } = require('./processes');
const cli = require('./n8n-cli');
const { DEFAULT_OWNER, startN8n, setupOwner, login, n8nFetch } = require('./n8n-server');

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
  runN8nCommand: cli.runN8nCommand,
  importCredentials: cli.importCredentials,
  importWorkflow: cli.importWorkflow,
  executeWorkflow: cli.executeWorkflow,
  parseRawOutput: cli.parseRawOutput,
  resultDataOf: cli.resultDataOf,
  errorOf: cli.errorOf,
  outputOf: cli.outputOf,
  startN8n,
  setupOwner,
  login,
  n8nFetch,
};
