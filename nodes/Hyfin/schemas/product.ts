import { recordParser, type FieldSpec, type RecordSpec } from './record';

/** What Hyfin's Add/Update Product endpoint accepts (shared/hyfin-api/reference.md, 3.7). */
export const productFields = [
	{
		id: 'external_id',
		displayName: 'External ID',
		kind: 'id',
		required: true,
		columns: ['productid', 'sku', 'itemid'],
		description: "The product's id in your system; a product with the same external ID is updated, otherwise one is added",
	},
	{ id: 'name', displayName: 'Name', kind: 'text', required: true, columns: ['productname', 'title'], description: '' },
	{
		id: 'description',
		displayName: 'Description',
		kind: 'text',
		description: "Hyfin's table marks it required, but its own sample leaves it out: the node lets it be left out",
	},
	{
		id: 'unit_price',
		displayName: 'Unit Price',
		kind: 'money',
		required: true,
		columns: ['price', 'unitprice'],
		description: 'The price of one unit, to the cent: 14.99, "1,234.50" and "$15" all work',
	},
	{
		id: 'active',
		displayName: 'Active',
		kind: 'boolean',
		columns: ['isactive'],
		description: 'Hyfin: default true; left out unless given',
	},
] as const satisfies readonly FieldSpec[];

export const PRODUCT: RecordSpec = { name: 'product', fields: productFields };

export const parseProduct = recordParser(PRODUCT);
