'use strict';
/**
 * Where the sandbox keeps what clients send: customers in a table of their own; invoices, products
 * and payments as JSON documents in one table (as the document store behind Hyfin's ObjectIds
 * would), each upserted by (site_id, external_id); and the notifications "sent" for invoices.
 * File-backed for demos (survives restarts), ':memory:' for tests.
 */
const crypto = require('node:crypto');
const Database = require('better-sqlite3');

/** @typedef {import('./server').SandboxStore} SandboxStore */
/** @typedef {import('./server').StoredCustomer} StoredCustomer */
/** @typedef {import('./server').CustomerFields} CustomerFields */
/** @typedef {import('./server').StoredInvoice} StoredInvoice */
/** @typedef {import('./server').InvoiceFields} InvoiceFields */
/** @typedef {import('./server').StoredProduct} StoredProduct */
/** @typedef {import('./server').StoredPayment} StoredPayment */
/** @typedef {import('./server').SandboxNotification} SandboxNotification */
/** @typedef {import('./server').ListQuery} ListQuery */
/** @typedef {'invoice' | 'product' | 'payment'} Kind */
/**
 * @typedef {{ _id: string, kind: Kind, site_id: string, external_id: string, ref: string | null,
 *   doc: string, created_at: string, updated_at: string, write_seq: number }} RecordRow
 *   `ref`: an invoice's customer, a payment's invoice (external_ids); `doc`: the other fields, JSON
 * @typedef {{ site_id: string, invoice_external_id: string, channel: 'text' | 'email', recipient: string,
 *   reason: 'added' | 'sent', at: string }} NotificationRow
 */
/**
 * @typedef {{ _id: string, site_id: string, external_id: string, first_name: string,
 *   last_name: string, account_name: string | null, mobile_phone: string | null,
 *   email: string | null, notes: string | null, active: number, notify_phone: number,
 *   notify_email: number, created_at: string, updated_at: string }} Row
 */

// write_seq orders "newest first" exactly, where updated_at can tie within a millisecond.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS customers (
	_id          TEXT PRIMARY KEY,
	site_id      TEXT NOT NULL,
	external_id  TEXT NOT NULL,
	first_name   TEXT NOT NULL,
	last_name    TEXT NOT NULL,
	account_name TEXT,
	mobile_phone TEXT,
	email        TEXT,
	notes        TEXT,
	active       INTEGER NOT NULL,
	notify_phone INTEGER NOT NULL,
	notify_email INTEGER NOT NULL,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	write_seq    INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS customers_by_external_id ON customers (site_id, external_id);
CREATE INDEX IF NOT EXISTS customers_newest_in_site ON customers (site_id, write_seq);
CREATE INDEX IF NOT EXISTS customers_newest ON customers (write_seq);

