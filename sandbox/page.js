'use strict';
/**
 * The HTML the sandbox serves: the merchant's view of its customers, invoices (with the
 * notifications sent, the payments made, and a Pay button that pays as a customer would), products
 * and the webhooks sent, and the error pages a web server or proxy would send instead of Hyfin's JSON.
 */

/** @typedef {import('./server').StoredCustomer} StoredCustomer */
/** @typedef {import('./server').StoredInvoice} StoredInvoice */
/** @typedef {import('./server').StoredProduct} StoredProduct */
/** @typedef {import('./server').SandboxCounts} SandboxCounts */
/** @typedef {import('./server').WebhookMessage} WebhookMessage */

const PAGE_SIZE = 100;

/**
 * Everything a client sent passes through here before it reaches HTML, attributes included.
 * @param {unknown} value
 */
function escapeHtml(value) {
	return String(value ?? '')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1d2433; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e3e6ec; vertical-align: top; }
th { background: #f4f6f9; font-weight: 600; }
ul { margin: 0; padding-left: 1rem; }
td.id { font-family: ui-monospace, monospace; font-size: 12px; color: #566; }
.muted { color: #8a93a3; }
nav a { margin-right: 1rem; }
`;

/**
 * @param {string} title
 * @param {string} body already-escaped HTML
 */
function layout(title, body) {
	return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
${body}
</body>
</html>
`;
}

/** @param {boolean} on */
const yesNo = (on) => (on ? 'yes' : '<span class="muted">no</span>');

/** @param {StoredCustomer} c */
function customerRow(c) {
	return `<tr>
<td>${escapeHtml(`${c.first_name} ${c.last_name}`)}</td>
<td>${escapeHtml(c.account_name)}</td>
<td>${escapeHtml(c.mobile_phone)}</td>
<td>${escapeHtml(c.email)}</td>
<td>${yesNo(c.notification_options.notify_phone)}</td>
<td>${yesNo(c.notification_options.notify_email)}</td>
<td>${yesNo(c.active)}</td>
<td class="id">${escapeHtml(c.external_id)}</td>
<td class="id">${escapeHtml(c._id)}</td>
<td>${escapeHtml(c.updated_at)}</td>
</tr>`;
}

/**
 * @param {string} id
 * @param {string[]} headers
 * @param {string[]} rows each already `<tr>…</tr>`
 * @param {string} empty what the one row says when there are none (escaped)
 */
function table(id, headers, rows, empty) {
	const body = rows.length ? rows.join('\n') : `<tr><td colspan="${headers.length}" class="muted">${escapeHtml(empty)}</td></tr>`;
	return `<table id="${id}">
<thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody>
</table>`;
}

/** @param {unknown} amount */
const money = (amount) => (typeof amount === 'number' ? amount.toFixed(2) : '');

/** @param {string[]} items already-escaped HTML */
const list = (items) => (items.length ? `<ul>${items.map((item) => `<li>${item}</li>`).join('')}</ul>` : '<span class="muted">none</span>');

/** @param {StoredInvoice} invoice */
function invoiceRow(invoice) {
	const customer = invoice.customer
		? escapeHtml(`${invoice.customer.first_name} ${invoice.customer.last_name} (${invoice.customer.external_id})`)
		: `<a href="${escapeHtml(invoice.link)}">payment link</a>`;
	const lines = invoice.lines.map((line) => {
		const what = line.product?.name ?? line.description ?? '';
		const qty = line.qty === undefined ? '' : `${line.qty} × ${money(line.unit_price)} `;
		return escapeHtml(`${what} ${qty}= ${money(line.total)}`.trim());
	});
	const notifications = invoice.notifications.map((n) => escapeHtml(`${n.description} · ${n.at}`));
	const payments = invoice.payments.map((p) => escapeHtml(`${p.display_name} · ${money(p.total)} · ${p.status} · ${p.paid_on}`));
	return `<tr>
<td>${escapeHtml(invoice.invoice_number)}</td>
<td>${customer}</td>
<td>${escapeHtml(invoice.description)}</td>
<td>${list(lines)}</td>
<td>${money(invoice.totals.taxes)}</td>
<td>${money(invoice.totals.total)}</td>
<td>${escapeHtml(invoice.invoice_date)}</td>
<td>${escapeHtml(invoice.due_date)}</td>
<td>${yesNo(invoice.active)}</td>
<td>${list(notifications)}</td>
<td>${list(payments)}</td>
<td class="id">${escapeHtml(invoice.external_id)}</td>
<td class="id">${escapeHtml(invoice._id)}</td>
<td>${escapeHtml(invoice.updated_at)}</td>
<td><form method="post" action="/__sandbox/invoices/${escapeHtml(encodeURIComponent(invoice.external_id))}/pay"><button>Pay</button></form></td>
</tr>`;
}

/** @param {WebhookMessage} message */
function webhookRow(message) {
	const attempts = message.attempts.map((a) => escapeHtml(`${a.at} · ${a.status ?? a.error}`));
	return `<tr>
<td>${escapeHtml(message.id)}</td>
<td>${escapeHtml(message.url)}</td>
<td>${escapeHtml(message.action)}</td>
<td>${list(attempts)}</td>
<td>${yesNo(message.delivered)}</td>
<td>${escapeHtml(message.next_attempt_at)}</td>
</tr>`;
}

/** @param {StoredProduct} product */
function productRow(product) {
	return `<tr>
<td>${escapeHtml(product.name)}</td>
<td>${escapeHtml(product.description)}</td>
<td>${escapeHtml(product.unit_price)}</td>
<td>${yesNo(product.active)}</td>
<td class="id">${escapeHtml(product.external_id)}</td>
<td class="id">${escapeHtml(product._id)}</td>
<td>${escapeHtml(product.updated_at)}</td>
</tr>`;
}

/** @param {number} n @param {string} noun */
const counted = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * @param {{ siteId: string, customers: StoredCustomer[], total: number, page: number, invoices: StoredInvoice[],
 *   products: StoredProduct[], counts: SandboxCounts, webhooks: WebhookMessage[], webhookCount: number }} view
 *   `customers` is page `page` (1-based) of PAGE_SIZE, newest first; `invoices` and `products` the
 *   PAGE_SIZE most recently updated; `webhooks` the PAGE_SIZE latest messages, newest first
 */
function merchantPage({ siteId, customers, total, page, invoices, products, counts, webhooks, webhookCount }) {
	const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
	const first = total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
	const last = (page - 1) * PAGE_SIZE + customers.length;
	const nav = [
		page > 1 ? `<a href="/?page=${page - 1}">&larr; newer</a>` : '',
		page < pages ? `<a href="/?page=${page + 1}">older &rarr;</a>` : '',
	].join('');
	const latest = (/** @type {number} */ shown, /** @type {number} */ all) =>
		shown < all ? ` · showing the ${shown} most recently updated` : '';
	return layout(
		`Customers · ${siteId} · Hyfin sandbox`,
		`<h1>Customers</h1>
<p>Site <strong>${escapeHtml(siteId)}</strong> · <strong id="total">${total}</strong> customer${total === 1 ? '' : 's'}${
			total ? ` · showing ${first}–${last}, most recently updated first` : ''
		}</p>
${table(
	'customers',
	['Name', 'Account', 'Mobile phone', 'Email', 'Notify by text', 'Notify by email', 'Active', 'External ID', '_id', 'Updated'],
	customers.map(customerRow),
	'No customers yet: send one to POST /api/v3/site/{site_id}/customer/addUpdate',
)}
<nav>${nav}</nav>
<h2>Invoices</h2>
<p id="invoice-counts">${counted(counts.invoices, 'invoice')} · ${counted(counts.notifications, 'notification')} sent · ${counted(
			counts.payments,
			'payment',
		)}${latest(invoices.length, counts.invoices)}</p>
${table(
	'invoices',
	[
		'Number',
		'Customer',
		'Description',
		'Lines',
		'Taxes',
		'Total',
		'Date',
		'Due',
		'Active',
		'Notifications',
		'Payments',
		'External ID',
		'_id',
		'Updated',
		'',
	],
	invoices.map(invoiceRow),
	'No invoices yet: send one to POST /api/v3/site/{site_id}/invoice/addUpdate',
)}
<h2>Products</h2>
<p id="product-counts">${counted(counts.products, 'product')}${latest(products.length, counts.products)}</p>
${table(
	'products',
	['Name', 'Description', 'Unit price', 'Active', 'External ID', '_id', 'Updated'],
	products.map(productRow),
	'No products yet: send one to POST /api/v3/site/{site_id}/product/addUpdate',
)}
<h2>Webhooks</h2>
<p id="webhook-counts">${counted(webhookCount, 'message')}${latest(webhooks.length, webhookCount)}</p>
${table(
	'webhooks',
	['#', 'URL', 'Action', 'Attempts', 'Delivered', 'Next attempt'],
	webhooks.map(webhookRow),
	"No webhooks yet: an invoice's webhook_url or the site's URL gets one when an invoice is paid or notified",
)}
<p class="muted">Hyfin sandbox: a local stand-in for the Hyfin API, not Hyfin.</p>`,
	);
}

/**
 * What a web server answers for a path it has no route for: HTML, so a client pointed at a wrong
 * base URL can tell it did not reach Hyfin's JSON API.
 * @param {string} method
 * @param {string} path
 */
function notFoundPage(method, path) {
	return layout('404 Not Found', `<h1>Not Found</h1><pre>Cannot ${escapeHtml(method)} ${escapeHtml(path)}</pre>`);
}

/** What a proxy in front of the API answers when the API behind it failed. */
function badGatewayPage() {
	return `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`;
}

module.exports = { PAGE_SIZE, escapeHtml, merchantPage, notFoundPage, badGatewayPage };
