/**
 * The customer examples in examples/, as they are in the repository, in a REAL n8n (the package
 * installed as a community package) against the Hyfin sandbox (invoices.test.ts runs the others):
 *
 *   csv-to-hyfin      Read/Write Files from Disk → Extract From File (CSV) → Hyfin → IF
 *   xlsx-to-hyfin     Read/Write Files from Disk → Extract From File (XLSX) → Hyfin → IF
 *   sheets-to-hyfin   Code (rows shaped like the Google Sheets Trigger's) → Hyfin → Switch on action
 *   form-to-hyfin     n8n Form Trigger → Hyfin → n8n Form ending: published, `n8n start`, submitted
 *                     over HTTP as the form page does
 *
 * Only two things are changed on import, as `npm run demo` and `npm run dev` do: each Read node's
 * file path (a placeholder) points at a copy of the example's file in a folder n8n may read
 * (N8N_RESTRICT_FILE_ACCESS_TO), and the examples' credential "Hyfin sandbox" is imported with the
 * sandbox's address and token. One n8n user folder, every workflow imported once.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';

import { parse } from 'csv-parse/sync';

import type { StoredCustomer } from '../../sandbox/server';
import * as n8n from '../../scripts/lib/n8n';
import { EXAMPLES_CREDENTIAL, examplesCredential, exampleWorkflows } from '../../scripts/lib/workflows';
import { GOOD_TOKEN, SETUP_TIMEOUT_MS, expectSuccess, itemsOf, outputOf, useE2E, type Run, type Server } from './helpers/n8n';
import { INVOICE_EXAMPLE_IDS, TRIGGER_EXAMPLE_IDS } from './helpers/workflows';

jest.setTimeout(240_000);

const OBJECT_ID = /^[0-9a-f]{24}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ROUTE = 'POST /api/v3/site/:site_id/customer/addUpdate';

/** Each example's workflow id and the node names the tests read. */
const EXAMPLE = {
	csv: {
		id: 'hyfinCsvToCustomers',
		extract: 'Extract rows',
		hyfin: 'Hyfin: add or update customer',
		ifNode: 'In Hyfin?',
		synced: 'Synced',
		rejected: 'Rejected: fix in the sheet',
	},
	xlsx: {
		id: 'hyfinXlsxToCustomers',
		extract: 'Extract sheet rows',
		hyfin: 'Hyfin: add or update customer',
		ifNode: 'In Hyfin?',
		synced: 'Synced',
		rejected: 'Rejected: fix in the spreadsheet',
	},
	sheets: {
		id: 'hyfinSheetsRowsToCustomers',
		rows: 'Rows like Google Sheets gives them',
		hyfin: 'Hyfin: add or update customer',
		switchNode: 'Added, updated or rejected?',
		added: 'Added: send a welcome',
		updated: 'Updated: nothing to do',
		rejected: 'Rejected: fix the row',
	},
	form: {
		id: 'hyfinFormNewCustomer',
		path: 'hyfin-new-customer',
		title: 'New customer',
	},
} as const;

// ---------------------------------------------------------------------------------------------
// One n8n user folder, one sandbox, the examples imported once; their files copied to a folder
// outside the user folder (n8n never lets a workflow read its own folder).

const filesDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-e2e-examples-files-')));
const e2e = useE2E(
	() => exampleWorkflows(filesDir),
	(sandbox) => [examplesCredential(sandbox, GOOD_TOKEN)],
);

beforeAll(async () => {
	// The form is reachable only in a published workflow; publishing is done with n8n stopped.
	const published = await n8n.run(e2e.n8n, e2e.home, ['publish:workflow', `--id=${EXAMPLE.form.id}`]);
	// On failure (e.g. an unknown id) it exits 1 and logs "GOT ERROR" and the reason.
	if (published.code !== 0 || /GOT ERROR/.test(published.stdout + published.stderr)) {
		throw new Error(`n8n publish:workflow failed (exit ${published.code}):\n${published.stdout}\n${published.stderr}`);
	}
}, SETUP_TIMEOUT_MS);

afterAll(() => fs.rmSync(filesDir, { recursive: true, force: true }));

beforeEach(() => e2e.resetSandbox());

