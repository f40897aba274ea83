import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

import { customerFields } from '../../nodes/Hyfin/schemas/customer';
import { invoiceFields, LINE_IN_LIST, LINE_IN_ROWS } from '../../nodes/Hyfin/schemas/invoice';
import { paymentFields } from '../../nodes/Hyfin/schemas/payment';
import { productFields } from '../../nodes/Hyfin/schemas/product';
import { fieldTable, type FieldSpec } from '../../nodes/Hyfin/schemas/record';

/**
 * The README's field tables are made from the records' own tables, so they cannot drift apart.
 * After changing a field: HYFIN_WRITE_README=1 npx jest test/unit/readme
 */
const README = join(__dirname, '..', '..', 'README.md');

const tables: Record<string, readonly FieldSpec[]> = {
	customer: customerFields,
	invoice: invoiceFields,
	'invoice-line': LINE_IN_LIST.fields,
	'invoice-row': LINE_IN_ROWS.fields,
	product: productFields,
	payment: paymentFields,
};

const block = (name: string, table: string) => `<!-- fields:${name} -->\n${table}\n<!-- /fields:${name} -->`;
const pattern = (name: string) => new RegExp(`<!-- fields:${name} -->[\\s\\S]*?<!-- /fields:${name} -->`);

describe('README field tables', () => {
	let text = readFileSync(README, 'utf8');

	it.each(Object.keys(tables))('holds the %s table as its field table makes it', (name) => {
		const expected = block(name, fieldTable(tables[name]));
		if (process.env.HYFIN_WRITE_README === '1') {
			text = text.replace(pattern(name), expected);
			writeFileSync(README, text);
		}
		expect(text.match(pattern(name))?.[0]).toBe(expected);
	});
});
