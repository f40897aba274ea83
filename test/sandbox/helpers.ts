import { CALM, type Sandbox } from '../../sandbox/server';

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

export function addUpdateUrl(sandbox: Sandbox, siteId = sandbox.siteId): string {
	return `${sandbox.baseUrl}/api/v3/site/${encodeURIComponent(siteId)}/customer/addUpdate`;
}

/** POST addUpdate; a string body is sent as is, anything else as JSON. */
export async function addUpdate(sandbox: Sandbox, body: unknown, options: CallOptions = {}): Promise<Answer> {
	const res = await fetch(addUpdateUrl(sandbox, options.siteId), {
		method: 'POST',
		headers: headers(sandbox, options.token),
		body: typeof body === 'string' ? body : JSON.stringify(body),
		signal: options.signal,
	});
	return answer(res);
}

export async function getCustomer(sandbox: Sandbox, externalId: string, options: CallOptions = {}): Promise<Answer> {
	const siteId = encodeURIComponent(options.siteId ?? sandbox.siteId);
	const res = await fetch(`${sandbox.baseUrl}/api/v3/site/${siteId}/customer/${encodeURIComponent(externalId)}`, {
		headers: headers(sandbox, options.token),
		signal: options.signal,
	});
	return answer(res);
}

/** Any request to the sandbox, answer read whole. */
export async function call(sandbox: Sandbox, path: string, init: RequestInit = {}): Promise<Answer> {
	return answer(await fetch(`${sandbox.baseUrl}${path}`, init));
}

/** Back to an empty, well-behaved sandbox between tests. */
export function calmDown(sandbox: Sandbox): void {
	sandbox.setKnobs(CALM);
	sandbox.reset();
}

export async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