/** `n8n execute` of one example, allowed to read the copied files; fails the test if the run failed. */
async function execute(workflowId: string): Promise<Run> {
	return expectSuccess(await e2e.execute(workflowId, { N8N_RESTRICT_FILE_ACCESS_TO: filesDir }));
}

/** What a Hyfin node outputs for an accepted record; the _id is the one the sandbox stored. */
function accepted(externalId: string, action: 'added' | 'updated', extra: Record<string, unknown> = {}) {
	const stored = e2e.sandbox.store.get(e2e.sandbox.siteId, externalId);
	if (!stored) throw new Error(`the sandbox does not hold ${externalId}`);
	return { success: true, action, _id: stored._id, external_id: externalId, ...extra };
}

/** A stored customer: what the sandbox holds, with the fields it makes itself matched loosely. */
function customer(fields: Omit<StoredCustomer, '_id' | 'site_id' | 'created_at' | 'updated_at'>) {
	return {
		_id: expect.stringMatching(OBJECT_ID),
		site_id: e2e.sandbox.siteId,
		...fields,
		created_at: expect.stringMatching(ISO_DATE),
		updated_at: expect.stringMatching(ISO_DATE),
	};
}

/** The sandbox's customers, in external_id order. */
function storedCustomers(): StoredCustomer[] {
	return e2e.sandbox.store.list().sort((a, b) => a.external_id.localeCompare(b.external_id));
}

const NOTIFY_TEXT_WITHOUT_PHONE = 'Notify by Text is on, so Mobile Phone is required: map a phone number or turn Notify by Text off';
const BAD_PHONE = 'Mobile Phone needs 7 to 15 digits (spaces, dashes, dots, slashes, brackets and a leading + are fine)';

function rejected(itemIndex: number, externalId: string, errors: string[], hint: string, extra: Record<string, unknown> = {}) {
	return {
		success: false,
		errors,
		external_id: externalId,
		message: `Item ${itemIndex} (external_id "${externalId}") was not sent to Hyfin: ${hint}`,
		...extra,
	};
}

// ---------------------------------------------------------------------------------------------

test('every example workflow is executed here, in invoices.test.ts or in trigger.test.ts, and names the credential the demo and dev import', () => {
	const workflows = exampleWorkflows(filesDir);
	expect(workflows.map((workflow) => workflow.id).sort()).toEqual(
		[...Object.values(EXAMPLE).map((example) => example.id), ...INVOICE_EXAMPLE_IDS, ...TRIGGER_EXAMPLE_IDS].sort(),
	);
	for (const workflow of workflows.filter((candidate) => !TRIGGER_EXAMPLE_IDS.includes(candidate.id))) {
		const hyfin = workflow.nodes.filter((node) => node.type === 'n8n-nodes-hyfin.hyfin');
		expect(hyfin.length).toBeGreaterThan(0);
		expect(hyfin.map((node) => (node as { credentials?: unknown }).credentials)).toEqual(
			hyfin.map(() => ({ hyfinApi: EXAMPLES_CREDENTIAL })),
		);
	}
});

