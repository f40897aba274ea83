/** Replaces the access token in text that came from outside the node: Hyfin's answers, network errors. */
export type Redact = (text: string) => string;

/** What stands in the token's place; free of words like "token" that would read as a complaint about it. */
export const TOKEN_MASK = '[redacted]';

/** A token cut off at the end of a text is hidden once this much of it shows. */
const SHORTEST_CUT_TOKEN = 6;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const escapeHtml = (text: string) =>
	text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * A redactor for one token. It finds the token as it may travel: as is, JSON-escaped (the ways
 * common encoders do it), URL-encoded, HTML-escaped, with its whitespace collapsed or re-wrapped,
 * and cut off at the end of a text (an answer that stopped mid-way). Run it on whole texts,
 * before cutting or escaping them for a message, so no cut can split the token from its mask.
 */
export function redactorFor(token: string | undefined): Redact {
	if (!token || token.length < 4) return (text) => text;
	const json = JSON.stringify(token).slice(1, -1);
	const forms = [
		...new Set([
			token,
			json,
			// As JSON encoders that escape more write it: `\/` (PHP), `\u00e9` (ASCII-only encoders).
			json.replace(/\//g, '\\/').replace(/[^\x00-\x7f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`),
			encodeURIComponent(token),
			escapeHtml(token),
		]),
	];
	// Inside the token, any run of whitespace stands for any other.
	const whole = new RegExp(
		forms
			.sort((a, b) => b.length - a.length)
			.map((form) => escapeRegExp(form).replace(/\s+/g, '\\s+'))
			.join('|'),
		'g',
	);
	// The beginnings of the token a text may end with, longest first.
	const beginnings = forms
		.flatMap((form) => Array.from({ length: form.length - SHORTEST_CUT_TOKEN }, (_, cut) => form.slice(0, form.length - 1 - cut)))
		.sort((a, b) => b.length - a.length);
	const lastCharacters = new Set(beginnings.map((beginning) => beginning.slice(-1)));
	return (text) => {
		const masked = text.replace(whole, TOKEN_MASK);
		if (!lastCharacters.has(masked.slice(-1))) return masked;
		const cut = beginnings.find((beginning) => masked.endsWith(beginning));
		return cut === undefined ? masked : `${masked.slice(0, masked.length - cut.length)}${TOKEN_MASK}`;
	};
}
