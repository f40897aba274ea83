import type { IDataObject } from 'n8n-workflow';
import {
	fromInputItem,
	isPlainObject,
	parseWith,
	plainSchema,
	type FieldSpec,
	type ParseResult,
	type RawRecord,
	type ReadOptions,
	type RecordSpec,
} from './record';
import { toCents } from './values';

/**
 * What Hyfin's Add/Update Invoice endpoint accepts (shared/hyfin-api/reference.md, 3.3: its table
 * was read up to invoice_date; the rest comes from Get Invoice's table and the samples).
 */
export const invoiceFields = [
	{
		id: 'external_id',
		displayName: 'External ID',
		kind: 'id',
		required: true,
		columns: ['invoiceid', 'orderid', 'ordernumber'],
		description:
			"The invoice's id in your system; an invoice with the same external ID is updated, otherwise one is added (and the customer notified)",
	},
	{
		id: 'invoice_number',
		displayName: 'Invoice Number',
		kind: 'id',
		required: true,
		columns: ['invoiceno', 'number'],
		description: 'The number the customer sees on the invoice',
	},
	{
		id: 'description',
		displayName: 'Description',
		kind: 'text',
		columns: ['invoicedescription'],
		description: 'Required when there are no lines',
	},
	{
		id: 'lines',
		displayName: 'Lines',
		kind: 'list',
		columns: ['lineitems', 'items'],
		description: 'A list of lines (an array, or JSON text of one); see "Invoice lines". Required when there is no description',
	},
	{
		id: 'total',
		displayName: 'Total',
		kind: 'money',
		path: ['totals', 'total'],
		columns: ['invoicetotal', 'totalamount', 'amountdue'],
		description:
			"The invoice's total: the sum of its lines' totals, within a cent (taxes apart, as in Hyfin's sample). Required unless Totals is Compute From Lines",
	},
	{ id: 'taxes', displayName: 'Taxes', kind: 'money', path: ['totals', 'taxes'], columns: ['tax', 'taxtotal'], description: 'To the cent' },
	{
		id: 'customer_external_id',
		displayName: 'Customer External ID',
		kind: 'id',
		path: ['customer', 'external_id'],
		columns: ['customerid'],
		description: 'The customer to send the payment request to. Leave the customer out to get a payment link instead',
	},
	{
		id: 'customer_first_name',
		displayName: 'Customer First Name',
		kind: 'text',
		path: ['customer', 'first_name'],
		columns: ['firstname'],
		description: 'With the last name, the customer is given in full (Hyfin adds or updates it); without, referenced by external ID',
	},
	{
		id: 'customer_last_name',
		displayName: 'Customer Last Name',
		kind: 'text',
		path: ['customer', 'last_name'],
		columns: ['lastname'],
		description: '',
	},
	{
		id: 'customer_mobile_phone',
		displayName: 'Customer Mobile Phone',
		kind: 'phone',
		path: ['customer', 'mobile_phone'],
		columns: ['mobilephone', 'phone', 'mobile'],
		description: '7 to 15 digits, sent as given',
	},
	{ id: 'customer_email', displayName: 'Customer Email', kind: 'email', path: ['customer', 'email'], columns: ['email'], description: '' },
	{
		id: 'invoice_date',
		displayName: 'Invoice Date',
		kind: 'date',
		columns: ['date'],
		description: 'Hyfin: defaults to today; a future date holds the payment request until that day',
	},
	{
		id: 'due_date',
		displayName: 'Due Date',
		kind: 'date',
		columns: ['due'],
		description: 'Hyfin: default today; overwritten by the invoice term if it gives another',
	},
	{
		id: 'expire_at',
		displayName: 'Expire At',
		kind: 'date',
		columns: ['expires', 'expiry'],
		description: 'Hyfin cancels the request if unpaid by then',
	},
	{ id: 'po_number', displayName: 'PO Number', kind: 'id', columns: ['purchaseorder', 'ponumber'], description: 'Shown to the customer' },
	{
		id: 'customer_memo',
		displayName: 'Customer Memo',
		kind: 'text',
		description: 'A note at the bottom of the invoice, shown to the customer',
	},
	{ id: 'internal_memo', displayName: 'Internal Memo', kind: 'text', description: 'Seen by the merchant only' },
	{
		id: 'invoice_term_name',
		displayName: 'Invoice Term Name',
		kind: 'text',
		description: "Hyfin: defaults to the customer's invoice term",
	},
	{
		id: 'active',
		displayName: 'Active',
		kind: 'boolean',
		columns: ['isactive'],
		description: 'Hyfin: default true; left out unless given',
	},
	{
		id: 'tipping_enabled',
		displayName: 'Tipping Enabled',
		kind: 'boolean',
		path: ['options', 'tippingEnabled'],
		columns: ['tipping'],
		description: "Whether the customer may add a tip (from Hyfin's sample; no table row was read)",
	},
	{
		id: 'webhook_url',
		displayName: 'Webhook URL',
		kind: 'url',
		description: "Where Hyfin posts this invoice's payment and notification events, e.g. a Hyfin Trigger's production URL",
	},
] as const satisfies readonly FieldSpec[];

