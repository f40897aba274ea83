import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { INVOICE, LINE_IN_ROWS, parseInvoice, type TotalsMode } from '../../schemas/invoice';
import { fromInputItem, fromMappedFields } from '../../schemas/record';
import { readExternalId } from '../../schemas/values';
import { runOperation } from '../execution';
import { optionsCollection, recordOptions, type ItemOptions } from '../options';
import { columnsPerItem, fieldsParameter, mapRecord, planRecord } from '../upsert';

/**
 * Invoice → Add or Update: `POST {base_url}/api/v3/site/{site_id}/invoice/addUpdate`. Adding an
 * invoice sends the customer a payment request, so the request is never repeated after an
 * answer that leaves open whether Hyfin acted on it.
 */

export const operation = {
	name: 'Add or Update',
	value: 'addUpdate',
	description: 'Add an invoice, which texts or emails the customer a payment request, or update the one with the same external ID',
	action: 'Add or update an invoice',
};

const show = { show: { resource: ['invoice'], operation: ['addUpdate'] } };

const linesFrom: INodeProperties = {
	displayName: 'Lines From',
	name: 'linesFrom',
	type: 'options',
	noDataExpression: true,
	default: 'field',
	displayOptions: show,
	options: [
		{
			name: 'Lines Field (or Description Only)',
			value: 'field',
			description:
				'One item is one invoice: its lines are the Lines field (a list, or JSON text of one); without lines, its Description describes it',
		},
		{
			name: 'Consecutive Rows With the Same External ID',
			value: 'rows',
			description:
				'One row per line, as order exports have them: rows in a row that share the external ID make one invoice, with one line per row (line_description, qty, unit_price, line_total)',
		},
	],
};

interface InvoiceOptions extends ItemOptions {
	totals?: TotalsMode;
}

const totalsOption: INodeProperties = {
	displayName: 'Totals',
	name: 'totals',
	type: 'options',
	default: 'check',
	description: 'How the totals relate to the lines',
	options: [
		{
			name: 'Check Against Lines',
			value: 'check',
			description:
				"As Hyfin does: each line's total is its quantity × unit price and the total is the lines' sum, within a cent; else the item is rejected before sending",
		},
		{
			name: 'Compute From Lines',
			value: 'compute',
			description: "Each line's total is its quantity × unit price, and the total is their sum; given totals are replaced",
		},
	],
};

const options = optionsCollection('invoice', 'addUpdate', [...recordOptions, totalsOption]);

export const description: INodeProperties[] = [
	linesFrom,
	fieldsParameter(
		'invoice',
		'addUpdate',
		'getInvoiceFields',
		"Map each field by hand, or map automatically from input fields named like Hyfin's: external_id, invoice_number, description, lines, total, taxes, customer_external_id (or customer: {...}), invoice_date, due_date, ... With lines from rows, also line_description, qty, unit_price, line_total.",
		['linesFrom'],
	),
	options,
];

const UNCLEAR =
	'check with Invoice → Get whether Hyfin has this invoice before running the item again; adding it twice would not notify twice (the second is an update), but Hyfin does not document that';

/** Consecutive items with the same external ID, as groups of item indexes. */
function consecutiveGroups(ids: Array<string | null>): number[][] {
	const groups: number[][] = [];
	ids.forEach((id, index) => {
		const last = groups[groups.length - 1];
		if (last && id !== null && ids[last[0]] === id) last.push(index);
		else groups.push([index]);
	});
	return groups;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const columnsOf = columnsPerItem(this);
	const fromRows = this.getNodeParameter('linesFrom', 0, 'field') === 'rows';
	const config = {
		endpoint: 'invoice/addUpdate',
		repeatable: false,
		unclear: UNCLEAR,
		output: (answer: IDataObject, externalId: string) => ({ ...answer, external_id: externalId }),
	};

	if (!fromRows) {
		return await runOperation<InvoiceOptions>(this, options, (itemIndex, connection, chosen) => {
			const mapped = mapRecord(INVOICE, columnsOf(itemIndex), items[itemIndex].json, chosen);
			return planRecord(mapped, parseInvoice(mapped.raw, chosen), connection, chosen, config);
		});
	}

	// One line per row: the rows of one invoice are found by external ID before anything is sent.
	const lineOf = (itemIndex: number) => {
		const columns = columnsOf(itemIndex);
		return columns.mappingMode === 'autoMapInputData'
			? fromInputItem(LINE_IN_ROWS, items[itemIndex].json).raw
			: fromMappedFields(LINE_IN_ROWS, columns.value);
	};
	const ids = items.map((item, itemIndex) => {
		try {
			const columns = columnsOf(itemIndex);
			const raw =
				columns.mappingMode === 'autoMapInputData' ? fromInputItem(INVOICE, item.json).raw : fromMappedFields(INVOICE, columns.value);
			return readExternalId(raw.external_id);
		} catch {
			// The item's own plan reports what could not be read.
			return null;
		}
	});
	const groups = consecutiveGroups(ids);
	return await runOperation<InvoiceOptions>(
		this,
		options,
		(unit, connection, chosen) => {
			const rows = groups[unit];
			const mapped = mapRecord(INVOICE, columnsOf(rows[0]), items[rows[0]].json, chosen);
			// With rows, a row's description is its line's; the invoice's own comes from an invoice_description column.
			if (columnsOf(rows[0]).mappingMode === 'autoMapInputData') {
				const own = Object.keys(items[rows[0]].json).some((column) => column.replace(/[\s_-]/g, '').toLowerCase() === 'invoicedescription');
				if (!own) delete mapped.raw.description;
			}
			// Every output of a group says how many rows it made, accepted or not.
			mapped.annotations = { ...mapped.annotations, rows: rows.length };
			return planRecord(mapped, parseInvoice(mapped.raw, chosen, rows.map(lineOf)), connection, chosen, config);
		},
		groups,
	);
}
