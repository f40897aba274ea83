'use strict';
/**
 * The sandbox's own endpoints: inspection and knobs under /__sandbox/ (for tests and scripts), and
 * the merchant page at /. No token, no knobs applied: the server only listens on 127.0.0.1, and a
 * test must be able to look at the sandbox while it is being unkind to the API.
 */
const { sendJson, sendErrors, sendHtml, readJson } = require('./http');
const { PAGE_SIZE, merchantPage } = require('./page');

/** @typedef {import('node:http').IncomingMessage} Request */
/** @typedef {import('node:http').ServerResponse} Response */
/** @typedef {import('./server').SandboxKnobs} Knobs */
/** @typedef {import('./server').SandboxStats} SandboxStats */
/** @typedef {import('./server').SandboxStore} SandboxStore */
/**
 * @typedef {{ store: SandboxStore, siteId: string, getKnobs: () => Knobs,
 *   mergeKnobs: (patch: unknown) => string[], stats: () => SandboxStats, reset: () => void }} SandboxContext
 *   mergeKnobs answers the errors, empty when the knobs were changed
 */

/**
 * GET /__sandbox/<name>[?site=ID]: what the store holds, with site_id, for one site or all.
 * Records newest first (by last write), notifications oldest first (`&invoice=EXTERNAL_ID` narrows them).
 * @type {Record<string, (store: SandboxStore, siteId: string | undefined, url: URL) => unknown>}
 */
const LISTS = {
	'/__sandbox/customers': (store, siteId) => store.list({ siteId }),
	'/__sandbox/invoices': (store, siteId) => store.listInvoices({ siteId }),
	'/__sandbox/products': (store, siteId) => store.listProducts({ siteId }),
	'/__sandbox/payments': (store, siteId) => store.listPayments({ siteId }),
	'/__sandbox/notifications': (store, siteId, url) =>
		store.notifications({ siteId, invoiceExternalId: url.searchParams.get('invoice') ?? undefined }),
	'/__sandbox/counts': (store, siteId) => store.counts(siteId),
};

/**
 * @param {SandboxContext} ctx
 * @param {Request} req
 * @param {Response} res
 * @param {URL} url
 * @returns {Promise<boolean>} false when no route here matched
 */
async function handleSandboxRoute(ctx, req, res, url) {
	const route = `${req.method} ${url.pathname}`;
	if (req.method === 'GET' && Object.hasOwn(LISTS, url.pathname)) {
		sendJson(res, 200, LISTS[url.pathname](ctx.store, url.searchParams.get('site') ?? undefined, url));
		return true;
	}
	switch (route) {
		case 'GET /__sandbox/knobs':
			sendJson(res, 200, ctx.getKnobs());
			return true;
		case 'POST /__sandbox/knobs': {
			const body = await readJson(req);
			const errors = body.ok ? ctx.mergeKnobs(body.value) : [body.error];
			if (errors.length) sendErrors(res, 400, errors);
			else sendJson(res, 200, ctx.getKnobs());
			return true;
		}
		case 'GET /__sandbox/stats':
			sendJson(res, 200, ctx.stats());
			return true;
		case 'POST /__sandbox/reset':
			ctx.reset();
			sendJson(res, 200, { success: true });
			return true;
		case 'GET /': {
			const total = ctx.store.count(ctx.siteId);
			const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
			const asked = Number.parseInt(url.searchParams.get('page') ?? '1', 10);
			const page = Math.min(pages, Math.max(1, Number.isNaN(asked) ? 1 : asked));
			const siteId = ctx.siteId;
			const customers = ctx.store.list({ siteId, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
			const invoices = ctx.store.listInvoices({ siteId, limit: PAGE_SIZE });
			const products = ctx.store.listProducts({ siteId, limit: PAGE_SIZE });
			sendHtml(res, 200, merchantPage({ siteId, customers, total, page, invoices, products, counts: ctx.store.counts(siteId) }));
			return true;
		}
		default:
			return false;
	}
}

module.exports = { handleSandboxRoute };
