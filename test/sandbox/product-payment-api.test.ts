import { startSandbox, type Sandbox } from '../../sandbox/server';
import { INVOICE_NO_LINES, ISO_DATE, OBJECT_ID, PAYMENT, PRODUCT, calmDown, get, post, without, type Answer } from './helpers';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ dbFile: ':memory:' });
});
afterAll(() => sandbox.close());
beforeEach(() => calmDown(sandbox));

const addProduct = (body: unknown): Promise<Answer> => post(sandbox, 'product/addUpdate', body);
const addPayment = (body: unknown): Promise<Answer> => post(sandbox, 'payment/addUpdate', body);
/** The invoice PAYMENT refers to. */
const addItsInvoice = (): Promise<Answer> =>
	post(sandbox, 'invoice/addUpdate', { ...INVOICE_NO_LINES, external_id: PAYMENT.invoice.external_id });

/** Sends the body to `<resource>/addUpdate`; expects exactly these errors, and nothing added. */
async function expectRejected(resource: 'product' | 'payment', body: unknown, errors: string[]): Promise<void> {
	const before = sandbox.store.counts();
	const answer = await post(sandbox, `${resource}/addUpdate`, body);
	expect({ status: answer.status, json: answer.json }).toEqual({ status: 200, json: { success: false, errors } });
	expect(sandbox.store.counts()).toEqual(before);
}

describe('POST /api/v3/site/{site_id}/product/addUpdate', () => {
	test('adds the documented sample, then updates it with the same _id', async () => {
		const added = await addProduct(PRODUCT);
		expect(added.json).toEqual({ success: true, action: 'added', _id: expect.stringMatching(OBJECT_ID) });
		const updated = await addProduct({ ...PRODUCT, unit_price: 15, description: 'Cotton' });
		expect(updated.json).toEqual({ success: true, action: 'updated', _id: added.json._id });
		expect(sandbox.store.getProduct(sandbox.siteId, PRODUCT.external_id)).toMatchObject({ unit_price: '15.00', description: 'Cotton' });
		expect(sandbox.store.counts().products).toBe(1);
	});

	test('description is optional (the sample omits it), and null clears it', async () => {
		await addProduct({ ...PRODUCT, description: 'Cotton' });
		await addProduct({ ...PRODUCT, description: null });
		expect(sandbox.store.getProduct(sandbox.siteId, PRODUCT.external_id)?.description).toBeNull();
	});

	test('an empty object lacks the three required fields', async () => {
		await expectRejected('product', {}, ['missing external_id', 'missing name', 'missing unit_price']);
	});

	test.each([
		[{ name: 5 }, 'invalid name'],
		[{ name: '' }, 'missing name'],
		[{ description: 5 }, 'invalid description'],
		[{ unit_price: '14.99' }, 'invalid unit_price'],
		[{ unit_price: 14.999 }, 'invalid unit_price'],
		[{ unit_price: -1 }, 'invalid unit_price'],
		[{ unit_price: null }, 'missing unit_price'],
		[{ active: 'yes' }, 'invalid active'],
	])('rejects %j as %s', async (change, error) => {
		await expectRejected('product', { ...PRODUCT, ...change }, [error]);
	});
});

describe('GET /api/v3/site/{site_id}/product/{external_id}', () => {
	test('answers unit_price as a string with two decimals, as the documented sample does', async () => {
		const added = await addProduct({ ...PRODUCT, unit_price: 15, description: 'Tikkudak' });
		const answer = await get(sandbox, 'product', PRODUCT.external_id);
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({
			_id: added.json._id,
			external_id: '39772641',
			name: "Men's Large T-Shirt",
			description: 'Tikkudak',
			unit_price: '15.00',
			active: true,
			created_at: expect.stringMatching(ISO_DATE),
			updated_at: expect.stringMatching(ISO_DATE),
		});
	});

	test('defaults: description null, active true', async () => {
		await addProduct({ external_id: 'p', name: 'P', unit_price: 0.5 });
		expect((await get(sandbox, 'product', 'p')).json).toMatchObject({ description: null, unit_price: '0.50', active: true });
	});

	test('answers 404 product not found for an unknown external_id', async () => {
		const answer = await get(sandbox, 'product', 'nope');
		expect({ status: answer.status, json: answer.json }).toEqual({ status: 404, json: { success: false, errors: ['product not found'] } });
	});
});

