#!/usr/bin/env bash
# Packs the VS Code extension (packages/vscode) as a `.vsix` with @vscode/vsce from npm, in a
# scratch copy: installs its pinned dependencies (package-lock.json), compiles it with tsc, runs
# its unit tests (node's test runner; with SANDTRAP_BINARY set, also the protocol test against
# that binary), and, given the npm platform package of a binary (scripts/build-npm.sh), bundles
# it as a dependency so the extension finds the binary in its own node_modules. The package's
# addresses come from Cargo.toml's `repository`, like every package's.
# Usage: scripts/build-vsix.sh OUT_DIR [PLATFORM_TARBALL PLATFORM]
# (PLATFORM is node's `process.platform`-`process.arch`, which is also vsce's target name; without
# a tarball the extension is universal and finds sandtrap through its setting, the workspace or
# PATH). Prints the .vsix's path.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: scripts/build-vsix.sh OUT_DIR [PLATFORM_TARBALL PLATFORM]}
tarball=${2:-}
platform=${3:-}
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -z "$tarball" ] || tarball=$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "build-vsix: $*" >&2
  exit 1
}

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)
repository=$(sed -n 's/^repository = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)
ext="$work/vscode"
mkdir "$ext"
(cd "$repo/packages/vscode" && cp -R package.json package-lock.json tsconfig.json .vscodeignore README.md src test "$ext/")
node -e 'const p = require(process.argv[1]); if (p.version !== process.argv[2]) process.exit(1)' \
  "$ext/package.json" "$version" || fail "packages/vscode/package.json is not version $version (Cargo.toml)"

(cd "$ext" && npm ci --no-audit --no-fund --loglevel=error >&2) \
  || fail "npm ci failed (registry reachable?)"
(cd "$ext" && node node_modules/typescript/bin/tsc -p tsconfig.json >&2) || fail "tsc failed"
# The unit tests read the npm shim beside the extension, as in the repository.
mkdir -p "$work/npm" && cp -R "$repo/packages/npm/sandtrap-cli" "$work/npm/"
(cd "$ext" && node --test test/ >&2) || fail "the extension's tests failed"

target=()
if [ -n "$tarball" ]; then
  [ -n "$platform" ] || fail "a platform tarball needs its PLATFORM"
  # The platform package becomes a dependency of the extension, from the file (no registry).
  (cd "$ext" && npm install --no-audit --no-fund --loglevel=error --save "$tarball" >&2) \
    || fail "cannot add $tarball to the extension"
  target=(--target "$platform")
fi
node -e '
const fs = require("fs");
const [file, repository] = process.argv.slice(1);
const [owner, name] = new URL(repository).pathname.split("/").filter(Boolean);
const p = JSON.parse(fs.readFileSync(file, "utf8"));
p.repository = { type: "git", url: `git+${repository}.git` };
p.homepage = `https://${owner.toLowerCase()}.github.io/${name}/lsp/`;
p.bugs = { url: `${repository}/issues` };
fs.writeFileSync(file, JSON.stringify(p, null, 2) + "\n");
' "$ext/package.json" "$repository"
(cd "$ext" && node node_modules/@vscode/vsce/vsce package "${target[@]}" --skip-license \
  --out "$out/" >&2) || fail "vsce package failed"
ls "$out"/*.vsix
