'use strict';
/**
 * The sandbox's own endpoints: inspection and knobs under /__sandbox/ (for tests and scripts), what
 * a customer does in Hyfin's app (pay an invoice, receive or click its link) with the webhooks they
 * cause, and the merchant page at /. No token, no knobs applied: the server only listens on
 * 127.0.0.1, and a test must be able to look at the sandbox while it is being unkind to the API.
 */
const crypto = require('node:crypto');
const { sendJson, sendErrors, sendHtml, readBody, readJson } = require('./http');
const { PAGE_SIZE, merchantPage } = require('./page');
const { withoutSite } = require('./store');
const { validatePay, validateNotifyEvent } = require('./validate');
const { notificationMessage } = require('./webhooks');

/** @typedef {import('node:http').IncomingMessage} Request */
/** @typedef {import('node:http').ServerResponse} Response */
/** @typedef {import('./server').SandboxKnobs} Knobs */
/** @typedef {import('./server').SandboxStats} SandboxStats */
/** @typedef {import('./server').SandboxStore} SandboxStore */
/** @typedef {import('./server').StoredInvoice} StoredInvoice */
/** @typedef {import('./webhooks').Webhooks} Webhooks */
/** @typedef {import('./validate').PayFields} PayFields */
/**
 * @typedef {{ store: SandboxStore, siteId: string, getKnobs: () => Knobs, mergeKnobs: (patch: unknown) => string[],
 *   stats: () => SandboxStats, reset: () => void, webhooks: Webhooks }} SandboxContext
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

/** `YYYY-MM-DDTHH:mm:ssZ`, as the documents write paid_on. */
const toSeconds = (/** @type {Date} */ date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A customer pays the invoice in Hyfin's app: the payment is stored against it (its external_id is
 * its _id) and the payment webhook sent. The amount is the invoice's total and taxes plus the tip
 * unless given.
 * @param {SandboxContext} ctx
 * @param {StoredInvoice} invoice
 * @param {PayFields} fields
 */
function pay(ctx, invoice, fields) {
	const tip = fields.tip ?? 0;
	const tax = invoice.totals.taxes ?? 0;
	const payment = ctx.store.recordPayment(ctx.siteId, {
		gateway_transaction_id: `${crypto.randomInt(1e13, 1e14)}${crypto.randomInt(100, 1000)}`,
		display_name: fields.display_name ?? 'VISA **** 5123',
		payment_type: fields.payment_type ?? 'payment_card',
		payment_sub_type: fields.payment_sub_type ?? 'visa',
		amount: fields.amount ?? Math.round((invoice.totals.total + tax + tip) * 100) / 100,
		tip,
		tax,
		fee: 0,
		paid_on: toSeconds(new Date()),
		status: 'captured',
		invoice: { external_id: invoice.external_id },
	});
	const customer = invoice.customer && ctx.store.get(ctx.siteId, invoice.customer.external_id);
	return { payment, webhook_urls: ctx.webhooks.payment(ctx.siteId, invoice, customer, payment) };
}

/**
 * POST /__sandbox/invoices/{external_id}/pay or /notify. A form post (the merchant page's Pay
 * button) pays with the defaults, its fields ignored, and is sent back to the page (303).
 * @param {SandboxContext} ctx
 * @param {Request} req
 * @param {Response} res
 * @param {string} externalId
 * @param {'pay' | 'notify'} action
 */
async function invoiceAction(ctx, req, res, externalId, action) {
	const text = await readBody(req);
	if (text === null) return sendErrors(res, 413, ['body too large']);
	// curl -d sends JSON as a form too: only a body that is not JSON is a form's.
	const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') && !text.trim().startsWith('{');
	/** @type {unknown} */
	let body = {};
	if (!form && text.trim() !== '') {
		try {
			body = JSON.parse(text);
		} catch {
			return sendErrors(res, 400, ['invalid json']);
		}
	}
	const invoice = ctx.store.getInvoice(ctx.siteId, externalId);
	if (!invoice) return sendErrors(res, 404, ['invoice not found']);
	if (action === 'pay') {
		const valid = validatePay(body);
		if (!valid.ok) return sendErrors(res, 400, valid.errors);
		const { payment, webhook_urls } = pay(ctx, invoice, valid.fields);
		if (form) {
			res.writeHead(303, { location: '/', 'content-length': 0 });
			return res.end();
		}
		return sendJson(res, 200, { success: true, payment: withoutSite(payment), webhook_urls });
	}
	const valid = validateNotifyEvent(body);
	if (!valid.ok) return sendErrors(res, 400, valid.errors);
	const { event, channel } = valid.fields;
	const to = channel === 'text' ? invoice.customer?.mobile_phone : invoice.customer?.email;
	// A link can be clicked without a customer (the payment link); a text or email needs one to go to.
	if (event !== 'clicked' && !to) {
		return sendErrors(res, 400, [
			invoice.customer ? `missing customer.${channel === 'text' ? 'mobile_phone' : 'email'}` : 'missing customer',
		]);
	}
	const message = notificationMessage(event, channel, to ?? '');
	const error = event === 'failed';
	sendJson(res, 200, { success: true, message, error, webhook_urls: ctx.webhooks.notification(ctx.siteId, invoice, message, error) });
}

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
	const invoiceAct = /^\/__sandbox\/invoices\/([^/]+)\/(pay|notify)$/.exec(url.pathname);
	if (req.method === 'POST' && invoiceAct) {
		let externalId;
		try {
			externalId = decodeURIComponent(invoiceAct[1]);
		} catch {
			externalId = invoiceAct[1];
		}
		await invoiceAction(ctx, req, res, externalId, /** @type {'pay' | 'notify'} */ (invoiceAct[2]));
		return true;
	}
	switch (route) {
		case 'GET /__sandbox/webhooks':
			sendJson(res, 200, ctx.webhooks.list());
			return true;
		case 'GET /__sandbox/site-webhook':
			sendJson(res, 200, { url: ctx.webhooks.siteUrl() });
			return true;
		case 'POST /__sandbox/site-webhook': {
			const body = await readJson(req);
			const url =
				body.ok && typeof body.value === 'object' && body.value !== null ? /** @type {{ url?: unknown }} */ (body.value).url : undefined;
			if (!body.ok) sendErrors(res, 400, [body.error]);
			else if (url === undefined) sendErrors(res, 400, ['missing url']);
			else if (!ctx.webhooks.setSiteUrl(url)) sendErrors(res, 400, ['invalid url']);
			else sendJson(res, 200, { url: ctx.webhooks.siteUrl() });
			return true;
		}
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
			const webhooks = ctx.webhooks.list();
			const latestWebhooks = webhooks.slice(-PAGE_SIZE).reverse();
			const counts = ctx.store.counts(siteId);
			sendHtml(
				res,
				200,
				merchantPage({
					siteId,
					customers,
					total,
					page,
					invoices,
					products,
					counts,
					webhooks: latestWebhooks,
					webhookCount: webhooks.length,
				}),
			);
			return true;
		}
		default:
			return false;
	}
}

module.exports = { handleSandboxRoute };
