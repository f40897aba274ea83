import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import type { ILoadOptionsFunctions, INodeProperties, INodeType } from 'n8n-workflow';

import { HyfinApi } from '../../credentials/HyfinApi.credentials';
import { Hyfin } from '../../nodes/Hyfin/Hyfin.node';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('package.json, as n8n expects of a community package', () => {
	it('is n8n-nodes-hyfin with the community keyword and only dist published', () => {
		expect(pkg.name).toBe('n8n-nodes-hyfin');
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.files).toEqual(['dist']);
		expect(pkg.license).toBe('MIT');
	});

	it('has no runtime dependencies, and n8n-workflow only as a peer', () => {
		expect(pkg.dependencies).toBeUndefined();
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	});

	it('lists the node and the credential under dist/ for n8n API version 1', () => {
		expect(pkg.n8n).toEqual({
			n8nNodesApiVersion: 1,
			credentials: ['dist/credentials/HyfinApi.credentials.js'],
			nodes: ['dist/nodes/Hyfin/Hyfin.node.js', 'dist/nodes/HyfinTrigger/HyfinTrigger.node.js'],
		});
	});
});

// `npm test` builds first (pretest), so dist/ is what would be published.
describe('the built package in dist/', () => {
	it.each([
		'dist/nodes/Hyfin/Hyfin.node.js',
		'dist/credentials/HyfinApi.credentials.js',
		'dist/nodes/Hyfin/hyfin.svg',
		'dist/nodes/Hyfin/hyfin.dark.svg',
		'dist/nodes/Hyfin/Hyfin.node.json',
		'dist/nodes/HyfinTrigger/HyfinTrigger.node.js',
		'dist/nodes/HyfinTrigger/HyfinTrigger.node.json',
		'dist/nodes/HyfinTrigger/hyfin.svg',
	])('holds %s', (file) => {
		expect(existsSync(join(root, file))).toBe(true);
	});

	it('loads as n8n loads it: the classes named like their files', () => {
		const { Hyfin: BuiltNode } = require(join(root, 'dist/nodes/Hyfin/Hyfin.node.js'));
		const { HyfinApi: BuiltCredential } = require(join(root, 'dist/credentials/HyfinApi.credentials.js'));
		expect(new BuiltNode().description.name).toBe('hyfin');
		expect(new BuiltCredential().name).toBe('hyfinApi');
	});

	it('has a codex file naming the node, its categories and its documentation', () => {
		const codex = JSON.parse(readFileSync(join(root, 'dist/nodes/Hyfin/Hyfin.node.json'), 'utf8'));
		expect(codex).toEqual({
			node: 'n8n-nodes-hyfin.hyfin',
			nodeVersion: '1.0',
			codexVersion: '1.0',
			categories: ['Finance & Accounting', 'Sales'],
			resources: {
				credentialDocumentation: [{ url: 'https://www.npmjs.com/package/n8n-nodes-hyfin#the-credential' }],
				primaryDocumentation: [{ url: 'https://www.npmjs.com/package/n8n-nodes-hyfin' }],
			},
		});
	});
});

