import { parseProduct, PRODUCT } from '../../schemas/product';
import { upsertOperation } from '../upsert';

/** Product → Add or Update: `POST {base_url}/api/v3/site/{site_id}/product/addUpdate`. */

export const operation = {
	name: 'Add or Update',
	value: 'addUpdate',
	description: 'Add a product for invoice lines, or update the one with the same external ID',
	action: 'Add or update a product',
};

export const { description, execute } = upsertOperation({
	resource: 'product',
	spec: PRODUCT,
	endpoint: 'product/addUpdate',
	mapperMethod: 'getProductFields',
	fieldsHelp:
		"Map each field by hand, or map automatically from input fields named like Hyfin's: external_id, name, description, unit_price (or price), active",
	repeatable: true,
	parse: (raw, options) => parseProduct(raw, options),
});
