'use strict';
/**
 * Where the sandbox keeps customers: one SQLite table, upserted by (site_id, external_id).
 * File-backed for demos (survives restarts), ':memory:' for tests.
 */
const crypto = require('node:crypto');
const Database = require('better-sqlite3');

/** @typedef {import('./server').SandboxStore} SandboxStore */
/** @typedef {import('./server').StoredCustomer} StoredCustomer */
/** @typedef {import('./server').CustomerFields} CustomerFields */
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

/**
 * @param {string} dbFile a path, or ':memory:'
 * @returns {SandboxStore}
 */
function createStore(dbFile) {
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
	const deleteAll = db.prepare('DELETE FROM customers');

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
		count: (siteId) => /** @type {number} */ (siteId === undefined ? countAll.get() : countSite.get(siteId)),
		clear() {
			deleteAll.run();
		},
		close() {
			if (db.open) db.close();
		},
	};
}

module.exports = { createStore };
