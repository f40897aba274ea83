'use strict';
/**
 * Child processes for the scripts: each long-lived one in its own process group (so that what it
 * starts, e.g. n8n's task runner, ends with it), none outliving this process; free ports; lines
 * of output. Node built-ins only.
 */

const net = require('net');
const { spawn } = require('child_process');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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

/** Whether 127.0.0.1:`port` can be listened on now. */
function isPortFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Sends `signal` to the process group of `child` (to the child alone if that fails), unless it has exited. */
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

/** SIGKILL to whatever is left of the group led by `pid` (after its leader has exited). */
function killRestOfGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* nothing left */
  }
}

/**
 * Processes started with spawnTracked must not outlive this process: on exit they are killed; on
 * SIGINT/SIGTERM/SIGHUP (when nobody else handles them) they get SIGTERM, this process waits for
 * them (up to 15 s, still reading their output: n8n does not finish its shutdown once its stdout is
 * a broken pipe), then re-raises the signal. A second signal kills them at once.
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
 * spawn() in a new process group (detached), stdout and stderr piped, killed with this process.
 * Never through a shell or npx: killing those would leave the real process running.
 */
function spawnTracked(cmd, args, { cwd, env } = {}) {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  track(child);
  return child;
}

/** Calls onLine(line) for each line of a readable stream (without the line break). */
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

/** Runs a short command to completion; resolves { stdout, stderr }, rejects on a non-zero exit. */
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

module.exports = { sleep, freePort, isPortFree, killGroup, killRestOfGroup, spawnTracked, streamLines, run };
