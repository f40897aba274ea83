// Installs the n8n the E2E and UI tests run (HYFIN_N8N_VERSION; once per machine, into a cache),
// before any test file starts, so that parallel test files never install it at once.
const { ensureN8n } = require('../../scripts/lib/install');

module.exports = async () => {
	const { version, node } = await ensureN8n({ log: (line) => process.stderr.write(`${line}\n`) });
	process.stderr.write(`\n[e2e] n8n ${version} on ${node}\n`);
};
