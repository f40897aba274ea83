import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { redactorFor, type Redact } from './redact';

/** Where one Hyfin site's API lives, read from the "Hyfin API" credential. */
export interface HyfinConnection {
	/** `{base_url}` without a trailing slash; a path prefix is kept. */
	baseUrl: string;
	/** Scheme, host and port: the only place the access token may go. */
	origin: string;
	siteId: string;
	/**
	 * The credential as read once per execution, its values trimmed, so n8n signs each request
	 * without reading it again and never with a pasted line break.
	 */
	credentials: ICredentialDataDecryptedObject;
	/** Hides the access token in whatever Hyfin or the network says. */
	redact: Redact;
}

export type ConnectionResult = { ok: true; connection: HyfinConnection } | { ok: false; message: string };

const EXAMPLE = 'https://your-tenant.example.com';

/** A Base URL as a message may quote it: whatever stands before an `@`, and any query, hidden. */
function shownBaseUrl(raw: string): string {
	return raw.replace(/^([^/?#]*\/\/)?[^/?#]*@/, (_, scheme: string | undefined) => `${scheme ?? ''}…@`).replace(/[?#].*$/s, '?…');
}

/** A credential's value as text, trimmed; `numbers` also reads a number (a site ID or token typed as one). */
const text = (value: unknown, numbers = true) =>
	typeof value === 'string' ? value.trim() : numbers && typeof value === 'number' ? String(value) : '';

function readBaseUrl(raw: string): { ok: true; url: URL } | { ok: false; message: string } {
	if (!raw)
		return { ok: false, message: `The Hyfin API credential has no Base URL: set it to the address of your Hyfin API, e.g. ${EXAMPLE}` };
	const notAnAddress = {
		ok: false as const,
		message: `The Hyfin API credential's Base URL "${shownBaseUrl(raw)}" is not a web address: it should look like ${EXAMPLE}`,
	};
	// Without a scheme, `localhost:5678` would read as the scheme "localhost:".
	if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return notAnAddress;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		return notAnAddress;
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		return { ok: false, message: `The Hyfin API credential's Base URL must start with https:// (or http://), not ${url.protocol}//` };
	}
	if (url.username || url.password || /^[^/?#]*\/\/[^/?#]*@/.test(raw)) {
		return {
			ok: false,
			message: `The Hyfin API credential's Base URL holds a user name or password (before an @): remove it, e.g. ${url.protocol}//${url.host}. Hyfin is signed in to with the Access Token.`,
		};
	}
	if (/[?#]/.test(raw)) {
		return {
			ok: false,
			message: `The Hyfin API credential's Base URL has a query string or fragment (from ? or #): remove it. The node adds /api/v3/site/... to the Base URL, so nothing may follow its path.`,
		};
	}
	return { ok: true, url };
}

/** Checks the credential's Base URL, Site ID and Access Token before anything is sent. */
export function readConnection(credentials: ICredentialDataDecryptedObject): ConnectionResult {
	const baseUrl = readBaseUrl(text(credentials.baseUrl, false));
	if (!baseUrl.ok) return baseUrl;
	const siteId = text(credentials.siteId);
	if (!siteId) {
		return { ok: false, message: 'The Hyfin API credential has no Site ID: use the site ID Hyfin gave you when the site was created' };
	}
	// In a path, `.` and `..` (even percent-encoded) are read as "this folder" and "the folder above".
	if (siteId === '.' || siteId === '..') {
		return {
			ok: false,
			message: `The Hyfin API credential's Site ID "${siteId}" is not a site ID: use the site ID Hyfin gave you when the site was created`,
		};
	}
	const accessToken = text(credentials.accessToken);
	if (!accessToken) {
		return { ok: false, message: 'The Hyfin API credential has no Access Token: paste the API access token Hyfin gave you' };
	}
	// What an HTTP header may carry (Node refuses the rest before sending); the token itself is never repeated.
	if (/[^\t\x20-\x7e\x80-\xff]/.test(accessToken)) {
		return {
			ok: false,
			message:
				"The Hyfin API credential's Access Token holds a line break or another character a request header cannot carry: paste the token again, exactly as Hyfin gave it",
		};
	}
	const { url } = baseUrl;
	const path = url.pathname.replace(/\/+$/, '');
	return {
		ok: true,
		connection: {
			baseUrl: `${url.origin}${path}`,
			origin: url.origin,
			siteId,
			credentials: { ...credentials, baseUrl: `${url.origin}${path}`, siteId, accessToken },
			redact: redactorFor(accessToken),
		},
	};
}

/** `{base_url}/api/v3/site/{site_id}/...`, the site ID path-encoded. */
export function siteUrl(connection: Pick<HyfinConnection, 'baseUrl' | 'siteId'>, path: string, version = 'v3'): string {
	return `${connection.baseUrl}/api/${version}/site/${encodeURIComponent(connection.siteId)}/${path}`;
}
