import fc from 'fast-check';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import {
	INVOICE,
	INVOICE_NO_LINES,
	ISO_DATE,
	JOHN,
	OBJECT_ID,
	addUpdate,
	calmDown,
	get,
	post,
	today,
	without,
	type Answer,
} from './helpers';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ dbFile: ':memory:' });
});
afterAll(() => sandbox.close());
beforeEach(() => calmDown(sandbox));

const addInvoice = (body: unknown): Promise<Answer> => post(sandbox, 'invoice/addUpdate', body);
const getInvoice = (externalId: string): Promise<Answer> => get(sandbox, 'invoice', externalId);
const sendInvoice = (body: unknown): Promise<Answer> => post(sandbox, 'invoice/send', body);
const notified = (): string[] => sandbox.store.notifications().map((n) => `${n.reason} ${n.channel} ${n.to}`);
const WITHOUT_CUSTOMER = without(INVOICE, 'customer');
/** The sample invoice for John, already stored (notify by text and email) and referred to by external_id. */
const JOHNS_INVOICE = { ...INVOICE, customer: { external_id: JOHN.external_id } };

/** Sends the body; expects a rejection with exactly these errors and no invoice added. */
async function expectRejected(body: unknown, errors: string[]): Promise<void> {
	const before = sandbox.store.counts().invoices;
	const answer = await addInvoice(body);
	expect({ status: answer.status, json: answer.json }).toEqual({ status: 200, json: { success: false, errors } });
	expect(sandbox.store.counts().invoices).toBe(before);
}

async function expectAdded(body: unknown): Promise<void> {
	const answer = await addInvoice(body);
	expect(answer.json).toMatchObject({ success: true, action: 'added' });
}

