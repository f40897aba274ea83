/**
 * The operations no example uses, in a REAL n8n against the sandbox, chained in one workflow:
 * Product → Add or Update (Map Automatically), Product → Get of what was just added (its price
 * as Hyfin sends it, text), Customer → Get of one Hyfin has and of one it does not (found: false),
 * Payment → Get with Numbers as Numbers.
 */
import { codeNode, manualTrigger, workflow } from '../../scripts/lib/workflows';
import { CREDENTIALS, expectSuccess, itemsOf, useE2E } from './helpers/n8n';

jest.setTimeout(240_000);

const ID = 'e2eHyfinOtherOperations';
const hyfin = (resource: string, operation: string, parameters: Record<string, unknown>) => ({
	type: 'n8n-nodes-hyfin.hyfin',
	typeVersion: 1,
	parameters: { resource, operation, ...parameters },
	credentials: { hyfinApi: CREDENTIALS.good },
});
/** A record as Hyfin's Get answers it: as stored, without the sandbox's site_id. */
const answered = (record: object) => Object.fromEntries(Object.entries(record).filter(([key]) => key !== 'site_id'));
const AUTO = {
	mappingMode: 'autoMapInputData',
	value: {},
	matchingColumns: [],
	schema: [],
	attemptToConvertTypes: false,
	convertFieldsToString: false,
};

const e2e = useE2E(() => [
	workflow({
		id: ID,
		name: 'Other operations (e2e)',
		chain: {
			Run: manualTrigger(),
			Products: codeNode({ items: [{ SKU: 'P-1', 'Product Name': 'Garlic Soy Wings', Price: '$15.00' }] }),
			'Add the product': hyfin('product', 'addUpdate', { columns: AUTO, options: {} }),
			'Get the product': hyfin('product', 'get', { externalId: '={{ $json.external_id }}', options: {} }),
			'Get a customer': hyfin('customer', 'get', { externalId: 'C-1', options: {} }),
			'Get one Hyfin lacks': hyfin('customer', 'get', { externalId: 'C-404', options: {} }),
			'Get the payment': hyfin('payment', 'get', { externalId: 'PAY-1', options: { convertNumbers: true } }),
		},
	}),
]);

test('adds and gets a product, gets a customer and one Hyfin lacks, gets a payment with numbers as numbers', async () => {
	const { sandbox } = e2e;
	e2e.resetSandbox();
	sandbox.store.upsert(sandbox.siteId, { external_id: 'C-1', first_name: 'Ana', last_name: 'Lopez', email: 'ana@example.com' });
	sandbox.store.upsertPayment(sandbox.siteId, {
		external_id: 'PAY-1',
		gateway_transaction_id: 'cash-1',
		display_name: 'Cash',
		amount: 35.15,
		paid_on: '2026-12-01T10:00:00Z',
		payment_type: 'cash',
	});
	const run = expectSuccess(await e2e.execute(ID));

	const product = sandbox.store.getProduct(sandbox.siteId, 'P-1')!;
	expect(product).toMatchObject({ external_id: 'P-1', name: 'Garlic Soy Wings', unit_price: '15.00' });
	expect(itemsOf(run, 'Add the product')).toEqual([
		{ json: { success: true, action: 'added', _id: product._id, external_id: 'P-1' }, pairedItem: { item: 0 } },
	]);
	expect(itemsOf(run, 'Get the product')).toEqual([{ json: { found: true, ...answered(product) }, pairedItem: { item: 0 } }]);

	const customer = sandbox.store.get(sandbox.siteId, 'C-1')!;
	expect(itemsOf(run, 'Get a customer')).toEqual([{ json: { found: true, ...answered(customer) }, pairedItem: { item: 0 } }]);
	expect(itemsOf(run, 'Get one Hyfin lacks')).toEqual([
		{
			json: {
				found: false,
				external_id: 'C-404',
				errors: ['customer not found'],
				message: 'Hyfin has no customer with external_id "C-404" (item 0): customer not found',
			},
			pairedItem: { item: 0 },
		},
	]);

	const payment = sandbox.store.getPayment(sandbox.siteId, 'PAY-1')!;
	const [got] = itemsOf(run, 'Get the payment');
	expect(got.json).toEqual({ found: true, ...answered(payment), total: 35.15 });
	expect(typeof got.json.total).toBe('number');
});
