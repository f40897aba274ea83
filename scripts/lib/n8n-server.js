'use strict';
/**
 * `n8n start` on a user folder (the editor and its REST API), and talking to it: owner set-up,
 * login, authenticated requests.
 */

const os = require('os');
const { freePort, killGroup, killRestOfGroup, sleep, spawnTracked, streamLines } = require('./processes');
const { envWithPorts } = require('./n8n-home');

const DEFAULT_OWNER = {
  email: 'owner@n8n-nodes-hyfin.test',
  firstName: 'Hyfin',
  lastName: 'Tester',
  password: 'Hyfin-e2e-Passw0rd',
};

/**
 * `n8n start` on 127.0.0.1:<port> (a free port by default); resolves when /healthz/readiness
 * answers 200. Returns { url, port, process, readyMs, logs(), stop() }; stop() ends the whole
 * process group and waits for it. onLog(line, 'stdout'|'stderr') sees n8n's output.
 * options: { port, brokerPort, env (extra env), timeoutMs = 120000, onLog }.
 */
async function startN8n(bin, home, options = {}) {
  const port = options.port || (await freePort());
  const env = await envWithPorts(home, {
    ...options,
    env: {
      N8N_PORT: String(port),
      N8N_HOST: '127.0.0.1',
      N8N_PROTOCOL: 'http',
      N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}`,
      WEBHOOK_URL: `http://127.0.0.1:${port}/`,
      N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
      ...(options.env || {}),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const child = spawnTracked(process.execPath, [bin, 'start'], { cwd: os.tmpdir(), env });
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
      killRestOfGroup(child.pid);
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

/** POSTs `body` to a REST endpoint that answers with the n8n-auth cookie; returns `n8n-auth=...`. */
async function postForCookie(url, pathname, body) {
  const res = await fetch(`${url}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${pathname}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  const cookie = authCookieOf(res);
  if (!cookie) throw new Error(`POST ${pathname} answered without an n8n-auth cookie`);
  return cookie;
}

/**
 * POST /rest/owner/setup on a fresh instance. Returns the cookie header value `n8n-auth=...`.
 * (password: 8+ characters with a number and a capital letter.)
 */
async function setupOwner(url, owner = {}) {
  return postForCookie(url, '/rest/owner/setup', { ...DEFAULT_OWNER, ...owner });
}

/** POST /rest/login; returns the `n8n-auth=...` cookie (for an instance whose owner exists). */
async function login(url, { email = DEFAULT_OWNER.email, password = DEFAULT_OWNER.password } = {}) {
  return postForCookie(url, '/rest/login', { emailOrLdapLoginId: email, email, password });
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

module.exports = { DEFAULT_OWNER, startN8n, setupOwner, login, n8nFetch };
