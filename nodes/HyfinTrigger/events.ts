import { createHash, timingSafeEqual } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

/**
 * Hyfin's webhook messages, as the trigger reads them (shared/hyfin-api/reference.md, section 4):
 * a POSTed JSON `{ action, data }`, in Hyfin 3.x's shape (site, invoice and customer as objects
 * with `external_id`, amounts in dollars) or 4.0's (plain ids, camelCase, amounts in cents).
 */

export type EventKind = 'payment' | 'notification';

export interface HyfinEvent {
	/** `payment`, `notification`, or whatever else Hyfin sent as `action`. */
	event: string;
	/** Which of Hyfin's shapes it is in; `unknown` when neither (it still triggers, with the raw payload). */
	shape: '3.x' | '4.0' | 'unknown';
	invoice_external_id: string | null;
	customer_external_id: string | null;
	payment_id: string | null;
	/** In dollars (4.0 sends cents: divided by 100). */
	amount: number | null;
	status: string | null;
	paid_on: string | null;
	message: string | null;
	error: boolean | null;
	/** The message exactly as Hyfin sent it. */
	payload: IDataObject;
}

const isObject = (value: unknown): value is IDataObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null);
/** A reference: `{ external_id }` in 3.x, a plain id in 4.0. */
const ref = (value: unknown) => (isObject(value) ? text(value.external_id) : text(value));
const numberOf = (value: unknown) =>
	typeof value === 'number' && Number.isFinite(value)
		? value
		: typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)
			? Number(value)
			: null;

export type Parsed = { ok: true; event: HyfinEvent } | { ok: false; reason: string };

/** Reads a webhook body; `ok: false` when it is not Hyfin's `{ action, data }` at all. */
export function parseEvent(body: unknown): Parsed {
	if (!isObject(body)) return { ok: false, reason: 'the body is not a JSON object' };
	if (typeof body.action !== 'string' || body.action === '') return { ok: false, reason: 'it has no "action"' };
	if (!isObject(body.data)) return { ok: false, reason: 'it has no "data" object' };
	const { data } = body;
	const shape =
		isObject(data.site) || isObject(data.invoice)
			? '3.x'
			: typeof data.site === 'string' || typeof data.invoice === 'string'
				? '4.0'
				: 'unknown';
	const amount = numberOf(data.amount);
	return {
		ok: true,
		event: {
			event: body.action,
			shape,
			invoice_external_id:
				ref(data.invoice) ?? (Array.isArray(data.allocations) && isObject(data.allocations[0]) ? text(data.allocations[0].ref) : null),
			customer_external_id: ref(data.customer),
			payment_id: body.action === 'payment' ? text(data.id) : null,
			amount: amount === null ? null : shape === '4.0' ? amount / 100 : amount,
			status: text(data.status),
			paid_on: text(data.paid_on) ?? text(data.paidOn),
			message: text(data.message),
			error: typeof data.error === 'boolean' ? data.error : null,
			payload: body,
		},
	};
}

export interface Filters {
	events: string[];
	/** Payment statuses to keep; empty keeps all. */
	paymentStatuses: string[];
	/** Which notifications to keep. */
	notifications: 'all' | 'failed' | 'succeeded';
}

/** Whether the user's filters keep an event. An action Hyfin may add later is kept only when nothing filters by kind. */
export function keeps(event: HyfinEvent, filters: Filters): boolean {
	if (event.event === 'payment') {
		if (!filters.events.includes('payment')) return false;
		return filters.paymentStatuses.length === 0 || (event.status !== null && filters.paymentStatuses.includes(event.status));
	}
	if (event.event === 'notification') {
		if (!filters.events.includes('notification')) return false;
		if (filters.notifications === 'failed') return event.error === true;
		if (filters.notifications === 'succeeded') return event.error !== true;
		return true;
	}
	return filters.events.includes('other');
}

/** JSON with its keys sorted, so the same message gives the same text however it was serialised. */
function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (isObject(value))
		return `{${Object.keys(value)
			.sort()
			.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
			.join(',')}}`;
	return JSON.stringify(value) ?? 'null';
}

/**
 * What makes two messages the same event. Hyfin documents no event id: a payment is its id with
 * its status and transaction type (a refund of a payment is another event); anything else is a
 * digest of the whole payload, as Hyfin re-sends a message unchanged.
 */
export function eventKey(event: HyfinEvent): string {
	const data = event.payload.data as IDataObject;
	if (event.event === 'payment' && event.payment_id) {
		return `payment:${event.payment_id}:${event.status ?? ''}:${text(data.transaction_type) ?? ''}`;
	}
	return `${event.event}:${createHash('sha256').update(canonicalJson(event.payload)).digest('hex')}`;
}

/** Compares the secret a request carries with the trigger's, in constant time whatever their lengths. */
export function secretMatches(given: unknown, expected: string): boolean {
	if (typeof given !== 'string' || expected === '') return false;
	const digest = (value: string) => createHash('sha256').update(value).digest();
	return timingSafeEqual(digest(given), digest(expected));
}

/** How long a seen event is remembered: longer than Hyfin's whole re-send schedule (5 min, 1 h, 2 h, 24 h, 48 h). */
export const REMEMBER_MS = 4 * 24 * 3600 * 1000;
/** How many events are remembered at most; the oldest are forgotten first. */
export const REMEMBER_COUNT = 5000;

/** Seen events by key, with when they were first seen (ms): kept in the workflow's static data. */
export type Seen = Record<string, number>;

/** Forgets events seen longer ago than Hyfin could re-send them. */
export function forgetOld(seen: Seen, now: number): void {
	for (const [old, at] of Object.entries(seen)) if (now - at > REMEMBER_MS) delete seen[old];
}

/**
 * Records an event as seen, forgetting those too old or too many. Returns whether it was seen
 * before (a repeat, to drop).
 */
export function remember(seen: Seen, key: string, now: number): boolean {
	forgetOld(seen, now);
	if (key in seen) return true;
	seen[key] = now;
	const keys = Object.keys(seen);
	if (keys.length > REMEMBER_COUNT) {
		keys
			.sort((a, b) => seen[a] - seen[b])
			.slice(0, keys.length - REMEMBER_COUNT)
			.forEach((old) => delete seen[old]);
	}
	return false;
}

/** The output item for an event: its flat fields, then the payload as Hyfin sent it. */
export function itemOf(event: HyfinEvent): IDataObject {
	return { ...event, payload: event.payload };
}
