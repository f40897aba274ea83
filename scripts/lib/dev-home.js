'use strict';
/**
 * The persistent n8n user folder of `npm run dev` (.n8n-dev/ in the repository): the package
 * installed in it from dist/ as a community package, the example workflows and their files, and
 * a record of what was imported, so that the owner, workflows and executions survive restarts.
 */

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { n8nFilesOf, writeInstalledNodesList } = require('./n8n-home');

/** What n8n makes resolvable for community packages, and n8n's verification lets them import. */
const N8N_PROVIDED_MODULES = ['n8n-workflow', 'zod', 'lodash', 'luxon', 'moment', 'p-limit'];

function devPaths(repo) {
  const root = path.join(repo, '.n8n-dev');
  const { name } = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const nodesDir = path.join(root, '.n8n', 'nodes');
  return {
    repo,
    root, // N8N_USER_FOLDER; n8n keeps its database and settings in root/.n8n
    packageName: name,
    nodesDir,
    packageDir: path.join(nodesDir, 'node_modules', name),
    filesDir: path.join(root, 'files'), // the one folder workflows may read (N8N_RESTRICT_FILE_ACCESS_TO)
    stateFile: path.join(root, 'dev-imports.json'),
    pidFile: path.join(root, 'dev.pid'),
  };
}

function prepareDevFolder(paths) {
  fs.mkdirSync(paths.filesDir, { recursive: true });
  // Keeps the folder out of commits without asking the repository's .gitignore to know about it.
  const ignore = path.join(paths.root, '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '*\n');
}

/** Makes `dst` hold exactly the files of `src`, writing only what differs. Returns the paths changed. */
function syncDir(src, dst, rel = '') {
  const changed = [];
  const from = path.join(src, rel);
  const to = path.join(dst, rel);
  fs.mkdirSync(to, { recursive: true });
  const wanted = new Set();
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const relPath = path.join(rel, entry.name);
    wanted.add(entry.name);
    if (entry.isDirectory()) {
      changed.push(...syncDir(src, dst, relPath));
    } else if (copyIfDifferent(path.join(src, relPath), path.join(dst, relPath))) {
      changed.push(relPath);
    }
  }
  for (const name of fs.readdirSync(to)) {
    if (wanted.has(name)) continue;
    fs.rmSync(path.join(to, name), { recursive: true, force: true });
    changed.push(path.join(rel, name));
  }
  return changed;
}

function copyIfDifferent(from, to) {
  const content = fs.readFileSync(from);
  let current = null;
  try {
    current = fs.readFileSync(to);
  } catch {
    /* not there yet */
  }
  if (current && current.equals(content)) return false;
  fs.writeFileSync(to, content);
  return true;
}

/** Where n8n's own copy of a module lives (as n8n resolves it), or null. */
function n8nModuleDir(bin, name) {
  const n8nPackage = path.resolve(path.dirname(bin), '..');
  for (const dir of [path.join(n8nPackage, 'node_modules', name), path.join(n8nPackage, '..', name)]) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  }
  return null;
}

/**
 * Installs the built package (dist/ and package.json) into the user folder as a copy, written
 * only where it differs: n8n's hot reload watches that folder, and reloads on every write.
 * A copy, not a link to the repository: through a link Node would resolve the package's imports
 * to the repository's devDependencies (a second n8n-workflow, whose error classes are not
 * n8n's). For the same reason, since this folder is inside the repository, the modules n8n
 * provides are linked next to the package, to n8n's own copies, as n8n resolves them for an
 * installed package. Returns the paths that changed (relative to the package).
 */
async function installPackage(paths, bin) {
  const dist = path.join(paths.repo, 'dist');
  const pkg = JSON.parse(fs.readFileSync(path.join(paths.repo, 'package.json'), 'utf8'));
  for (const rel of n8nFilesOf(pkg)) {
    if (!fs.existsSync(path.join(paths.repo, rel))) throw new Error(`${rel} is missing: build the package first (npm run build)`);
  }
  const changed = syncDir(dist, path.join(paths.packageDir, 'dist')).map((p) => path.join('dist', p));
  if (copyIfDifferent(path.join(paths.repo, 'package.json'), path.join(paths.packageDir, 'package.json'))) {
    changed.push('package.json');
  }
  for (const name of N8N_PROVIDED_MODULES) {
    const target = n8nModuleDir(bin, name);
    const link = path.join(paths.nodesDir, 'node_modules', name);
    let current = null;
    try {
      current = fs.readlinkSync(link);
    } catch {
      /* missing */
    }
    if (current === target) continue;
    fs.rmSync(link, { recursive: true, force: true });
    if (target) fs.symlinkSync(target, link, 'dir');
  }
  await writeInstalledNodesList(paths.nodesDir, paths.packageName);
  return changed;
}

/**
 * examples/*.workflow.json, with each Read/Write Files from Disk node's file pointed at the copy
 * in paths.filesDir (copyExampleFiles); the examples name a placeholder path.
 * @returns {{ file: string, workflow: object }[]}
 */
function exampleWorkflows(paths) {
  const examples = path.join(paths.repo, 'examples');
  return fs
    .readdirSync(examples)
    .filter((name) => name.endsWith('.workflow.json'))
    .sort()
    .map((name) => {
      const workflow = JSON.parse(fs.readFileSync(path.join(examples, name), 'utf8'));
      for (const node of workflow.nodes || []) {
        const file = node.parameters && node.parameters.fileSelector;
        if (node.type === 'n8n-nodes-base.readWriteFile' && typeof file === 'string' && !file.startsWith('=')) {
          node.parameters.fileSelector = path.join(fs.realpathSync(paths.filesDir), path.basename(file));
        }
      }
      return { file: path.join('examples', name), workflow };
    });
}

/**
 * Copies the examples' data files (all but *.workflow.json) into paths.filesDir, unless the copy
 * is newer: edits made to the copy stay until the example itself changes. Returns the names copied.
 */
function copyExampleFiles(paths) {
  const examples = path.join(paths.repo, 'examples');
  const copied = [];
  for (const name of fs.readdirSync(examples)) {
    if (name.endsWith('.workflow.json')) continue;
    const from = path.join(examples, name);
    const to = path.join(paths.filesDir, name);
    if (!fs.statSync(from).isFile()) continue;
    if (fs.existsSync(to) && fs.statSync(to).mtimeMs >= fs.statSync(from).mtimeMs) continue;
    fs.copyFileSync(from, to);
    copied.push(name);
  }
  return copied;
}

/**
 * What was imported into the user folder, by content: so that a restart imports only what is new
 * or changed (each n8n import is a cold n8n process of several seconds), and leaves alone the
 * workflows the user edited in the editor, until the example file itself changes.
 */
const importRecord = {
  hash: (value) => crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16),
  read(paths) {
    try {
      return JSON.parse(fs.readFileSync(paths.stateFile, 'utf8'));
    } catch {
      return {};
    }
  },
  write(paths, record) {
    fs.writeFileSync(paths.stateFile, `${JSON.stringify(record, null, 2)}\n`);
  },
};

module.exports = {
  devPaths,
  prepareDevFolder,
  installPackage,
  exampleWorkflows,
  copyExampleFiles,
  importRecord,
};
