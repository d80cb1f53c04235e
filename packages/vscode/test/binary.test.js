// The binary resolution order and its message (src/binary.ts, compiled to out/), on an imagined
// file system: every place is tried in order, the first executable wins, and the message names
// each place tried.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');

const { findBinary, PLATFORM_PACKAGES } = require('../out/binary.js');

/** A lookup on Linux x64 where exactly `files` are executable. */
function lookup(files, overrides = {}) {
  return {
    platform: 'linux',
    arch: 'x64',
    setting: '',
    workspaceFolders: ['/ws'],
    extensionPath: '/ext',
    pathEnv: '/usr/local/bin:/usr/bin',
    isExecutable: (file) => files.includes(file),
    ...overrides,
  };
}

const bundled = '/ext/node_modules/sandtrap-cli-linux-x64/bin/sandtrap';
const workspace = '/ws/node_modules/.bin/sandtrap';
const onPath = '/usr/bin/sandtrap';

test('the setting wins over everything else', () => {
  const found = findBinary(lookup(['/opt/sandtrap', workspace, bundled, onPath], { setting: '/opt/sandtrap' }));
  assert.deepStrictEqual([found.ok, found.command, found.source], [true, '/opt/sandtrap', 'the sandtrap.path setting']);
});

test('a relative setting is relative to the first workspace folder; ${workspaceFolder} is expanded', () => {
  assert.strictEqual(findBinary(lookup(['/ws/bin/sandtrap'], { setting: 'bin/sandtrap' })).command, '/ws/bin/sandtrap');
  assert.strictEqual(
    findBinary(lookup(['/ws/tools/sandtrap'], { setting: '${workspaceFolder}/tools/sandtrap' })).command,
    '/ws/tools/sandtrap',
  );
});

test('a setting that names no executable is an error, not a fallback', () => {
  const found = findBinary(lookup([workspace, bundled, onPath], { setting: '/opt/missing' }));
  assert.strictEqual(found.ok, false);
  assert.deepStrictEqual(found.tried, ['the sandtrap.path setting: /opt/missing (not an executable file)']);
  assert.match(found.message, /\/opt\/missing/);
  assert.match(found.message, /clear it/);
});

test("then the workspace's node_modules/.bin, in folder order", () => {
  const second = '/ws2/node_modules/.bin/sandtrap';
  const found = findBinary(lookup([second, bundled, onPath], { workspaceFolders: ['/ws', '/ws2'] }));
  assert.strictEqual(found.command, second);
  assert.match(found.source, /workspace/);
  assert.strictEqual(findBinary(lookup([workspace, bundled, onPath])).command, workspace);
});

test('then the platform package bundled with the extension', () => {
  const found = findBinary(lookup([bundled, onPath]));
  assert.deepStrictEqual([found.command, found.source], [bundled, 'the binary bundled with the extension (sandtrap-cli-linux-x64)']);
  const mac = findBinary(lookup(['/ext/node_modules/sandtrap-cli-darwin-arm64/bin/sandtrap'], { platform: 'darwin', arch: 'arm64' }));
  assert.strictEqual(mac.command, '/ext/node_modules/sandtrap-cli-darwin-arm64/bin/sandtrap');
});

test('then PATH, directory by directory', () => {
  const found = findBinary(lookup(['/usr/local/bin/sandtrap', onPath]));
  assert.deepStrictEqual([found.command, found.source], ['/usr/local/bin/sandtrap', 'PATH']);
  assert.strictEqual(findBinary(lookup([onPath])).command, onPath);
});

test('nothing found: the message names each place tried, in order', () => {
  const found = findBinary(lookup([]));
  assert.strictEqual(found.ok, false);
  assert.deepStrictEqual(found.tried, [
    'the sandtrap.path setting (not set)',
    '/ws/node_modules/.bin/sandtrap (not there)',
    `the binary bundled with the extension, ${bundled} (not in this build of the extension)`,
    'sandtrap on PATH (/usr/local/bin:/usr/bin)',
  ]);
  assert.match(found.message, /^sandtrap: cannot find the sandtrap binary\. Tried: 1\. the sandtrap\.path setting \(not set\); 2\. /);
  assert.match(found.message, /npm install --save-dev sandtrap-cli/);
  assert.match(found.message, /pipx install sandtrap-cli/);
});

test('without a workspace folder or a platform package, the message says so', () => {
  const found = findBinary(lookup([], { workspaceFolders: [], platform: 'freebsd', pathEnv: '' }));
  assert.deepStrictEqual(found.tried, [
    'the sandtrap.path setting (not set)',
    'node_modules/.bin/sandtrap (no workspace folder open)',
    'a binary bundled with the extension (none is built for freebsd-x64)',
    'sandtrap on PATH (PATH is empty)',
  ]);
});

test('Windows: .bin/sandtrap.cmd runs through the shell, the bundled sandtrap.exe does not, PATHEXT counts', () => {
  const win = { platform: 'win32', workspaceFolders: ['C:\\ws'], extensionPath: 'C:\\ext', pathEnv: 'C:\\bin;C:\\tools', pathExt: '.EXE;.CMD' };
  const cmd = findBinary(lookup(['C:\\ws\\node_modules\\.bin\\sandtrap.cmd'], win));
  assert.deepStrictEqual([cmd.command, cmd.shell], ['C:\\ws\\node_modules\\.bin\\sandtrap.cmd', true]);
  const exe = findBinary(lookup(['C:\\ext\\node_modules\\sandtrap-cli-win32-x64\\bin\\sandtrap.exe'], win));
  assert.deepStrictEqual([exe.command, exe.shell], ['C:\\ext\\node_modules\\sandtrap-cli-win32-x64\\bin\\sandtrap.exe', false]);
  const onWinPath = findBinary(lookup(['C:\\tools\\sandtrap.exe'], win));
  assert.deepStrictEqual([onWinPath.command, onWinPath.source], ['C:\\tools\\sandtrap.exe', 'PATH']);
});

test('the platform packages are the npm shim\'s optional dependencies', () => {
  const shim = require(path.join(__dirname, '..', '..', 'npm', 'sandtrap-cli', 'index.js'));
  assert.deepStrictEqual(PLATFORM_PACKAGES, shim.PLATFORMS);
  const manifest = require(path.join(__dirname, '..', '..', 'npm', 'sandtrap-cli', 'package.json'));
  assert.deepStrictEqual(Object.values(PLATFORM_PACKAGES).sort(), Object.keys(manifest.optionalDependencies).sort());
});
