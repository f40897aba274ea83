// Empties dist/ before a build, so nothing of a deleted source file is published; and copies
// what tsc does not: the node and credential icons and the codex file, into dist/ (or
// HYFIN_ASSETS_DEST: `npm run dev` has them copied into the package n8n runs).
const fs = require('fs');
const path = require('path');
const { task, src, dest, watch } = require('gulp');

const ASSETS = ['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'];

function copyAssets() {
	return src(ASSETS, { base: '.', encoding: false }).pipe(dest(path.resolve(process.env.HYFIN_ASSETS_DEST || 'dist')));
}

task('clean', async () => fs.rmSync(path.resolve('dist'), { recursive: true, force: true }));
task('build:icons', copyAssets);
task('build:assets', copyAssets);
task('watch:assets', () => watch(ASSETS, { ignoreInitial: false }, copyAssets));
