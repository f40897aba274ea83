/**
 * One E2E environment per test file: a REAL n8n (installed by test/e2e/global-setup.js; the
 * version from HYFIN_N8N_VERSION), a fresh user folder with this package installed from its
 * `npm pack` tarball, the Hyfin sandbox in this process, the credentials and the file's
 * workflows imported once. Built on scripts/lib, as the demo, dev and the benchmark are.
 */
import { CALM, startSandbox, type Sandbox, type SandboxKnobs } from '../../../sandbox/server';
import { ensureN8n } from '../../../scripts/lib/install';
import * as n8n from '../../../scripts/lib/n8n';
import { errorOf, logOf } from '../../../scripts/lib/runs';

export { itemsOf, nodeRun, outputOf } from '../../../scripts/lib/runs';

/** The sandbox's one token, and one that it refuses: both distinctive, to search outputs for them. */
export const GOOD_TOKEN = 'e2e-good-token-6f1c0a9d2b7e';
export const WRONG_TOKEN = 'e2e-wrong-token-93b7d2e4c5a8';

/** The Site ID of the wrongSite credential: one the sandbox does not know. */
export const WRONG_SITE_ID = 'e2e-no-such-site';

/** The credentials every E2E file imports (same ids everywhere; each file has its own user folder). */
export const CREDENTIALS = {
	good: { id: 'e2eHyfinCredGood', name: 'Hyfin sandbox (e2e)' },
	wrongToken: { id: 'e2eHyfinCredBad1', name: 'Hyfin sandbox, wrong token (e2e)' },
	wrongSite: { id: 'e2eHyfinCredBad2', name: 'Hyfin sandbox, wrong Site ID (e2e)' },
};

/** Set-up (the user folder, imports) and one `n8n execute`: well under jest's test timeout, so a hung n8n is ended by us. */
export const SETUP_TIMEOUT_MS = 5 * 60_000;
export const EXECUTE_TIMEOUT_MS = 100_000;

export type N8n = Awaited<ReturnType<typeof ensureN8n>>;
export type Home = Awaited<ReturnType<typeof n8n.createHome>>;
export type Server = Awaited<ReturnType<typeof n8n.start>>;
export type ExecuteResult = Awaited<ReturnType<typeof n8n.execute>>;
/** The run as n8n stores it; tests read it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Run = any;

export interface E2E {
	readonly sandbox: Sandbox;
	readonly n8n: N8n;
	readonly home: Home;
	/** `n8n execute --id=<id>` on this file's user folder. Never rejects on a failed run. */
	execute(workflowId: string, env?: Record<string, string>): Promise<ExecuteResult>;
	/** The sandbox back to no customers, no stats, calm knobs (plus `knobs`). */
	resetSandbox(knobs?: Partial<SandboxKnobs>): void;
}

/** The credentials, pointing at `sandbox`, as `n8n import:credentials` takes them. */
export function credentialsFor(sandbox: Sandbox) {
	const connection = { baseUrl: sandbox.baseUrl, siteId: sandbox.siteId };
	return [
		{ ...CREDENTIALS.good, type: 'hyfinApi', data: { ...connection, accessToken: GOOD_TOKEN } },
		{ ...CREDENTIALS.wrongToken, type: 'hyfinApi', data: { ...connection, accessToken: WRONG_TOKEN } },
		{ ...CREDENTIALS.wrongSite, type: 'hyfinApi', data: { ...connection, siteId: WRONG_SITE_ID, accessToken: GOOD_TOKEN } },
	];
}

/**
 * Registers beforeAll / afterAll for one test file: everything set up once, before the first
 * test, and removed after the last (also when the set-up failed half-way).
 */
export function useE2E(workflows: (sandbox: Sandbox) => object[], credentials = credentialsFor): E2E {
	let env: { sandbox: Sandbox; n8n: N8n; home: Home } | undefined;
	let sandbox: Sandbox | undefined;
	let home: Home | undefined;

	beforeAll(async () => {
		sandbox = await startSandbox({ dbFile: ':memory:', token: GOOD_TOKEN, knobs: CALM });
		const running = await ensureN8n();
		home = await n8n.createHome();
		await n8n.importInto(running, home, 'credentials', credentials(sandbox));
		await n8n.importInto(running, home, 'workflow', workflows(sandbox));
		env = { sandbox, n8n: running, home };
	}, SETUP_TIMEOUT_MS);

	afterAll(async () => {
		await sandbox?.close();
		if (home) n8n.removeHome(home);
	});

	const ready = () => {
		if (!env) throw new Error('the E2E environment is not set up (see beforeAll)');
		return env;
	};
	return {
		get sandbox() {
			return ready().sandbox;
		},
		get n8n() {
			return ready().n8n;
		},
		get home() {
			return ready().home;
		},
		async execute(workflowId, extra) {
			return await n8n.execute(ready().n8n, ready().home, workflowId, { timeoutMs: EXECUTE_TIMEOUT_MS, env: extra });
		},
		resetSandbox(knobs = {}) {
			ready().sandbox.setKnobs({ ...CALM, ...knobs });
			ready().sandbox.reset();
		},
	};
}

/** The run of a command that succeeded; otherwise a failure with n8n's own words. */
export function expectSuccess(result: ExecuteResult): Run {
	if (result.code !== 0 || !result.run || result.error) {
		const error = result.error ? JSON.stringify(result.error, null, 2).slice(0, 3000) : '';
		throw new Error(`the workflow failed (exit ${result.code}${result.timedOut ? ', timed out' : ''}): ${error}\n${logOf(result)}`);
	}
	return result.run;
}

export { errorOf };
