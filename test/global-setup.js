// One n8n user folder for the whole jest run, removed afterwards (test/global-teardown.js).
// n8n-core reads N8N_USER_FOLDER and N8N_ENCRYPTION_KEY on first use; without them it writes
// ~/.n8n/config with a random key. Workers start after this and inherit the environment.
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = async () => {
	if (!process.env.N8N_USER_FOLDER) {
		process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-jest-n8n-'));
		process.env.HYFIN_JEST_OWNS_USER_FOLDER = '1';
	}
	process.env.N8N_ENCRYPTION_KEY = process.env.N8N_ENCRYPTION_KEY || 'hyfin-test-encryption-key';
	process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
};