describe('POST /api/v3/site/{site_id}/invoice/addUpdate', () => {
	test('adds the documented sample for a stored customer: added, an _id, and no link', async () => {
		await addUpdate(sandbox, JOHN);
		const answer = await addInvoice(JOHNS_INVOICE);
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({ success: true, action: 'added', _id: expect.stringMatching(OBJECT_ID) });
	});

	test('updates the invoice with the same external_id, keeping its _id and the fields it does not send', async () => {
		await addUpdate(sandbox, JOHN);
		const added = await addInvoice(JOHNS_INVOICE);
		const updated = await addInvoice({ ...JOHNS_INVOICE, customer_memo: 'Thanks again', totals: { total: 30 } });
		expect(updated.json).toEqual({ success: true, action: 'updated', _id: added.json._id });
		const minimal = await addInvoice({
			external_id: INVOICE.external_id,
			invoice_number: '12345-b',
			description: 'x',
			totals: { total: 30 },
		});
		expect(minimal.json).toEqual({ success: true, action: 'updated', _id: added.json._id });
		expect(sandbox.store.getInvoice(sandbox.siteId, INVOICE.external_id)).toMatchObject({
			invoice_number: '12345-b',
			customer_memo: 'Thanks again',
			totals: { total: 30 },
			lines: INVOICE.lines,
			customer: { external_id: JOHN.external_id },
		});
		expect(sandbox.store.counts().invoices).toBe(1);
	});

	test('answers a payment link when the invoice has no customer', async () => {
		const answer = await addInvoice(WITHOUT_CUSTOMER);
		expect(answer.json).toEqual({
			success: true,
			action: 'added',
			_id: expect.stringMatching(OBJECT_ID),
			link: `${sandbox.baseUrl}/pay/${answer.json._id}`,
		});
		expect((await addInvoice(WITHOUT_CUSTOMER)).json).toEqual({ ...answer.json, action: 'updated' });
		expect(sandbox.store.notifications()).toEqual([]);
	});

	test('an update that leaves the customer out keeps it; customer: null detaches it and answers the link', async () => {
		await addUpdate(sandbox, JOHN);
		const added = await addInvoice(JOHNS_INVOICE);
		expect((await addInvoice(WITHOUT_CUSTOMER)).json).toEqual({ success: true, action: 'updated', _id: added.json._id });
		const detached = await addInvoice({ ...WITHOUT_CUSTOMER, customer: null });
		expect(detached.json).toEqual({
			success: true,
			action: 'updated',
			_id: added.json._id,
			link: `${sandbox.baseUrl}/pay/${added.json._id}`,
		});
		expect(sandbox.store.getInvoice(sandbox.siteId, INVOICE.external_id)?.customer).toBeNull();
	});

	test('a customer reference must name a stored customer', async () => {
		await expectRejected(JOHNS_INVOICE, ['invalid customer.external_id']);
		await expectRejected({ ...INVOICE, customer: {} }, ['missing customer.external_id']);
		await expectRejected({ ...INVOICE, customer: { external_id: 39772634 } }, ['invalid customer.external_id']);
		await expectRejected({ ...INVOICE, customer: 'John' }, ['invalid customer']);
	});

	test('a customer with its fields is added, or updated, as customer/addUpdate would', async () => {
		await expectAdded(INVOICE);
		expect(sandbox.store.get(sandbox.siteId, JOHN.external_id)).toMatchObject({
			first_name: 'John',
			mobile_phone: '111-222-3333',
			notification_options: { notify_phone: false, notify_email: false },
		});
		await addInvoice({ ...INVOICE, customer: { ...INVOICE.customer, last_name: 'Smith', notification_options: { notify_email: true } } });
		expect(sandbox.store.get(sandbox.siteId, JOHN.external_id)).toMatchObject({
			last_name: 'Smith',
			notification_options: { notify_phone: false, notify_email: true },
		});
		expect(sandbox.store.count()).toBe(1);
	});

	test('an invalid customer is reported under customer., and nothing is stored', async () => {
		await expectRejected(
			{ ...INVOICE, customer: { external_id: 'c1', first_name: 'A', email: 'nope', notification_options: { notify_phone: true } } },
			['missing customer.last_name', 'invalid customer.email', 'missing customer.mobile_phone'],
		);
		expect(sandbox.store.count()).toBe(0);
	});

	test('a rejected update leaves the stored invoice as it was', async () => {
		await addInvoice(WITHOUT_CUSTOMER);
		const answer = await addInvoice({ ...WITHOUT_CUSTOMER, invoice_number: 'changed', totals: { total: 31 } });
		expect(answer.json).toEqual({ success: false, errors: ['invalid totals.total'] });
		expect(sandbox.store.getInvoice(sandbox.siteId, INVOICE.external_id)?.invoice_number).toBe('12345');
	});

	test('rejections come with the rejectionStatus knob; a body that is not JSON is 400', async () => {
		sandbox.setKnobs({ rejectionStatus: 422 });
		const rejected = await addInvoice({});
		expect(rejected.status).toBe(422);
		expect((await addInvoice('{')).status).toBe(400);
		expect((await addInvoice([INVOICE])).json).toEqual({ success: false, errors: ['invalid body'] });
	});

	test('checks the token, then the site', async () => {
		expect((await post(sandbox, 'invoice/addUpdate', INVOICE, { token: 'nope', siteId: 'other' })).status).toBe(401);
		const other = await post(sandbox, 'invoice/addUpdate', INVOICE, { siteId: 'other' });
		expect({ status: other.status, json: other.json }).toEqual({ status: 404, json: { success: false, errors: ['site not found'] } });
	});
});