export const INVOICE: RecordSpec = {
	name: 'invoice',
	fields: invoiceFields,
	groups: {
		totals: { invalid: 'Totals must be an object like { "total": 30, "taxes": 2.85 }, or use flat total / taxes fields' },
		customer: { invalid: 'Customer must be an object like { "external_id": "C-1" }, or use flat customer_external_id fields' },
		options: { invalid: 'Options must be an object like { "tippingEnabled": false }, or use a flat tipping_enabled field' },
	},
};

/** One line of an invoice. In a list, it is in Hyfin's shape; from rows, its fields have names of their own. */
function lineFields(inRows: boolean): FieldSpec[] {
	return [
		{
			id: inRows ? 'line_description' : 'description',
			displayName: inRows ? 'Line Description' : 'Description',
			kind: 'text',
			path: ['description'],
			columns: inRows ? ['description', 'itemdescription', 'item'] : ['linedescription', 'itemdescription', 'item'],
			description: 'What the line is for',
		},
		{
			id: inRows ? 'line_product_external_id' : 'product_external_id',
			displayName: 'Line Product External ID',
			kind: 'id',
			path: ['product', 'external_id'],
			columns: ['productid', 'productexternalid', 'sku'],
			description: 'The product on the line, by its external ID',
		},
		{
			id: inRows ? 'line_product_name' : 'product_name',
			displayName: 'Line Product Name',
			kind: 'text',
			path: ['product', 'name'],
			columns: ['productname'],
			description: '',
		},
		{ id: 'qty', displayName: 'Quantity', kind: 'quantity', path: ['qty'], columns: ['quantity', 'units'], description: 'How many' },
		{
			id: 'unit_price',
			displayName: 'Unit Price',
			kind: 'money',
			path: ['unit_price'],
			columns: ['price', 'unitprice', 'rate'],
			description: 'To the cent',
		},
		{
			id: inRows ? 'line_total' : 'total',
			displayName: 'Line Total',
			kind: 'money',
			path: ['total'],
			columns: inRows ? ['linetotal', 'lineamount'] : ['linetotal', 'lineamount', 'amount'],
			description: 'Quantity × unit price, within a cent; computed when left out and both are given',
		},
	];
}

const lineGroups = { product: { invalid: 'Product must be an object like { "external_id": "P-1", "name": "T-shirt" }' } };
/** A line in a list, in Hyfin's shape (`{ description, product, qty, unit_price, total }`). */
export const LINE_IN_LIST: RecordSpec = { name: 'line', fields: lineFields(false), groups: lineGroups };
/** A line from an input row: `line_description`, `qty`, `unit_price`, `line_total`, ... */
export const LINE_IN_ROWS: RecordSpec = { name: 'line', fields: lineFields(true), groups: lineGroups };

export type TotalsMode = 'check' | 'compute';

export interface InvoiceReadOptions extends ReadOptions {
	/** `check` (default): totals must match the lines; `compute`: line totals and the total are computed from them. */
	totals?: TotalsMode;
}

const invoiceSchema = plainSchema(INVOICE);
const lineSchema = plainSchema(LINE_IN_LIST);

type Problems = { errors: string[]; hints: string[] };
const money = (cents: number) => (cents / 100).toFixed(2);

