/**
 * Two projects: `unit` (the node's logic, the node in n8n's engine, the sandbox: seconds, no n8n
 * install) and `e2e` (real n8n; its global set-up installs the chosen version once). `npm test`
 * runs both; the editor test (`ui`, Debian's chromium) only with HYFIN_UI=1: `npm run test:ui`.
 * @type {import('jest').Config}
 */
const project = (displayName, roots, globalSetup) => ({
	displayName,
	testEnvironment: 'node',
	roots: roots.map((root) => `<rootDir>/test/${root}`),
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
	globalSetup,
});

const realN8n = '<rootDir>/test/e2e/global-setup.js';

module.exports = {
	projects: [
		project('unit', ['unit', 'node', 'sandbox'], '<rootDir>/test/global-setup.js'),
		project('e2e', ['e2e'], realN8n),
		...(process.env.HYFIN_UI === '1' ? [project('ui', ['ui'], realN8n)] : []),
	],
	globalTeardown: '<rootDir>/test/global-teardown.js',
	testTimeout: 20000,
};
