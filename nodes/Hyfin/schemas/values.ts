import { z } from 'zod';

/**
 * How values as spreadsheets, forms and n8n give them are read, one reader per kind of field
 * (README, "Values as spreadsheets and forms give them"). Every reader returns the value to send,
 * `undefined` for a blank (left out), or the value unchanged for zod to report as the wrong type;
 * a value of the right type that cannot be read exactly is reported here, with what to do.
 */

/**
 * - text stays the text it is, its surrounding spaces trimmed (non-breaking ones too); in names
 *   and notes inner non-breaking spaces become plain, in ids and phones nothing inside changes.
 *   `1e3` and `12.0` are ids of their own, never the numbers 1000 and 12;
 * - a number (as sheets give numeric cells) becomes its digits, `39772634` → `"39772634"`; one
 *   too large to be exact (over 2^53, about 16 digits) is refused, since its last digits are
 *   already lost;
 * - in ids and phones, text a spreadsheet made of a long number (`1.2223E+10`, and for phones
 *   `12223334444.0`) is refused: its digits may be lost, and a guess could merge two records.
 */
export type TextKind = 'id' | 'phone' | 'text';

type Reader = (value: unknown, ctx: z.RefinementCtx) => unknown;

const problem = (ctx: z.RefinementCtx, message: string) => {
	ctx.addIssue({ code: z.ZodIssueCode.custom, message });
	return z.NEVER;
};

/** Trims surrounding spaces (JavaScript's trim covers non-breaking ones); inner ones become plain. */
export const trimSpaces = (value: string) => value.replace(/[\u00a0\u2007\u202f]/g, ' ').trim();

/** A number as the text it stands for, `1.2e+10` never; undefined when it cannot be exact. */
export function numberToText(value: number): string | undefined {
	if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) return undefined;
	const text = String(value);
	return /e/i.test(text) ? undefined : text;
}

/** Excel's way of showing a long number, `1.22233E+10`: digits past the shown ones are gone. */
const SCIENTIFIC = /^[+-]?\d(\.\d+)?E\+\d+$/i;
/** A whole number a spreadsheet wrote as a decimal, for a phone: `12223334444.0`. */
const DECIMAL_PHONE = /^\d{7,}\.0+$/;

export const TEXT_HINT = 'format the column as text (plain text in Google Sheets, Text in Excel), so every digit is kept';

/** What is wrong with a text as an id or a phone, or undefined. */
function numberLikeProblem(text: string, kind: TextKind, label: string): string | undefined {
	if (kind === 'text') return undefined;
	if (SCIENTIFIC.test(text))
		return `${label} "${text}" is a long number in a spreadsheet's scientific notation, so digits may be lost: ${TEXT_HINT}`;
	if (kind === 'phone' && DECIMAL_PHONE.test(text))
		return `${label} "${text}" is a number a spreadsheet wrote with a decimal point: ${TEXT_HINT}`;
	return undefined;
}

/** Reads a text field; blank becomes `undefined` (left out) or `''` (sent empty). */
export const readText =
	(keepEmpty: boolean, kind: TextKind, label: string): Reader =>
	(value, ctx) => {
		if (value === undefined) return undefined;
		if (value === null) return keepEmpty ? '' : undefined;
		if (typeof value === 'bigint') return value.toString();
		if (typeof value === 'number' && Number.isFinite(value)) {
			const text = numberToText(value);
			return text ?? problem(ctx, `${label} is a number with too many digits to be read exactly: ${TEXT_HINT}`);
		}
		if (typeof value !== 'string') return value;
		const text = kind === 'text' ? trimSpaces(value) : value.trim();
		if (text === '') return keepEmpty ? '' : undefined;
		const wrong = numberLikeProblem(text, kind, label);
		return wrong === undefined ? text : problem(ctx, wrong);
	};

/** A record's external_id as it will be sent, for naming an item in messages; null when blank or unreadable. */
export function readExternalId(value: unknown): string | null {
	if (typeof value === 'string') return value.trim() || null;
	if (typeof value === 'number') return numberToText(value) ?? null;
	return typeof value === 'bigint' ? value.toString() : null;
}

// `x` and the check marks are how people tick a spreadsheet cell; `on` is what an HTML checkbox sends.
const TRUE_WORDS = new Set(['true', 'yes', '1', 'y', 'on', 'x', '✓', '✔', 'checked']);
const FALSE_WORDS = new Set(['false', 'no', '0', 'n', 'off']);

