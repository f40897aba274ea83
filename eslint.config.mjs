// For nodes/, credentials/ and package.json, the rules n8n's community-package scanner runs for
// verification (`npm run scan` runs the scanner itself): @n8n/eslint-plugin-community-nodes'
// recommended config, no-console, and eslint-plugin-n8n-nodes-base's community / credentials /
// nodes rule sets with the scanner's own overrides. Everything else, TypeScript and JavaScript
// alike, gets the recommended rules; prettier owns the formatting (`npm run format`).
import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import prettier from 'eslint-config-prettier';
import n8nNodesPlugin from 'eslint-plugin-n8n-nodes-base';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
	{
		ignores: ['dist/**', 'node_modules/**', 'package-lock.json', 'coverage/**', '.sandbox/**', '.n8n-dev/**'],
	},
	{
		files: ['**/*.{js,cjs,mjs}'],
		extends: [js.configs.recommended],
		languageOptions: { globals: globals.node, sourceType: 'commonjs' },
		rules: { 'no-unused-vars': ['error', { ignoreRestSiblings: true }] },
	},
	{ files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
	{
		files: ['**/*.ts'],
		extends: [tseslint.configs.recommended],
	},
	{
		files: ['credentials/**/*.ts', 'nodes/**/*.ts', 'package.json'],
		extends: [n8nCommunityNodesPlugin.configs.recommended],
		rules: { 'no-console': 'error' },
	},
	{ plugins: { 'n8n-nodes-base': n8nNodesPlugin } },
	{
		files: ['package.json'],
		rules: {
			...n8nNodesPlugin.configs.community.rules,
			// package.json is read as one expression statement, as n8n's own config does.
			'@typescript-eslint/no-unused-expressions': 'off',
		},
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesPlugin.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesPlugin.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{
		files: ['test/**/*.ts', 'sandbox/**', 'scripts/**'],
		rules: { 'no-console': 'off', '@typescript-eslint/no-require-imports': 'off' },
	},
	prettier,
);
