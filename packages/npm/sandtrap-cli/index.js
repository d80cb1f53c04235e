// Finds the sandtrap binary of this machine's platform package (`sandtrap-cli-<platform>-<arch>`,
// one of the optionalDependencies: npm installs only the one whose `os` and `cpu` match).
// `SANDTRAP_BINARY` wins, for a binary built or installed another way.
'use strict';

const fs = require('fs');
const path = require('path');

const PLATFORMS = {
  'darwin-arm64': 'sandtrap-cli-darwin-arm64',
  'darwin-x64': 'sandtrap-cli-darwin-x64',
  'linux-arm64': 'sandtrap-cli-linux-arm64',
  'linux-x64': 'sandtrap-cli-linux-x64',
  'win32-x64': 'sandtrap-cli-win32-x64',
};

/** The platform package's name for this machine, or undefined when none is built for it. */
function platformPackage(platform = process.platform, arch = process.arch) {
  return PLATFORMS[`${platform}-${arch}`];
}

/**
 * The absolute path of the sandtrap binary: `SANDTRAP_BINARY`, else the platform package's.
 * Throws an Error that names both ways when neither gives an executable file.
 */
function binaryPath(env = process.env) {
  if (env.SANDTRAP_BINARY) {
    if (!fs.existsSync(env.SANDTRAP_BINARY)) {
      throw new Error(`SANDTRAP_BINARY is ${env.SANDTRAP_BINARY}, which does not exist`);
    }
    return path.resolve(env.SANDTRAP_BINARY);
  }
  const pkg = platformPackage();
  const exe = process.platform === 'win32' ? 'sandtrap.exe' : 'sandtrap';
  if (pkg) {
    try {
      return require.resolve(`${pkg}/bin/${exe}`);
    } catch {
      // Not installed: optional dependencies omitted (`--omit=optional`, `--no-optional`), a
      // lock file from another platform, or an install that failed quietly.
    }
  }
  const wanted = pkg
    ? `the platform package ${pkg} is not installed (reinstall without --omit=optional, or npm install ${pkg})`
    : `no platform package is built for ${process.platform}-${process.arch}`;
  throw new Error(`cannot find the sandtrap binary: ${wanted}; or set SANDTRAP_BINARY to a sandtrap executable`);
}

module.exports = { binaryPath, platformPackage, PLATFORMS };
