// Which `sandtrap` executable the extension starts: the `sandtrap.path` setting, the workspace's
// `node_modules/.bin/sandtrap` (the project's `sandtrap-cli` npm package), the platform package
// bundled in the extension's own `node_modules`, then `sandtrap` on PATH. Pure: the file system
// and the environment come in as arguments, so the order and the message are tested without
// VS Code (test/binary.test.js).

import * as path from 'path';

/** The npm platform package holding the binary, by `process.platform`-`process.arch`. */
export const PLATFORM_PACKAGES: Readonly<Record<string, string>> = {
  'darwin-arm64': 'sandtrap-cli-darwin-arm64',
  'darwin-x64': 'sandtrap-cli-darwin-x64',
  'linux-arm64': 'sandtrap-cli-linux-arm64',
  'linux-x64': 'sandtrap-cli-linux-x64',
  'win32-x64': 'sandtrap-cli-win32-x64',
};

/** What the resolution looks at. */
export interface Lookup {
  /** `process.platform` and `process.arch`. */
  readonly platform: string;
  readonly arch: string;
  /** The `sandtrap.path` setting (empty or undefined: not set). */
  readonly setting?: string;
  /** The workspace folders' paths, first first. */
  readonly workspaceFolders: readonly string[];
  /** The extension's installation directory. */
  readonly extensionPath: string;
  /** `PATH` (and `PATHEXT` on Windows) of the extension host. */
  readonly pathEnv?: string;
  readonly pathExt?: string;
  /** Whether `file` is an executable file (a file, on Windows). */
  readonly isExecutable: (file: string) => boolean;
}

/** A binary found: the command to start, where it came from, and whether it needs a shell. */
export interface Found {
  readonly ok: true;
  readonly command: string;
  readonly source: string;
  /** `node_modules/.bin/sandtrap.cmd` on Windows is a batch file: it runs through the shell. */
  readonly shell: boolean;
}

/** No binary: every place tried, and the message that names them. */
export interface NotFound {
  readonly ok: false;
  readonly tried: readonly string[];
  readonly message: string;
}

const INSTALL_HINT =
  'Install it in the workspace (npm install --save-dev sandtrap-cli), on PATH (pipx install ' +
  'sandtrap-cli, or a release archive), or set sandtrap.path to the executable.';

/** The platform's path module: Windows paths on Windows whatever the host, for the tests. */
function paths(platform: string): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** The executable names a `sandtrap` on PATH may have. */
function pathNames(lookup: Lookup): string[] {
  if (lookup.platform !== 'win32') return ['sandtrap'];
  const exts = (lookup.pathExt || '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
  return exts.map((ext) => `sandtrap${ext.toLowerCase()}`);
}

/** Finds the binary, trying each place in order. */
export function findBinary(lookup: Lookup): Found | NotFound {
  const p = paths(lookup.platform);
  const tried: string[] = [];
  const windows = lookup.platform === 'win32';
  const batch = (file: string) => windows && /\.(cmd|bat)$/i.test(file);

  // 1. The setting: when it is set it is the answer, right or wrong, so a typo is reported
  //    instead of silently starting another sandtrap.
  const setting = (lookup.setting ?? '').trim();
  if (setting) {
    const first = lookup.workspaceFolders[0];
    let file = setting.replace(/\$\{workspaceFolder\}/g, first ?? '');
    if (!p.isAbsolute(file) && first) file = p.join(first, file);
    if (lookup.isExecutable(file)) {
      return { ok: true, command: file, source: 'the sandtrap.path setting', shell: batch(file) };
    }
    tried.push(`the sandtrap.path setting: ${file} (not an executable file)`);
    return notFound(tried, 'Fix the sandtrap.path setting, or clear it to look in the other places.');
  }
  tried.push('the sandtrap.path setting (not set)');

  // 2. The workspace's own sandtrap-cli.
  for (const folder of lookup.workspaceFolders) {
    const file = p.join(folder, 'node_modules', '.bin', windows ? 'sandtrap.cmd' : 'sandtrap');
    if (lookup.isExecutable(file)) {
      return { ok: true, command: file, source: `the workspace's ${file}`, shell: batch(file) };
    }
    tried.push(`${file} (not there)`);
  }
  if (lookup.workspaceFolders.length === 0) tried.push('node_modules/.bin/sandtrap (no workspace folder open)');

  // 3. The platform package bundled in the extension.
  const key = `${lookup.platform}-${lookup.arch}`;
  const pkg = PLATFORM_PACKAGES[key];
  if (pkg) {
    const file = p.join(lookup.extensionPath, 'node_modules', pkg, 'bin', windows ? 'sandtrap.exe' : 'sandtrap');
    if (lookup.isExecutable(file)) {
      return { ok: true, command: file, source: `the binary bundled with the extension (${pkg})`, shell: false };
    }
    tried.push(`the binary bundled with the extension, ${file} (not in this build of the extension)`);
  } else {
    tried.push(`a binary bundled with the extension (none is built for ${key})`);
  }

  // 4. PATH.
  const dirs = (lookup.pathEnv ?? '').split(windows ? ';' : ':').filter(Boolean);
  for (const dir of dirs) {
    for (const name of pathNames(lookup)) {
      const file = p.join(dir, name);
      if (lookup.isExecutable(file)) {
        return { ok: true, command: file, source: 'PATH', shell: batch(file) };
      }
    }
  }
  tried.push(dirs.length ? `sandtrap on PATH (${dirs.join(windows ? ';' : ':')})` : 'sandtrap on PATH (PATH is empty)');
  return notFound(tried, INSTALL_HINT);
}

function notFound(tried: string[], hint: string): NotFound {
  const list = tried.map((t, i) => `${i + 1}. ${t}`).join('; ');
  return { ok: false, tried, message: `sandtrap: cannot find the sandtrap binary. Tried: ${list}. ${hint}` };
}
