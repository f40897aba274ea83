import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	Icon,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/** Hyfin's words, as far as they can be guessed (it documents none), for a refused token or an unknown site. */
const TOKEN_REFUSED = [
	'invalid access token',
	'Invalid access token',
	'invalid token',
	'Invalid token',
	'token expired',
	'Token expired',
	'missing access token',
	'unauthorized',
	'Unauthorized',
	'forbidden',
	'Forbidden',
	'access denied',
	'Access denied',
];
const SITE_UNKNOWN = [
	'site not found',
	'Site not found',
	'invalid site',
	'invalid site_id',
	'Invalid site',
	'unknown site',
	'site_id not found',
];

const TOKEN_MESSAGE = 'Hyfin refused the access token. Check the Access Token and that it belongs to this Site ID.';
const SITE_MESSAGE = 'Hyfin does not know this Site ID. Check the Site ID Hyfin gave you when the site was created.';

/**
 * Hyfin API access for one site. Hyfin's documentation requires an API access token; the token
 * travels in the `x-access-token` header, as other clients of the same API send it
 * (see README: "The credential").
 */
export class HyfinApi implements ICredentialType {
	name = 'hyfinApi';

	displayName = 'Hyfin API';

	icon: Icon = { light: 'file:../nodes/Hyfin/hyfin.svg', dark: 'file:../nodes/Hyfin/hyfin.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-hyfin#the-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://your-tenant.example.com',
			description:
				'The address of your Hyfin API, without /api/v3 (a path prefix and a trailing slash are fine). Hyfin gives it to you with your site.',
		},
		{
			displayName: 'Site ID',
			name: 'siteId',
			type: 'string',
			default: '',
			required: true,
			description: 'The site ID Hyfin provided when your site was created',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Your Hyfin API access token. It is sent in the x-access-token header, to the Base URL only.',
		},
	];

	/**
	 * Adds the token to each request. A function rather than n8n's generic `{{ $credentials... }}`
	 * form: n8n evaluates that expression for every request (about 0.3 ms and a sandbox of garbage
	 * each), which at thousands of requests costs more than the request itself.
	 */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		// Trimmed: a token pasted with a line break cannot go into a header.
		const token = String(credentials.accessToken ?? '').trim();
		return { ...requestOptions, headers: { ...requestOptions.headers, 'x-access-token': token } };
	}

	/**
	 * Asks Hyfin for a customer that cannot exist (the documented Get Customer endpoint): it creates
	 * and changes nothing. n8n passes the test unless a rule below matches Hyfin's answer, and it
	 * shows only the body to the rules, not the status: so every answer but Hyfin's JSON is caught
	 * by `success` being absent, and a refused token or unknown site by Hyfin's words for them.
	 */
	test: ICredentialTestRequest = {
		request: {
			method: 'GET',
			baseURL: '={{ String($credentials.baseUrl ?? "").trim().replace(/\\/+$/, "") }}',
			url: '={{ "/api/v3/site/" + encodeURIComponent(String($credentials.siteId ?? "").trim()) + "/customer/n8n-credential-test-" + $now.toMillis() }}',
			headers: { Accept: 'application/json' },
			ignoreHttpStatusErrors: true,
			// The token must not follow a redirect to another host.
			disableFollowRedirect: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'success',
					value: undefined,
					message:
						'The Base URL did not answer like the Hyfin API (a web page, a redirect, an empty answer, or a proxy refusing the request). Check the Base URL, and the Access Token.',
				},
			},
			...TOKEN_REFUSED.flatMap((said) =>
				['errors[0]', 'errors', 'message'].map((key) => ({
					type: 'responseSuccessBody' as const,
					properties: { key, value: said, message: TOKEN_MESSAGE },
				})),
			),
			...SITE_UNKNOWN.flatMap((said) =>
				['errors[0]', 'errors', 'message'].map((key) => ({
					type: 'responseSuccessBody' as const,
					properties: { key, value: said, message: SITE_MESSAGE },
				})),
			),
		],
	};
}
