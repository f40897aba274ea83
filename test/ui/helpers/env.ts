/**
 * The UI test's environment: a REAL n8n (the pinned version, from the cache scripts/lib/n8n.js
 * installs it into) started the way `npm run dev` starts it, on a fresh user folder with this
 * package installed as a community package; the Hyfin sandbox in this process; headless Debian
 * Chromium driven by playwright-core, with a fresh profile. Everything is removed by stop().
 */
import fs from 'fs';
import os from 'os';
import path from 'path';

import { chromium, selectors, type BrowserContext, type Page } from 'playwright-core';

import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { ensureN8n } from '../../../scripts/lib/install';
import * as n8n from '../../../scripts/lib/n8n';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

type N8nServer = Awaited<ReturnType<typeof n8n.start>>;
type Owner = typeof n8n.DEFAULT_OWNER;

/** Where the screenshots go (committed; the README shows two of them). */
export const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');

export const CHROMIUM = process.env.HYFIN_UI_CHROMIUM || '/usr/bin/chromium';

/** These machines reach the npm registry only: without these flags Chromium keeps trying the network. */
export const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

export const VIEWPORT = { width: 1440, height: 900 };

/** The sandbox's token: distinctive, so that it is clearly the one typed into the credential. */
export const TOKEN = 'ui-test-token-4e7b91c2';

const log = (line: string) => process.stderr.write(`${line}\n`);

export interface UiEnv {
	sandbox: Sandbox;
	server: N8nServer;
	owner: Owner;
	context: BrowserContext;
	page: Page;
	/** How long each part of the set-up took, in ms. */
	timings: Record<string, number>;
	stop(): Promise<void>;
}

/**
 * Starts everything; on a failure half-way, stops what was started before rethrowing.
 * The owner is created through n8n's REST API (as `npm run dev` does); the test logs in through
 * the sign-in page.
 */
export async function startUiEnv(): Promise<UiEnv> {
	if (!fs.existsSync(CHROMIUM)) {
		throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
	}
	const timings: Record<string, number> = {};
	const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
		const t = Date.now();
		try {
			return await fn();
		} finally {
			timings[name] = Date.now() - t;
		}
	};
	const cleanups: Array<() => Promise<unknown>> = [];
	const stop = async () => {
		for (const cleanup of cleanups.reverse()) {
			try {
				await cleanup();
			} catch (err) {
				log(`[ui] clean-up failed: ${(err as Error).message}`);
			}
		}
		cleanups.length = 0;
	};
	try {
		const running = await timed('ensureN8n', () => ensureN8n());
		const sandbox = await timed('sandbox', () => startSandbox({ dbFile: ':memory:', token: TOKEN }));
		cleanups.push(() => sandbox.close());
		const home = await timed('createHome', () => n8n.createHome());
		cleanups.push(async () => n8n.removeHome(home));
		const server = await timed('n8nStart', () => n8n.start(running, home));
		cleanups.push(() => server.stop());
		const cookie = await n8n.signIn(server.url);
		const types = (await n8n.rest(server.url, '/types/nodes.json', { cookie })) as Array<{ name: string }>;
		if (!types.some((type) => type.name === `${home.packageName}.hyfin`)) {
			throw new Error(`n8n did not load ${home.packageName}.hyfin:\n${server.logs().slice(-4000)}`);
		}
		const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-ui-chromium-'));
		cleanups.push(async () => fs.rmSync(profile, { recursive: true, force: true }));
		// n8n's editor marks its elements with data-test-id.
		selectors.setTestIdAttribute('data-test-id');
		const context = await timed('chromium', () =>
			chromium.launchPersistentContext(profile, {
				executablePath: CHROMIUM,
				headless: true,
				args: CHROMIUM_ARGS,
				viewport: VIEWPORT,
			}),
		);
		cleanups.push(() => context.close());
		const page = context.pages()[0] ?? (await context.newPage());
		fs.mkdirSync(SCREENSHOTS, { recursive: true });
		return { sandbox, server, owner: n8n.DEFAULT_OWNER, context, page, timings, stop };
	} catch (err) {
		await stop();
		throw err;
	}
}