describe('the node description', () => {
	const node: INodeType = new Hyfin();
	const { description } = node;
	const property = (name: string) => description.properties.find((candidate) => candidate.name === name) as INodeProperties;

	it('offers every resource and its operations, each with the action an AI agent and the nodes panel show', () => {
		expect(property('resource').options).toEqual([
			{ name: 'Customer', value: 'customer' },
			{ name: 'Invoice', value: 'invoice' },
			{ name: 'Payment', value: 'payment' },
			{ name: 'Product', value: 'product' },
		]);
		const operations = description.properties
			.filter((candidate) => candidate.name === 'operation')
			.map((selector) => ({
				resource: selector.displayOptions?.show?.resource,
				default: selector.default,
				actions: (selector.options as Array<{ value: string; action: string }>).map(({ value, action }) => [value, action]),
			}));
		expect(operations).toEqual([
			{
				resource: ['customer'],
				default: 'addUpdate',
				actions: [
					['addUpdate', 'Add or update a customer'],
					['get', 'Get a customer'],
				],
			},
			{
				resource: ['invoice'],
				default: 'addUpdate',
				actions: [
					['addUpdate', 'Add or update an invoice'],
					['send', 'Send an invoice'],
					['get', 'Get an invoice'],
				],
			},
			{
				resource: ['product'],
				default: 'addUpdate',
				actions: [
					['addUpdate', 'Add or update a product'],
					['get', 'Get a product'],
				],
			},
			{
				resource: ['payment'],
				default: 'addUpdate',
				actions: [
					['addUpdate', 'Add or update a payment'],
					['get', 'Get a payment'],
				],
			},
		]);
	});

	it("gives every operation the shared run options, in the editor's alphabetical order", () => {
		const collections = description.properties.filter((candidate) => candidate.name === 'options');
		expect(collections).toHaveLength(9);
		for (const collection of collections) {
			const names = (collection.options as INodeProperties[]).map((option) => option.displayName);
			expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
			expect(names).toEqual(
				expect.arrayContaining(['Dry Run', 'Max Concurrent Requests', 'Max Retries', 'Rejected Records', 'Request Timeout (Seconds)']),
			);
		}
	});

	it('is usable as an AI tool, has light and dark icons and a subtitle showing the operation', () => {
		expect(description.usableAsTool).toBe(true);
		expect(description.icon).toEqual({ light: 'file:hyfin.svg', dark: 'file:hyfin.dark.svg' });
		expect(description.subtitle).toBe('={{$parameter["operation"] + ": " + $parameter["resource"]}}');
	});

	it("requires the Hyfin API credential, which n8n tests with the credential's own request", () => {
		expect(description.credentials).toEqual([{ name: 'hyfinApi', required: true }]);
		expect(Object.keys(node.methods ?? {})).toEqual(['resourceMapping']);
	});

	it("maps fields with n8n's resource mapper, by hand or automatically", () => {
		expect(
			description.properties
				.filter((candidate) => candidate.name === 'columns')
				.map((columns) => columns.typeOptions?.resourceMapper?.resourceMapperMethod),
		).toEqual(['getCustomerFields', 'getInvoiceFields', 'getProductFields', 'getPaymentFields']);
		expect(property('columns').type).toBe('resourceMapper');
		expect(property('columns').typeOptions?.resourceMapper).toEqual({
			resourceMapperMethod: 'getCustomerFields',
			mode: 'add',
			fieldWords: { singular: 'field', plural: 'fields' },
			addAllFields: true,
			multiKeyMatch: false,
			supportAutoMap: true,
		});
	});

	it("lists Hyfin's request table as the mapper's fields, the required ones marked, the switches not mapped until added", async () => {
		const getFields = node.methods?.resourceMapping?.getCustomerFields as (this: ILoadOptionsFunctions) => Promise<unknown>;
		const field = (id: string, displayName: string, type: string, required = false) => ({
			id,
			displayName,
			type,
			required,
			defaultMatch: id === 'external_id',
			canBeUsedToMatch: false,
			display: true,
			// n8n's editor sets a shown switch to false at once: booleans start out of the mapping.
			removed: type === 'boolean',
		});
		await expect(getFields.call({} as ILoadOptionsFunctions)).resolves.toEqual({
			fields: [
				field('external_id', 'External ID', 'string', true),
				field('first_name', 'First Name', 'string', true),
				field('last_name', 'Last Name', 'string', true),
				field('account_name', 'Account Name', 'string'),
				field('mobile_phone', 'Mobile Phone', 'string'),
				field('email', 'Email', 'string'),
				field('notes', 'Notes', 'string'),
				field('active', 'Active', 'boolean'),
				field('notify_phone', 'Notify by Text', 'boolean'),
				field('notify_email', 'Notify by Email', 'boolean'),
			],
		});
	});
});

describe('the Hyfin API credential', () => {
	const credential = new HyfinApi();

	it('holds Base URL, Site ID and a password-field Access Token', () => {
		expect(credential.properties.map(({ name, type, required, typeOptions }) => ({ name, type, required, typeOptions }))).toEqual([
			{ name: 'baseUrl', type: 'string', required: true, typeOptions: undefined },
			{ name: 'siteId', type: 'string', required: true, typeOptions: undefined },
			{ name: 'accessToken', type: 'string', required: true, typeOptions: { password: true } },
		]);
	});

	it('signs requests with the token, trimmed, in x-access-token, without an n8n expression per request', async () => {
		const request = { url: 'https://hyfin.example.com/api/v3/x', headers: { Accept: 'application/json' } };
		await expect(credential.authenticate({ accessToken: ' token-1\n' }, request)).resolves.toEqual({
			...request,
			headers: { Accept: 'application/json', 'x-access-token': 'token-1' },
		});
		await expect(credential.authenticate({}, { url: 'u' })).resolves.toEqual({ url: 'u', headers: { 'x-access-token': '' } });
	});
});
