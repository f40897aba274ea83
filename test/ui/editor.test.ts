/**
 * The node in n8n's real editor (n8n 2.8.4, started as `npm run dev` starts it), driven by
 * headless Chromium: log in, find Hyfin in the nodes panel, create the "Hyfin API" credential
 * from the node (n8n tests it against the sandbox on save), map fields by hand and run the node,
 * then a Code node → Hyfin workflow with "Map Automatically", run as a whole. Every result is
 * checked in the output panel and in the sandbox. Screenshots go to docs/screenshots/.
 *
 * Needs Debian's chromium (/usr/bin/chromium); run with `npm run test:ui`.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';

import type { Locator, Page } from 'playwright-core';

import { SCREENSHOTS, VIEWPORT, startUiEnv, type UiEnv } from './helpers/env';

jest.setTimeout(120_000);

/** Longest wait for one thing to appear in the editor (a node run, a credential test). */
const WAIT = 30_000;

let env: UiEnv | null = null;
const timings: Record<string, number> = {};
const startedAt = Date.now();

beforeAll(async () => {
	const t = Date.now();
	env = await startUiEnv();
	Object.assign(timings, env.timings, { setup: Date.now() - t });
}, 20 * 60_000); // ensureN8n may install n8n first (minutes, once per machine)

afterAll(async () => {
	const t = Date.now();
	await env?.stop();
	timings.teardown = Date.now() - t;
	process.stderr.write(`[ui] timings (ms): ${JSON.stringify(timings)}\n`);
}, 60_000);

function ready(): UiEnv {
	if (!env) throw new Error('the UI environment is not set up (see beforeAll)');
	return env;
}

/**
 * Saves a screenshot of the whole window into docs/screenshots/: by default first closing n8n's
 * toasts and moving the mouse off the fields (a hovered field shows its toolbar).
 */
