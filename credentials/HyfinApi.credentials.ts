import type { IAuthenticateGeneric, Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

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

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'x-access-token': '={{$credentials.accessToken}}',
			},
		},
	};
}
