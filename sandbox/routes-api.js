'use strict';
/**
 * Hyfin's customer endpoints, as the sandbox reads the document. Handlers return a reply rather
 * than writing it, so server.js can still delay it, replace it with a fault, or cut it short.
 *
 * Readings of what the document leaves open:
 * - The token travels as `x-access-token` (see shared/hyfin-api.md); a missing or wrong one is
 *   401 before anything else is looked at, then an unknown site is 404. Both are JSON.
 * - A validation rejection uses the `rejectionStatus` knob (200 by default, as a body with
 *   `success: false` may come with any status); an unparsable body is always 400.
 * - GET customer answers the stored record itself (no `success` wrapper), without site_id, with
 *   every field present (null when never set) and the phone as it was sent.
 */
const crypto = require('node:crypto');
const { validateCustomer } = require('./validate');

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

/** @type {ApiRoute['handle']} */
function addUpdateCustomer(ctx, request) {
	const refusal = refuse(ctx, request);
	if (refusal) return refusal;
	if (request.body === null) return fail(413, ['body too large']);
	let body;
	try {
		body = JSON.parse(request.body);
	} catch {
		return fail(400, ['invalid json']);
	}
	const result = validateCustomer(body);
	if (!result.ok) return fail(ctx.knobs().rejectionStatus, result.errors);
	const { action, _id } = ctx.store.upsert(ctx.siteId, result.fields);
	return { status: 200, json: { success: true, action, _id } };
}

/** @type {ApiRoute['handle']} */
function getCustomer(ctx, request) {
	const refusal = refuse(ctx, request);
	if (refusal) return refusal;
	const customer = ctx.store.get(ctx.siteId, request.externalId);
	if (!customer) return fail(404, ['customer not found']);
	const { site_id: _siteId, ...answer } = customer;
	return { status: 200, json: answer };
}

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
	const match = /^\/api\/v3\/site\/([^/]+)\/customer\/([^/]+)$/.exec(pathname);
	if (!match) return null;
	const siteId = decode(match[1]);
	const last = decode(match[2]);
	if (siteId === null || last === null) return null;
	if (method === 'POST' && match[2] === 'addUpdate') {
		return { route: 'POST /api/v3/site/:site_id/customer/addUpdate', siteId, externalId: '', handle: addUpdateCustomer };
	}
	if (method === 'GET') {
		return { route: 'GET /api/v3/site/:site_id/customer/:external_id', siteId, externalId: last, handle: getCustomer };
	}
	return null;
}

module.exports = { matchApiRoute };
