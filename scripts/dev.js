#!/usr/bin/env node
'use strict';
/**
 * `npm run dev`: n8n's editor with this package, against the Hyfin sandbox, the examples and their
 * credential imported, an owner to log in with. `tsc --watch` compiles straight into the package
 * installed in n8n's user folder, and gulp copies icons and the codex file there; n8n
 * (N8N_DEV_RELOAD) reloads the package in place on each change. Ctrl-C stops everything.
 *
 *   node scripts/dev.js [--fresh] [--restart]
 *   --fresh: start over (.n8n-dev/ deleted: owner, workflows, executions; the sandbox data stays)
 *   --restart: restart n8n after each change instead of its hot reload
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { getPort } = require('get-port-please');

const { ensureN8n } = require('./lib/install');
const n8n = require('./lib/n8n');
const { EXAMPLES_CREDENTIAL, examplesCredential, exampleWorkflows } = require('./lib/workflows');
const { startSandbox } = require('../sandbox/server');

const REPO = path.join(__dirname, '..');
const DEV = path.join(REPO, '.n8n-dev');
const FILES = path.join(DEV, 'files');
const OWNER = { email: 'dev@n8n-nodes-hyfin.test', firstName: 'Hyfin', lastName: 'Developer', password: 'Hyfin-dev-Passw0rd' };
const say = (line = '') => console.log(line);
const port = (preferred) => getPort({ port: preferred, host: '127.0.0.1' });

/** Imports the examples that are new or changed since the last start; the editor's changes to the others stay. */
async function importExamples(running, home) {
	const seenFile = path.join(DEV, 'imported-examples.json');
	const seen = fs.existsSync(seenFile) ? JSON.parse(fs.readFileSync(seenFile, 'utf8')) : {};
	const hash = (workflow) => crypto.createHash('sha256').update(JSON.stringify(workflow)).digest('hex');
	const changed = exampleWorkflows(FILES).filter((workflow) => seen[workflow.id] !== hash(workflow));
	if (changed.length > 0) await n8n.importInto(running, home, 'workflow', changed);
	for (const workflow of changed) seen[workflow.id] = hash(workflow);
	fs.writeFileSync(seenFile, JSON.stringify(seen, null, 2));
	return changed.map((workflow) => workflow.name);
}

async function main(started) {
	if (process.argv.includes('--fresh')) fs.rmSync(DEV, { recursive: true, force: true });
	fs.mkdirSync(FILES, { recursive: true });

	const dbFile = path.join(REPO, '.sandbox', 'hyfin.db'); // as `npm run sandbox`
	fs.mkdirSync(path.dirname(dbFile), { recursive: true });
	const sandbox = (started.sandbox = await startSandbox({ port: await port(4010), dbFile }));
	const running = await ensureN8n({ log: (line) => say(`  ${line}`) });
	// The package as users get it; from here on, tsc and gulp write into it.
	const home = await n8n.createHome({ dir: DEV });
	const installed = path.join(DEV, '.n8n', 'nodes', 'node_modules', home.packageName, 'dist');
	await n8n.importInto(running, home, 'credentials', [examplesCredential(sandbox)]);
	const imported = await importExamples(running, home);

	const editorPort = await port(5678);
	const env = { N8N_DEV_RELOAD: 'true', N8N_RESTRICT_FILE_ACCESS_TO: FILES };
	const startEditor = () =>
		n8n.start(running, home, { port: editorPort, env, onLog: (line) => line.includes('Hot reload') && say(`[n8n] ${line}`) });
	let server = (started.server = await startEditor());
	const signedIn = await n8n.signIn(server.url, OWNER).catch(() => null);

	const [tsc, gulp] = ['tsc', 'gulp'].map((command) => path.join(REPO, 'node_modules', '.bin', command));
	started.watchers = [
		spawn(process.execPath, [tsc, '-p', 'tsconfig.json', '--watch', '--preserveWatchOutput', '--noEmitOnError', '--outDir', installed], {
			cwd: REPO,
			stdio: 'inherit',
		}),
		spawn(process.execPath, [gulp, 'watch:assets'], { cwd: REPO, stdio: 'inherit', env: { ...process.env, HYFIN_ASSETS_DEST: installed } }),
	];
	if (process.argv.includes('--restart')) {
		let timer;
		fs.watch(installed, { recursive: true }, () => {
			clearTimeout(timer);
			timer = setTimeout(async () => {
				await server.stop();
				server = started.server = await startEditor();
				say('[dev] n8n restarted: reload the page');
			}, 1000);
		});
	}

	const login = signedIn ? `${OWNER.email} / ${OWNER.password}` : `${OWNER.email}: its password was changed`;
	say(`\nThe editor:     ${server.url}  (log in as ${login})`);
	say(`The sandbox:    ${sandbox.baseUrl}  (its page lists the ${sandbox.store.count()} customers in ${path.relative(REPO, dbFile)})`);
	say(`The credential: "${EXAMPLES_CREDENTIAL.name}": ${sandbox.baseUrl}, Site ID ${sandbox.siteId}, Access Token ${sandbox.token}`);
	say(`Examples imported now: ${imported.length ? imported.join(', ') : 'none new or changed'}`);
	say('On save, tsc and gulp rebuild into the installed package and n8n reloads it. Ctrl-C stops everything.\n');
}

/** What was started, stopped on Ctrl-C, SIGTERM or a failure, so that nothing runs on without us. */
const started = { watchers: [] };
const stopAll = async () => {
	started.watchers.forEach((watcher) => watcher.kill());
	await Promise.all([started.server?.stop(), started.sandbox?.close()]);
};
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stopAll().finally(() => process.exit(0)));
main(started).catch(async (error) => {
	console.error(`npm run dev failed: ${error.stack}`);
	await stopAll();
	process.exit(1);
});
