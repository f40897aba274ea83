import http from 'node:http';
import { CALM, type Sandbox, type SandboxKnobs } from '../../sandbox/server';

// knobs.js has no declaration file of its own; this is the one function the tests use.
export const { knobsFromFlags } = require('../../sandbox/knobs') as {
	knobsFromFlags(byFlag: Record<string, string | undefined>): { patch: Partial<SandboxKnobs>; errors: string[] };
};

/** The sample request of the Hyfin document, verbatim. */
export const JOHN = {
	external_id: '39772634',
	first_name: 'John',
	last_name: 'Doe',
	account_name: '',
	mobile_phone: '111-222-3333',
	email: 'johndoe@abc.com',
	notes: "World's best customer",
	active: true,
	notification_options: { notify_phone: true, notify_email: true },
};

/** Sample Request 2 of Add/Update Invoice (reference §3.3), without the part the excerpt cut off. */
export const INVOICE = {
	external_id: '439772921',
	invoice_number: '12345',
	description: '',
	customer_memo: 'Thank you for your business!',
	internal_memo: '',
	invoice_date: '2022-12-01',
	invoice_term_name: null,
	expire_at: '2023-01-01',
	totals: { taxes: 2.85, total: 30 },
	customer: {
		external_id: '39772634',
		first_name: 'John',
		last_name: 'Doe',
		mobile_phone: '111-222-3333',
		email: 'johndoe@abc.com',
	},
	lines: [
		{
			description: '',
			product: { external_id: '62331255', name: 'Mens Large T-shirt', unit_price: 15 },
			unit_price: 15,
			qty: 2,
			total: 30,
		},
	],
};

/** Sample Request 1 of Add/Update Invoice: a description and no lines. */
export const INVOICE_NO_LINES = {
	external_id: '439772922',
	invoice_number: '12346',
	description: 'Merchandise Bundle',
	totals: { total: 45.99 },
};

/** The documented Add/Update Product sample. */
export const PRODUCT = { external_id: '39772641', name: "Men's Large T-Shirt", unit_price: 14.99, active: true };

/** The Add/Update Payment sample (the 4.0 one's values, with the 3.0 table's external_id and invoice reference). */
export const PAYMENT = {
	external_id: '65432325',
	gateway_transaction_id: '53912387124235234',
	payment_type: 'payment_card',
	payment_sub_type: 'visa',
	display_name: 'VISA **** 5123',
	amount: 35.15,
	paid_on: '2021-01-01T14:32:18Z',
	status: 'captured',
	invoice: { external_id: INVOICE.external_id },
};

/** A copy of the object without these fields. */
export function without(object: object, ...fields: string[]): Record<string, unknown> {
	const copy: Record<string, unknown> = { ...object };
	for (const field of fields) delete copy[field];
	return copy;
}

/** Today in UTC, as the sandbox defaults invoice_date and due_date. */
export const today = (): string => new Date().toISOString().slice(0, 10);

/** Knobs that leave the API alone, with a fixed seed. */
export { CALM };

/** What /__sandbox/stats says when no fault was injected. */
export const NO_FAULTS = {
	fault429: 0,
	fault500: 0,
	fault502Html: 0,
	fault503: 0,
	faultReset: 0,
	faultHang: 0,
	faultTruncated: 0,
	faultCutOff: 0,
	faultResetAfterStore: 0,
};

export const OBJECT_ID = /^[0-9a-f]{24}$/;
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface Answer {
	status: number;
	headers: Headers;
	text: string;
	/** The parsed body, or undefined when it is not JSON. Tests assert its shape, so they read it freely. */
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	json: any;
}

async function answer(res: Response): Promise<Answer> {
	const text = await res.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, json };
}

interface CallOptions {
	/** null sends no x-access-token header at all. */
	token?: string | null;
	siteId?: string;
	signal?: AbortSignal;
}