describe('csv-to-hyfin: a CSV file → Extract From File → Hyfin (Map Automatically) → IF', () => {
	const CSV_REJECTED: Record<string, { errors: string[]; hint: string }> = {
		'C-1007': { errors: ['missing last_name'], hint: 'Last Name is required: map a value to it' },
		'C-1009': { errors: ['missing mobile_phone'], hint: NOTIFY_TEXT_WITHOUT_PHONE },
		'C-1011': { errors: ['invalid email'], hint: 'Email must look like name@example.com' },
	};

	test('20 rows: 16 added, the one already in Hyfin updated, 3 rejected on the false branch', async () => {
		const { sandbox } = e2e;
		const rows = parse(fs.readFileSync(path.join(filesDir, 'customers.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
		expect(rows).toHaveLength(20);

		// Maria is already in Hyfin, with other details and a note the CSV leaves blank.
		const before = sandbox.store.upsert(sandbox.siteId, {
			external_id: 'C-1002',
			first_name: 'Maria',
			last_name: 'Garcia',
			account_name: 'Garcia & Sons',
			mobile_phone: '555 000 0000',
			notes: 'Called in March',
			active: false,
			notification_options: { notify_phone: false, notify_email: false },
		});

		const run = await execute(EXAMPLE.csv.id);

		// Extract From File gives every cell as text, and leaves blank ones out.
		const withoutBlanks = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, value]) => value !== '')));
		expect(itemsOf(run, EXAMPLE.csv.extract).map((item) => item.json)).toStrictEqual(withoutBlanks);

		const expected = rows.map((row, i) => {
			const bad = CSV_REJECTED[row.external_id];
			if (bad) return rejected(i, row.external_id, bad.errors, bad.hint);
			return accepted(row.external_id, row.external_id === 'C-1002' ? 'updated' : 'added');
		});
		expect(itemsOf(run, EXAMPLE.csv.hyfin)).toEqual(expected.map((json, i) => ({ json, pairedItem: { item: i } })));
		const good = expected.filter((item) => item.success);
		const bad = expected.filter((item) => !item.success);
		expect([good.length, bad.length]).toEqual([17, 3]);
		expect(outputOf(run, EXAMPLE.csv.ifNode, 0)).toEqual(good);
		expect(outputOf(run, EXAMPLE.csv.ifNode, 1)).toEqual(bad);
		expect(outputOf(run, EXAMPLE.csv.synced)).toEqual(good);
		expect(outputOf(run, EXAMPLE.csv.rejected)).toEqual(bad);

		// Stored as the CSV says: TRUE/yes and FALSE/no as booleans; blank cells are left out of
		// the request, so Maria keeps her note, and a new customer's blank fields are null.
		const flag = (value: string) => /^(true|yes)$/i.test(value);
		const goodRows = rows.filter((row) => !CSV_REJECTED[row.external_id]);
		expect(storedCustomers()).toEqual(
			goodRows.map((row) =>
				customer({
					external_id: row.external_id,
					first_name: row.first_name,
					last_name: row.last_name,
					account_name: row.account_name || null,
					mobile_phone: row.mobile_phone || null,
					email: row.email,
					notes: row.external_id === 'C-1002' ? 'Called in March' : row.notes || null,
					active: flag(row.active),
					notification_options: { notify_phone: flag(row.notify_phone), notify_email: flag(row.notify_email) },
				}),
			),
		);
		expect(sandbox.store.get(sandbox.siteId, 'C-1002')).toMatchObject({
			_id: before._id,
			account_name: 'Garcia Bakery',
			mobile_phone: '(555) 201-4477',
			email: 'maria@garciabakery.example',
			active: true,
		});
		// The rejected rows never reached Hyfin.
		expect(sandbox.stats().requests).toEqual({ [ROUTE]: { '200': 17 } });
	});
});

