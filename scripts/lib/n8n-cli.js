'use strict';
/**
 * n8n's command line on a user folder: import credentials and workflows, execute a workflow
 * headless, and read the run it prints.
 */

const fsp = require('fs').promises;
const os = require('os');
const path = require('path');
const { killGroup, killRestOfGroup, spawnTracked, streamLines } = require('./processes');
const { envWithPorts } = require('./n8n-home');

/**
 * Runs `node bin ...args` in its own process group; resolves with
 * { code, signal, stdout, stderr, durationMs, timedOut }. Never rejects on a non-zero exit.
 */
function runN8nCommand(bin, args, { env, timeoutMs = 180_000, onLine, onSpawn, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawnTracked(process.execPath, [bin, ...args], { cwd: cwd || os.tmpdir(), env });
    // For callers that watch the process itself (the benchmark reads its peak memory).
    if (onSpawn) onSpawn(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    if (onLine) {
      streamLines(child.stdout, (line) => onLine(line, 'stdout'));
      streamLines(child.stderr, (line) => onLine(line, 'stderr'));
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
    child.on('exit', () => setTimeout(() => killRestOfGroup(child.pid), 500));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      killRestOfGroup(child.pid);
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started, timedOut });
    });
  });
}

function commandError(what, res) {
  const tail = (s) => s.split('\n').slice(-40).join('\n');
  return new Error(
    `${what} failed (exit ${res.code}${res.signal ? `, signal ${res.signal}` : ''}` +
      `${res.timedOut ? ', timed out' : ''})\n--- stdout ---\n${tail(res.stdout)}\n--- stderr ---\n${tail(res.stderr)}`,
  );
}

/** `n8n <command> --input=<file>` with `value` written to a temp JSON file; throws if it fails. */
async function importJson(bin, home, command, value, options) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), `hyfin-n8n-${command.replace(':', '-')}-`));
  const file = path.join(dir, 'input.json');
  try {
    await fsp.writeFile(file, JSON.stringify(value, null, 2));
    const res = await runN8nCommand(bin, [command, `--input=${file}`], {
      env: await envWithPorts(home, options),
      timeoutMs: options.timeoutMs || 120_000,
    });
    if (res.code !== 0) throw commandError(`n8n ${command}`, res);
    return res;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
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
  return importJson(bin, home, 'import:credentials', list, options);
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
  await importJson(bin, home, 'import:workflow', prepared.length === 1 ? prepared[0] : prepared, options);
  return Array.isArray(workflowJson) ? prepared.map((w) => w.id) : prepared[0].id;
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
    onSpawn: options.onSpawn,
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

module.exports = {
  runN8nCommand,
  importCredentials,
  importWorkflow,
  executeWorkflow,
  parseRawOutput,
  resultDataOf,
  errorOf,
  outputOf,
};
