// n8n-core reads these on first use; without them it writes ~/.n8n/config with a random key.
const fs = require('fs');
const os = require('os');
const path = require('path');

if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'hyfin-jest-n8n-'));
}
process.env.N8N_ENCRYPTION_KEY = process.env.N8N_ENCRYPTION_KEY || 'hyfin-test-encryption-key';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