/** Reads a boolean as sheets and forms give one: `TRUE`, `yes`, `1`, `0`, a real boolean. */
export function readBoolean(value: unknown) {
	if (value === null || value === undefined) return undefined;
	if (typeof value === 'boolean') return value;
	if (value === 1 || value === 0) return value === 1;
	// A form's checkbox field gives the ticked options: one ticked is yes, none is no.
	if (Array.isArray(value) && value.length <= 1) return value.length === 1;
	if (typeof value !== 'string') return value;
	const word = trimSpaces(value).toLowerCase();
	if (word === '') return undefined;
	if (TRUE_WORDS.has(word)) return true;
	if (FALSE_WORDS.has(word)) return false;
	return value;
}

/** `1,234.50`, `$15`, `-3.5`, `€ 12.00`: a currency sign and thousands commas are allowed. */
const AMOUNT = /^([-+])?\s*[$€£]?\s*(\d{1,3}(?:,\d{3})+|\d+)?(\.\d+)?$/;

/** A decimal amount in cents, exactly; undefined when it has a part smaller than a cent. */
export function toCents(amount: number): number | undefined {
	const cents = Math.round(amount * 100);
	// Spreadsheet sums carry binary noise (0.1 + 0.2 = 0.30000000000000004); anything more is a real fraction of a cent.
	return Math.abs(cents - amount * 100) < 1e-6 * Math.max(1, Math.abs(amount)) ? cents : undefined;
}

/**
 * Reads money as Hyfin wants it (Format = 0.00): a number, or text as sheets show one (`1,234.50`,
 * `$15`). Sent as a JSON number rounded to the cent; a value with a fraction of a cent is refused
 * rather than rounded, since the totals must add up.
 */
export const readMoney =
	(label: string): Reader =>
	(value, ctx) => {
		if (value === undefined || value === null) return undefined;
		let amount: number;
		if (typeof value === 'number') {
			amount = value;
		} else if (typeof value === 'string') {
			const text = trimSpaces(value);
			if (text === '') return undefined;
			const match = AMOUNT.exec(text);
			if (!match || (match[2] === undefined && match[3] === undefined)) {
				return problem(ctx, `${label} "${value}" is not an amount: give it like 15.00 or 1,234.50 (a decimal point, not a comma)`);
			}
			amount = Number(`${match[1] ?? ''}${(match[2] ?? '0').replace(/,/g, '')}${match[3] ?? ''}`);
		} else {
			return value;
		}
		if (!Number.isFinite(amount)) return problem(ctx, `${label} must be a finite amount, like 15.00`);
		const cents = toCents(amount);
		if (cents === undefined) return problem(ctx, `${label} ${amount} has more than 2 decimal places: round it to the cent`);
		return cents / 100;
	};

/** Reads a quantity: a number or numeric text; decimals are fine (1.5 hours). */
export const readQuantity =
	(label: string): Reader =>
	(value, ctx) => {
		if (value === undefined || value === null) return undefined;
		if (typeof value === 'number') return Number.isFinite(value) ? value : problem(ctx, `${label} must be a finite number`);
		if (typeof value !== 'string') return value;
		const text = trimSpaces(value).replace(/,/g, '');
		if (text === '') return undefined;
		return /^[-+]?\d*\.?\d+$/.test(text) ? Number(text) : problem(ctx, `${label} "${value}" is not a number: give it like 2 or 1.5`);
	};

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** ISO 8601 date and time, with `T` or a space, seconds and fraction optional, offset optional. */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
/** Excel and Google Sheets count days from 1899-12-30; 20000 to 80000 is 1954 to 2119. */
const SERIAL_DAY_ZERO = Date.UTC(1899, 11, 30);
const isSerialDay = (value: number) => value >= 20_000 && value <= 80_000;

function realDate(year: number, month: number, day: number): boolean {
	const date = new Date(Date.UTC(year, month - 1, day));
	return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** n8n's own date values (Luxon DateTime, JavaScript Date) as ISO text. */
function dateObjectText(value: unknown): string | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
	if (value && typeof value === 'object' && typeof (value as { toISO?: unknown }).toISO === 'function') {
		const iso = (value as { toISO: () => unknown }).toISO();
		return typeof iso === 'string' ? iso : undefined;
	}
	return undefined;
}

const DATE_HINT = 'give it as YYYY-MM-DD, e.g. 2026-12-31';