describe('invoice validation', () => {
	test('an empty object lacks every required field, lines and description last', async () => {
		await expectRejected({}, ['missing external_id', 'missing invoice_number', 'missing totals', 'missing lines', 'missing description']);
	});

	test('lines or a description: an empty list and a blank description are neither', async () => {
		const noLines = without(WITHOUT_CUSTOMER, 'lines');
		await expectRejected(noLines, ['missing lines', 'missing description']);
		await expectRejected({ ...noLines, lines: [], description: '  ' }, ['missing lines', 'missing description']);
		await expectRejected({ ...noLines, description: null }, ['missing lines', 'missing description']);
		await expectAdded({ ...noLines, description: 'Merchandise Bundle', lines: [] });
	});

	test('one of them sent but invalid is reported as invalid only', async () => {
		await expectRejected({ ...INVOICE_NO_LINES, description: 5 }, ['invalid description']);
		await expectRejected({ ...without(INVOICE_NO_LINES, 'description'), lines: 'none' }, ['invalid lines']);
	});

	test.each([
		[{ totals: [30] }, 'invalid totals'],
		[{ totals: null }, 'missing totals'],
		[{ totals: {} }, 'missing totals.total'],
		[{ totals: { total: '30' } }, 'invalid totals.total'],
		[{ totals: { total: -1 } }, 'invalid totals.total'],
		[{ totals: { total: 45.999 } }, 'invalid totals.total'],
		[{ totals: { total: 45.99, taxes: '1' } }, 'invalid totals.taxes'],
		[{ totals: { total: 45.99, taxes: null } }, 'invalid totals.taxes'],
		[{ invoice_number: 12345 }, 'invalid invoice_number'],
		[{ invoice_number: ' ' }, 'missing invoice_number'],
		[{ invoice_term_name: 30 }, 'invalid invoice_term_name'],
		[{ invoice_date: '2022-02-30' }, 'invalid invoice_date'],
		[{ due_date: '2022-1-5' }, 'invalid due_date'],
		[{ expire_at: '2023-01-01T00:00:00Z' }, 'invalid expire_at'],
		[{ expire_at: '' }, 'invalid expire_at'],
		[{ po_number: 7 }, 'invalid po_number'],
		[{ customer_memo: false }, 'invalid customer_memo'],
		[{ internal_memo: {} }, 'invalid internal_memo'],
		[{ active: 'true' }, 'invalid active'],
		[{ options: [] }, 'invalid options'],
		[{ options: { tippingEnabled: 'no' } }, 'invalid options.tippingEnabled'],
		[{ webhook_url: 'yourcompany.com/webhook' }, 'invalid webhook_url'],
		[{ webhook_url: 'ftp://yourcompany.com/webhook' }, 'invalid webhook_url'],
		[{ webhook_url: 'https://your company.com/webhook' }, 'invalid webhook_url'],
	])('rejects %j as %s', async (change, error) => {
		await expectRejected({ ...INVOICE_NO_LINES, ...change }, [error]);
	});

	test.each([
		[{ invoice_term_name: null, expire_at: null, po_number: null, customer_memo: null, internal_memo: null, webhook_url: null }],
		[{ invoice_date: '2024-02-29', due_date: '2024-03-31', expire_at: '2024-12-31' }],
		[{ webhook_url: 'http://127.0.0.1:5678/webhook/abc?x=1' }],
		[{ totals: { total: 0.1 + 0.2 } }],
		[{ options: { tippingEnabled: true, other: 1 }, active: false }],
	])('accepts %j', async (change) => {
		await expectAdded({ ...INVOICE_NO_LINES, ...change });
	});

	test.each([
		[[7], 'invalid lines[0]'],
		[[{ qty: 1, unit_price: 5 }], 'missing lines[0].total'],
		[[{ qty: '2', unit_price: 15, total: 30 }], 'invalid lines[0].qty'],
		[[{ qty: 2, unit_price: 15.001, total: 30 }], 'invalid lines[0].unit_price'],
		[[{ total: '30' }], 'invalid lines[0].total'],
		[[{ description: 3, total: 30 }], 'invalid lines[0].description'],
		[[{ product: 'shirt', total: 30 }], 'invalid lines[0].product'],
		[[{ product: { name: 'Shirt' }, total: 30 }], 'missing lines[0].product.external_id'],
		[[{ product: { external_id: 'p', unit_price: '15' }, total: 30 }], 'invalid lines[0].product.unit_price'],
		[[{ qty: 2, unit_price: 15, total: 30.02 }], 'invalid lines[0].total'],
	])('rejects lines %j as %s', async (lines, error) => {
		await expectRejected({ ...WITHOUT_CUSTOMER, lines, totals: { total: 30 } }, [error]);
	});

	test('a line total is checked against qty × unit_price within a cent, and only when both are sent', async () => {
		const line = { qty: 3, unit_price: 0.33, total: 1 };
		await expectAdded({ ...WITHOUT_CUSTOMER, lines: [line], totals: { total: 1 } });
		await expectRejected({ ...WITHOUT_CUSTOMER, external_id: 'b', lines: [{ ...line, total: 1.02 }], totals: { total: 1.02 } }, [
			'invalid lines[0].total',
		]);
		await addInvoice({
			...WITHOUT_CUSTOMER,
			external_id: 'c',
			lines: [
				{ qty: 3, total: 7 },
				{ unit_price: 2, total: 9 },
			],
			totals: { total: 16 },
		});
		expect(sandbox.store.getInvoice(sandbox.siteId, 'c')).not.toBeNull();
	});

	test('totals.total is the sum of the line totals within a cent; taxes are not in it (30 = 2 × 15, taxes 2.85)', async () => {
		await expectRejected({ ...WITHOUT_CUSTOMER, totals: { taxes: 2.85, total: 32.85 } }, ['invalid totals.total']);
		await expectRejected({ ...WITHOUT_CUSTOMER, totals: { taxes: 2.85, total: 30.02 } }, ['invalid totals.total']);
		await expectAdded({ ...WITHOUT_CUSTOMER, totals: { taxes: 2.85, total: 30.01 } });
		await expectAdded({ ...WITHOUT_CUSTOMER, external_id: 'b', totals: { total: 29.99 } });
	});

	test('totals.total is not compared with lines that are invalid themselves', async () => {
		await expectRejected({ ...WITHOUT_CUSTOMER, lines: [{ qty: 2, unit_price: 15, total: 'x' }], totals: { total: 1 } }, [
			'invalid lines[0].total',
		]);
	});

	test("collects every error at once, in the documents' field order", async () => {
		await expectRejected(
			{
				invoice_number: 1,
				totals: { total: 10 },
				customer: { external_id: 'nobody' },
				lines: [{ qty: 1, unit_price: 4, total: 5 }, 'x'],
				invoice_date: 'today',
				active: 1,
			},
			[
				'missing external_id',
				'invalid invoice_number',
				'invalid customer.external_id',
				'invalid lines[0].total',
				'invalid lines[1]',
				'invalid invoice_date',
				'invalid active',
			],
		);
	});

	test('property: lines whose totals are qty × unit_price in cents are accepted; a total moved by 2 cents or more is not', async () => {
		const cents = fc.integer({ min: 0, max: 100_000 });
		const line = fc.record({ qty: fc.integer({ min: 1, max: 5000 }).map((n) => n / 100), unitCents: cents });
		await fc.assert(
			fc.asyncProperty(
				fc.array(line, { minLength: 1, maxLength: 6 }),
				fc.integer({ min: 2, max: 10_000 }).chain((n) => fc.constantFrom(n, -n)),
				fc.nat(),
				fc.boolean(),
				async (drawn, shiftCents, which, shiftTheTotal) => {
					sandbox.reset();
					const lines = drawn.map(({ qty, unitCents }) => {
						const totalCents = Math.round(qty * unitCents);
						return { qty, unit_price: unitCents / 100, total: totalCents / 100 };
					});
					const totalCents = lines.reduce((sum, l) => sum + Math.round(l.total * 100), 0);
					const good = { ...WITHOUT_CUSTOMER, lines, totals: { total: totalCents / 100 } };
					expect((await addInvoice(good)).json).toMatchObject({ success: true, action: 'added' });

					const i = which % lines.length;
					const moved = shiftTheTotal
						? { ...good, totals: { total: (totalCents + shiftCents) / 100 } }
						: { ...good, lines: lines.map((l, j) => (j === i ? { ...l, total: (Math.round(l.total * 100) + shiftCents) / 100 } : l)) };
					const answer = await addInvoice(moved);
					expect(answer.json.success).toBe(false);
					expect(answer.json.errors).toEqual([shiftTheTotal ? 'invalid totals.total' : `invalid lines[${i}].total`]);
				},
			),
			{ numRuns: 60 },
		);
	});
});

