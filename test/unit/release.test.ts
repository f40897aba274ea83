import fs from 'fs';
import path from 'path';

import { parse } from 'yaml';

/** The release workflow cannot run here (no GitHub): it is read as GitHub Actions would, and checked for what provenance needs. */
const workflow = parse(fs.readFileSync(path.join(__dirname, '..', '..', '.github', 'workflows', 'publish.yml'), 'utf8'));

describe('the release workflow (.github/workflows/publish.yml)', () => {
	it('runs on a pushed version tag', () => {
		expect(workflow.on).toEqual({ push: { tags: ['*.*.*'] } });
	});

	it('may request the OIDC token npm provenance is signed with, and nothing more', () => {
		expect(workflow.jobs.publish.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
	});

	it('installs from the lockfile, tests, then publishes with provenance, in that order', () => {
		const steps = workflow.jobs.publish.steps.map((step: { run?: string; uses?: string }) => step.run ?? step.uses);
		expect(steps).toEqual([
			'actions/checkout@v4',
			'actions/setup-node@v4',
			'npm install -g npm@11',
			'npm ci',
			'npm test',
			'npm publish --provenance --access public',
		]);
	});

	it('has prepublishOnly build, lint and scan the package before npm publishes it', () => {
		const { scripts } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
		expect(scripts.prepublishOnly).toBe('npm run build && npm run lint && npm run scan');
	});
});
