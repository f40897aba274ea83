import { parsePayment, PAYMENT } from '../../schemas/payment';
import { upsertOperation } from '../upsert';

/** Payment → Add or Update: `POST {base_url}/api/v3/site/{site_id}/payment/addUpdate`, a payment taken outside Hyfin. */

export const operation = {
	name: 'Add or Update',
	value: 'addUpdate',
	description: 'Record a payment taken outside Hyfin (cash, check, another terminal), or update the one with the same external ID',
	action: 'Add or update a payment',
};

export const { description, execute } = upsertOperation({
	resource: 'payment',
	spec: PAYMENT,
	endpoint: 'payment/addUpdate',
	mapperMethod: 'getPaymentFields',
	fieldsHelp:
		"Map each field by hand, or map automatically from input fields named like Hyfin's: external_id, gateway_transaction_id, display_name, amount, paid_on, tip, tax, fee, invoice_external_id, payment_type, payment_sub_type, status, active",
	// Keyed by external_id; recording a payment notifies nobody.
	repeatable: true,
	parse: (raw, options) => parsePayment(raw, options),
});
