#!/usr/bin/env node
'use strict';
/**
 * `npm run sandbox`: starts the Hyfin sandbox on a fixed port with a file database, and prints
 * what to put in the n8n credential. Flags win over environment variables, which win over defaults.
 */
const fs = require('node:fs');
const path = require('node:path');
const { startSandbox, DEFAULT_SITE_ID, DEFAULT_TOKEN } = require('./server');
const { KNOB_SPECS, knobsFromFlags, envNameOf } = require('./knobs');

const DEFAULT_PORT = 4010;
// Beside the package, not the caller's working directory, so every way of starting it finds the same data.
const DEFAULT_DB = path.resolve(__dirname, '..', '.sandbox', 'hyfin.db');

/** Flags that are not knobs: flag -> [environment variable, help]. */
const SERVER_FLAGS = {
	port: ['HYFIN_SANDBOX_PORT', `port to listen on, 127.0.0.1 only (default ${DEFAULT_PORT}; 0 = any free port)`],
	db: ['HYFIN_SANDBOX_DB', 'SQLite file, or :memory: (default .sandbox/hyfin.db in the package)'],
	'site-id': ['HYFIN_SANDBOX_SITE_ID', `the one site the sandbox serves (default ${DEFAULT_SITE_ID})`],
	token: ['HYFIN_SANDBOX_TOKEN', `the access token it accepts (default ${DEFAULT_TOKEN})`],
	'site-webhook-url': ['HYFIN_SANDBOX_SITE_WEBHOOK_URL', "the site's webhook URL: every payment and notification is sent there"],
	'allow-remote-webhooks': [
		'HYFIN_SANDBOX_ALLOW_REMOTE_WEBHOOKS',
		'true: send webhooks to any host, not only loopback ones (default false)',
	],
};

function usage() {
	const rows = [
		...Object.entries(SERVER_FLAGS).map(([flag, [env, help]]) => [flag, env, help]),
		...KNOB_SPECS.map((spec) => [spec.flag, envNameOf(spec.flag), spec.help]),
	];
	const width = (/** @type {number} */ column) => Math.max(...rows.map((row) => row[column].length));
	return [
		'Usage: node sandbox/cli.js [--flag=value ...]',
		'',
		...rows.map(([flag, env, help]) => `  --${flag.padEnd(width(0))} ${env.padEnd(width(1))} ${help}`),
		'',
		'Knobs can also be changed while it runs: POST /__sandbox/knobs with a JSON object, e.g.',
		`  curl -X POST http://127.0.0.1:${DEFAULT_PORT}/__sandbox/knobs -d '{"latencyMs":200,"fault503":0.1}'`,
	].join('\n');
}

/**
 * @param {string[]} argv
 * @returns {{ values: Record<string, string>, help: boolean, errors: string[] }}
 */
function parseArgs(argv) {
	const known = new Set([...Object.keys(SERVER_FLAGS), ...KNOB_SPECS.map((spec) => spec.flag)]);
	/** @type {Record<string, string>} */
	const values = {};
	/** @type {string[]} */
	const errors = [];
	let help = false;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--help' || arg === '-h') {
			help = true;
			continue;
		}
		const match = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
		if (!match || !known.has(match[1])) {
			errors.push(`unknown argument ${arg}`);
			continue;
		}
		const value = match[2] ?? argv[++i];
		if (value === undefined) errors.push(`--${match[1]} needs a value`);
		else values[match[1]] = value;
	}
	return { values, help, errors };
}

/**
 * Environment first, flags over it, both spelled by flag name.
 * @param {Record<string, string>} flags
 * @param {NodeJS.ProcessEnv} env
 * @returns {Record<string, string>}
 */
function settings(flags, env) {
	/** @type {Record<string, string>} */
	const merged = {};
	for (const [flag, [name]] of Object.entries(SERVER_FLAGS)) if (env[name] !== undefined) merged[flag] = env[name];
	for (const spec of KNOB_SPECS) {
		const value = env[envNameOf(spec.flag)];
		if (value !== undefined) merged[spec.flag] = value;
	}
	return { ...merged, ...flags };
}

