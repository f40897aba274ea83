#!/usr/bin/env node
'use strict';
/**
 * `npm run scan`: the lint legs of n8n's verification scanner (@n8n/scan-community-package, from
 * tools/scanner), as n8n runs them before it verifies a community package: on the source
 * (package.json, nodes/, credentials/) and on the built package as `npm pack` publishes it. Inline
 * `eslint-disable` comments do not count there. Exit 0 when both pass.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const { ensureTool, unpackInto } = require('./lib/install');

const ROOT = path.join(__dirname, '..');

async function main() {
	const tool = await ensureTool('scanner', { ignoreScripts: true });
	const scanner = await import(
		pathToFileURL(path.join(tool, 'node_modules', '@n8n', 'scan-community-package', 'scanner', 'scanner.mjs')).href
	);
	const tarball = fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-scan-'));
	try {
		unpackInto(tarball, ROOT);
		// The patterns n8n's scanner uses for each: the source's, and every JavaScript file published.
		const legs = [
			['source', ROOT, scanner.SOURCE_FILE_PATTERNS],
			['npm pack tarball', tarball, ['**/*.js', 'package.json']],
		];
		let failed = false;
		for (const [name, dir, patterns] of legs) {
			const result = await scanner.analyzePackage(dir, patterns);
			console.log(`${name}: ${result.passed ? 'passed' : `FAILED: ${result.message}`}`);
			if (result.details) console.log(result.details);
			failed ||= !result.passed;
		}
		process.exitCode = failed ? 1 : 0;
	} finally {
		fs.rmSync(tarball, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