async function shot(page: Page, name: string, { tidy = true } = {}): Promise<void> {
	if (tidy) {
		const focused = page.locator('input:focus, textarea:focus');
		if (await focused.count()) await focused.first().blur();
		await page.mouse.move(VIEWPORT.width - 20, VIEWPORT.height - 120);
		for (const close of await page.locator('.el-notification__closeBtn:visible').all()) {
			await close.click().catch(() => undefined); // it may be leaving by itself
		}
		await page
			.locator('.el-notification')
			.first()
			.waitFor({ state: 'detached', timeout: 5_000 })
			.catch(() => undefined);
	}
	await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/**
 * Runs one step of a test; when it fails, saves a screenshot (in the temp folder, not in docs/)
 * and adds n8n's last log lines to the error.
 */
async function step(name: string, fn: (page: Page) => Promise<void>): Promise<void> {
	const { page, server } = ready();
	const t = Date.now();
	try {
		await fn(page);
		timings[name] = Date.now() - t;
	} catch (err) {
		const file = path.join(os.tmpdir(), `hyfin-ui-failed-${name.replace(/\W+/g, '-')}.png`);
		await page.screenshot({ path: file }).catch(() => undefined);
		const error = err as Error;
		error.message = `step "${name}" failed: ${error.message}\n  page: ${page.url()}\n  screenshot: ${file}\n  n8n log (tail):\n${server.logs().slice(-3000)}`;
		throw error;
	}
}

const ndv = (page: Page) => page.getByTestId('ndv');
const creator = (page: Page) => page.getByTestId('node-creator');

/** The nodes panel is open: search for Hyfin, open it, pick the action. */
async function pickHyfinAction(page: Page, screenshots: boolean): Promise<void> {
	await creator(page).waitFor();
	await page.getByTestId('node-creator-search-bar').fill('Hyfin');
	const hyfin = creator(page).getByTestId('node-creator-item-name').getByText('Hyfin', { exact: true });
	await hyfin.waitFor();
	if (screenshots) await shot(page, '01-nodes-panel-search');
	await hyfin.click();
	const action = creator(page).getByText('Add or update a customer', { exact: true });
	// With the Hyfin Trigger in the package, the panel lists its triggers first and folds the node's actions.
	const actions = creator(page).getByText(/^Actions \(\d+\)$/);
	await Promise.race([action.waitFor(), actions.waitFor()]);
	if (!(await action.isVisible())) await actions.click();
	await action.waitFor();
	if (screenshots) await shot(page, '02-nodes-panel-actions');
	await action.click();
	await ndv(page).getByTestId('mapping-mode-select').waitFor();
}

/** The mapping mode select's options, as the editor lists them. */
async function chooseMappingMode(page: Page, label: string): Promise<void> {
	const select = ndv(page).getByTestId('mapping-mode-select').locator('input');
	await select.click();
	await page.locator('.el-select-dropdown__item:visible').filter({ hasText: label }).click();
	await expectValue(select, label);
}

async function expectValue(input: Locator, value: string): Promise<void> {
	await input
		.page()
		.waitForFunction(
			({ el, want }) => (el as unknown as { value: string }).value === want,
			{ el: await input.elementHandle(), want: value },
			{ timeout: WAIT },
		);
}

/** The rows of the output panel's table (the Table view), each as its cells' texts. */
async function outputRows(page: Page): Promise<string[][]> {
	const out = ndv(page).getByTestId('output-panel');
	const table = out.locator('table');
	await table.waitFor();
	const headers = (await table.locator('thead th').allInnerTexts()).map((h) => h.trim());
	const rows: string[][] = [];
	for (const tr of await table.locator('tbody tr').all()) {
		rows.push((await tr.locator('td').allInnerTexts()).map((cell) => cell.trim()));
	}
	return [headers, ...rows];
}

/** The output table as objects keyed by its headers (empty trailing columns dropped). */
function asObjects(table: string[][]): Array<Record<string, string>> {
	const [headers, ...rows] = table;
	return rows.map((row) => Object.fromEntries(headers.map((h, i) => [h, row[i]]).filter(([h]) => h !== '')));
}

test('1. log in as the owner', async () => {
	const { server, owner } = ready();
	await step('login', async (page) => {
		await page.goto(`${server.url}/signin`);
		await page.getByTestId('emailOrLdapLoginId').locator('input').fill(owner.email);
		await page.getByTestId('password').locator('input').fill(owner.password);
		await page.getByTestId('form-submit-button').click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: WAIT });
		await page.getByTestId('main-sidebar-settings').waitFor();
	});
});

test('2. a new workflow: the nodes panel finds Hyfin and its action "Add or update a customer"', async () => {
	const { server } = ready();
	await step('nodes panel', async (page) => {
		await page.goto(`${server.url}/workflow/new`);
		await page.getByTestId('canvas-add-button').click();
		await pickHyfinAction(page, true);
		await expect(ndv(page).getByTestId('node-title-container').innerText()).resolves.toContain('Add or update a customer');
		// Adding an action to an empty canvas adds the manual trigger before it.
		await expect(page.getByTestId('canvas-trigger-node').count()).resolves.toBe(1);
	});
});

test('3. a "Hyfin API" credential created from the node is tested against the sandbox on save', async () => {
	const { sandbox } = ready();
	const route = 'GET /api/v3/site/:site_id/customer/:external_id';
	const before = sandbox.stats().requests[route]?.['404'] ?? 0;
	await step('credential', async (page) => {
		await ndv(page).getByTestId('node-credentials-select').click();
		await page.getByTestId('node-credentials-select-item-new').click();
		const modal = page.getByTestId('editCredential-modal');
		await modal.getByTestId('parameter-input-baseUrl').locator('input').fill(sandbox.baseUrl);
		await modal.getByTestId('parameter-input-siteId').locator('input').fill(sandbox.siteId);
		await modal.getByTestId('parameter-input-accessToken').locator('input').fill(sandbox.token);
		await expect(modal.innerText()).resolves.toContain('Hyfin API');
		await modal.getByTestId('credential-save-button').click();
		await modal.getByText('Connection tested successfully').waitFor({ timeout: WAIT });
		await shot(page, '03-credential-tested');
		await modal.getByRole('button', { name: 'Close this dialog' }).click();
		await modal.waitFor({ state: 'hidden' });
		await expectValue(ndv(page).getByTestId('node-credentials-select').locator('input'), 'Hyfin account');
	});
	// The test asked the sandbox for a random customer, with the token typed in: a JSON "not found".
	expect(sandbox.stats().requests[route]?.['404'] ?? 0).toBeGreaterThan(before);
	expect(sandbox.store.count()).toBe(0);
});

