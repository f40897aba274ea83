'use strict';
/**
 * The Hyfin sandbox: a local HTTP server that answers like the Hyfin site API (as read from
 * shared/hyfin-api), and can be made slow, rate-limited or faulty on purpose through its knobs.
 * It is a second, independent reading of the API: nothing here comes from nodes/ or credentials/.
 */
const http = require('node:http');
const { setTimeout: sleep } = require('node:timers/promises');
const { createStore } = require('./store');
const { CALM, defaultKnobs, mergeKnobs } = require('./knobs');
const { createTraffic } = require('./traffic');
const { createStats } = require('./stats');
const { matchApiRoute } = require('./routes-api');
const { handleSandboxRoute } = require('./routes-sandbox');
const { sendJson, sendErrors, sendHtml, readBody } = require('./http');
const { notFoundPage, badGatewayPage, escapeHtml } = require('./page');
const { createWebhooks, notificationMessage } = require('./webhooks');

/** @typedef {import('./server').SandboxOptions} SandboxOptions */
/** @typedef {import('./server').Sandbox} Sandbox */
/** @typedef {import('./server').SandboxKnobs} Knobs */
/** @typedef {import('./routes-api').Reply} Reply */
/** @typedef {import('node:http').IncomingMessage} Request */
/** @typedef {import('node:http').ServerResponse} Response */

const HOST = '127.0.0.1';
const DEFAULT_SITE_ID = 'site_demo';
const DEFAULT_TOKEN = 'sandbox-token-change-me';
const UNMATCHED = '(unmatched)';

/**
 * @param {Response} res
 * @param {Reply} reply
 */
function send(res, reply) {
	if ('html' in reply) sendHtml(res, reply.status, reply.html);
	else sendJson(res, reply.status, reply.json, reply.headers);
}

/**
 * A well-formed HTTP answer whose body stops halfway, as when a proxy cuts the upstream short:
 * the client reads it without a network error and only JSON.parse fails.
 * @param {Response} res
 * @param {Reply} reply
 */
function sendTruncated(res, reply) {
	const whole = Buffer.from('html' in reply ? reply.html : JSON.stringify(reply.json));
	const half = whole.subarray(0, Math.floor(whole.length / 2));
	const type = 'html' in reply ? 'text/html' : 'application/json';
	res.writeHead(reply.status, { 'content-type': `${type}; charset=utf-8`, 'content-length': half.length });
	res.end(half);
}

/**
 * The answer, then the connection closed halfway through it: the status line and headers
 * (promising the whole length) arrive, the body stops. A client sees the connection drop while
 * reading, not a short but complete answer as with sendTruncated.
 * @param {Response} res
 * @param {Reply} reply
 */
function sendCutOff(res, reply) {
	const whole = Buffer.from('html' in reply ? reply.html : JSON.stringify(reply.json));
	const type = 'html' in reply ? 'text/html' : 'application/json';
	res.writeHead(reply.status, { 'content-type': `${type}; charset=utf-8`, 'content-length': whole.length });
	res.write(whole.subarray(0, Math.floor(whole.length / 2)), () => res.destroy());
}

/**
 * An answer that quotes the token the request carried, as a careless server might: after each
 * error, as a message, or in the page.
 * @param {Reply} reply
 * @param {string} token
 * @returns {Reply}
 */
function echoingToken(reply, token) {
	if ('html' in reply) return { ...reply, html: reply.html.replace('</body>', `<p>token: ${escapeHtml(token)}</p></body>`) };
	const json = /** @type {Record<string, unknown>} */ (reply.json);
	if (Array.isArray(json.errors)) return { ...reply, json: { ...json, errors: json.errors.map((error) => `${error} (${token})`) } };
	return { ...reply, json: { ...json, message: `signed with ${token}` } };
}

/**
 * Whether a request is about one of the failExternalIds: the external_id of a POST body (addUpdate,
 * invoice/send), or of a GET's path. A body that is not a JSON object names none.
 * @param {{ externalId: string } | null} route
 * @param {string | null} body
 * @param {string[]} ids
 */
function namesFailingId(route, body, ids) {
	if (ids.length === 0 || !route) return false;
	if (route.externalId !== '') return ids.includes(route.externalId);
	if (body === null) return false;
	let parsed;
	try {
		parsed = JSON.parse(body);
	} catch {
		return false;
	}
	const externalId = typeof parsed === 'object' && parsed !== null ? parsed.external_id : undefined;
	return typeof externalId === 'string' && ids.includes(externalId);
}

