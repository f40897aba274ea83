/**
 * The E2E tests' side of scripts/lib/n8n.js: a typed view of the functions they use, and one
 * environment per test file: a REAL n8n (the pinned version, installed once into a cache folder),
 * a fresh n8n user folder with this package installed from its `npm pack` tarball, the Hyfin
 * sandbox in this process, the credentials and every workflow of the file imported once.
 */
import path from 'path';

import { startSandbox, type Sandbox, type SandboxKnobs } from '../../../sandbox/server';
import { CALM } from '../../sandbox/helpers';
import type { Workflow } from './workflows';

export interface RunItem {
	json: Record<string, unknown>;
	pairedItem?: { item: number; input?: number } | Array<{ item: number; input?: number }> | number;
}

export interface NodeRun {
	data?: { main: Array<RunItem[] | null> };
	error?: { message?: string; description?: string };
	executionStatus?: string;
	/** Milliseconds the node took. */
	executionTime: number;
}

export interface RunError {
	message: string;
	description?: string | null;
	node?: { name: string };
	[key: string]: unknown;
}

/** What `n8n execute --rawOutput` prints: the execution, as n8n stores it. */
export interface RunDocument {
	status?: string;
	mode?: string;
	data: {
		resultData: {
			runData: Record<string, NodeRun[]>;
			lastNodeExecuted?: string;
			error?: RunError;
		};
	};
}

export interface ExecuteResult {
	code: number | null;
	signal: string | null;
	timedOut: boolean;
	run: RunDocument | null;
	error: RunError | null;
	stdout: string;
	stderr: string;
	durationMs: number;
}

export interface N8nHome {
	home: string;
	packageName: string;
	packageVersion: string;
}

/** What runN8nCommand resolves with. */
export interface CommandResult {
	code: number | null;
	signal: string | null;
	stdout: string;
	stderr: string;
	durationMs: number;
	timedOut: boolean;
}

/** A running `n8n start` (startN8n). */
export interface N8nServer {
	url: string;
	port: number;
	readyMs: number;
	/** n8n's last log lines. */
	logs(): string;
	/** Ends n8n's whole process group and waits for it. */
	stop(): Promise<{ code: number | null; signal: string | null } | null>;
}