test('4. "Map Each Column Manually": typed values, Execute step, the output panel says added', async () => {
	const { sandbox } = ready();
	await step('manual mapping', async (page) => {
		const panel = ndv(page);
		await expectValue(panel.getByTestId('mapping-mode-select').locator('input'), 'Map Each Column Manually');
		const values: Record<string, string> = {
			external_id: 'ui-manual-001',
			first_name: 'Ada',
			last_name: 'Lovelace',
			email: 'ada@example.com',
		};
		for (const [field, value] of Object.entries(values)) {
			const input = panel.getByTestId(`parameter-input-${field}`).locator('input');
			await input.click();
			await page.keyboard.type(value);
			await expectValue(input, value);
		}
		// Click off the last field so it shows as set (and its issue marker goes away).
		await panel.getByTestId('node-parameters').click({ position: { x: 5, y: 5 } });
		await panel.getByTestId('parameter-issues').first().waitFor({ state: 'detached', timeout: WAIT });
		await shot(page, '04-manual-mapping');

		await panel.getByTestId('node-execute-button').click();
		await panel.getByTestId('output-panel').getByText('ui-manual-001').waitFor({ timeout: WAIT });
		const rows = asObjects(await outputRows(page));
		expect(rows).toEqual([
			{ success: 'true', action: 'added', _id: expect.stringMatching(/^[0-9a-f]{24}$/), external_id: 'ui-manual-001' },
		]);
		await shot(page, '05-manual-output');
		await panel.getByTestId('ndv-close-button').click();
		await panel.waitFor({ state: 'hidden' });
		await page.keyboard.press('Control+s');
	});
	expect(sandbox.store.get(sandbox.siteId, 'ui-manual-001')).toMatchObject({
		first_name: 'Ada',
		last_name: 'Lovelace',
		email: 'ada@example.com',
	});
	expect(sandbox.store.count()).toBe(1);
});

/**
 * n8n's editor gives a boolean field `false` the moment it is shown; had Active been shown in
 * "Map Each Column Manually", the customer above would have been sent `active: false` (this test
 * found that). The node now starts Active and the notification flags out of the mapping.
 */
test('4b. a customer added with Active never touched in the editor is active: Active was not sent', () => {
	const { sandbox } = ready();
	expect(sandbox.store.get(sandbox.siteId, 'ui-manual-001')).toMatchObject({ active: true });
});

const ROWS = [
	// Column names as sheets name them: "Map Automatically" recognises them.
	{ 'Customer ID': 'ui-auto-001', 'First Name': 'Grace', Surname: 'Hopper', 'E-mail': 'grace@example.com' },
	{ 'Customer ID': 'ui-auto-002', 'First Name': 'Alan', Surname: 'Turing', Mobile: '+44 20 7946 0000' },
	// The customer of step 4 again: now updated.
	{ external_id: 'ui-manual-001', first_name: 'Ada', last_name: 'King', notes: 'Countess of Lovelace' },
];