/** @param {string} dbFile */
function prepareDbFolder(dbFile) {
	if (dbFile === ':memory:') return;
	const folder = path.dirname(dbFile);
	fs.mkdirSync(folder, { recursive: true });
	// Keeps demo data out of commits without asking the repository's .gitignore to know about it.
	if (folder === path.dirname(DEFAULT_DB) && !fs.existsSync(path.join(folder, '.gitignore'))) {
		fs.writeFileSync(path.join(folder, '.gitignore'), '*\n');
	}
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	if (args.help) {
		console.log(usage());
		return;
	}
	const values = settings(args.values, process.env);
	const port = Number(values.port ?? DEFAULT_PORT);
	const knobs = knobsFromFlags(values);
	const errors = [...args.errors, ...knobs.errors];
	if (!Number.isInteger(port) || port < 0 || port > 65535) errors.push(`--port must be 0..65535, got "${values.port}"`);
	const remote = values['allow-remote-webhooks'] ?? 'false';
	if (!['true', 'false'].includes(remote)) errors.push(`--allow-remote-webhooks must be true or false, got "${remote}"`);
	if (errors.length) {
		console.error(`${errors.join('\n')}\n\n${usage()}`);
		process.exitCode = 2;
		return;
	}

	const dbFile = values.db === undefined ? DEFAULT_DB : values.db === ':memory:' ? ':memory:' : path.resolve(values.db);
	prepareDbFolder(dbFile);
	const sandbox = await startSandbox({
		port,
		dbFile,
		siteId: values['site-id'],
		token: values.token,
		knobs: knobs.patch,
		siteWebhookUrl: values['site-webhook-url'] || null,
		allowRemoteWebhooks: remote === 'true',
	});
	const knobLine = Object.entries(sandbox.getKnobs())
		.map(([name, value]) => `${name}=${value}`)
		.join(' ');

	console.log(`Hyfin sandbox listening on ${sandbox.baseUrl}
  merchant page   ${sandbox.url}
  database        ${dbFile} (${Object.entries(sandbox.store.counts())
		.map(([kind, n]) => `${n} ${kind}`)
		.join(', ')})

For the n8n "Hyfin API" credential:
  Base URL        ${sandbox.baseUrl}
  Site ID         ${sandbox.siteId}
  Access token    ${sandbox.token}

Webhooks: site URL ${sandbox.getSiteWebhook() ?? 'none'} (an invoice's webhook_url too), to ${
		remote === 'true' ? 'any host' : 'loopback hosts only'
	}
  set the site URL: curl -X POST ${sandbox.baseUrl}/__sandbox/site-webhook -d '{"url":"http://127.0.0.1:5678/webhook/hyfin"}'
  pay an invoice:   curl -X POST ${sandbox.baseUrl}/__sandbox/invoices/EXTERNAL_ID/pay (or its Pay button)

Knobs: ${knobLine}
  change now:     curl -X POST ${sandbox.baseUrl}/__sandbox/knobs -d '{"latencyMs":200}'
  at start:       ${KNOB_SPECS.map((spec) => `--${spec.flag}`).join(' ')}
  inspect:        ${sandbox.baseUrl}/__sandbox/stats  ${sandbox.baseUrl}/__sandbox/customers  ${sandbox.baseUrl}/__sandbox/invoices
                  ${sandbox.baseUrl}/__sandbox/notifications  ${sandbox.baseUrl}/__sandbox/counts  ${sandbox.baseUrl}/__sandbox/webhooks
Ctrl+C stops.`);

	let stopping = false;
	const stop = (/** @type {string} */ signal) => {
		// A second Ctrl+C means "now", even if closing hangs.
		if (stopping) process.exit(130);
		stopping = true;
		sandbox.close().then(() => console.log(`Hyfin sandbox stopped (${signal}); database closed.`));
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((/** @type {unknown} */ error) => {
	console.error(`Hyfin sandbox could not start: ${error instanceof Error ? error.message : error}`);
	process.exitCode = 1;
});
