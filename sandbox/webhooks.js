'use strict';
/**
 * Hyfin's webhooks, sent by the sandbox as reference §4 describes them: a JSON POST of
 * `{action, data}` to the invoice's webhook_url and to the site's webhook URL; a receiver that does
 * not answer 200 within webhookTimeoutMs has failed, and the message is re-sent 5 minutes, 1 hour,
 * 2 hours, 24 hours and 48 hours after the first try (times webhookTimeScale), then given up.
 * Every message and attempt is kept, for tests to read.
 *
 * Readings of what the documents leave open (the README lists them all):
 * - The schedule's times count from the first try; an attempt is due at once when the one before it
 *   outlasted its slot. Only a 200 counts (another 2xx or a redirect has failed).
 * - The answer, status and body, must arrive within the time; no signature header (none documented).
 * - An invoice's URL and the site's both get the message; the same URL once.
 */
const http = require('node:http');
const https = require('node:https');
const { mulberry32 } = require('./traffic');
const { isHttpUrl } = require('./validate');

/** @typedef {import('./server').SandboxKnobs} Knobs */
/** @typedef {import('./server').StoredInvoice} StoredInvoice */
/** @typedef {import('./server').StoredCustomer} StoredCustomer */
/** @typedef {import('./server').StoredPayment} StoredPayment */
/** @typedef {import('./server').WebhookMessage} WebhookMessage */
/** @typedef {import('./server').WebhookAttempt} WebhookAttempt */
/** @typedef {import('./server').WebhookPayload} WebhookPayload */
/**
 * @typedef {{ message: WebhookMessage, firstAt: number, timer: NodeJS.Timeout | null,
 *   request: AbortController | null, resendDrawn: boolean }} Entry
 *   firstAt: when the first try started (ms); resendDrawn: whether webhookResendDelivered was drawn
 * @typedef {ReturnType<typeof createWebhooks>} Webhooks
 */

const MINUTE = 60_000;
/** Re-sent this long after the first try (reference §4.1: #1 to #5), before webhookTimeScale. */
const RESEND_AFTER_MS = [5 * MINUTE, 60 * MINUTE, 120 * MINUTE, 24 * 60 * MINUTE, 48 * 60 * MINUTE];
const USER_AGENT = 'Hyfin-Webhooks-Sandbox/1.0';
/** The sandbox's one merchant: the documented samples' id. */
const MERCHANT_ID = '123123123123';
/** A long-running demo keeps the latest messages; the oldest settled ones go first. */
const MAX_MESSAGES = 10_000;

