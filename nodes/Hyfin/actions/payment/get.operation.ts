import { getOperation } from '../get';

/** Payment → Get: `GET {base_url}/api/v3/site/{site_id}/payment/{external_id}`. */
export const { description, execute } = getOperation({
	resource: 'payment',
	what: 'payment',
	numberKeys: ['total', 'amount', 'tip', 'tax', 'fee'],
});

export const operation = { name: 'Get', value: 'get', description: 'Get a payment by its external ID', action: 'Get a payment' };
