import { getOperation } from '../get';

/** Customer → Get: `GET {base_url}/api/v3/site/{site_id}/customer/{external_id}`. */
export const { description, execute } = getOperation({ resource: 'customer', what: 'customer', numberKeys: [] });

export const operation = { name: 'Get', value: 'get', description: 'Get a customer by its external ID', action: 'Get a customer' };