interface Credential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** The parts of scripts/lib/n8n.js used here (its exported API; see the file for details). */
interface N8nLib {
	N8N_VERSION: string;
	ensureN8n(opts?: { log?: (line: string) => void }): Promise<string>;
	createN8nHome(opts?: { dir?: string; packageDir?: string; tarball?: string }): Promise<N8nHome>;
	removeN8nHome(home: N8nHome | string): Promise<void>;
	importCredentials(bin: string, home: N8nHome | string, creds: Credential[]): Promise<unknown>;
	importWorkflow(bin: string, home: N8nHome | string, workflows: Workflow[]): Promise<string[]>;
	executeWorkflow(
		bin: string,
		home: N8nHome | string,
		id: string,
		options?: { timeoutMs?: number; env?: Record<string, string> },
	): Promise<ExecuteResult>;
	outputOf(run: RunDocument | null, nodeName: string, outputIndex?: number): Array<Record<string, unknown>>;
	errorOf(run: RunDocument | null): RunError | null;
	/** `node bin ...args` in its own process group; never rejects on a non-zero exit. */
	runN8nCommand(bin: string, args: string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CommandResult>;
	/** The environment n8n commands on `home` run with, plus `extra`. */
	n8nEnv(home: N8nHome | string, extra?: Record<string, string | undefined>): NodeJS.ProcessEnv;
	freePort(): Promise<number>;
	/** `n8n start` on 127.0.0.1 (a free port unless given); resolves once the editor is ready. */
	startN8n(
		bin: string,
		home: N8nHome | string,
		options?: { port?: number; env?: Record<string, string>; timeoutMs?: number; onLog?: (line: string, stream: string) => void },
	): Promise<N8nServer>;
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
// Required without an extension: it may become a folder of modules with the same exports.
export const n8n = require(path.join(ROOT, 'scripts', 'lib', 'n8n')) as N8nLib;

/** The sandbox's one token, and one that it refuses: both distinctive, to search outputs for them. */
export const GOOD_TOKEN = 'e2e-good-token-6f1c0a9d2b7e';
export const WRONG_TOKEN = 'e2e-wrong-token-93b7d2e4c5a8';

/** The credentials every E2E file imports (same ids everywhere; each file has its own n8n user folder). */
export const CREDENTIALS = {
	good: { id: 'e2eHyfinCredGood', name: 'Hyfin sandbox (e2e)' },
	wrongToken: { id: 'e2eHyfinCredBad1', name: 'Hyfin sandbox, wrong token (e2e)' },
	wrongSite: { id: 'e2eHyfinCredBad2', name: 'Hyfin sandbox, wrong Site ID (e2e)' },
};

/** The Site ID of the wrongSite credential: one the sandbox does not know. */
export const WRONG_SITE_ID = 'e2e-no-such-site';

/** `ensureN8n` may install n8n (5-8 min on 2 cores, once per machine): beforeAll's timeout. */
export const SETUP_TIMEOUT_MS = 20 * 60_000;

/**
 * One `n8n execute` (5-15 s here, most of it n8n starting). Kept well under the files' test
 * timeout (jest.setTimeout(240_000)), so a hung n8n is ended by us, not left behind by jest.
 */
export const EXECUTE_TIMEOUT_MS = 100_000;

const log = (line: string) => process.stderr.write(`${line}\n`);

export interface E2E {
	readonly sandbox: Sandbox;
	/** `n8n execute --id=<id>` on this file's user folder. Never rejects on a failed run. */
	execute(workflowId: string): Promise<ExecuteResult>;
	/** The sandbox back to no customers, no stats, calm knobs (plus `knobs`). */
	resetSandbox(knobs?: Partial<SandboxKnobs>): void;
}

/**
 * Registers beforeAll / afterAll for one test file: everything is set up once, before the
 * first test, and removed after the last (also when the setup failed half-way).
 */
export function useE2E(workflows: () => Workflow[]): E2E {
	let bin = '';
	let home: N8nHome | null = null;
	let sandbox: Sandbox | null = null;

	beforeAll(async () => {
		bin = await n8n.ensureN8n({ log });
		sandbox = await startSandbox({ dbFile: ':memory:', token: GOOD_TOKEN, knobs: CALM });
		home = await n8n.createN8nHome({ packageDir: ROOT });
		const connection = { baseUrl: sandbox.baseUrl, siteId: sandbox.siteId };
		await n8n.importCredentials(bin, home, [
			{ ...CREDENTIALS.good, type: 'hyfinApi', data: { ...connection, accessToken: GOOD_TOKEN } },
			{ ...CREDENTIALS.wrongToken, type: 'hyfinApi', data: { ...connection, accessToken: WRONG_TOKEN } },
			{ ...CREDENTIALS.wrongSite, type: 'hyfinApi', data: { ...connection, siteId: WRONG_SITE_ID, accessToken: GOOD_TOKEN } },
		]);
		await n8n.importWorkflow(bin, home, workflows());
	}, SETUP_TIMEOUT_MS);

	afterAll(async () => {
		await sandbox?.close();
		if (home) await n8n.removeN8nHome(home);
	});

	const ready = () => {
		if (!sandbox || !home) throw new Error('the E2E environment is not set up (see beforeAll)');
		return { sandbox, home };
	};

	return {
		get sandbox() {
			return ready().sandbox;
		},
		async execute(workflowId) {
			return n8n.executeWorkflow(bin, ready().home, workflowId, { timeoutMs: EXECUTE_TIMEOUT_MS });
		},
		resetSandbox(knobs = {}) {
			const { sandbox: current } = ready();
			current.setKnobs({ ...CALM, ...knobs });
			current.reset();
		},
	};
}

/** The node's run (the last one) from the run document; fails the test when it did not run. */
export function nodeRun(run: RunDocument | null, nodeName: string): NodeRun {
	const runs = run?.data.resultData.runData[nodeName];
	if (!runs || runs.length === 0) throw new Error(`node "${nodeName}" did not run`);
	return runs[runs.length - 1];
}

/** The items (json and pairedItem) a node put on one output. */
export function itemsOf(run: RunDocument | null, nodeName: string, outputIndex = 0): RunItem[] {
	return nodeRun(run, nodeName).data?.main[outputIndex] ?? [];
}

/** Why a run failed, for an assertion message: its error, or the tail of n8n's output. */
export function explain(result: ExecuteResult): string {
	if (result.error) return JSON.stringify(result.error, null, 2).slice(0, 3000);
	return `exit ${result.code}${result.timedOut ? ' (timed out)' : ''}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-2000)}`;
}

/** Asserts that a run succeeded, with n8n's own words when it did not. */
export function expectSuccess(result: ExecuteResult): RunDocument {
	if (result.code !== 0 || !result.run || result.error) {
		throw new Error(`the workflow failed: ${explain(result)}`);
	}
	return result.run;
}