describe('notifications', () => {
	test("adding an invoice with a customer sends an email and a text, as the customer's options say", async () => {
		await addUpdate(sandbox, JOHN);
		await addInvoice(JOHNS_INVOICE);
		expect(sandbox.store.notifications()).toEqual([
			{
				site_id: sandbox.siteId,
				invoice_external_id: INVOICE.external_id,
				channel: 'email',
				to: JOHN.email,
				reason: 'added',
				at: expect.stringMatching(ISO_DATE),
			},
			{
				site_id: sandbox.siteId,
				invoice_external_id: INVOICE.external_id,
				channel: 'text',
				to: JOHN.mobile_phone,
				reason: 'added',
				at: expect.stringMatching(ISO_DATE),
			},
		]);
	});

	test('an update sends nothing', async () => {
		await addUpdate(sandbox, JOHN);
		await addInvoice(JOHNS_INVOICE);
		await addInvoice({ ...JOHNS_INVOICE, customer_memo: 'changed' });
		await addInvoice(INVOICE);
		expect(notified()).toEqual(['added email johndoe@abc.com', 'added text 111-222-3333']);
	});

	test.each([
		[{ notify_phone: true, notify_email: false }, ['added text 111-222-3333']],
		[{ notify_phone: false, notify_email: true }, ['added email johndoe@abc.com']],
		[{ notify_phone: false, notify_email: false }, []],
	])('options %j send %j', async (options, expected) => {
		await addUpdate(sandbox, { ...JOHN, notification_options: options });
		await addInvoice(JOHNS_INVOICE);
		expect(notified()).toEqual(expected);
	});

	test('nothing is sent to a contact the customer does not have', async () => {
		await addUpdate(sandbox, { ...JOHN, email: '', notification_options: { notify_phone: true, notify_email: false } });
		await addUpdate(sandbox, { ...JOHN, notification_options: undefined, email: null });
		await addInvoice(JOHNS_INVOICE);
		expect(notified()).toEqual(['added text 111-222-3333']);
	});

	test('a customer added by the invoice without notification_options is not notified (both default to off)', async () => {
		await addInvoice(INVOICE);
		expect(notified()).toEqual([]);
	});

	test('an invoice dated in the future is not sent now', async () => {
		await addUpdate(sandbox, JOHN);
		await addInvoice({ ...JOHNS_INVOICE, invoice_date: '2999-01-01' });
		expect(notified()).toEqual([]);
		await addInvoice({ ...JOHNS_INVOICE, external_id: 'today', invoice_date: today() });
		expect(notified()).toHaveLength(2);
	});

	test('an invoice without a customer notifies nobody', async () => {
		await addUpdate(sandbox, JOHN);
		await addInvoice(WITHOUT_CUSTOMER);
		expect(notified()).toEqual([]);
	});
});

