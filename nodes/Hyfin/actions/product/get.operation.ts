import { getOperation } from '../get';

/** Product → Get: `GET {base_url}/api/v3/site/{site_id}/product/{external_id}`. */
export const { description, execute } = getOperation({ resource: 'product', what: 'product', numberKeys: ['unit_price'] });

export const operation = { name: 'Get', value: 'get', description: 'Get a product by its external ID', action: 'Get a product' };