/** @param {string} url */
function isLoopback(url) {
	const host = new URL(url).hostname;
	return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * One POST, on a connection of its own.
 * @param {string} url
 * @param {string} body JSON
 * @param {number} timeoutMs for the whole answer, body included
 * @param {AbortSignal} signal
 * @returns {Promise<{ status: number } | { error: string }>}
 */
function postJson(url, body, timeoutMs, signal) {
	return new Promise((resolve) => {
		const client = url.startsWith('https:') ? https : http;
		const headers = {
			'content-type': 'application/json',
			'content-length': Buffer.byteLength(body),
			'user-agent': USER_AGENT,
		};
		const req = client.request(url, { method: 'POST', headers, agent: false, signal }, (res) => {
			res.on('error', (error) => settle({ error: error.message }));
			res.on('end', () => settle({ status: res.statusCode ?? 0 }));
			res.on('close', () => settle({ error: 'the connection closed before the answer ended' }));
			res.resume();
		});
		const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
		/** @param {{ status: number } | { error: string }} outcome */
		const settle = (outcome) => {
			clearTimeout(timer);
			resolve(outcome);
		};
		req.on('error', (error) => settle({ error: error.message }));
		req.end(body);
	});
}

/** @param {number} amount dollars */
const cents = (amount) => Math.round(amount * 100);

/**
 * The payment webhook (reference §4.2), in 3.x's shape or 4.0's.
 * @param {Knobs['webhookShape']} shape
 * @param {string} siteId
 * @param {StoredInvoice} invoice
 * @param {StoredCustomer | null} customer the invoice's
 * @param {StoredPayment} payment
 * @returns {WebhookPayload}
 */
function paymentPayload(shape, siteId, invoice, customer, payment) {
	const tax = payment.tax ?? 0;
	const tip = payment.tip ?? 0;
	const fee = payment.fee ?? 0;
	const type = payment.payment_type ?? 'payment_card';
	const subType = payment.payment_sub_type ?? 'visa';
	if (shape === '3.x') {
		return {
			action: 'payment',
			data: {
				id: payment._id,
				site: { external_id: siteId, merchant_id: MERCHANT_ID },
				invoice: { external_id: invoice.external_id },
				...(customer ? { customer: { external_id: customer.external_id } } : {}),
				gateway_transaction_id: payment.gateway_transaction_id,
				payment_type: type,
				payment_sub_type: subType,
				display_name: payment.display_name,
				amount: payment.total,
				tax,
				tip,
				fee,
				paid_on: payment.paid_on,
				status: 'paid',
				transaction_type: 'capture',
			},
		};
	}
	const amount = cents(payment.total);
	// As the 4.0 sample adds up: amount = total + extraFees + tips, total = subtotal + taxes.
	const total = amount - cents(tip) - cents(fee);
	return {
		action: 'payment',
		data: {
			id: payment._id,
			site: siteId,
			...(customer ? { customer: customer._id } : {}),
			type,
			subType,
			displayName: payment.display_name,
			amount,
			totals: { subtotal: total - cents(tax), taxes: cents(tax), total, extraFees: cents(fee), tips: cents(tip) },
			paidOn: payment.paid_on,
			status: 'captured',
			allocations: [{ refType: 'Invoice', ref: invoice._id, amount: total }],
			paymentTransactionEvents: [
				{ type: 'sale', amount, successful: true, createdAt: payment.paid_on, transactionId: payment.gateway_transaction_id },
			],
		},
	};
}

/**
 * The notification webhook (reference §4.3).
 * @param {Knobs['webhookShape']} shape
 * @param {string} siteId
 * @param {StoredInvoice} invoice
 * @param {string} message
 * @param {boolean} error
 * @returns {WebhookPayload}
 */
function notificationPayload(shape, siteId, invoice, message, error) {
	if (shape === '4.0') return { action: 'notification', data: { site: siteId, invoice: invoice._id, message, error } };
	return {
		action: 'notification',
		data: { site: { external_id: siteId, merchant_id: MERCHANT_ID }, invoice: { external_id: invoice.external_id }, message, error },
	};
}

/**
 * A notification's message, in the words of the documented samples.
 * @param {'delivered' | 'clicked' | 'failed'} event
 * @param {'text' | 'email'} channel
 * @param {string} to the phone or email
 */
function notificationMessage(event, channel, to) {
	if (event === 'clicked') return `Customer clicked link via ${channel === 'text' ? 'text message' : 'email'}`;
	return `${channel === 'text' ? 'Text' : 'Email'} to ${to} ${event}`;
}

/**
 * @param {{ getKnobs: () => Knobs, siteUrl: string | null, allowRemote: boolean }} options
 *   getKnobs: read at each event and attempt; siteUrl: the site-level webhook; allowRemote: send to
 *   hosts other than loopback ones
 */
function createWebhooks({ getKnobs, siteUrl, allowRemote }) {
	/** @type {Entry[]} */
	let entries = [];
	let lastId = 0;
	let closed = false;
	let random = mulberry32(getKnobs().seed);
	/** @type {Set<(closing?: Error) => void>} */
	const waiters = new Set();

	const changed = () => waiters.forEach((check) => check());
	const list = () => entries.map((entry) => structuredClone(entry.message));

	/** @param {Entry} entry */
	function cancel(entry) {
		if (entry.timer) clearTimeout(entry.timer);
		entry.timer = null;
		entry.request?.abort();
		entry.request = null;
	}

	/**
	 * @param {Entry} entry
	 * @param {number} delayMs
	 */
	function schedule(entry, delayMs) {
		entry.message.next_attempt_at = new Date(Date.now() + delayMs).toISOString();
		// Unref'd: a pending re-send alone does not keep a script alive (close() cancels it anyway).
		entry.timer = setTimeout(() => attempt(entry), delayMs).unref();
	}

	/** @param {Entry} entry */
	async function attempt(entry) {
		entry.timer = null;
		const started = Date.now();
		if (entry.message.attempts.length === 0) entry.firstAt = started;
		const request = new AbortController();
		entry.request = request;
		const knobs = getKnobs();
		const outcome = await postJson(entry.message.url, JSON.stringify(entry.message.payload), knobs.webhookTimeoutMs, request.signal);
		// Reset or closed meanwhile: this message is forgotten.
		if (request.signal.aborted) return;
		entry.request = null;
		const { message } = entry;
		message.attempts.push({ at: new Date(started).toISOString(), ...outcome });
		message.next_attempt_at = null;
		const scale = getKnobs().webhookTimeScale;
		if (message.delivered) {
			// The one duplicate of a delivered message: it is not re-sent, whatever its answer.
		} else if ('status' in outcome && outcome.status === 200) {
			message.delivered = true;
			const rate = getKnobs().webhookResendDelivered;
			if (!entry.resendDrawn && rate > 0 && random() < rate) schedule(entry, RESEND_AFTER_MS[0] * scale);
			entry.resendDrawn = true;
		} else if (message.attempts.length <= RESEND_AFTER_MS.length) {
			const due = entry.firstAt + RESEND_AFTER_MS[message.attempts.length - 1] * scale;
			schedule(entry, Math.max(0, due - Date.now()));
		}
		changed();
	}

	/**
	 * @param {string} url
	 * @param {WebhookPayload} payload
	 */
	function enqueue(url, payload) {
		/** @type {Entry} */
		const entry = {
			message: { id: ++lastId, url, action: payload.action, payload, attempts: [], delivered: false, next_attempt_at: null },
			firstAt: 0,
			timer: null,
			request: null,
			resendDrawn: false,
		};
		entries.push(entry);
		if (entries.length > MAX_MESSAGES) {
			const oldest = entries.findIndex((e) => e.message.next_attempt_at === null && e.request === null);
			if (oldest >= 0) entries.splice(oldest, 1);
		}
		if (allowRemote || isLoopback(url)) {
			// Never in the way of the answer that caused it: the POST starts once that is written.
			schedule(entry, 0);
		} else {
			const error = `not sent: ${new URL(url).hostname} is not a loopback host (start the sandbox with allowRemoteWebhooks to send there)`;
			entry.message.attempts.push({ at: new Date().toISOString(), error });
		}
		changed();
	}

	/**
	 * Sends the payload to the invoice's webhook_url and the site's URL (once when they are the same).
	 * @param {StoredInvoice} invoice
	 * @param {WebhookPayload} payload
	 * @returns {string[]} the URLs it goes to
	 */
	function send(invoice, payload) {
		if (closed) return [];
		const urls = [...new Set([invoice.webhook_url, siteUrl].filter((url) => url !== null))];
		for (const url of urls) enqueue(url, structuredClone(payload));
		return urls;
	}

	function forget() {
		entries.forEach(cancel);
		entries = [];
	}

	return {
		/**
		 * @param {string} siteId
		 * @param {StoredInvoice} invoice
		 * @param {StoredCustomer | null} customer
		 * @param {StoredPayment} payment
		 */
		payment: (siteId, invoice, customer, payment) =>
			send(invoice, paymentPayload(getKnobs().webhookShape, siteId, invoice, customer, payment)),
		/**
		 * @param {string} siteId
		 * @param {StoredInvoice} invoice
		 * @param {string} message
		 * @param {boolean} error
		 */
		notification: (siteId, invoice, message, error) =>
			send(invoice, notificationPayload(getKnobs().webhookShape, siteId, invoice, message, error)),
		siteUrl: () => siteUrl,
		/**
		 * @param {unknown} url an absolute http(s) URL, or null for none
		 * @returns {boolean} false (nothing changed) when it is neither
		 */
		setSiteUrl(url) {
			if (url !== null && !isHttpUrl(url)) return false;
			siteUrl = /** @type {string | null} */ (url);
			return true;
		},
		list,
		/**
		 * @param {(messages: WebhookMessage[]) => boolean} predicate
		 * @param {number} [timeoutMs]
		 * @returns {Promise<WebhookMessage[]>}
		 */
		waitFor(predicate, timeoutMs = 5000) {
			return new Promise((resolve, reject) => {
				/** @param {Error} [closing] */
				const check = (closing) => {
					try {
						if (closing) throw closing;
						const messages = list();
						if (!predicate(messages)) return;
						resolve(messages);
					} catch (error) {
						reject(error);
					}
					done();
				};
				const timer = setTimeout(() => {
					const seen = list().map(({ id, url, action, attempts, delivered }) => ({ id, url, action, attempts, delivered }));
					check(new Error(`webhooks not as expected within ${timeoutMs} ms: ${JSON.stringify(seen)}`));
				}, timeoutMs);
				const done = () => {
					clearTimeout(timer);
					waiters.delete(check);
				};
				waiters.add(check);
				check();
			});
		},
		/** @param {number} seed */
		reseed(seed) {
			random = mulberry32(seed);
		},
		/** Forgets every message and cancels what was due. */
		reset() {
			forget();
			changed();
		},
		close() {
			closed = true;
			forget();
			waiters.forEach((check) => check(new Error('the sandbox closed')));
		},
	};
}

module.exports = { createWebhooks, notificationMessage, MERCHANT_ID, RESEND_AFTER_MS };