/**
 * @param {SandboxOptions} [options]
 * @returns {Promise<Sandbox>}
 */
async function startSandbox(options = {}) {
	const siteId = options.siteId ?? DEFAULT_SITE_ID;
	const token = options.token ?? DEFAULT_TOKEN;
	const start = mergeKnobs(defaultKnobs(), options.knobs ?? {});
	if (start.errors.length) throw new Error(`invalid sandbox knobs: ${start.errors.join('; ')}`);
	let knobs = start.knobs;
	const webhooks = createWebhooks({ getKnobs: () => knobs, siteUrl: null, allowRemote: options.allowRemoteWebhooks === true });
	if (!webhooks.setSiteUrl(options.siteWebhookUrl ?? null)) throw new Error(`invalid siteWebhookUrl: ${options.siteWebhookUrl}`);
	// Known once the server listens; the store reads it whenever it answers an invoice's link.
	let baseUrl = '';
	const store = createStore(options.dbFile ?? ':memory:', {
		paymentLink: (invoiceId) => `${baseUrl}/pay/${invoiceId}`,
		// Each payment request "sent" is delivered at once, and Hyfin says so to the webhooks.
		onNotify: (recorded) => {
			for (const { site_id, invoice_external_id, channel, to } of recorded) {
				const invoice = store.getInvoice(site_id, invoice_external_id);
				if (invoice) webhooks.notification(site_id, invoice, notificationMessage('delivered', channel, to), false);
			}
		},
	});
	const traffic = createTraffic(() => knobs);
	const stats = createStats();
	let closed = false;

	/** @param {unknown} patch @returns {string[]} */
	function applyKnobs(patch) {
		const merged = mergeKnobs(knobs, patch);
		if (merged.errors.length) return merged.errors;
		const before = knobs;
		knobs = merged.knobs;
		const seedSet = Object.prototype.hasOwnProperty.call(patch, 'seed');
		traffic.knobsChanged(before, knobs, seedSet);
		if (seedSet) webhooks.reseed(knobs.seed);
		return [];
	}

	const statsNow = () => ({
		...stats.snapshot(),
		customers: store.count(),
		inFlight: traffic.inFlight(),
		peakInFlight: traffic.peakInFlight(),
	});

	function reset() {
		webhooks.reset();
		store.clear();
		stats.reset();
		traffic.reset();
	}

	const apiContext = { store, siteId, token, knobs: () => knobs };
	const sandboxContext = { store, siteId, getKnobs: () => knobs, mergeKnobs: applyKnobs, stats: statsNow, reset, webhooks };

	/**
	 * Every /api/ request, known route or not, meets the knobs in the order a real deployment
	 * would: the gateway's rate limit, the server's capacity, latency, then faults.
	 * @param {Request} req
	 * @param {Response} res
	 * @param {URL} url
	 */
	async function handleApi(req, res, url) {
		const method = req.method ?? 'GET';
		const route = matchApiRoute(method, url.pathname);
		const routeName = route?.route ?? UNMATCHED;
		/** @param {number | 'reset' | 'hang' | 'cutOff'} outcome */
		const count = (outcome) => stats.request(routeName, outcome);
		stats.received();

		const retryAfterSec = traffic.rateLimitRetryAfterSec();
		if (retryAfterSec !== null) {
			stats.rateLimited();
			count(429);
			sendErrors(res, 429, ['rate limit exceeded'], { 'retry-after': String(retryAfterSec) });
			return;
		}
		if (!traffic.tryEnter()) {
			stats.overloaded();
			count(503);
			sendErrors(res, 503, ['too many requests in flight'], knobs.overloadRetryAfter ? { 'retry-after': String(knobs.retryAfterSec) } : {});
			return;
		}
		// 'close' fires both when the answer is sent and when the connection dies (reset, hang, client gone).
		res.once('close', () => traffic.leave());

		const body = await readBody(req);
		const delayMs = traffic.delayMs();
		// Decided before anything is processed: these faults store nothing (see faultResetAfterStore below).
		const fault = traffic.pickFault();
		if (delayMs > 0) await sleep(delayMs);
		if (closed) {
			req.socket.destroy();
			return;
		}
		// Chosen records fail every time, whatever was drawn (the draw is still made, so the seeded
		// sequence of the other requests does not shift). Counted by status, not as a random fault.
		if (namesFailingId(route, body, knobs.failExternalIds)) {
			count(502);
			return sendHtml(res, 502, badGatewayPage());
		}
		if (fault) stats.fault(fault);
		switch (fault) {
			case 'fault500':
				count(500);
				return sendErrors(res, 500, ['internal server error']);
			case 'fault502Html':
				count(502);
				return sendHtml(res, 502, badGatewayPage());
			case 'fault429':
				count(429);
				return sendErrors(res, 429, ['rate limit exceeded'], { 'retry-after': String(knobs.retryAfterSec) });
			case 'fault503':
				count(503);
				return sendErrors(res, 503, ['service unavailable'], { 'retry-after': String(knobs.retryAfterSec) });
			case 'faultReset':
				count('reset');
				req.socket.destroy();
				return;
			case 'faultHang':
				// Never answered; the socket stays open until the client gives up or close() ends it.
				count('hang');
				return;
		}

		/** @type {Reply} */
		let reply = route
			? route.handle(apiContext, {
					token: /** @type {string | undefined} */ (req.headers['x-access-token']),
					siteId: route.siteId,
					externalId: route.externalId,
					body,
				})
			: { status: 404, html: notFoundPage(method, url.pathname) };
		// faultResetAfterStore, faultTruncated and faultCutOff are applied AFTER processing, on
		// purpose: the record IS stored (and an invoice's customer notified) and only the answer is
		// lost, as when a proxy cuts the upstream's answer. A client that retries must then see
		// action "updated" with the same _id, which is what idempotent retries rely on, and a client
		// that sends invoices must not send one twice.
		if (fault === 'faultResetAfterStore') {
			count('reset');
			req.socket.destroy();
			return;
		}
		const token = req.headers['x-access-token'];
		if (typeof token === 'string' && token !== '' && traffic.echoesToken()) reply = echoingToken(reply, token);
		if (fault === 'faultCutOff') {
			count('cutOff');
			sendCutOff(res, reply);
			return;
		}
		count(reply.status);
		if (fault === 'faultTruncated') sendTruncated(res, reply);
		else send(res, reply);
	}

	/**
	 * @param {Request} req
	 * @param {Response} res
	 */
	async function handle(req, res) {
		// Resolved against a fixed origin with the path forced to start with one '/', so '//x' stays a path.
		const url = new URL(`http://${HOST}/${(req.url ?? '/').replace(/^\/+/, '')}`);
		if (url.pathname.startsWith('/api/')) return handleApi(req, res, url);
		if (await handleSandboxRoute(sandboxContext, req, res, url)) {
			if (!url.pathname.startsWith('/__sandbox/')) stats.request(`${req.method} ${url.pathname}`, res.statusCode);
			return;
		}
		stats.request(UNMATCHED, 404);
		sendHtml(res, 404, notFoundPage(req.method ?? 'GET', url.pathname));
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch((/** @type {unknown} */ error) => {
			// Nobody is left to tell, and a client hanging up is not the sandbox's failure.
			if (req.destroyed && !req.complete) return;
			console.error('hyfin sandbox: request failed:', error instanceof Error ? error.message : error);
			if (res.headersSent) res.destroy();
			else sendErrors(res, 500, ['internal server error']);
		});
	});

	try {
		await new Promise((resolve, reject) => {
			server.once('error', reject);
			server.listen(options.port ?? 0, HOST, () => resolve(undefined));
		});
	} catch (error) {
		webhooks.close();
		store.close();
		throw error;
	}

	const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
	baseUrl = `http://${HOST}:${port}`;
	/** @type {Promise<void> | null} */
	let closing = null;

	return {
		url: `${baseUrl}/`,
		baseUrl,
		siteId,
		token,
		port,
		store,
		setKnobs(patch) {
			const errors = applyKnobs(patch);
			if (errors.length) throw new Error(`invalid sandbox knobs: ${errors.join('; ')}`);
			return knobs;
		},
		getKnobs: () => knobs,
		stats: statsNow,
		reset,
		setSiteWebhook(url) {
			if (!webhooks.setSiteUrl(url)) throw new Error(`invalid site webhook URL: ${url}`);
		},
		getSiteWebhook: webhooks.siteUrl,
		webhooks: webhooks.list,
		waitForWebhooks: webhooks.waitFor,
		close() {
			closing ??= new Promise((resolve) => {
				closed = true;
				webhooks.close();
				server.close(() => {
					store.close();
					resolve();
				});
				// Ends keep-alive and hung connections too, which server.close() alone would wait for.
				server.closeAllConnections();
			});
			return closing;
		},
	};
}

module.exports = { startSandbox, CALM, DEFAULT_SITE_ID, DEFAULT_TOKEN };
