'use strict';
/**
 * The package rebuilt into dist/ as its sources change: `tsc --watch` for the code, and
 * `gulp build:assets` when an icon or codex file changes (tsc does not copy those).
 */

const fs = require('fs');
const { createRequire } = require('module');
const path = require('path');
const { killGroup, spawnTracked, streamLines } = require('./processes');

const ASSET = /\.(svg|png)$|\.node\.json$/;

/** The JS file of a package's command, as installed for `repo` (its package.json `bin`). */
function binOf(repo, pkg, command) {
  for (const dir of createRequire(path.join(repo, 'package.json')).resolve.paths(pkg) || []) {
    const manifest = path.join(dir, pkg, 'package.json');
    if (!fs.existsSync(manifest)) continue;
    const { bin } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    return path.join(dir, pkg, typeof bin === 'string' ? bin : bin[command]);
  }
  throw new Error(`${pkg} is not installed: run npm ci`);
}

/**
 * Starts watching. onBuilt({ what: 'code'|'assets', errors, report, ms }) follows every build
 * (the first one too): errors is tsc's error count, report its error lines (or gulp's output).
 * onExit(code) is called if tsc ends by itself. Returns { stop() }.
 */
function watchBuild({ repo, onBuilt, onExit }) {
  // --noEmitOnError: a build with type errors leaves dist/ as it was, so n8n keeps the last good one.
  const args = ['-p', 'tsconfig.json', '--watch', '--preserveWatchOutput', '--noEmitOnError'];
  const tsc = spawnTracked(process.execPath, [binOf(repo, 'typescript', 'tsc'), ...args], { cwd: repo, env: process.env });
  let started = Date.now();
  let report = [];
  let stopping = false;
  streamLines(tsc.stdout, (line) => {
    const done = /Found (\d+) errors?\. Watching for file changes/.exec(line);
    if (done) {
      onBuilt({ what: 'code', errors: Number(done[1]), report, ms: Date.now() - started });
      report = [];
    } else if (/(Starting compilation|File change detected)/.test(line)) {
      started = Date.now();
      report = [];
    } else if (line.trim()) {
      report.push(line.replace(/^\[[^\]]*\] /, ''));
    }
  });
  streamLines(tsc.stderr, (line) => report.push(line));
  tsc.on('exit', (code) => {
    if (!stopping && onExit) onExit(code);
  });

  let assetTimer = null;
  let assetsRunning = null;
  const buildAssets = async () => {
    if (assetsRunning) await assetsRunning; // one gulp at a time; this change is built after it
    const t = Date.now();
    assetsRunning = runGulp(repo)
      .catch((err) => ({ code: 1, output: [err.message] }))
      .then((result) =>
        onBuilt({ what: 'assets', errors: result.code === 0 ? 0 : 1, report: result.output, ms: Date.now() - t }),
      );
    await assetsRunning;
    assetsRunning = null;
  };
  const watchers = ['nodes', 'credentials'].map((dir) =>
    fs.watch(path.join(repo, dir), { recursive: true }, (_event, file) => {
      if (!file || !ASSET.test(file)) return;
      clearTimeout(assetTimer);
      assetTimer = setTimeout(buildAssets, 300);
    }),
  );

  return {
    async stop() {
      stopping = true;
      clearTimeout(assetTimer);
      for (const w of watchers) w.close();
      if (tsc.exitCode == null && tsc.signalCode == null) {
        const exited = new Promise((resolve) => tsc.once('exit', resolve));
        killGroup(tsc, 'SIGTERM');
        await exited;
      }
      if (assetsRunning) await assetsRunning;
    },
  };
}

/** `gulp build:assets` (the gulpfile is the one list of what gets copied). */
function runGulp(repo) {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(process.execPath, [binOf(repo, 'gulp', 'gulp'), 'build:assets'], { cwd: repo, env: process.env });
    child.on('error', reject);
    const output = [];
    streamLines(child.stdout, (line) => output.push(line));
    streamLines(child.stderr, (line) => output.push(line));
    child.on('close', (code) => resolve({ code, output }));
  });
}

module.exports = { watchBuild };
