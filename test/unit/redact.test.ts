import fc from 'fast-check';

import { excerpt } from '../../nodes/Hyfin/transport/answer';
import { redactorFor } from '../../nodes/Hyfin/transport/redact';

const TOKEN = 'tok_live_8f3a9c2e71d4b6';
const redact = redactorFor(TOKEN);

describe('redactorFor', () => {
	it.each<[string, string, string]>([
		['as is', `invalid access token ${TOKEN}`, 'invalid access token [redacted]'],
		['twice', `${TOKEN}/${TOKEN}`, '[redacted]/[redacted]'],
		['cut off at the end of the text', `{"errors":["gateway ${TOKEN.slice(0, 10)}`, '{"errors":["gateway [redacted]'],
		['nothing of it', 'missing email', 'missing email'],
	])('hides the token %s', (_, text, expected) => {
		expect(redact(text)).toBe(expected);
	});

	it.each<[string, string, string]>([
		['JSON-escaped', 'tok"q\\uote/8f3a', JSON.stringify({ e: 'bad tok"q\\uote/8f3a' })],
		['JSON-escaped by PHP, slashes too', 'tok"q/8f3a', '{"e":"bad tok\\"q\\/8f3a"}'],
		['JSON-escaped by an ASCII-only encoder', 'tokéq8f3a', '{"e":"bad tok\\u00e9q8f3a"}'],
		['HTML-escaped', 'tok<a>&8f3a', '<p>bad tok&lt;a&gt;&amp;8f3a</p>'],
		['URL-encoded', 'tok"a b/8f3a', 'https://elsewhere.example/?t=tok%22a%20b%2F8f3a'],
		['with its whitespace collapsed', 'tok 8f3a  9c2e', 'bad tok 8f3a 9c2e here'],
		['with its whitespace re-wrapped', 'tok 8f3a 9c2e', 'bad tok\n 8f3a\t9c2e here'],
	])('hides a token %s', (_, token, text) => {
		const shown = redactorFor(token)(text);
		expect(shown).toContain('[redacted]');
		expect(shown).not.toContain(token.slice(0, 4));
	});

	it('leaves texts alone when there is no token, or one too short to find safely', () => {
		expect(redactorFor(undefined)('tok')).toBe('tok');
		expect(redactorFor('abc')('abc')).toBe('abc');
	});

	it('never lets a token through, whatever text surrounds it and wherever an excerpt cuts it', () => {
		fc.assert(
			fc.property(
				fc
					.string({ unit: fc.constantFrom(...'abcdefXYZ0189_-."\\/ <>&é'.split('')), minLength: 8, maxLength: 30 })
					.filter((token) => token.trim() === token),
				fc.string({ maxLength: 200 }),
				fc.string({ maxLength: 200 }),
				fc.constantFrom('raw', 'json', 'cut'),
				(token, before, after, form) => {
					const shown =
						form === 'json'
							? JSON.stringify(`${before}${token}${after}`)
							: form === 'cut'
								? `${before}${token.slice(0, -2)}`
								: `${before}${token}${after}`;
					const redacted = redactorFor(token)(shown);
					const json = JSON.stringify(token).slice(1, -1);
					for (const text of [redacted, excerpt(redacted)]) {
						expect(text).not.toContain(token);
						expect(text).not.toContain(json);
						if (form === 'cut') expect(text).not.toContain(token.slice(0, -2));
					}
				},
			),
			{ numRuns: 300 },
		);
	});
});

describe('excerpt', () => {
	it('never cuts a redaction mark in two', () => {
		const text = `${'x'.repeat(155)}[redacted] and more`;
		expect(excerpt(text)).toBe(`${'x'.repeat(155)}[redacted]…`);
	});
});
