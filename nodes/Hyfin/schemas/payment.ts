import { recordParser, type FieldSpec, type RecordSpec } from './record';

/** What Hyfin's Add/Update Payment endpoint accepts (shared/hyfin-api/reference.md, 3.6): a payment taken outside Hyfin. */
export const paymentFields = [
	{
		id: 'external_id',
		displayName: 'External ID',
		kind: 'id',
		required: true,
		columns: ['paymentid', 'receiptid', 'receiptnumber'],
		description: "The payment's id in your system; a payment with the same external ID is updated, otherwise one is added",
	},
	{
		id: 'gateway_transaction_id',
		displayName: 'Gateway Transaction ID',
		kind: 'id',
		required: true,
		columns: ['transactionid', 'gatewayid'],
		description: 'The id the payment gateway gave the payment (for cash, your receipt number)',
	},
	{
		id: 'display_name',
		displayName: 'Display Name',
		kind: 'text',
		required: true,
		description: 'How the payment method is shown, e.g. VISA **** 3421 or Cash',
	},
	{
		id: 'amount',
		displayName: 'Amount',
		kind: 'money',
		required: true,
		columns: ['amountpaid', 'paid'],
		description: 'The amount paid, to the cent',
	},
	{
		id: 'paid_on',
		displayName: 'Paid On',
		kind: 'dateTime',
		required: true,
		columns: ['paidat', 'paymentdate', 'date'],
		description:
			'When it was paid; sent as YYYY-MM-DDTHH:mm:ssZ in UTC. A time without an offset is read as UTC; a date alone as midnight UTC',
	},
	{ id: 'tip', displayName: 'Tip', kind: 'money', description: 'To the cent' },
	{ id: 'tax', displayName: 'Tax', kind: 'money', description: 'To the cent' },
	{ id: 'fee', displayName: 'Fee', kind: 'money', description: 'To the cent' },
	{
		id: 'invoice_external_id',
		displayName: 'Invoice External ID',
		kind: 'id',
		path: ['invoice', 'external_id'],
		columns: ['invoiceid', 'invoicenumber'],
		description: 'The invoice it pays, by its external ID',
	},
	{
		id: 'payment_type',
		displayName: 'Payment Type',
		kind: 'choice',
		choices: ['payment_card', 'ach', 'cash', 'check'],
		columns: ['type', 'method', 'paymentmethod'],
		description: 'Any case or spacing works: "Payment Card" is payment_card',
	},
	{
		id: 'payment_sub_type',
		displayName: 'Payment Sub Type',
		kind: 'choice',
		choices: ['checking', 'savings', 'visa', 'mastercard', 'discover', 'amex', 'cash', 'other'],
		columns: ['subtype'],
		description: '',
	},
	{
		id: 'status',
		displayName: 'Status',
		kind: 'choice',
		choices: ['declined', 'authorized', 'captured', 'voided', 'settled', 'returned', 'refundFailed', 'refunded', 'refundSettled'],
		columns: ['paymentstatus'],
		description: 'Hyfin: default captured',
	},
	{
		id: 'active',
		displayName: 'Active',
		kind: 'boolean',
		columns: ['isactive'],
		description: 'Hyfin: default true; left out unless given',
	},
] as const satisfies readonly FieldSpec[];

export const PAYMENT: RecordSpec = {
	name: 'payment',
	fields: paymentFields,
	groups: { invoice: { invalid: 'Invoice must be an object like { "external_id": "INV-1" }, or use a flat invoice_external_id field' } },
};

export const parsePayment = recordParser(PAYMENT);