function headers(sandbox: Sandbox, token: string | null | undefined): Record<string, string> {
	const chosen = token === undefined ? sandbox.token : token;
	return {
		'content-type': 'application/json',
		...(chosen === null ? {} : { 'x-access-token': chosen }),
	};
}

/** The URL of a Hyfin path under the site, e.g. `invoice/addUpdate`. */
export function apiUrl(sandbox: Sandbox, path: string, siteId = sandbox.siteId): string {
	return `${sandbox.baseUrl}/api/v3/site/${encodeURIComponent(siteId)}/${path}`;
}

export function addUpdateUrl(sandbox: Sandbox, siteId = sandbox.siteId): string {
	return apiUrl(sandbox, 'customer/addUpdate', siteId);
}

/** POST a Hyfin path under the site; a string body is sent as is, anything else as JSON. */
export async function post(sandbox: Sandbox, path: string, body: unknown, options: CallOptions = {}): Promise<Answer> {
	const res = await fetch(apiUrl(sandbox, path, options.siteId), {
		method: 'POST',
		headers: headers(sandbox, options.token),
		body: typeof body === 'string' ? body : JSON.stringify(body),
		signal: options.signal,
	});
	return answer(res);
}

/** GET `<resource>/<external_id>` under the site, the id URL-encoded. */
export async function get(sandbox: Sandbox, resource: string, externalId: string, options: CallOptions = {}): Promise<Answer> {
	const res = await fetch(apiUrl(sandbox, `${resource}/${encodeURIComponent(externalId)}`, options.siteId), {
		headers: headers(sandbox, options.token),
		signal: options.signal,
	});
	return answer(res);
}

/** POST customer/addUpdate. */
export const addUpdate = (sandbox: Sandbox, body: unknown, options: CallOptions = {}): Promise<Answer> =>
	post(sandbox, 'customer/addUpdate', body, options);

export const getCustomer = (sandbox: Sandbox, externalId: string, options: CallOptions = {}): Promise<Answer> =>
	get(sandbox, 'customer', externalId, options);

/** Any request to the sandbox, answer read whole. */
export async function call(sandbox: Sandbox, path: string, init: RequestInit = {}): Promise<Answer> {
	return answer(await fetch(`${sandbox.baseUrl}${path}`, init));
}

/** Back to an empty, well-behaved sandbox between tests. */
export function calmDown(sandbox: Sandbox): void {
	sandbox.setKnobs(CALM);
	sandbox.reset();
}

/** The rows of one of the merchant page's tables (`customers`, `invoices`, `products`), each cell's HTML. */
export function pageRows(html: string, table = 'customers'): string[][] {
	const body = new RegExp(`<table id="${table}">[\\s\\S]*?<tbody>([\\s\\S]*?)</tbody>`).exec(html)?.[1] ?? '';
	return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
		[...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]),
	);
}

export async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/** What a webhook receiver got: one POST. */
export interface Received {
	method: string | undefined;
	headers: import('node:http').IncomingHttpHeaders;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	body: any;
	at: number;
}

export interface Receiver {
	url: string;
	received: Received[];
	/** The statuses of the next answers, in order ('hang': never answered); 200 when empty. */
	answers: (number | 'hang')[];
	close(): Promise<void>;
}

/** A local webhook receiver (node:http, port 0) that records each POST and answers as told. */
export async function startReceiver(): Promise<Receiver> {
	const received: Received[] = [];
	const answers: (number | 'hang')[] = [];
	const server = http.createServer((req, res) => {
		let text = '';
		req.setEncoding('utf8');
		req.on('data', (chunk: string) => (text += chunk));
		req.on('end', () => {
			received.push({ method: req.method, headers: req.headers, body: JSON.parse(text), at: Date.now() });
			const status = answers.shift() ?? 200;
			if (status !== 'hang') res.writeHead(status, { 'content-type': 'application/json' }).end('{"received":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as import('node:net').AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/webhook/hyfin`,
		received,
		answers,
		close: () => {
			server.closeAllConnections();
			return new Promise((resolve) => server.close(() => resolve()));
		},
	};
}
