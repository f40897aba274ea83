'use strict';
/**
 * Hyfin's customer, invoice, product and payment endpoints, as the sandbox reads the documents. Handlers return a reply rather
 * than writing it, so server.js can still delay it, replace it with a fault, or cut it short.
 *
 * Readings of what the document leaves open:
 * - The token travels as `x-access-token` (see shared/hyfin-api.md); a missing or wrong one is
 *   401 before anything else is looked at, then an unknown site is 404. Both are JSON.
 * - A validation rejection uses the `rejectionStatus` knob (200 by default, as a body with
 *   `success: false` may come with any status); an unparsable body is always 400.
 * - GET answers the stored record itself (no `success` wrapper), without site_id, with every field
 *   present (null when never set) and the phone as it was sent; an unknown one is 404 `<thing> not found`.
 * - invoice/send: an unknown invoice is 404 `invoice not found` (as GET answers it); one without a
 *   customer cannot be sent (`missing customer`); a send while the invoice's last notification is
 *   younger than duplicateSendWindowSec gets Hyfin's "Duplicate email sent < 300 sec. ago".
 */
const crypto = require('node:crypto');
const { validateCustomer, validateInvoice, validateProduct, validatePayment, validateSend } = require('./validate');
const { withoutSite } = require('./store');

/** @typedef {import('./server').SandboxStore} SandboxStore */
/** @typedef {import('./server').SandboxKnobs} Knobs */
/**
 * @typedef {{ status: number, json: unknown, headers?: Record<string, string> }
 *   | { status: number, html: string }} Reply
 * @typedef {{ store: SandboxStore, siteId: string, token: string, knobs: () => Knobs }} ApiContext
 * @typedef {{ token: string | undefined, siteId: string, externalId: string, body: string | null }} ApiRequest
 *   `body` is null when it was too large to read
 * @typedef {{ route: string, siteId: string, externalId: string,
 *   handle: (ctx: ApiContext, request: ApiRequest) => Reply }} ApiRoute
 */

/**
 * @param {number} status
 * @param {string[]} errors
 * @returns {Reply}
 */
const fail = (status, errors) => ({ status, json: { success: false, errors } });

/**
 * Compares digests so the time taken says nothing about how much of the token was right.
 * @param {string | undefined} given
 * @param {string} expected
 */
function tokenMatches(given, expected) {
	if (typeof given !== 'string') return false;
	const digest = (/** @type {string} */ s) => crypto.createHash('sha256').update(s).digest();
	return crypto.timingSafeEqual(digest(given), digest(expected));
}

/**
 * @param {ApiContext} ctx
 * @param {ApiRequest} request
 * @returns {Reply | null} the refusal, or null when the caller may go on
 */
function refuse(ctx, request) {
	if (!tokenMatches(request.token, ctx.token)) return fail(401, ['invalid access token']);
	if (request.siteId !== ctx.siteId) return fail(404, ['site not found']);
	return null;
}

/**
 * The parsed JSON body of a request that passed the token and site checks.
 * @param {ApiContext} ctx
 * @param {ApiRequest} request
 * @returns {{ body: unknown } | Reply} the body, or the refusal
 */
function readRequest(ctx, request) {
	const refusal = refuse(ctx, request);
	if (refusal) return refusal;
	if (request.body === null) return fail(413, ['body too large']);
	try {
		return { body: JSON.parse(request.body) };
	} catch {
		return fail(400, ['invalid json']);
	}
}

/**
 * An addUpdate endpoint: checks, validates, stores, answers `{success, action, _id}` and whatever
 * else the store answers (an invoice's link).
 * @template T
 * @param {(body: unknown, ctx: ApiContext) => import('./validate').Validation<T>} validate
 * @param {(ctx: ApiContext, fields: T) => { action: 'added' | 'updated', _id: string }} save
 * @returns {ApiRoute['handle']}
 */
function addUpdateRoute(validate, save) {
	return (ctx, request) => {
		const read = readRequest(ctx, request);
		if (!('body' in read)) return read;
		const result = validate(read.body, ctx);
		if (!result.ok) return fail(ctx.knobs().rejectionStatus, result.errors);
		return { status: 200, json: { success: true, ...save(ctx, result.fields) } };
	};
}

/**
 * A GET endpoint: the stored record without site_id, or 404 `<thing> not found`.
 * @param {string} thing
 * @param {(store: SandboxStore, siteId: string, externalId: string) => { site_id: string } | null} find
 * @returns {ApiRoute['handle']}
 */
