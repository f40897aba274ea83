'use strict';
/**
 * The HTML the sandbox serves: the merchant's read-only list of customers, and the error pages a
 * web server or proxy would send instead of Hyfin's JSON.
 */

/** @typedef {import('./server').StoredCustomer} StoredCustomer */

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
 * @param {{ siteId: string, customers: StoredCustomer[], total: number, page: number }} view
 *   `customers` is page `page` (1-based) of PAGE_SIZE, newest first
 */
function customersPage({ siteId, customers, total, page }) {
	const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
	const first = total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
	const last = (page - 1) * PAGE_SIZE + customers.length;
	const nav = [
		page > 1 ? `<a href="/?page=${page - 1}">&larr; newer</a>` : '',
		page < pages ? `<a href="/?page=${page + 1}">older &rarr;</a>` : '',
	].join('');
	const rows = customers.length
		? customers.map(customerRow).join('\n')
		: '<tr><td colspan="10" class="muted">No customers yet: send one to POST /api/v3/site/{site_id}/customer/addUpdate</td></tr>';
	return layout(
		`Customers · ${siteId} · Hyfin sandbox`,
		`<h1>Customers</h1>
<p>Site <strong>${escapeHtml(siteId)}</strong> · <strong id="total">${total}</strong> customer${total === 1 ? '' : 's'}${
			total ? ` · showing ${first}–${last}, most recently updated first` : ''
		}</p>
<table>
<thead><tr><th>Name</th><th>Account</th><th>Mobile phone</th><th>Email</th><th>Notify by text</th><th>Notify by email</th><th>Active</th><th>External ID</th><th>_id</th><th>Updated</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<nav>${nav}</nav>
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

module.exports = { PAGE_SIZE, escapeHtml, customersPage, notFoundPage, badGatewayPage };
