import { getOperation } from '../get';

/** Invoice → Get: `GET {base_url}/api/v3/site/{site_id}/invoice/{external_id}`, with its lines, payments and notifications. */
export const { description, execute } = getOperation({
	resource: 'invoice',
	what: 'invoice',
	numberKeys: ['total', 'taxes', 'unit_price', 'qty', 'amount', 'tip', 'tax', 'fee'],
});

export const operation = { name: 'Get', value: 'get', description: 'Get an invoice by its external ID', action: 'Get an invoice' };
