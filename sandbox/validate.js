'use strict';
/**
 * What the sandbox accepts as a request body: its own reading of the Hyfin documents
 * (shared/hyfin-api/customer-addUpdate.txt, shared/hyfin-api/reference.md), deliberately not shared
 * with the node's schema.
 *
 * Readings of what the documents leave open (the README lists them all):
 * - Required strings that are absent, null, or blank are `missing <field>` (a blank name is not a name).
 * - Optional strings may be null, which clears the field: the GET sample answers `account_name: null`,
 *   so a client echoing it back must not be rejected. Empty strings are kept as given.
 * - Types are strict: `123` is not a string and `"true"` is not a boolean (`invalid <field>`).
 * - Nested fields are named by their path: `customer.email`, `lines[0].total`, `totals.total`.
 * - A phone is digits with the usual separators (space - . ( ) and a leading +), 7 to 15 digits
 *   (15 is E.164's maximum); an email is `local@domain.tld` without spaces.
 * - notify_phone / notify_email that are absent from notification_options mean false.
 * - Fields the documents do not name are ignored, as a document store would.
 * - The conditions read the request alone, not the stored record: notify_phone true needs a
 *   mobile_phone in the same request; an invoice's totals are checked against the lines it sends.
 * - Amounts ("Format = 0.00") are numbers with at most two decimals (the float noise of 0.1 + 0.2
 *   forgiven), not negative, except a line's unit_price and total (a discount line).
 * All problems are reported at once, in the documents' field order, conditions between fields last.
 */

/** @typedef {import('./server').CustomerFields} CustomerFields */
/** @typedef {import('./server').InvoiceFields} InvoiceFields */
/** @typedef {import('./server').ProductFields} ProductFields */
/** @typedef {import('./server').PaymentFields} PaymentFields */
/** @typedef {import('./server').PaymentType} PaymentType */
/** @typedef {import('./server').PaymentSubType} PaymentSubType */
/**
 * @typedef {{ amount?: number, tip?: number, payment_type?: PaymentType, payment_sub_type?: PaymentSubType,
 *   display_name?: string }} PayFields what the pay endpoint takes, all optional
 * @typedef {{ event: 'delivered' | 'clicked' | 'failed', channel: 'text' | 'email' }} NotifyEventFields
 */
/** @typedef {{ required?: boolean, nullable?: boolean }} ReadOptions */
/**
 * @typedef {object} Reader reads the fields of one JSON object, collecting problems and accepted values
 * @property {Record<string, unknown>} body
 * @property {Record<string, unknown>} fields what was accepted, by field name
 * @property {string[]} errors every problem of the request so far, shared by all its readers
 * @property {(field: string, valid: (value: unknown) => boolean, options?: ReadOptions) => unknown} read
 *   checks one field; answers its value when accepted (null included), else undefined
 * @property {(field: string, options?: ReadOptions) => Reader | null | undefined} object
 *   a reader of a nested object, which the caller reads and puts into `fields` itself
 * @property {(field: string) => void} missing
 * @property {(field: string) => void} invalid
 */
/** @template T @typedef {{ ok: true, fields: T } | { ok: false, errors: string[] }} Validation */

const REQUIRED = { required: true };
/** For optional fields that have no "cleared" value: booleans, objects, numbers, enums. */
const NOT_NULL = { nullable: false };

const CUSTOMER_REQUIRED = ['external_id', 'first_name', 'last_name'];
const CUSTOMER_OPTIONAL = ['account_name', 'mobile_phone', 'email', 'notes'];

const PAYMENT_TYPES = ['payment_card', 'ach', 'cash', 'check'];
const PAYMENT_SUB_TYPES = ['checking', 'savings', 'visa', 'mastercard', 'discover', 'amex', 'cash', 'other'];
const PAYMENT_STATUSES = [
	'declined',
	'authorized',
	'captured',
	'voided',
	'settled',
	'returned',
	'refundFailed',
	'refunded',
	'refundSettled',
];

// The payment webhook's lists (reference §4.2): what a customer may pay with in Hyfin's app.
const APP_PAYMENT_TYPES = ['payment_card', 'ach', 'apple_pay', 'google_pay', 'cash', 'external'];
const APP_PAYMENT_SUB_TYPES = ['checking', 'savings', 'visa', 'mastercard', 'discover', 'amex', 'cash', 'other', 'external'];