/** Reads the lines: each in Hyfin's shape or named like it, each checked; every problem is named by its line. */
function readLines(list: unknown[], options: InvoiceReadOptions, problems: Problems): IDataObject[] {
	const lines: IDataObject[] = [];
	list.forEach((entry, index) => {
		const where = `lines[${index}]`;
		if (!isPlainObject(entry)) {
			problems.errors.push(`invalid ${where}`);
			problems.hints.push(`Line ${index + 1} must be an object like { "description": "Labor", "qty": 2, "unit_price": 40 }`);
			return;
		}
		const parsed = parseWith<IDataObject>(lineSchema(options), fromInputItem(LINE_IN_LIST, entry).raw);
		if (!parsed.ok) {
			parsed.errors.forEach((error) => problems.errors.push(error.replace(/^(missing|invalid) /, `$1 ${where}.`)));
			parsed.hints.forEach((hint) => problems.hints.push(`Line ${index + 1}: ${hint}`));
			return;
		}
		const line = parsed.record;
		const qty = line.qty as number | undefined;
		const unitPrice = line.unit_price as number | undefined;
		const total = line.total as number | undefined;
		const product =
			qty !== undefined && unitPrice !== undefined ? (toCents(qty * unitPrice) ?? Math.round(qty * unitPrice * 100)) : undefined;
		if (product !== undefined && (total === undefined || options.totals === 'compute')) {
			line.total = product / 100;
		} else if (product !== undefined && total !== undefined && Math.abs(Math.round(total * 100) - product) > 1) {
			problems.errors.push(`invalid ${where}.total`);
			problems.hints.push(
				`Line ${index + 1}: Line Total ${money(Math.round(total * 100))} is not Quantity × Unit Price (${qty} × ${money(Math.round(unitPrice! * 100))} = ${money(product)}): Hyfin refuses it; fix it, or set Totals to Compute From Lines`,
			);
		} else if (total === undefined) {
			problems.errors.push(`missing ${where}.total`);
			problems.hints.push(`Line ${index + 1}: give its Line Total, or its Quantity and Unit Price`);
		}
		lines.push(line);
	});
	return lines;
}

/**
 * Validates one invoice. `rows` are its lines from input rows (one per row); otherwise its lines
 * are the Lines field, if any. Beyond each field's rules: lines or a description; the customer
 * referenced by external ID or given with both names; the totals against the lines.
 */
export function parseInvoice(raw: RawRecord, options: InvoiceReadOptions = {}, rows?: RawRecord[]): ParseResult<IDataObject> {
	const parsed = parseWith<IDataObject>(invoiceSchema(options), rows ? { ...raw, lines: undefined } : raw);
	const problems: Problems = parsed.ok ? { errors: [], hints: [] } : { errors: [...parsed.errors], hints: [...parsed.hints] };
	const invoice = parsed.ok ? parsed.record : undefined;
	const given = rows ? rows.filter((row) => Object.keys(row).length > 0) : (invoice?.lines as unknown[] | undefined);
	const before = problems.errors.length;
	const lines = given && given.length > 0 ? readLines(given, options, problems) : undefined;
	// A line that could not be read has no total: the sum would only add a misleading error.
	const linesRead = problems.errors.length === before;

	if (invoice) {
		if (!lines && !invoice.description) {
			problems.errors.push('missing lines');
			problems.hints.push('An invoice needs lines or a description: map a Description, or give its lines');
		}
		const customer = invoice.customer as IDataObject | undefined;
		if (customer && !customer.external_id) {
			problems.errors.push('missing customer.external_id');
			problems.hints.push(
				'Customer fields are given, so Customer External ID is required: map it, or leave every customer field out to get a payment link',
			);
		} else if (customer && (customer.first_name || customer.last_name) && !(customer.first_name && customer.last_name)) {
			const missing = customer.first_name ? 'last_name' : 'first_name';
			problems.errors.push(`missing customer.${missing}`);
			problems.hints.push(
				'A customer given in full needs both names: map Customer First Name and Customer Last Name, or neither to refer to the customer by external ID',
			);
		}
		const totals = (invoice.totals as IDataObject | undefined) ?? {};
		const sum = lines?.reduce((cents, line) => cents + Math.round(((line.total as number | undefined) ?? 0) * 100), 0);
		if (options.totals === 'compute' && sum !== undefined) {
			invoice.totals = { ...totals, total: sum / 100 };
		} else if (totals.total === undefined) {
			problems.errors.push('missing totals.total');
			problems.hints.push(
				lines
					? 'Total is required: map the invoice total, or set Totals to Compute From Lines'
					: 'Total is required: map the invoice total',
			);
		} else if (sum !== undefined && linesRead && Math.abs(Math.round((totals.total as number) * 100) - sum) > 1) {
			problems.errors.push('invalid totals.total');
			problems.hints.push(
				`Total ${money(Math.round((totals.total as number) * 100))} is not the sum of the lines' totals (${money(sum)}): Hyfin refuses an invoice whose totals do not match its lines; fix it, or set Totals to Compute From Lines`,
			);
		}
		if (lines) invoice.lines = lines;
		else delete invoice.lines;
	}
	if (!invoice || problems.errors.length > 0) return { ok: false, ...problems };
	return { ok: true, record: invoice };
}
