'use strict';
/**
 * A lock between processes on this machine: a directory created atomically with mkdir, with
 * owner.json inside naming the holder. A lock whose holder died is taken over.
 */

const fsp = require('fs').promises;
const os = require('os');
const path = require('path');
const { sleep } = require('./processes');

function pidAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Waits until this process holds `lockDir` (at most an hour).
 * @param {string} lockDir
 * @param {{ log: (line: string) => void, holderIs: string }} opts holderIs: what a holder is doing,
 *   for the waiting notice (e.g. 'installing n8n 2.8.4').
 */
async function acquireLock(lockDir, { log, holderIs }) {
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
      log(`removing stale lock ${lockDir} (holder ${owner ? owner.pid : '?'} is gone)`);
      await fsp.rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - lastNotice >= 15_000) {
      lastNotice = Date.now();
      const secs = Math.round((Date.now() - started) / 1000);
      log(`another process (pid ${owner ? owner.pid : '?'}) is ${holderIs}; waiting (${secs}s)`);
    }
    if (Date.now() - started > 60 * 60_000) throw new Error(`timed out waiting for the lock ${lockDir}`);
    await sleep(1000);
  }
}

async function releaseLock(lockDir) {
  await fsp.rm(lockDir, { recursive: true, force: true });
}

module.exports = { pidAlive, acquireLock, releaseLock };