function getRoute(thing, find) {
	return (ctx, request) => {
		const refusal = refuse(ctx, request);
		if (refusal) return refusal;
		const record = find(ctx.store, ctx.siteId, request.externalId);
		if (!record) return fail(404, [`${thing} not found`]);
		return { status: 200, json: withoutSite(record) };
	};
}

/**
 * invoice/send: the invoice's payment request again, by text and/or email as its customer's
 * notification options say; refused while the last one is younger than duplicateSendWindowSec.
 * @type {ApiRoute['handle']}
 */
function sendInvoice(ctx, request) {
	const read = readRequest(ctx, request);
	if (!('body' in read)) return read;
	const result = validateSend(read.body);
	const rejection = ctx.knobs().rejectionStatus;
	if (!result.ok) return fail(rejection, result.errors);
	const externalId = result.fields.external_id;
	const invoice = ctx.store.getInvoice(ctx.siteId, externalId);
	if (!invoice) return fail(404, ['invoice not found']);
	if (!invoice.customer) return fail(rejection, ['missing customer']);
	const last = invoice.notifications.at(-1);
	if (last && Date.now() - Date.parse(last.at) < ctx.knobs().duplicateSendWindowSec * 1000) {
		// Hyfin's one documented error string, verbatim, whatever the window is set to.
		return fail(rejection, ['Duplicate email sent < 300 sec. ago']);
	}
	ctx.store.notify(ctx.siteId, externalId, 'sent');
	return { status: 200, json: { success: true, action: 'updated' } };
}

/** @type {Record<string, ApiRoute['handle']>} by `<resource>/<action>` */
const POST_HANDLERS = {
	'customer/addUpdate': addUpdateRoute(validateCustomer, (ctx, fields) => ctx.store.upsert(ctx.siteId, fields)),
	'invoice/addUpdate': addUpdateRoute(
		(body, ctx) => validateInvoice(body, (externalId) => ctx.store.get(ctx.siteId, externalId) !== null),
		(ctx, fields) => ctx.store.upsertInvoice(ctx.siteId, fields),
	),
	'invoice/send': sendInvoice,
	'product/addUpdate': addUpdateRoute(validateProduct, (ctx, fields) => ctx.store.upsertProduct(ctx.siteId, fields)),
	'payment/addUpdate': addUpdateRoute(
		(body, ctx) => validatePayment(body, (externalId) => ctx.store.getInvoice(ctx.siteId, externalId) !== null),
		(ctx, fields) => ctx.store.upsertPayment(ctx.siteId, fields),
	),
};

/** @type {Record<string, ApiRoute['handle']>} by resource */
const GET_HANDLERS = {
	customer: getRoute('customer', (store, siteId, externalId) => store.get(siteId, externalId)),
	invoice: getRoute('invoice', (store, siteId, externalId) => store.getInvoice(siteId, externalId)),
	product: getRoute('product', (store, siteId, externalId) => store.getProduct(siteId, externalId)),
	payment: getRoute('payment', (store, siteId, externalId) => store.getPayment(siteId, externalId)),
};

/** @param {string} segment */
function decode(segment) {
	try {
		return decodeURIComponent(segment);
	} catch {
		return null;
	}
}

/**
 * @param {string} method
 * @param {string} pathname still percent-encoded, so an external_id may contain an encoded `/`
 * @returns {ApiRoute | null} null for anything that is not one of Hyfin's routes (an HTML 404)
 */
function matchApiRoute(method, pathname) {
	const match = /^\/api\/v3\/site\/([^/]+)\/(customer|invoice|product|payment)\/([^/]+)$/.exec(pathname);
	if (!match) return null;
	const [, rawSiteId, resource, rawLast] = match;
	const siteId = decode(rawSiteId);
	const last = decode(rawLast);
	if (siteId === null || last === null) return null;
	if (method === 'POST') {
		const action = `${resource}/${rawLast}`;
		if (!Object.hasOwn(POST_HANDLERS, action)) return null;
		return { route: `POST /api/v3/site/:site_id/${action}`, siteId, externalId: '', handle: POST_HANDLERS[action] };
	}
	if (method === 'GET') {
		return { route: `GET /api/v3/site/:site_id/${resource}/:external_id`, siteId, externalId: last, handle: GET_HANDLERS[resource] };
	}
	return null;
}

module.exports = { matchApiRoute };
