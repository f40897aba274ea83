import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { INVOICE, INVOICE_NO_LINES, JOHN, PAYMENT, PRODUCT, addUpdate, get, getCustomer, call, post } from './helpers';

const CLI = path.resolve(__dirname, '../../sandbox/cli.js');
let folder: string;

beforeEach(() => {
	folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-sandbox-test-'));
});
afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

describe('a file database', () => {
	test('keeps customers across a restart: same _id, and the next upsert is an update', async () => {
		const dbFile = path.join(folder, 'hyfin.db');
		const first = await startSandbox({ dbFile });
		const added = await addUpdate(first, JOHN);
		await first.close();

		const second = await startSandbox({ dbFile });
		try {
			const stored = await getCustomer(second, JOHN.external_id);
			expect(stored.json).toMatchObject({ _id: added.json._id, first_name: 'John', email: JOHN.email });
			const again = await addUpdate(second, JOHN);
			expect(again.json).toEqual({ success: true, action: 'updated', _id: added.json._id });
		} finally {
			await second.close();
		}
	});

	test('keeps invoices, their notifications, products and payments across a restart; the link follows the new address', async () => {
		const dbFile = path.join(folder, 'billing.db');
		const first = await startSandbox({ dbFile });
		await addUpdate(first, JOHN);
		await post(first, 'invoice/addUpdate', { ...INVOICE, customer: { external_id: JOHN.external_id } });
		const linked = await post(first, 'invoice/addUpdate', INVOICE_NO_LINES);
		await post(first, 'product/addUpdate', PRODUCT);
		await post(first, 'payment/addUpdate', PAYMENT);
		const before = first.store.getInvoice(first.siteId, INVOICE.external_id);
		await first.close();

		const second = await startSandbox({ dbFile });
		try {
			expect(second.store.counts()).toEqual({ customers: 1, invoices: 2, products: 1, payments: 1, notifications: 2 });
			expect(second.store.getInvoice(second.siteId, INVOICE.external_id)).toEqual(before);
			expect((await get(second, 'invoice', INVOICE_NO_LINES.external_id)).json.link).toBe(`${second.baseUrl}/pay/${linked.json._id}`);
			expect((await post(second, 'invoice/send', { external_id: INVOICE.external_id })).json.errors).toEqual([
				'Duplicate email sent < 300 sec. ago',
			]);
		} finally {
			await second.close();
		}
	});

	test('close() twice is harmless', async () => {
		const sandbox = await startSandbox({ dbFile: path.join(folder, 'x.db') });
		await sandbox.close();
		await expect(sandbox.close()).resolves.toBeUndefined();
	});
});

interface Running {
	child: ChildProcess;
	output: () => string;
	baseUrl: string;
}

/** Starts the CLI and waits until it says it is ready. */
function startCli(args: string[], env: Record<string, string> = {}): Promise<Running> {
	const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HYFIN_SANDBOX_')));
	const child = spawn(process.execPath, [CLI, ...args], { env: { ...cleanEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout?.on('data', (chunk) => (output += chunk));
	child.stderr?.on('data', (chunk) => (output += chunk));
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`CLI did not start:\n${output}`)), 5000);
		child.stdout?.on('data', () => {
			const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
			if (match && output.includes('Ctrl+C stops.')) {
				clearTimeout(timer);
				resolve({ child, output: () => output, baseUrl: match[1] });
			}
		});
		child.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`CLI exited with ${code}:\n${output}`));
		});
	});
}

const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
	new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

/** Enough of a Sandbox for the request helpers, pointed at a running CLI. */
const remote = (baseUrl: string, token: string, siteId: string) => ({ baseUrl, token, siteId }) as Sandbox;

describe('cli.js', () => {
	test('prints what the credential needs and applies flags over environment knobs', async () => {
		const dbFile = path.join(folder, 'cli.db');
		const cli = await startCli(
			['--port=0', `--db=${dbFile}`, '--site-id=site_cli', '--token', 'tok-cli', '--latency-ms=5', '--rejection-status=422'],
			{ HYFIN_SANDBOX_LATENCY_MS: '900', HYFIN_SANDBOX_JITTER_MS: '3' },
		);
		const stopped = exited(cli.child);
		try {
			expect(cli.output()).toContain(`Base URL        ${cli.baseUrl}\n`);
			expect(cli.output()).toContain('Site ID         site_cli\n');
			expect(cli.output()).toContain('Access token    tok-cli\n');
			const knobs = await call(remote(cli.baseUrl, '', ''), '/__sandbox/knobs');
			expect(knobs.json).toMatchObject({ latencyMs: 5, jitterMs: 3, rejectionStatus: 422 });
		} finally {
			cli.child.kill('SIGTERM');
		}
		expect(await stopped).toEqual({ code: 0, signal: null });
		expect(cli.output()).toContain('Hyfin sandbox stopped (SIGTERM); database closed.');
	});

	test('refuses unknown flags and bad knob values with exit code 2', async () => {
		const failure = await startCli(['--port=0', '--db=:memory:', '--fault-500=lots', '--colour=red']).then(
			() => 'started',
			(error: Error) => error.message,
		);
		expect(failure).toContain('CLI exited with 2:\nunknown argument --colour=red\n--fault-500 must be a number, got "lots"\n');
	});

	test('loses no answered upsert when the process is killed', async () => {
		const dbFile = path.join(folder, 'crash.db');
		const cli = await startCli(['--port=0', `--db=${dbFile}`]);
		const killed = exited(cli.child);
		const target = remote(cli.baseUrl, 'sandbox-token-change-me', 'site_demo');
		const answers = [];
		for (let i = 0; i < 20; i++) answers.push(await addUpdate(target, { ...JOHN, external_id: `k${i}` }));
		cli.child.kill('SIGKILL');
		expect((await killed).signal).toBe('SIGKILL');

		const after = await startSandbox({ dbFile });
		try {
			expect(after.store.count()).toBe(20);
			expect(after.store.get('site_demo', 'k19')?._id).toBe(answers[19].json._id);
		} finally {
			await after.close();
		}
	});
});