/**
 * Reads a date as Hyfin wants it (`YYYY-MM-DD`): that text, an ISO date-time (its own calendar
 * date, whatever its offset), n8n's date values, or a spreadsheet's day number (45000). Dates
 * written with slashes are refused: 03/04/2026 is March in one country and April in another.
 */
export const readDate =
	(label: string): Reader =>
	(value, ctx) => {
		if (value === undefined || value === null) return undefined;
		if (typeof value === 'number') {
			if (!Number.isInteger(value) || !isSerialDay(value)) return problem(ctx, `${label} ${value} is not a date: ${DATE_HINT}`);
			return new Date(SERIAL_DAY_ZERO + value * 86_400_000).toISOString().slice(0, 10);
		}
		const text = typeof value === 'string' ? trimSpaces(value) : dateObjectText(value);
		if (text === undefined) return value;
		if (text === '') return undefined;
		const match = ISO_DATE.exec(text) ?? ISO_DATE_TIME.exec(text);
		if (!match || !realDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
			return problem(ctx, `${label} "${text}" is not a date Hyfin can read: ${DATE_HINT}`);
		}
		return `${match[1]}-${match[2]}-${match[3]}`;
	};

/**
 * Reads a moment as Hyfin wants it (`YYYY-MM-DDTHH:mm:ssZ`, in UTC): ISO text with or without an
 * offset (without one it is read as UTC), a plain date (midnight UTC), n8n's date values, or a
 * spreadsheet's day number with its fraction of a day.
 */
export const readDateTime =
	(label: string): Reader =>
	(value, ctx) => {
		if (value === undefined || value === null) return undefined;
		const hint = 'give it as 2026-12-31T14:30:00Z (ISO 8601; an offset such as -05:00 is fine)';
		if (typeof value === 'number') {
			if (!isSerialDay(Math.floor(value))) return problem(ctx, `${label} ${value} is not a date and time: ${hint}`);
			return `${new Date(SERIAL_DAY_ZERO + Math.round(value * 86_400) * 1000).toISOString().slice(0, 19)}Z`;
		}
		const text = typeof value === 'string' ? trimSpaces(value) : dateObjectText(value);
		if (text === undefined) return value;
		if (text === '') return undefined;
		const date = ISO_DATE.exec(text);
		if (date) {
			if (!realDate(Number(date[1]), Number(date[2]), Number(date[3])))
				return problem(ctx, `${label} "${text}" is not a real date: ${hint}`);
			return `${text}T00:00:00Z`;
		}
		const match = ISO_DATE_TIME.exec(text);
		if (!match || !realDate(Number(match[1]), Number(match[2]), Number(match[3])) || Number(match[4]) > 23 || Number(match[5]) > 59) {
			return problem(ctx, `${label} "${text}" is not a date and time Hyfin can read: ${hint}`);
		}
		const offset = (match[7] ?? 'Z').toUpperCase();
		const normalized = `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6] ?? '00'}${offset === 'Z' ? 'Z' : offset.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`;
		const time = Date.parse(normalized);
		if (Number.isNaN(time)) return problem(ctx, `${label} "${text}" is not a date and time Hyfin can read: ${hint}`);
		return `${new Date(time).toISOString().slice(0, 19)}Z`;
	};

/** `Payment Card`, `payment-card`, `PAYMENT_CARD` → `paymentcard`: how names and choices are compared. */
export function canonical(name: string): string {
	return name
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.toLowerCase()
		.replace(/[\s_\-.:/]+/g, '');
}

/** Reads one of Hyfin's fixed values, in any case or spacing (`Payment Card` → `payment_card`). */
export const readChoice =
	(label: string, choices: readonly string[]): Reader =>
	(value, ctx) => {
		if (value === undefined || value === null) return undefined;
		if (typeof value !== 'string') return value;
		const text = trimSpaces(value);
		if (text === '') return undefined;
		const choice = choices.find((candidate) => canonical(candidate) === canonical(text));
		return choice ?? problem(ctx, `${label} "${text}" is not one Hyfin knows: use one of ${choices.join(', ')}`);
	};

/** A list as an input gives one: an array, or JSON text of one (a sheet cell, a form field). */
export const readList =
	(label: string): Reader =>
	(value, ctx) => {
		if (value === undefined || value === null) return undefined;
		if (typeof value !== 'string') return value;
		const text = value.trim();
		if (text === '') return undefined;
		try {
			return JSON.parse(text) as unknown;
		} catch {
			return problem(ctx, `${label} is text that is not JSON: give a list like [{"description": "Labor", "qty": 2, "unit_price": 40}]`);
		}
	};