describe('xlsx-to-hyfin: an Excel file → Extract From File → Hyfin (Map Automatically, Report Unmapped Columns) → IF', () => {
	/** examples/customers.xlsx, as Extract From File reads it: numbers, booleans, blank cells absent. */
	const SHEET = [
		{
			'Customer ID': 20001,
			'First Name': 'Amelia',
			Surname: 'Hughes',
			Company: 'Hughes Joinery',
			Mobile: 4155550101,
			'E-mail': 'amelia@hughesjoinery.example',
			Notes: 'Pays on the 1st',
			Active: true,
			'Notify by Text': true,
			'Notify by Email': true,
			'Sales Rep': 'Dana',
		},
		{
			'Customer ID': 20002,
			'First Name': 'Ben',
			Surname: 'Carter',
			Mobile: 2125550102,
			'E-mail': 'ben.carter@example.com',
			Active: true,
			'Notify by Text': false,
			'Notify by Email': true,
			'Sales Rep': 'Lee',
		},
		{
			'Customer ID': 20003,
			'First Name': 'Chiara',
			Surname: 'Bianchi',
			Company: 'Bianchi Caffè',
			Mobile: 393471234567,
			'E-mail': 'chiara@bianchicaffe.example',
			Active: true,
			'Notify by Text': true,
			'Notify by Email': false,
		},
		{
			'Customer ID': 20004,
			'First Name': 'Daniel',
			Mobile: 6175550104,
			'E-mail': 'daniel@example.com',
			Notes: 'Surname missing',
			Active: true,
			'Notify by Text': true,
			'Notify by Email': true,
			'Sales Rep': 'Lee',
		},
		{
			'Customer ID': 20005,
			'First Name': 'Elif',
			Surname: 'Yilmaz',
			'E-mail': 'elif.yilmaz@example.com',
			Notes: 'Wants texts, no number yet',
			Active: true,
			'Notify by Text': true,
			'Notify by Email': true,
			'Sales Rep': 'Dana',
		},
		{
			'Customer ID': 20006,
			'First Name': 'Farah',
			Surname: 'Said',
			Company: 'Said Textiles',
			Mobile: 2065550106,
			'E-mail': 'farah@saidtextiles',
			Active: true,
			'Notify by Text': false,
			'Notify by Email': true,
			'Sales Rep': 'Lee',
		},
		{
			'Customer ID': 20007,
			'First Name': 'George',
			Surname: 'Okafor',
			Mobile: 7075550107,
			'E-mail': 'george.okafor@example.com',
			Notes: 'Closed his account',
			Active: false,
			'Notify by Text': false,
			'Notify by Email': false,
			'Sales Rep': 'Lee',
		},
		{
			'Customer ID': 20008,
			'First Name': 'Hana',
			Surname: 'Sato',
			Company: 'Sato Design',
			Mobile: 8185550108,
			Active: true,
			'Notify by Text': true,
			'Notify by Email': false,
			'Sales Rep': 'Dana',
		},
	];

	test('8 rows: numbers sent as text, 5 added, 3 rejected; each output lists its unmapped columns', async () => {
		const { sandbox } = e2e;
		const run = await execute(EXAMPLE.xlsx.id);
		expect(itemsOf(run, EXAMPLE.xlsx.extract).map((item) => item.json)).toStrictEqual(SHEET);

		const rep = { unmapped_columns: ['Sales Rep'] };
		const expected = [
			accepted('20001', 'added', rep),
			accepted('20002', 'added', rep),
			accepted('20003', 'added', { unmapped_columns: [] }), // its Sales Rep cell is blank
			rejected(3, '20004', ['missing last_name'], 'Last Name is required: map a value to it', rep),
			rejected(4, '20005', ['missing mobile_phone'], NOTIFY_TEXT_WITHOUT_PHONE, rep),
			rejected(5, '20006', ['invalid email'], 'Email must look like name@example.com', rep),
			accepted('20007', 'added', rep),
			accepted('20008', 'added', rep),
		];
		expect(itemsOf(run, EXAMPLE.xlsx.hyfin)).toEqual(expected.map((json, i) => ({ json, pairedItem: { item: i } })));
		const good = expected.filter((item) => item.success);
		const bad = expected.filter((item) => !item.success);
		expect(outputOf(run, EXAMPLE.xlsx.ifNode, 0)).toEqual(good);
		expect(outputOf(run, EXAMPLE.xlsx.ifNode, 1)).toEqual(bad);
		expect(outputOf(run, EXAMPLE.xlsx.synced)).toEqual(good);
		expect(outputOf(run, EXAMPLE.xlsx.rejected)).toEqual(bad);

		const notify = (notify_phone: boolean, notify_email: boolean) => ({ notify_phone, notify_email });
		expect(storedCustomers()).toEqual([
			customer({
				external_id: '20001',
				first_name: 'Amelia',
				last_name: 'Hughes',
				account_name: 'Hughes Joinery',
				mobile_phone: '4155550101',
				email: 'amelia@hughesjoinery.example',
				notes: 'Pays on the 1st',
				active: true,
				notification_options: notify(true, true),
			}),
			customer({
				external_id: '20002',
				first_name: 'Ben',
				last_name: 'Carter',
				account_name: null,
				mobile_phone: '2125550102',
				email: 'ben.carter@example.com',
				notes: null,
				active: true,
				notification_options: notify(false, true),
			}),
			customer({
				external_id: '20003',
				first_name: 'Chiara',
				last_name: 'Bianchi',
				account_name: 'Bianchi Caffè',
				mobile_phone: '393471234567',
				email: 'chiara@bianchicaffe.example',
				notes: null,
				active: true,
				notification_options: notify(true, false),
			}),
			customer({
				external_id: '20007',
				first_name: 'George',
				last_name: 'Okafor',
				account_name: null,
				mobile_phone: '7075550107',
				email: 'george.okafor@example.com',
				notes: 'Closed his account',
				active: false,
				notification_options: notify(false, false),
			}),
			customer({
				external_id: '20008',
				first_name: 'Hana',
				last_name: 'Sato',
				account_name: 'Sato Design',
				mobile_phone: '8185550108',
				email: null,
				notes: null,
				active: true,
				notification_options: notify(true, false),
			}),
		]);
		expect(sandbox.stats().requests).toEqual({ [ROUTE]: { '200': 5 } });
	});
});

