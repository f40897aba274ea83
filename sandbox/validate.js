'use strict';
/**
 * What the sandbox accepts as an addUpdate body: its own reading of the Hyfin document
 * (shared/hyfin-api/customer-addUpdate.txt), deliberately not shared with the node's schema.
 *
 * Readings of what the document leaves open:
 * - Required strings that are absent, null, or blank are `missing <field>` (a blank name is not a name).
 * - Optional strings may be null, which clears the field: the GET sample answers `account_name: null`,
 *   so a client echoing it back must not be rejected. Empty strings are kept as given.
 * - Types are strict: `123` is not a string and `"true"` is not a boolean (`invalid <field>`).
 * - A phone is digits with the usual separators (space - . ( ) and a leading +), 7 to 15 digits
 *   (15 is E.164's maximum); an email is `local@domain.tld` without spaces.
 * - notify_phone / notify_email that are absent from notification_options mean false.
 * - Fields the document does not name are ignored, as a document store would.
 * - The conditions read the request alone, not the stored record: notify_phone true needs a
 *   mobile_phone in the same request.
 * All problems are reported at once, in the document's field order.
 */

/** @typedef {import('./server').CustomerFields} CustomerFields */

const REQUIRED_STRINGS = /** @type {const} */ (['external_id', 'first_name', 'last_name']);
const OPTIONAL_STRINGS = /** @type {const} */ (['account_name', 'mobile_phone', 'email', 'notes']);

const PHONE_CHARACTERS = /^\+?[0-9 ().-]+$/;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const MAX_EMAIL_LENGTH = 254;

/**
 * @param {Record<string, unknown>} body
 * @param {string} field
 */
function has(body, field) {
	return Object.prototype.hasOwnProperty.call(body, field);
}

/** @param {string} phone */
function isPhone(phone) {
	const digits = phone.replace(/[^0-9]/g, '').length;
	return PHONE_CHARACTERS.test(phone) && digits >= 7 && digits <= 15;
}

/** @param {string} email */
function isEmail(email) {
	return email.length <= MAX_EMAIL_LENGTH && EMAIL.test(email);
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isPlainObject(value) {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param {unknown} body the parsed JSON body
 * @returns {{ ok: true, fields: CustomerFields } | { ok: false, errors: string[] }}
 *   `fields` holds only what the client sent, so an update can leave the rest as stored
 */
function validateCustomer(body) {
	if (!isPlainObject(body)) return { ok: false, errors: ['invalid body'] };
	/** @type {string[]} */
	const errors = [];
	/** @type {Record<string, unknown>} */
	const fields = {};

	for (const field of REQUIRED_STRINGS) {
		const value = body[field];
		if (value === undefined || value === null) errors.push(`missing ${field}`);
		else if (typeof value !== 'string') errors.push(`invalid ${field}`);
		else if (value.trim() === '') errors.push(`missing ${field}`);
		else fields[field] = value;
	}

	for (const field of OPTIONAL_STRINGS) {
		if (!has(body, field)) continue;
		const value = body[field];
		if (value !== null && typeof value !== 'string') errors.push(`invalid ${field}`);
		else if (field === 'mobile_phone' && value && !isPhone(value)) errors.push('invalid mobile_phone');
		else if (field === 'email' && value && !isEmail(value)) errors.push('invalid email');
		else fields[field] = value;
	}

	if (has(body, 'active')) {
		if (typeof body.active !== 'boolean') errors.push('invalid active');
		else fields.active = body.active;
	}

	if (has(body, 'notification_options')) {
		const options = body.notification_options;
		if (!isPlainObject(options)) {
			errors.push('invalid notification_options');
		} else {
			const notify = { notify_phone: false, notify_email: false };
			for (const key of /** @type {const} */ (['notify_phone', 'notify_email'])) {
				if (!has(options, key)) continue;
				if (typeof options[key] !== 'boolean') errors.push(`invalid notification_options.${key}`);
				else notify[key] = /** @type {boolean} */ (options[key]);
			}
			fields.notification_options = notify;
			// Only an absent or empty value is "missing"; a malformed one was reported as invalid above.
			const absent = (/** @type {string} */ field) => body[field] === undefined || body[field] === null || body[field] === '';
			if (notify.notify_phone && absent('mobile_phone')) errors.push('missing mobile_phone');
			if (notify.notify_email && absent('email')) errors.push('missing email');
		}
	}

	if (errors.length) return { ok: false, errors };
	return { ok: true, fields: /** @type {CustomerFields} */ (fields) };
}

module.exports = { validateCustomer };