describe('POST /api/v3/site/{site_id}/payment/addUpdate', () => {
	test('adds a payment against a stored invoice, then updates it with the same _id', async () => {
		await addItsInvoice();
		const added = await addPayment(PAYMENT);
		expect(added.json).toEqual({ success: true, action: 'added', _id: expect.stringMatching(OBJECT_ID) });
		const updated = await addPayment({ ...PAYMENT, status: 'refunded' });
		expect(updated.json).toEqual({ success: true, action: 'updated', _id: added.json._id });
		expect(sandbox.store.getPayment(sandbox.siteId, PAYMENT.external_id)?.status).toBe('refunded');
	});

	test('the invoice must be stored; without one the payment stands alone; null detaches it', async () => {
		await expectRejected('payment', PAYMENT, ['invalid invoice.external_id']);
		await expectRejected('payment', { ...PAYMENT, invoice: {} }, ['missing invoice.external_id']);
		await expectRejected('payment', { ...PAYMENT, invoice: PAYMENT.invoice.external_id }, ['invalid invoice']);
		expect((await addPayment(without(PAYMENT, 'invoice'))).json.action).toBe('added');
		await addItsInvoice();
		await addPayment(PAYMENT);
		expect(sandbox.store.getPayment(sandbox.siteId, PAYMENT.external_id)?.invoice).toEqual({ external_id: PAYMENT.invoice.external_id });
		await addPayment({ ...PAYMENT, invoice: null });
		expect(sandbox.store.getPayment(sandbox.siteId, PAYMENT.external_id)?.invoice).toBeNull();
	});

	test('an empty object lacks the five required fields', async () => {
		await expectRejected('payment', {}, [
			'missing external_id',
			'missing gateway_transaction_id',
			'missing display_name',
			'missing amount',
			'missing paid_on',
		]);
	});

	test.each(['2021-01-01T14:32:18Z', '2021-01-01T14:32:18.123Z', '2021-01-01T09:32:18-05:00', '2024-02-29T23:59:59+14:00'])(
		'accepts paid_on %p',
		async (paid_on) => {
			expect((await addPayment({ ...without(PAYMENT, 'invoice'), paid_on })).json.success).toBe(true);
		},
	);

	test.each([
		'2021-01-01',
		'2021-01-01 14:32:18Z',
		'2021-01-01T14:32:18',
		'2021-02-30T14:32:18Z',
		'2021-01-01T24:00:00Z',
		'2021-01-01T14:32Z',
		1609511538,
	])('rejects paid_on %p', async (paid_on) => {
		await expectRejected('payment', { ...without(PAYMENT, 'invoice'), paid_on }, ['invalid paid_on']);
	});

	test.each([
		[{ amount: '35.15' }, 'invalid amount'],
		[{ amount: 35.155 }, 'invalid amount'],
		[{ amount: -35.15 }, 'invalid amount'],
		[{ tip: 'x' }, 'invalid tip'],
		[{ tax: 0.001 }, 'invalid tax'],
		[{ fee: -1 }, 'invalid fee'],
		[{ payment_type: 'apple_pay' }, 'invalid payment_type'],
		[{ payment_type: null }, 'invalid payment_type'],
		[{ payment_sub_type: 'VISA' }, 'invalid payment_sub_type'],
		[{ status: 'paid' }, 'invalid status'],
		[{ active: 0 }, 'invalid active'],
		[{ display_name: ' ' }, 'missing display_name'],
		[{ gateway_transaction_id: 53912387124235234 }, 'invalid gateway_transaction_id'],
	])('rejects %j as %s', async (change, error) => {
		await expectRejected('payment', { ...without(PAYMENT, 'invoice'), ...change }, [error]);
	});

	test.each([['declined'], ['authorized'], ['voided'], ['settled'], ['returned'], ['refundFailed'], ['refunded'], ['refundSettled']])(
		'accepts status %s',
		async (status) => {
			expect((await addPayment({ ...without(PAYMENT, 'invoice'), status })).json.success).toBe(true);
		},
	);
});

describe('GET /api/v3/site/{site_id}/payment/{external_id}', () => {
	test("answers the Get Payment table's fields", async () => {
		await addItsInvoice();
		const added = await addPayment({ ...PAYMENT, tip: 3.5, tax: 2.98, fee: 0 });
		const answer = await get(sandbox, 'payment', PAYMENT.external_id);
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({
			_id: added.json._id,
			external_id: '65432325',
			gateway_transaction_id: '53912387124235234',
			display_name: 'VISA **** 5123',
			last_4: '5123',
			total: 35.15,
			tip: 3.5,
			tax: 2.98,
			fee: 0,
			paid_on: '2021-01-01T14:32:18Z',
			payment_type: 'payment_card',
			payment_sub_type: 'visa',
			status: 'captured',
			transaction_type: 'capture',
			active: true,
			invoice: { external_id: PAYMENT.invoice.external_id },
			created_at: expect.stringMatching(ISO_DATE),
			updated_at: expect.stringMatching(ISO_DATE),
		});
	});

	test('defaults: captured, active, no tip, tax, fee or type; last_4 null without four final digits', async () => {
		await addPayment({
			external_id: 'cash-1',
			gateway_transaction_id: 'g',
			display_name: 'Cash',
			amount: 10,
			paid_on: '2021-01-01T14:32:18Z',
		});
		expect((await get(sandbox, 'payment', 'cash-1')).json).toMatchObject({
			last_4: null,
			tip: null,
			tax: null,
			fee: null,
			payment_type: null,
			payment_sub_type: null,
			status: 'captured',
			active: true,
			invoice: null,
		});
	});

	test('the invoice lists its payments, oldest first, in the same shape', async () => {
		await addItsInvoice();
		await addPayment(PAYMENT);
		await addPayment({ ...PAYMENT, external_id: 'second', display_name: 'AMEX ****** 3422', payment_sub_type: 'amex' });
		await addPayment({ ...PAYMENT, status: 'settled' });
		const invoice = (await get(sandbox, 'invoice', PAYMENT.invoice.external_id)).json;
		expect(invoice.payments).toEqual([
			(await get(sandbox, 'payment', PAYMENT.external_id)).json,
			(await get(sandbox, 'payment', 'second')).json,
		]);
		expect(invoice.payments.map((p: { last_4: string; status: string }) => `${p.last_4} ${p.status}`)).toEqual([
			'5123 settled',
			'3422 captured',
		]);
	});

	test('answers 404 payment not found for an unknown external_id', async () => {
		const answer = await get(sandbox, 'payment', 'nope');
		expect({ status: answer.status, json: answer.json }).toEqual({ status: 404, json: { success: false, errors: ['payment not found'] } });
	});
});