describe("sheets-to-hyfin: rows shaped like the Google Sheets Trigger's → Hyfin → Switch on action", () => {
	test('added, updated and rejected rows each go down their own Switch output', async () => {
		const { sandbox } = e2e;
		// Jonas is already in Hyfin: his row comes out "updated".
		const before = sandbox.store.upsert(sandbox.siteId, {
			external_id: 'S-302',
			first_name: 'Jonas',
			last_name: 'Berg',
			mobile_phone: '030 555 0100',
			email: 'jonas@old.example',
			notification_options: { notify_phone: true, notify_email: false },
		});

		const run = await execute(EXAMPLE.sheets.id);
		const rows = itemsOf(run, EXAMPLE.sheets.rows).map((item) => item.json);
		expect(rows.map((row) => [row.row_number, row['Customer ID']])).toEqual([
			[2, 'S-301'],
			[3, 'S-302'],
			[4, 'S-303'],
			[5, 'S-304'],
			[6, 'S-305'],
		]);
		for (const row of rows) {
			expect(Object.keys(row)).toEqual([
				'row_number',
				'Customer ID',
				'First Name',
				'Last Name',
				'Company Name',
				'Phone',
				'Email Address',
				'Notes',
				'Active',
				'Notify by SMS',
				'Notify by Email',
			]);
		}

		const added = [accepted('S-301', 'added'), accepted('S-305', 'added')];
		const updated = [accepted('S-302', 'updated')];
		const bad = [
			rejected(2, 'S-303', ['missing last_name'], 'Last Name is required: map a value to it'),
			rejected(3, 'S-304', ['invalid mobile_phone'], BAD_PHONE),
		];
		expect(updated[0]._id).toBe(before._id);
		expect(itemsOf(run, EXAMPLE.sheets.hyfin)).toEqual(
			[added[0], updated[0], bad[0], bad[1], added[1]].map((json, i) => ({ json, pairedItem: { item: i } })),
		);
		expect(outputOf(run, EXAMPLE.sheets.switchNode, 0)).toEqual(added);
		expect(outputOf(run, EXAMPLE.sheets.switchNode, 1)).toEqual(updated);
		expect(outputOf(run, EXAMPLE.sheets.switchNode, 2)).toEqual(bad);
		expect(outputOf(run, EXAMPLE.sheets.added)).toEqual(added);
		expect(outputOf(run, EXAMPLE.sheets.updated)).toEqual(updated);
		expect(outputOf(run, EXAMPLE.sheets.rejected)).toEqual(bad);

		// Blank cells ("") are left out: Jonas keeps his phone, Ivy has no notes. A number is sent as text.
		expect(storedCustomers()).toEqual([
			customer({
				external_id: 'S-301',
				first_name: 'Ivy',
				last_name: 'Walsh',
				account_name: 'Walsh Florists',
				mobile_phone: '+353 1 555 0142',
				email: 'ivy@walshflorists.example',
				notes: null,
				active: true,
				notification_options: { notify_phone: true, notify_email: false },
			}),
			customer({
				external_id: 'S-302',
				first_name: 'Jonas',
				last_name: 'Berg',
				account_name: null,
				mobile_phone: '4915555010',
				email: 'jonas.berg@example.de',
				notes: 'Moved to Hamburg',
				active: true,
				notification_options: { notify_phone: false, notify_email: true },
			}),
			customer({
				external_id: 'S-305',
				first_name: 'Marco',
				last_name: 'Ferri',
				account_name: null,
				mobile_phone: null,
				email: 'marco.ferri@example.it',
				notes: null,
				active: false,
				notification_options: { notify_phone: false, notify_email: true },
			}),
		]);
		expect(sandbox.stats().requests).toEqual({ [ROUTE]: { '200': 3 } });
	});
});

