'use strict';
/** Small helpers for answering with node:http, shared by the routes. */

/** @typedef {import('node:http').IncomingMessage} Request */
/** @typedef {import('node:http').ServerResponse} Response */

/** Far above any customer record; stops a runaway client from filling memory. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * @param {Response} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
function sendJson(res, status, body, headers = {}) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(text),
		...headers,
	});
	res.end(text);
}

/**
 * Hyfin's failure shape: `{"success": false, "errors": [...]}`.
 * @param {Response} res
 * @param {number} status
 * @param {string[]} errors
 * @param {Record<string, string>} [headers]
 */
function sendErrors(res, status, errors, headers) {
	sendJson(res, status, { success: false, errors }, headers);
}

/**
 * @param {Response} res
 * @param {number} status
 * @param {string} html
 */
function sendHtml(res, status, html) {
	res.writeHead(status, {
		'content-type': 'text/html; charset=utf-8',
		'content-length': Buffer.byteLength(html),
		// The pages show what clients sent; even if escaping failed, nothing in them could run.
		'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
		'cache-control': 'no-store',
	});
	res.end(html);
}

/**
 * @param {Request} req
 * @returns {Promise<string | null>} the body as UTF-8, or null when it is over MAX_BODY_BYTES
 */
function readBody(req) {
	return new Promise((resolve, reject) => {
		/** @type {Buffer[]} */
		const chunks = [];
		let size = 0;
		req.on('data', (/** @type {Buffer} */ chunk) => {
			size += chunk.length;
			// Keep reading past the limit (and drop it) so the answer is not cut off by an unread body.
			if (size <= MAX_BODY_BYTES) chunks.push(chunk);
		});
		req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
		// A client that hangs up mid-body may not say so with 'error'; without this the request would wait forever.
		req.on('close', () => {
			if (!req.complete) reject(new Error('the client went away before sending the whole body'));
		});
	});
}

/**
 * Reads and parses a JSON body.
 * @param {Request} req
 * @returns {Promise<{ ok: true, value: unknown } | { ok: false, error: 'invalid json' | 'body too large' }>}
 */
async function readJson(req) {
	const text = await readBody(req);
	if (text === null) return { ok: false, error: 'body too large' };
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return { ok: false, error: 'invalid json' };
	}
}

module.exports = { sendJson, sendErrors, sendHtml, readBody, readJson };