const PHONE_CHARACTERS = /^\+?[0-9 ().-]+$/;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const MAX_EMAIL_LENGTH = 254;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// YYYY-MM-DDTHH:mm:ssZ, as documented; fractional seconds and a ±HH:MM offset are accepted too.
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
/** A cent, plus room for binary floating point: 30.01 - 30 is 0.010000000000001563. */
const CENT = 0.01 + 1e-9;

/**
 * @param {Record<string, unknown>} body
 * @param {string} field
 */
function has(body, field) {
	return Object.prototype.hasOwnProperty.call(body, field);
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isPlainObject(value) {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @param {unknown} value */
const isString = (value) => typeof value === 'string';
/** @param {unknown} value */
const isBoolean = (value) => typeof value === 'boolean';
/** @param {unknown} value */
const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);
/** @param {unknown} value a number with at most two decimals, of either sign */
const isMoney = (value) => isNumber(value) && Math.abs(Number(value) * 100 - Math.round(Number(value) * 100)) < 1e-6;
/** @param {unknown} value */
const isAmount = (value) => isMoney(value) && Number(value) >= 0;
/** @param {readonly string[]} values */
const oneOf = (values) => (/** @type {unknown} */ value) => typeof value === 'string' && values.includes(value);

/** @param {unknown} value `YYYY-MM-DD`, a day that exists */
function isDate(value) {
	return typeof value === 'string' && DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

/** @param {unknown} value */
function isTimestamp(value) {
	const match = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
	return match !== null && isDate(match[1]);
}

/** @param {unknown} value an absolute http(s) URL */
function isHttpUrl(value) {
	if (typeof value !== 'string' || !/^https?:\/\/\S+$/i.test(value)) return false;
	return URL.canParse(value);
}

/** @param {unknown} value empty, or a phone */
function isPhoneField(value) {
	if (typeof value !== 'string' || value === '') return typeof value === 'string';
	const digits = value.replace(/[^0-9]/g, '').length;
	return PHONE_CHARACTERS.test(value) && digits >= 7 && digits <= 15;
}

/** @param {unknown} value empty, or an email */
function isEmailField(value) {
	if (typeof value !== 'string' || value === '') return typeof value === 'string';
	return value.length <= MAX_EMAIL_LENGTH && EMAIL.test(value);
}

/** @type {Record<string, (value: unknown) => boolean>} */
const CUSTOMER_FORMATS = { mobile_phone: isPhoneField, email: isEmailField };

/**
 * @param {number} a
 * @param {number} b
 */
const withinACent = (a, b) => Math.abs(a - b) <= CENT;

/**
 * @param {Record<string, unknown>} body
 * @param {string[]} errors shared by every reader of one request, so all problems are reported at once
 * @param {string} [prefix] put before each field's name in the errors, e.g. `customer.` or `lines[0].`
 * @returns {Reader}
 */
function reader(body, errors, prefix = '') {
	/** @type {Record<string, unknown>} */
	const fields = {};
	const missing = (/** @type {string} */ field) => errors.push(`missing ${prefix}${field}`);
	const invalid = (/** @type {string} */ field) => errors.push(`invalid ${prefix}${field}`);
	/** @type {Reader['read']} */
	function read(field, valid, { required = false, nullable = !required } = {}) {
		if (!has(body, field)) {
			if (required) missing(field);
			return undefined;
		}
		const value = body[field];
		const blank = value === null || (typeof value === 'string' && value.trim() === '');
		if (required && blank) missing(field);
		else if (value === null ? !nullable : !valid(value)) invalid(field);
		else return (fields[field] = value);
		return undefined;
	}
	return {
		body,
		fields,
		errors,
		read,
		object(field, options) {
			const value = read(field, isPlainObject, options);
			if (value === undefined || value === null) return value;
			return reader(/** @type {Record<string, unknown>} */ (value), errors, `${prefix}${field}.`);
		},
		missing,
		invalid,
	};
}

/**
 * @template T
 * @param {unknown} body the parsed JSON body
 * @param {(r: Reader) => void} readAll reads every field into r.fields
 * @returns {Validation<T>} `fields` holds only what the client sent, so an update can leave the rest as stored
 */
function validated(body, readAll) {
	if (!isPlainObject(body)) return { ok: false, errors: ['invalid body'] };
	/** @type {string[]} */
	const errors = [];
	const r = reader(body, errors);
	readAll(r);
	return errors.length ? { ok: false, errors } : { ok: true, fields: /** @type {T} */ (r.fields) };
}

/**
 * A customer, as customer/addUpdate takes it (and as an invoice's `customer` may carry it).
 * @param {Reader} r
 */
function readCustomer(r) {
	for (const field of CUSTOMER_REQUIRED) r.read(field, isString, REQUIRED);
	for (const field of CUSTOMER_OPTIONAL) r.read(field, CUSTOMER_FORMATS[field] ?? isString);
	r.read('active', isBoolean, NOT_NULL);
	const options = r.object('notification_options', NOT_NULL);
	if (!options) return;
	options.read('notify_phone', isBoolean, NOT_NULL);
	options.read('notify_email', isBoolean, NOT_NULL);
	const notify = { notify_phone: options.fields.notify_phone === true, notify_email: options.fields.notify_email === true };
	r.fields.notification_options = notify;
	// Only an absent or empty value is "missing"; a malformed one was reported as invalid above.
	const absent = (/** @type {string} */ field) => r.body[field] === undefined || r.body[field] === null || r.body[field] === '';
	if (notify.notify_phone && absent('mobile_phone')) r.missing('mobile_phone');
	if (notify.notify_email && absent('email')) r.missing('email');
}

/**
 * @param {unknown} body
 * @returns {Validation<CustomerFields>}
 */
const validateCustomer = (body) => validated(body, readCustomer);

/**
 * An invoice's `customer`: with external_id alone, a reference to a stored customer; with any other
 * customer field, a customer to add or update as customer/addUpdate would.
 * @param {Reader} customer
 * @param {(externalId: string) => boolean} customerExists
 */
function readInvoiceCustomer(customer, customerExists) {
	const carriesFields = [...CUSTOMER_REQUIRED, ...CUSTOMER_OPTIONAL, 'active', 'notification_options'].some(
		(field) => field !== 'external_id' && has(customer.body, field),
	);
	if (carriesFields) return readCustomer(customer);
	const externalId = customer.read('external_id', isString, REQUIRED);
	if (typeof externalId === 'string' && !customerExists(externalId)) customer.invalid('external_id');
}

/**
 * One of an invoice's lines; its total is checked against qty × unit_price when both are sent.
 * @param {Reader} line
 */
function readLine(line) {
	line.read('description', isString);
	const product = line.object('product', NOT_NULL);
	if (product) {
		product.read('external_id', isString, REQUIRED);
		product.read('name', isString, NOT_NULL);
		product.read('unit_price', isAmount, NOT_NULL);
		line.fields.product = product.fields;
	}
	const qty = line.read('qty', isNumber, NOT_NULL);
	const unitPrice = line.read('unit_price', isMoney, NOT_NULL);
	const total = line.read('total', isMoney, REQUIRED);
	if (typeof qty === 'number' && typeof unitPrice === 'number' && typeof total === 'number' && !withinACent(qty * unitPrice, total)) {
		line.invalid('total');
	}
}

/**
 * @param {unknown} body
 * @param {(externalId: string) => boolean} customerExists whether the site has this customer
 * @returns {Validation<InvoiceFields>}
 */
function validateInvoice(body, customerExists) {
	return validated(body, (r) => {
		r.read('external_id', isString, REQUIRED);
		r.read('invoice_number', isString, REQUIRED);
		const totals = r.object('totals', REQUIRED);
		if (totals) {
			totals.read('total', isAmount, REQUIRED);
			totals.read('taxes', isAmount, NOT_NULL);
			r.fields.totals = totals.fields;
		}
		const customer = r.object('customer');
		if (customer) {
			readInvoiceCustomer(customer, customerExists);
			r.fields.customer = customer.fields;
		}
		r.read('invoice_term_name', isString);
		const errorsBeforeLines = r.errors.length;
		const lines = r.read('lines', Array.isArray, NOT_NULL);
		if (Array.isArray(lines)) {
			r.fields.lines = lines.map((line, i) => {
				if (!isPlainObject(line)) return r.invalid(`lines[${i}]`);
				const lineReader = reader(line, r.errors, `lines[${i}].`);
				readLine(lineReader);
				return lineReader.fields;
			});
		}
		const linesValid = r.errors.length === errorsBeforeLines;
		const description = r.read('description', isString);
		for (const field of ['invoice_date', 'due_date', 'expire_at']) r.read(field, isDate);
		for (const field of ['po_number', 'customer_memo', 'internal_memo']) r.read(field, isString);
		r.read('active', isBoolean, NOT_NULL);
		r.read('webhook_url', isHttpUrl);
		const options = r.object('options', NOT_NULL);
		if (options) {
			options.read('tippingEnabled', isBoolean, NOT_NULL);
			r.fields.options = { tippingEnabled: options.fields.tippingEnabled === true };
		}

		// Each is required when the other is not sent; an empty list, or a null or blank description,
		// is none. Both are named, as each row's condition holds. One sent but invalid was reported above.
		const noLines = !has(r.body, 'lines') || (Array.isArray(lines) && lines.length === 0);
		const noDescription =
			!has(r.body, 'description') || description === null || (typeof description === 'string' && description.trim() === '');
		if (noLines && noDescription) {
			r.missing('lines');
			r.missing('description');
		}
		const total = totals?.fields.total;
		if (Array.isArray(lines) && lines.length > 0 && linesValid && typeof total === 'number') {
			const cents = (/** @type {unknown} */ amount) => Math.round(Number(amount) * 100);
			const sum = lines.reduce((sum, line) => sum + cents(line.total), 0);
			if (Math.abs(sum - cents(total)) > 1) r.invalid('totals.total');
		}
	});
}

/**
 * @param {unknown} body
 * @returns {Validation<ProductFields>}
 */
function validateProduct(body) {
	return validated(body, (r) => {
		r.read('external_id', isString, REQUIRED);
		r.read('name', isString, REQUIRED);
		r.read('description', isString);
		r.read('unit_price', isAmount, REQUIRED);
		r.read('active', isBoolean, NOT_NULL);
	});
}

/**
 * @param {unknown} body
 * @param {(externalId: string) => boolean} invoiceExists whether the site has this invoice
 * @returns {Validation<PaymentFields>}
 */
function validatePayment(body, invoiceExists) {
	return validated(body, (r) => {
		for (const field of ['external_id', 'gateway_transaction_id', 'display_name']) r.read(field, isString, REQUIRED);
		r.read('amount', isAmount, REQUIRED);
		r.read('paid_on', isTimestamp, REQUIRED);
		for (const field of ['tip', 'tax', 'fee']) r.read(field, isAmount);
		const invoice = r.object('invoice');
		if (invoice) {
			const externalId = invoice.read('external_id', isString, REQUIRED);
			if (typeof externalId === 'string' && !invoiceExists(externalId)) invoice.invalid('external_id');
			r.fields.invoice = invoice.fields;
		}
		r.read('payment_type', oneOf(PAYMENT_TYPES), NOT_NULL);
		r.read('payment_sub_type', oneOf(PAYMENT_SUB_TYPES), NOT_NULL);
		r.read('status', oneOf(PAYMENT_STATUSES), NOT_NULL);
		r.read('active', isBoolean, NOT_NULL);
	});
}

/**
 * invoice/send's body: `{ external_id }`.
 * @param {unknown} body
 * @returns {Validation<{ external_id: string }>}
 */
const validateSend = (body) => validated(body, (r) => r.read('external_id', isString, REQUIRED));

/**
 * The sandbox's pay endpoint (a customer paying in Hyfin's app): every field optional, none null.
 * @param {unknown} body
 * @returns {Validation<PayFields>}
 */
function validatePay(body) {
	return validated(body, (r) => {
		r.read('amount', isAmount, NOT_NULL);
		r.read('tip', isAmount, NOT_NULL);
		r.read('payment_type', oneOf(APP_PAYMENT_TYPES), NOT_NULL);
		r.read('payment_sub_type', oneOf(APP_PAYMENT_SUB_TYPES), NOT_NULL);
		r.read('display_name', (value) => isString(value) && value.trim() !== '', NOT_NULL);
	});
}

/**
 * The sandbox's notify endpoint: `{ event, channel }`.
 * @param {unknown} body
 * @returns {Validation<NotifyEventFields>}
 */
function validateNotifyEvent(body) {
	return validated(body, (r) => {
		r.read('event', oneOf(['delivered', 'clicked', 'failed']), REQUIRED);
		r.read('channel', oneOf(['text', 'email']), REQUIRED);
	});
}

module.exports = {
	validateCustomer,
	validateInvoice,
	validateProduct,
	validatePayment,
	validateSend,
	validatePay,
	validateNotifyEvent,
	isHttpUrl,
};