test('5. "Map Automatically": Code node → Hyfin, Execute workflow, the output panel shows added and updated', async () => {
	const { server, sandbox } = ready();
	await step('auto mapping', async (page) => {
		await page.goto(`${server.url}/workflow/new`);
		await page.getByTestId('canvas-add-button').click();
		await page.getByTestId('node-creator-search-bar').fill('Code');
		await creator(page).getByTestId('node-creator-item-name').getByText('Code', { exact: true }).click();
		await creator(page).getByText('Code in JavaScript', { exact: true }).click();
		const code = ndv(page).getByTestId('parameter-input-jsCode').locator('.cm-content');
		await code.click();
		await page.keyboard.press('Control+a');
		await page.keyboard.press('Delete');
		await page.keyboard.insertText(`return ${JSON.stringify(ROWS.map((json) => ({ json })))};`);
		await expect(code.innerText()).resolves.toContain('ui-auto-002');
		await ndv(page).getByTestId('ndv-close-button').click();
		await ndv(page).waitFor({ state: 'hidden' });

		// The "+" on the Code node's output: the only open output on the canvas.
		await page.getByTestId('canvas-handle-plus').click();
		await pickHyfinAction(page, false);
		// The one Hyfin credential is chosen for the new node by itself.
		await expectValue(ndv(page).getByTestId('node-credentials-select').locator('input'), 'Hyfin account');
		await chooseMappingMode(page, 'Map Automatically');
		await expect(ndv(page).getByTestId('node-parameters').innerText()).resolves.toContain('incoming data fields');
		await ndv(page).getByTestId('ndv-close-button').click();
		await ndv(page).waitFor({ state: 'hidden' });

		await page.getByTestId('execute-workflow-button').click();
		await page.getByText('Workflow executed successfully').waitFor({ timeout: WAIT });
		const hyfin = page.getByTestId('canvas-node').filter({ hasText: 'Add or update a customer' });
		// The canvas draws the item counts a moment after the toast: wait for them.
		await hyfin.getByText('3 items').waitFor({ timeout: WAIT });
		await shot(page, '06-auto-mapping-workflow');

		await hyfin.dblclick();
		await ndv(page).getByTestId('output-panel').getByText('ui-auto-002').waitFor({ timeout: WAIT });
		const rows = asObjects(await outputRows(page));
		const id = expect.stringMatching(/^[0-9a-f]{24}$/);
		expect(rows).toEqual([
			{ success: 'true', action: 'added', _id: id, external_id: 'ui-auto-001' },
			{ success: 'true', action: 'added', _id: id, external_id: 'ui-auto-002' },
			{ success: 'true', action: 'updated', _id: id, external_id: 'ui-manual-001' },
		]);
		await expect(ndv(page).getByTestId('mapping-mode-select').locator('input').inputValue()).resolves.toBe('Map Automatically');
		await shot(page, '07-auto-mapping-output');
		await page.keyboard.press('Control+s');
	});
	expect(sandbox.store.count()).toBe(3);
	expect(sandbox.store.get(sandbox.siteId, 'ui-auto-001')).toMatchObject({
		first_name: 'Grace',
		last_name: 'Hopper',
		email: 'grace@example.com',
	});
	expect(sandbox.store.get(sandbox.siteId, 'ui-auto-002')).toMatchObject({
		first_name: 'Alan',
		last_name: 'Turing',
		mobile_phone: '+44 20 7946 0000',
	});
	expect(sandbox.store.get(sandbox.siteId, 'ui-manual-001')).toMatchObject({
		first_name: 'Ada',
		last_name: 'King',
		notes: 'Countess of Lovelace',
		email: 'ada@example.com',
	});
});

// Screenshots are the test's output too: each must exist and be a real PNG of the window.
test('6. the screenshots are written', () => {
	for (const name of [
		'01-nodes-panel-search',
		'02-nodes-panel-actions',
		'03-credential-tested',
		'04-manual-mapping',
		'05-manual-output',
		'06-auto-mapping-workflow',
		'07-auto-mapping-output',
	]) {
		const file = path.join(SCREENSHOTS, `${name}.png`);
		expect(fs.statSync(file).mtimeMs).toBeGreaterThanOrEqual(startedAt - 1000); // written by this run
		const png = fs.readFileSync(file);
		expect(png.subarray(1, 4).toString()).toBe('PNG');
		expect(png.readUInt32BE(16)).toBe(VIEWPORT.width);
		expect(png.readUInt32BE(20)).toBe(VIEWPORT.height);
	}
});