describe('form-to-hyfin: n8n Form Trigger → Hyfin (mapped by hand) → n8n Form ending, published and submitted over HTTP', () => {
	let server: Server | null = null;
	const formUrl = () => `${server!.url}/form/${EXAMPLE.form.path}`;

	beforeAll(async () => {
		// After every `n8n execute` above: the two must not share the database at once.
		server = await n8n.start(e2e.n8n, e2e.home);
		// n8n 2.41 registers published forms a moment after its editor is up (2.8 before): wait for it.
		for (const deadline = Date.now() + 10_000; (await fetch(formUrl())).status === 404 && Date.now() < deadline;) {
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}, SETUP_TIMEOUT_MS);

	afterAll(async () => {
		await server?.stop();
	});

	/** The form page's fields, by label: the name each posts under (field-0, ...), and whether it is a checkbox group. */
	async function formFields(): Promise<Record<string, { name: string; multiselect: boolean }>> {
		const res = await fetch(formUrl());
		expect(res.status).toBe(200);
		const html = await res.text();
		expect(html).toContain(`<h1>${EXAMPLE.form.title}</h1>`);
		const fields: Record<string, { name: string; multiselect: boolean }> = {};
		// An input: <label class='form-label ...' for='field-N'>Label</label>.
		// Checkboxes: <label class='form-label ...'>Label</label>, then <div class='multiselect ...' id='field-N'>.
		const label =
			/<label class='form-label[^']*'(?: for='(field-\d+)')?>([^<]+)<\/label>\s*(?:<div\s+class='multiselect[^']*'\s+id='(field-\d+)')?/g;
		for (const [, input, text, multiselect] of html.matchAll(label)) {
			const name = input ?? multiselect;
			if (name) fields[decode(text.trim())] = { name, multiselect: !input };
		}
		return fields;
	}

	interface Submission {
		/** The completion page's heading and text, as a browser shows them. */
		title: string;
		message: string;
		/** The execution's status once the completion page has been shown. */
		status: string;
	}

	/**
	 * Submits the form as its page's script does: multipart/form-data, each field under its
	 * `field-N` name (blank ones as ""), the ticked checkboxes of a group as a JSON array. The answer names the execution's waiting
	 * URL: poll its status until the Form ending waits, GET the ending page, POST to it (the page
	 * does, to let the execution finish), and wait for the execution to end.
	 */
	async function submit(values: Record<string, string | string[]>): Promise<Submission> {
		const fields = await formFields();
		for (const label of Object.keys(values)) expect(fields).toHaveProperty([label]);
		const body = new FormData();
		for (const [label, { name, multiselect }] of Object.entries(fields)) {
			const value = values[label] ?? (multiselect ? [] : '');
			body.append(name, Array.isArray(value) ? JSON.stringify(value) : value);
		}
		const posted = await fetch(formUrl(), { method: 'POST', body });
		expect(posted.status).toBe(200);
		const { formWaitingUrl } = (await posted.json()) as { formWaitingUrl: string };
		// n8n 2.41 signs it: `?signature=...`.
		expect(formWaitingUrl).toMatch(new RegExp(`^${server!.url}/form-waiting/\\d+(\\?signature=[^&]+)?$`));

		await waitForStatus(formWaitingUrl, 'form-waiting');
		const page = await fetch(formWaitingUrl);
		expect(page.status).toBe(200);
		const html = await page.text();
		const title = /<h1>([\s\S]*?)<\/h1>/.exec(html)?.[1];
		const message = /<p style="white-space: pre-line;">([\s\S]*?)<\/p>/.exec(html)?.[1];
		if (title === undefined || message === undefined) throw new Error(`not a completion page:\n${html.slice(0, 2000)}`);
		const done = await fetch(formWaitingUrl, { method: 'POST' });
		expect(done.status).toBe(200);
		const status = await waitForStatus(formWaitingUrl, 'success');
		return { title: decode(title.trim()), message: decode(message.trim()), status };
	}

	async function waitForStatus(formWaitingUrl: string, wanted: string): Promise<string> {
		const deadline = Date.now() + 30_000;
		let status = '';
		while (Date.now() < deadline) {
			const { origin, pathname, search } = new URL(formWaitingUrl);
			status = (await (await fetch(`${origin}${pathname}/n8n-execution-status${search}`)).text()).trim();
			if (status === wanted) return status;
			// ("null" would mean that n8n did not save the execution: waited out, then reported.)
			if (['error', 'crashed', 'canceled'].includes(status)) break;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		throw new Error(`execution ${formWaitingUrl}: status "${status}", waited for "${wanted}"\n${server!.logs().slice(-3000)}`);
	}

	test('the published form is served at /form/<path> with its fields', async () => {
		const input = (n: number) => ({ name: `field-${n}`, multiselect: false });
		expect(await formFields()).toEqual({
			'First name': input(0),
			'Last name': input(1),
			Email: input(2),
			'Mobile phone': input(3),
			Company: input(4),
			'Send payment requests by': { name: 'field-5', multiselect: true },
			'Anything we should know?': input(6),
		});
	});

	test('the same person twice: "Welcome aboard", then "Your details are updated", one record', async () => {
		const { sandbox } = e2e;
		const first = await submit({
			'First name': 'Ada',
			'Last name': 'Lovelace',
			Email: 'Ada@Example.com',
			'Mobile phone': '+44 20 7946 0958',
			'Send payment requests by': ['Text message', 'Email'],
			'Anything we should know?': 'Prefers "texts" & calls',
		});
		expect(first).toEqual({
			title: 'Welcome aboard',
			message: 'Thank you, Ada: you are now a customer, and payment requests will reach you the way you chose.',
			status: 'success',
		});
		const stored = sandbox.store.get(sandbox.siteId, 'ada@example.com');
		expect(stored).toEqual(
			customer({
				external_id: 'ada@example.com',
				first_name: 'Ada',
				last_name: 'Lovelace',
				account_name: null,
				mobile_phone: '+44 20 7946 0958',
				email: 'Ada@Example.com',
				notes: 'Prefers "texts" & calls',
				active: true,
				notification_options: { notify_phone: true, notify_email: true },
			}),
		);

		const second = await submit({
			'First name': 'Ada',
			'Last name': 'Lovelace',
			Email: ' ada@example.com ',
			'Mobile phone': '',
			Company: 'Analytical Engines Ltd',
			'Send payment requests by': ['Email'],
		});
		expect(second).toEqual({
			title: 'Your details are updated',
			message: 'Thank you, Ada: we already had you as a customer, and have updated your details.',
			status: 'success',
		});
		// The same record (same _id); the blank phone and notes were left out, so they stay.
		expect(storedCustomers()).toEqual([
			{
				...stored,
				account_name: 'Analytical Engines Ltd',
				email: 'ada@example.com',
				notification_options: { notify_phone: false, notify_email: true },
				updated_at: expect.stringMatching(ISO_DATE),
			},
		]);
		expect(sandbox.stats().requests).toEqual({ [ROUTE]: { '200': 2 } });
	});

	test('an invalid submission shows the reason on the ending page, and nothing is sent', async () => {
		const { sandbox } = e2e;
		const result = await submit({
			'First name': 'Grace',
			'Last name': 'Hopper',
			Email: 'grace@example.com',
			'Mobile phone': '12345',
			'Send payment requests by': ['Text message'],
		});
		expect(result).toEqual({
			title: 'We could not save your details',
			message: `Item 0 (external_id "grace@example.com") was not sent to Hyfin: ${BAD_PHONE}. Please go back, correct it and send the form again.`,
			status: 'success',
		});
		expect(sandbox.store.count(sandbox.siteId)).toBe(0);
		expect(sandbox.stats().requests).toEqual({});
	});
});

/** The few HTML entities n8n's templates and sanitizer write, as a browser shows them. */
function decode(html: string): string {
	return html
		.replace(/&quot;/g, '"')
		.replace(/&#x27;|&#39;/g, "'")
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&amp;/g, '&');
}
