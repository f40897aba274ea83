import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/** Where one Hyfin site's API lives, read from the "Hyfin API" credential. */
export interface HyfinConnection {
	/** `{base_url}` without a trailing slash; a path prefix is kept. */
	baseUrl: string;
	/** Scheme, host and port: the only place the access token may go. */
	origin: string;
	siteId: string;
	/** The credential as read once per execution, so n8n signs each request without reading it again. */
	credentials: ICredentialDataDecryptedObject;
}

export type ConnectionResult = { ok: true; connection: HyfinConnection } | { ok: false; message: string };

/** Checks the credential's Base URL and Site ID before anything is sent. */
export function readConnection(credentials: ICredentialDataDecryptedObject): ConnectionResult {
	const rawBaseUrl = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	const siteId = typeof credentials.siteId === 'string' ? credentials.siteId.trim() : String(credentials.siteId ?? '');
	if (!rawBaseUrl) {
		return { ok: false, message: 'The Hyfin API credential has no Base URL: set it to the address of your Hyfin API, e.g. https://your-tenant.example.com' };
	}
	const notAnAddress = `The Hyfin API credential's Base URL "${rawBaseUrl}" is not a web address: it should look like https://your-tenant.example.com`;
	// Without a scheme, `localhost:5678` would read as the scheme "localhost:".
	if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(rawBaseUrl)) return { ok: false, message: notAnAddress };
	let url: URL;
	try {
		url = new URL(rawBaseUrl);
	} catch {
		return { ok: false, message: notAnAddress };
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		return { ok: false, message: `The Hyfin API credential's Base URL must start with https:// (or http://), not ${url.protocol}//` };
	}
	if (!siteId) {
		return { ok: false, message: 'The Hyfin API credential has no Site ID: use the site ID Hyfin gave you when the site was created' };
	}
	const path = url.pathname.replace(/\/+$/, '');
	return { ok: true, connection: { baseUrl: `${url.origin}${path}`, origin: url.origin, siteId, credentials } };
}

/** `{base_url}/api/v3/site/{site_id}/...`, the site ID path-encoded. */
export function siteUrl(connection: HyfinConnection, path: string, version = 'v3'): string {
	return `${connection.baseUrl}/api/${version}/site/${encodeURIComponent(connection.siteId)}/${path}`;
}