describe('GET /api/v3/site/{site_id}/invoice/{external_id}', () => {
	test('answers the invoice as stored, shaped like the documented sample', async () => {
		await addUpdate(sandbox, JOHN);
		const added = await addInvoice(JOHNS_INVOICE);
		const answer = await getInvoice(INVOICE.external_id);
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({
			_id: added.json._id,
			external_id: '439772921',
			invoice_number: '12345',
			invoice_term_name: null,
			description: '',
			customer_memo: 'Thank you for your business!',
			internal_memo: '',
			invoice_date: '2022-12-01',
			due_date: today(),
			expire_at: '2023-01-01',
			po_number: null,
			totals: { taxes: 2.85, total: 30 },
			customer: { external_id: '39772634', first_name: 'John', last_name: 'Doe', mobile_phone: '111-222-3333', email: 'johndoe@abc.com' },
			lines: INVOICE.lines,
			payments: [],
			notifications: [
				{ error: false, value: 'johndoe@abc.com', description: 'Email to johndoe@abc.com sent', at: expect.stringMatching(ISO_DATE) },
				{ error: false, value: '111-222-3333', description: 'Text to 111-222-3333 sent', at: expect.stringMatching(ISO_DATE) },
			],
			webhook_url: null,
			active: true,
			options: { tippingEnabled: false },
			created_at: expect.stringMatching(ISO_DATE),
			updated_at: expect.stringMatching(ISO_DATE),
		});
	});

	test("defaults: today's dates, no lines, null for what was never sent, and the link without a customer", async () => {
		const added = await addInvoice({
			...INVOICE_NO_LINES,
			options: { tippingEnabled: true },
			webhook_url: 'https://yourcompany.com/webhook',
		});
		expect((await getInvoice(INVOICE_NO_LINES.external_id)).json).toEqual({
			_id: added.json._id,
			external_id: '439772922',
			invoice_number: '12346',
			invoice_term_name: null,
			description: 'Merchandise Bundle',
			customer_memo: null,
			internal_memo: null,
			invoice_date: today(),
			due_date: today(),
			expire_at: null,
			po_number: null,
			totals: { total: 45.99 },
			customer: null,
			lines: [],
			payments: [],
			notifications: [],
			webhook_url: 'https://yourcompany.com/webhook',
			active: true,
			options: { tippingEnabled: true },
			created_at: expect.stringMatching(ISO_DATE),
			updated_at: expect.stringMatching(ISO_DATE),
			link: `${sandbox.baseUrl}/pay/${added.json._id}`,
		});
	});

	test('null dates are today; ignored fields are not kept', async () => {
		await addInvoice({ ...INVOICE_NO_LINES, invoice_date: null, due_date: null, totals: { total: 1, subtotal: 1 }, colour: 'blue' });
		const answer = (await getInvoice(INVOICE_NO_LINES.external_id)).json;
		expect(answer).toMatchObject({ invoice_date: today(), due_date: today(), totals: { total: 1 } });
		expect(answer).not.toHaveProperty('colour');
		expect(answer.totals).not.toHaveProperty('subtotal');
	});

	test('shows the customer as it is now', async () => {
		await addUpdate(sandbox, JOHN);
		await addInvoice(JOHNS_INVOICE);
		await addUpdate(sandbox, { ...JOHN, email: 'john@new.example' });
		expect((await getInvoice(INVOICE.external_id)).json.customer.email).toBe('john@new.example');
	});

	test('answers 404 invoice not found for an unknown external_id', async () => {
		const answer = await getInvoice('nope');
		expect({ status: answer.status, json: answer.json }).toEqual({ status: 404, json: { success: false, errors: ['invoice not found'] } });
	});
});

