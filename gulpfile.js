// Copies what tsc does not: the node and credential icons and the codex file, into dist/.
const path = require('path');
const { task, src, dest } = require('gulp');

function copyAssets() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest(path.resolve('dist')));
}

task('build:icons', copyAssets);
task('build:assets', copyAssets);