CREATE TABLE IF NOT EXISTS records (
	_id         TEXT PRIMARY KEY,
	kind        TEXT NOT NULL,
	site_id     TEXT NOT NULL,
	external_id TEXT NOT NULL,
	ref         TEXT,
	doc         TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	write_seq   INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS records_by_external_id ON records (kind, site_id, external_id);
CREATE INDEX IF NOT EXISTS records_by_ref ON records (kind, site_id, ref);
CREATE INDEX IF NOT EXISTS records_newest ON records (kind, write_seq);
CREATE INDEX IF NOT EXISTS records_by_write ON records (write_seq);

CREATE TABLE IF NOT EXISTS notifications (
	seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
	site_id             TEXT NOT NULL,
	invoice_external_id TEXT NOT NULL,
	channel             TEXT NOT NULL,
	recipient           TEXT NOT NULL,
	reason              TEXT NOT NULL,
	at                  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_by_invoice ON notifications (site_id, invoice_external_id, seq);
`;

const COLUMNS =
	'site_id, external_id, first_name, last_name, account_name, mobile_phone, email, notes, active, notify_phone, notify_email, created_at, updated_at';
const NEXT_SEQ = '(SELECT COALESCE(MAX(write_seq), 0) + 1 FROM customers)';

/**
 * Ids shaped like MongoDB ObjectIds (what Hyfin answers): seconds, a per-process random part,
 * and a counter, so they are unique, 24 lowercase hex digits, and roughly ordered by creation.
 */
function objectIdFactory() {
	const processPart = crypto.randomBytes(5).toString('hex');
	let counter = crypto.randomBytes(3).readUIntBE(0, 3);
	return () => {
		counter = (counter + 1) % 0x1000000;
		const seconds = Math.floor(Date.now() / 1000)
			.toString(16)
			.padStart(8, '0');
		return seconds + processPart + counter.toString(16).padStart(6, '0');
	};
}

/**
 * @param {Row} row
 * @returns {StoredCustomer}
 */
function toCustomer(row) {
	return {
		_id: row._id,
		site_id: row.site_id,
		external_id: row.external_id,
		first_name: row.first_name,
		last_name: row.last_name,
		account_name: row.account_name,
		mobile_phone: row.mobile_phone,
		email: row.email,
		notes: row.notes,
		active: row.active === 1,
		notification_options: { notify_phone: row.notify_phone === 1, notify_email: row.notify_email === 1 },
		created_at: row.created_at,
		updated_at: row.updated_at,
	};
}

/**
 * Lays the fields a client sent over a stored (or default) record: what was not sent stays as it
 * was, as a document store's `$set` would do. Whether Hyfin clears unsent fields is unknown.
 * @param {Row} base
 * @param {CustomerFields} fields
 * @returns {Row}
 */
function applyFields(base, fields) {
	const row = { ...base };
	// validate.js has already made the required names non-empty strings.
	const strings = /** @type {Record<string, string | null>} */ (/** @type {unknown} */ (row));
	for (const key of /** @type {const} */ (['external_id', 'first_name', 'last_name', 'account_name', 'mobile_phone', 'email', 'notes'])) {
		const value = fields[key];
		if (value !== undefined) strings[key] = value;
	}
	if (fields.active !== undefined) row.active = fields.active ? 1 : 0;
	if (fields.notification_options) {
		row.notify_phone = fields.notification_options.notify_phone ? 1 : 0;
		row.notify_email = fields.notification_options.notify_email ? 1 : 0;
	}
	return row;
}

/** What a record holds before a client sets it; invoice_date and due_date default to today. */
const DEFAULTS = {
	invoice: (/** @type {string} */ today) => ({
		invoice_number: '',
		invoice_term_name: null,
		description: null,
		customer_memo: null,
		internal_memo: null,
		invoice_date: today,
		due_date: today,
		expire_at: null,
		po_number: null,
		totals: { total: 0 },
		lines: [],
		webhook_url: null,
		active: true,
		options: { tippingEnabled: false },
	}),
	product: () => ({ name: '', description: null, unit_price: 0, active: true }),
	payment: () => ({
		gateway_transaction_id: '',
		display_name: '',
		amount: 0,
		tip: null,
		tax: null,
		fee: null,
		paid_on: '',
		payment_type: null,
		payment_sub_type: null,
		status: 'captured',
		active: true,
	}),
};

/** @param {RecordRow} row the record's fields as one object, without ref */
function recordFields(row) {
	const { ref: _ref, kind: _kind, write_seq: _seq, doc, ...rest } = row;
	return { ...rest, ...JSON.parse(doc) };
}

/** @param {RecordRow} row */
function toProduct(row) {
	const product = recordFields(row);
	return /** @type {StoredProduct} */ ({ ...product, unit_price: Number(product.unit_price).toFixed(2) });
}

/** @param {RecordRow} row */
function toPayment(row) {
	const { amount, ...payment } = recordFields(row);
	const last4 = /(\d{4})\s*$/.exec(payment.display_name);
	return /** @type {StoredPayment} */ ({
		...payment,
		last_4: last4 ? last4[1] : null,
		total: amount,
		transaction_type: 'capture',
		invoice: row.ref === null ? null : { external_id: row.ref },
	});
}

/**
 * @param {NotificationRow} row
 * @returns {SandboxNotification}
 */
function toNotification(row) {
	const { recipient, ...rest } = row;
	return { ...rest, to: recipient };
}

/**
 * What GET answers: the stored record without its site_id.
 * @template {{ site_id: string }} T
 * @param {T} record
 * @returns {Omit<T, 'site_id'>}
 */
function withoutSite(record) {
	const { site_id: _siteId, ...rest } = record;
	return rest;
}

/**
 * @param {string} dbFile a path, or ':memory:'
 * @param {{ paymentLink?: (invoiceId: string) => string, onNotify?: (notifications: SandboxNotification[]) => void }} [options]
 *   `paymentLink`: the link an invoice without a customer answers, from its _id; `onNotify`: told of the
 *   notifications recorded, once the transaction that recorded them has committed
 * @returns {SandboxStore}
 */
function createStore(dbFile, options = {}) {
	const paymentLink = options.paymentLink ?? ((/** @type {string} */ invoiceId) => `/pay/${invoiceId}`);
	const onNotify = options.onNotify ?? (() => {});
	/** @type {SandboxNotification[]} recorded by the transaction under way, told once it commits */
	let recorded = [];
	/**
	 * @template R
	 * @param {() => R} write a transaction that may record notifications
	 * @returns {R}
	 */
	function announcing(write) {
		try {
			const result = write();
			const told = recorded;
			recorded = [];
			if (told.length) onNotify(told);
			return result;
		} finally {
			recorded = [];
		}
	}
	const db = new Database(dbFile);
	// WAL with synchronous=NORMAL: a commit is in the WAL file before the upsert is answered, so a
	// killed or crashed sandbox loses nothing; only an OS crash or power cut could lose the last
	// commits. FULL would also cover those, but its fsync per upsert (0.3-1 ms here) blocks the one
	// thread that answers every request, and would cap a load test at about 1,000 upserts a second.
	db.pragma('journal_mode = WAL');
	db.pragma('synchronous = NORMAL');
	// Two sandboxes on one file (a demo and a script) wait for each other instead of failing.
	db.pragma('busy_timeout = 5000');
	db.exec(SCHEMA);

	const nextId = objectIdFactory();
	const select = db.prepare('SELECT * FROM customers WHERE site_id = ? AND external_id = ?');
	const insert = db.prepare(
		`INSERT INTO customers (_id, ${COLUMNS}, write_seq)
		 VALUES (@_id, ${COLUMNS.split(', ')
				.map((c) => '@' + c)
				.join(', ')}, ${NEXT_SEQ})`,
	);
	const update = db.prepare(
		`UPDATE customers SET ${COLUMNS.split(', ')
			.map((c) => `${c} = @${c}`)
			.join(', ')},
		 write_seq = ${NEXT_SEQ} WHERE _id = @_id`,
	);
	const listAll = db.prepare('SELECT * FROM customers ORDER BY write_seq DESC LIMIT ? OFFSET ?');
	const listSite = db.prepare('SELECT * FROM customers WHERE site_id = ? ORDER BY write_seq DESC LIMIT ? OFFSET ?');
	const countAll = db.prepare('SELECT COUNT(*) AS n FROM customers').pluck();
	const countSite = db.prepare('SELECT COUNT(*) AS n FROM customers WHERE site_id = ?').pluck();
	const countCustomers = (/** @type {string | undefined} */ siteId) =>
		/** @type {number} */ (siteId === undefined ? countAll.get() : countSite.get(siteId));

	const selectRecord = db.prepare('SELECT * FROM records WHERE kind = ? AND site_id = ? AND external_id = ?');
	const insertRecord = db.prepare(
		`INSERT INTO records (_id, kind, site_id, external_id, ref, doc, created_at, updated_at, write_seq)
		 VALUES (@_id, @kind, @site_id, @external_id, @ref, @doc, @created_at, @updated_at, (SELECT COALESCE(MAX(write_seq), 0) + 1 FROM records))`,
	);
	const updateRecord = db.prepare(
		`UPDATE records SET ref = @ref, doc = @doc, updated_at = @updated_at,
		 write_seq = (SELECT COALESCE(MAX(write_seq), 0) + 1 FROM records) WHERE _id = @_id`,
	);
	const listRecords = db.prepare(
		`SELECT * FROM records WHERE kind = @kind AND (@site IS NULL OR site_id = @site)
		 ORDER BY write_seq DESC LIMIT @limit OFFSET @offset`,
	);
	const paymentsOfInvoice = db.prepare("SELECT * FROM records WHERE kind = 'payment' AND site_id = ? AND ref = ? ORDER BY rowid");
	const countRecords = db.prepare('SELECT kind, COUNT(*) AS n FROM records WHERE (@site IS NULL OR site_id = @site) GROUP BY kind');
	const insertNotification = db.prepare(
		`INSERT INTO notifications (site_id, invoice_external_id, channel, recipient, reason, at)
		 VALUES (@site_id, @invoice_external_id, @channel, @recipient, @reason, @at)`,
	);
	const notificationsOfInvoice = db.prepare(
		'SELECT site_id, invoice_external_id, channel, recipient, reason, at FROM notifications WHERE site_id = ? AND invoice_external_id = ? ORDER BY seq',
	);
	const listNotifications = db.prepare(
		`SELECT site_id, invoice_external_id, channel, recipient, reason, at FROM notifications
		 WHERE (@site IS NULL OR site_id = @site) AND (@invoice IS NULL OR invoice_external_id = @invoice) ORDER BY seq`,
	);
	const countNotifications = db.prepare('SELECT COUNT(*) FROM notifications WHERE (@site IS NULL OR site_id = @site)').pluck();
	const clearAll = db.transaction(() => db.exec('DELETE FROM customers; DELETE FROM records; DELETE FROM notifications;'));

	// IMMEDIATE takes the write lock before reading, so two processes cannot both decide "added".
	const upsert = db.transaction(
		/**
		 * @param {string} siteId
		 * @param {CustomerFields} fields
		 * @returns {{ action: 'added' | 'updated', _id: string }}
		 */
		(siteId, fields) => {
			const now = new Date().toISOString();
			const existing = /** @type {Row | undefined} */ (select.get(siteId, fields.external_id));
			if (existing) {
				update.run({ ...applyFields(existing, fields), updated_at: now });
				return { action: 'updated', _id: existing._id };
			}
			/** @type {Row} */
			const blank = {
				_id: nextId(),
				site_id: siteId,
				external_id: fields.external_id,
				first_name: '',
				last_name: '',
				account_name: null,
				mobile_phone: null,
				email: null,
				notes: null,
				active: 1,
				notify_phone: 0,
				notify_email: 0,
				created_at: now,
				updated_at: now,
			};
			const row = applyFields(blank, fields);
			insert.run(row);
			return { action: 'added', _id: row._id };
		},
	);

	/**
	 * @param {Kind} kind
	 * @param {string} siteId
	 * @param {string} externalId
	 */
	const findRecord = (kind, siteId, externalId) => /** @type {RecordRow | undefined} */ (selectRecord.get(kind, siteId, externalId));

	const writeRecord = db.transaction(
		/**
		 * Adds the record, or lays the fields sent over the stored one (as customers are updated).
		 * @param {Kind} kind
		 * @param {string} siteId
		 * @param {{ external_id: string } & Record<string, unknown>} fields without ref
		 * @param {string | null | undefined} ref undefined keeps the stored one
		 * @param {string} [newId] the _id, when it is added; a fresh one unless given
		 * @returns {{ action: 'added' | 'updated', _id: string }}
		 */
		(kind, siteId, fields, ref, newId) => {
			const { external_id, ...sent } = fields;
			const now = new Date().toISOString();
			const existing = findRecord(kind, siteId, external_id);
			if (existing) {
				const doc = JSON.stringify({ ...JSON.parse(existing.doc), ...sent });
				updateRecord.run({ _id: existing._id, ref: ref === undefined ? existing.ref : ref, doc, updated_at: now });
				return { action: 'updated', _id: existing._id };
			}
			const _id = newId ?? nextId();
			const doc = JSON.stringify({ ...DEFAULTS[kind](now.slice(0, 10)), ...sent });
			insertRecord.run({ _id, kind, site_id: siteId, external_id, ref: ref ?? null, doc, created_at: now, updated_at: now });
			return { action: 'added', _id };
		},
	);

	/**
	 * @param {Kind} kind
	 * @param {ListQuery} query
	 */
	const recordRows = (kind, { siteId, limit = -1, offset = 0 }) =>
		/** @type {RecordRow[]} */ (listRecords.all({ kind, site: siteId ?? null, limit, offset }));

	/**
	 * @param {RecordRow} row
	 * @returns {StoredInvoice}
	 */
	function toInvoice(row) {
		const customer = row.ref === null ? undefined : /** @type {Row | undefined} */ (select.get(row.site_id, row.ref));
		const payments = /** @type {RecordRow[]} */ (paymentsOfInvoice.all(row.site_id, row.external_id));
		const notifications = /** @type {NotificationRow[]} */ (notificationsOfInvoice.all(row.site_id, row.external_id));
		return {
			...recordFields(row),
			customer: customer
				? {
						external_id: customer.external_id,
						first_name: customer.first_name,
						last_name: customer.last_name,
						mobile_phone: customer.mobile_phone,
						email: customer.email,
					}
				: null,
			payments: payments.map((payment) => withoutSite(toPayment(payment))),
			notifications: notifications.map(({ channel, recipient, at }) => ({
				error: false,
				value: recipient,
				description: `${channel === 'text' ? 'Text' : 'Email'} to ${recipient} sent`,
				at,
			})),
			...(row.ref === null ? { link: paymentLink(row._id) } : {}),
		};
	}

	const notify = db.transaction(
		/**
		 * @param {string} siteId
		 * @param {string} invoiceExternalId
		 * @param {SandboxNotification['reason']} reason
		 * @returns {SandboxNotification[]}
		 */
		(siteId, invoiceExternalId, reason) => {
			const invoice = findRecord('invoice', siteId, invoiceExternalId);
			const customer = invoice?.ref ? /** @type {Row | undefined} */ (select.get(siteId, invoice.ref)) : undefined;
			if (!customer) return [];
			const at = new Date().toISOString();
			/** @type {NotificationRow[]} */
			const rows = [];
			const base = { site_id: siteId, invoice_external_id: invoiceExternalId, reason, at };
			// Email first, then text, in the order of the documented Get Invoice sample.
			if (customer.notify_email && customer.email) rows.push({ ...base, channel: 'email', recipient: customer.email });
			if (customer.notify_phone && customer.mobile_phone) rows.push({ ...base, channel: 'text', recipient: customer.mobile_phone });
			for (const row of rows) insertNotification.run(row);
			recorded.push(...rows.map(toNotification));
			return rows.map(toNotification);
		},
	);

	const upsertInvoice = db.transaction(
		/**
		 * @param {string} siteId
		 * @param {InvoiceFields} fields
		 */
		(siteId, fields) => {
			const { customer, ...invoice } = fields;
			const today = new Date().toISOString().slice(0, 10);
			// A customer with more than its external_id is added or updated as customer/addUpdate would.
			if (customer && Object.keys(customer).length > 1) upsert(siteId, customer);
			if (invoice.invoice_date === null) invoice.invoice_date = today;
			if (invoice.due_date === null) invoice.due_date = today;
			const result = writeRecord('invoice', siteId, invoice, customer === undefined ? undefined : (customer?.external_id ?? null));
			const row = /** @type {RecordRow} */ (findRecord('invoice', siteId, fields.external_id));
			// An invoice dated in the future would be sent on that date: the sandbox has no clock for that.
			if (result.action === 'added' && row.ref !== null && JSON.parse(row.doc).invoice_date <= today) {
				notify(siteId, fields.external_id, 'added');
			}
			return row.ref === null ? { ...result, link: paymentLink(row._id) } : result;
		},
	);

	return {
		upsert: (siteId, fields) => upsert.immediate(siteId, fields),
		get(siteId, externalId) {
			const row = /** @type {Row | undefined} */ (select.get(siteId, externalId));
			return row ? toCustomer(row) : null;
		},
		list({ siteId, limit = -1, offset = 0 } = {}) {
			const rows = siteId === undefined ? listAll.all(limit, offset) : listSite.all(siteId, limit, offset);
			return /** @type {Row[]} */ (rows).map(toCustomer);
		},
		count: countCustomers,
		upsertInvoice: (siteId, fields) => announcing(() => upsertInvoice.immediate(siteId, fields)),
		getInvoice(siteId, externalId) {
			const row = findRecord('invoice', siteId, externalId);
			return row ? toInvoice(row) : null;
		},
		listInvoices: (query = {}) => recordRows('invoice', query).map(toInvoice),
		upsertProduct: (siteId, fields) => writeRecord.immediate('product', siteId, fields, undefined),
		getProduct(siteId, externalId) {
			const row = findRecord('product', siteId, externalId);
			return row ? toProduct(row) : null;
		},
		listProducts: (query = {}) => recordRows('product', query).map(toProduct),
		upsertPayment(siteId, fields) {
			const { invoice, ...payment } = fields;
			return writeRecord.immediate('payment', siteId, payment, invoice === undefined ? undefined : (invoice?.external_id ?? null));
		},
		recordPayment(siteId, fields) {
			const { invoice, ...payment } = fields;
			const _id = nextId();
			writeRecord.immediate('payment', siteId, { ...payment, external_id: _id }, invoice?.external_id ?? null, _id);
			return toPayment(/** @type {RecordRow} */ (findRecord('payment', siteId, _id)));
		},
		getPayment(siteId, externalId) {
			const row = findRecord('payment', siteId, externalId);
			return row ? toPayment(row) : null;
		},
		listPayments: (query = {}) => recordRows('payment', query).map(toPayment),
		notify: (siteId, invoiceExternalId, reason) => announcing(() => notify.immediate(siteId, invoiceExternalId, reason)),
		notifications({ siteId, invoiceExternalId } = {}) {
			const rows = listNotifications.all({ site: siteId ?? null, invoice: invoiceExternalId ?? null });
			return /** @type {NotificationRow[]} */ (rows).map(toNotification);
		},
		counts(siteId) {
			const byKind = Object.fromEntries(
				/** @type {{ kind: Kind, n: number }[]} */ (countRecords.all({ site: siteId ?? null })).map(({ kind, n }) => [kind, n]),
			);
			return {
				customers: countCustomers(siteId),
				invoices: byKind.invoice ?? 0,
				products: byKind.product ?? 0,
				payments: byKind.payment ?? 0,
				notifications: /** @type {number} */ (countNotifications.get({ site: siteId ?? null })),
			};
		},
		clear() {
			clearAll();
		},
		close() {
			if (db.open) db.close();
		},
	};
}

module.exports = { createStore, withoutSite };
