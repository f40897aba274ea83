import { randomBytes } from 'crypto';
import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { readAnswer, readNetworkError, type RawResponse } from '../transport/answer';
import { readConnection, siteUrl } from '../transport/connection';

const TEST_TIMEOUT_MS = 15_000;

/**
 * Tests the "Hyfin API" credential without creating or changing anything: it asks Hyfin for a
 * customer with a random external_id (the documented Get Customer endpoint). Hyfin's JSON
 * "not found" for it proves that the token and the site work.
 */
export async function hyfinApiCredentialTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const connection = readConnection(data);
	if (!connection.ok) return { status: 'Error', message: connection.message };
	const { origin, siteId, redact, credentials } = connection.connection;
	const probeId = `n8n-credential-test-${randomBytes(6).toString('hex')}`;
	const url = siteUrl(connection.connection, `customer/${encodeURIComponent(probeId)}`);

	let response: RawResponse;
	try {
		// Credential tests get only the request-library helper from n8n (ICredentialTestFunctions), and
		// no credential to sign with, so the header is set here. Redirects are not followed.
		// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions
		response = (await this.helpers.request({
			method: 'GET',
			uri: url,
			headers: { 'x-access-token': String(credentials.accessToken), Accept: 'application/json' },
			json: false,
			simple: false,
			resolveWithFullResponse: true,
			followRedirect: false,
			timeout: TEST_TIMEOUT_MS,
		})) as RawResponse;
	} catch (error) {
		return { status: 'Error', message: readNetworkError(error, origin, TEST_TIMEOUT_MS, redact).message };
	}

	// An answer that says the token or the site is wrong, at any status, is a failure (see readAnswer).
	const answer = readAnswer(response, { requestUrl: url, siteId, redact, recordMayBeMissing: true });
	if (answer.kind === 'failure') {
		return { status: 'Error', message: answer.failure.message };
	}
	return {
		status: 'OK',
		message: `Connected: Hyfin accepted the access token for site "${siteId}".`,
	};
}