describe('POST /api/v3/site/{site_id}/invoice/send', () => {
	test('sends again once the window has passed: a text and an email recorded as sent', async () => {
		sandbox.setKnobs({ duplicateSendWindowSec: 0 });
		await addUpdate(sandbox, JOHN);
		await addInvoice(JOHNS_INVOICE);
		const answer = await sendInvoice({ external_id: INVOICE.external_id });
		expect({ status: answer.status, json: answer.json }).toEqual({ status: 200, json: { success: true, action: 'updated' } });
		expect(notified()).toEqual([
			'added email johndoe@abc.com',
			'added text 111-222-3333',
			'sent email johndoe@abc.com',
			'sent text 111-222-3333',
		]);
		expect((await getInvoice(INVOICE.external_id)).json.notifications).toHaveLength(4);
	});

	test("within 300 seconds of the last notification answers Hyfin's duplicate error and sends nothing", async () => {
		await addUpdate(sandbox, JOHN);
		await addInvoice(JOHNS_INVOICE);
		const answer = await sendInvoice({ external_id: INVOICE.external_id });
		expect({ status: answer.status, json: answer.json }).toEqual({
			status: 200,
			json: { success: false, errors: ['Duplicate email sent < 300 sec. ago'] },
		});
		expect(notified()).toHaveLength(2);
	});

	test('the window is the duplicateSendWindowSec knob; the error text stays the documented one', async () => {
		sandbox.setKnobs({ duplicateSendWindowSec: 0.3, rejectionStatus: 429 });
		await addUpdate(sandbox, JOHN);
		await addInvoice({ ...JOHNS_INVOICE, invoice_date: '2999-01-01' });
		expect((await sendInvoice({ external_id: INVOICE.external_id })).json).toEqual({ success: true, action: 'updated' });
		const duplicate = await sendInvoice({ external_id: INVOICE.external_id });
		expect({ status: duplicate.status, json: duplicate.json }).toEqual({
			status: 429,
			json: { success: false, errors: ['Duplicate email sent < 300 sec. ago'] },
		});
		await new Promise((resolve) => setTimeout(resolve, 350));
		expect((await sendInvoice({ external_id: INVOICE.external_id })).json).toEqual({ success: true, action: 'updated' });
		expect(notified()).toEqual([
			'sent email johndoe@abc.com',
			'sent text 111-222-3333',
			'sent email johndoe@abc.com',
			'sent text 111-222-3333',
		]);
	});

	test('a customer with both notifications off is sent nothing, and the send still succeeds', async () => {
		await addUpdate(sandbox, { ...JOHN, notification_options: { notify_phone: false, notify_email: false } });
		await addInvoice(JOHNS_INVOICE);
		for (let i = 0; i < 2; i++)
			expect((await sendInvoice({ external_id: INVOICE.external_id })).json).toEqual({ success: true, action: 'updated' });
		expect(notified()).toEqual([]);
	});

	test('an invoice without a customer cannot be sent', async () => {
		sandbox.setKnobs({ rejectionStatus: 422 });
		await addInvoice(WITHOUT_CUSTOMER);
		const answer = await sendInvoice({ external_id: INVOICE.external_id });
		expect({ status: answer.status, json: answer.json }).toEqual({ status: 422, json: { success: false, errors: ['missing customer'] } });
	});

	test('an unknown invoice is 404 invoice not found', async () => {
		sandbox.setKnobs({ rejectionStatus: 422 });
		const answer = await sendInvoice({ external_id: 'nope' });
		expect({ status: answer.status, json: answer.json }).toEqual({ status: 404, json: { success: false, errors: ['invoice not found'] } });
	});

	test('the body must name the invoice', async () => {
		expect((await sendInvoice({})).json).toEqual({ success: false, errors: ['missing external_id'] });
		expect((await sendInvoice({ external_id: 439772921 })).json).toEqual({ success: false, errors: ['invalid external_id'] });
		expect((await sendInvoice('nope')).status).toBe(400);
		expect((await post(sandbox, 'invoice/send', { external_id: 'x' }, { token: null })).status).toBe(401);
	});
});
