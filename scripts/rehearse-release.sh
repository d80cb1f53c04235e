#!/usr/bin/env bash
# The release, rehearsed on this machine the way the release workflow does it on each runner:
# scripts/dist.sh builds every artifact of this platform (the archive with its SHA-256, the
# wheel, the npm tarballs with sandtrap-cdk, the VS Code extension) from one release binary;
# then each is installed from those files alone into a fresh prefix and run on the bundled
# example, which must exit 1 with its ST101:
# - the archive, checked against its .sha256 and unpacked;
# - the wheel, into a fresh virtualenv with no package index;
# - the npm shim and platform package, into a fresh npm project, offline (`npx --no-install
#   sandtrap`); sandtrap-cdk's manifest depends on that shim's version;
# - the extension, unpacked as VS Code does, its binary found by the extension's own resolution
#   (no setting, no workspace binary, nothing on PATH).
# Every package's metadata must name Cargo.toml's `repository`. Ends with SHA256SUMS over every
# file, as the release does. Needs node/npm, python3, and the npm registry and PyPI (maturin,
# vsce, TypeScript, aws-cdk-lib's types).
# Usage: scripts/rehearse-release.sh [BINARY [OUT_DIR]] (default: target/release/sandtrap, built
# when missing, and target/dist).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$repo/target}
binary=${1:-$target_dir/release/sandtrap}
out=${2:-$target_dir/dist}
started=$(date +%s)
if [ ! -x "$binary" ]; then
  (cd "$repo" && cargo build --release --locked)
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

section() { printf '\n== rehearse-release: %s\n' "$*"; }
fail() {
  printf 'rehearse-release: FAIL: %s\n' "$*" >&2
  exit 1
}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)
repository=$(sed -n 's/^repository = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)
target=$(rustc -vV | sed -n 's/^host: //p')
platform=$(node -p 'process.platform + "-" + process.arch')
example=(check --format concise --config "$repo/examples/sandtrap.yaml" "$repo/examples/")

# expect_st101 WHAT COMMAND...: the example through COMMAND exits 1 with the staging pool's ST101.
expect_st101() {
  local what=$1 status=0
  shift
  "$@" "${example[@]}" >"$work/out.txt" 2>&1 || status=$?
  if [ "$status" -ne 1 ] || ! grep -q 'Auth-Staging.template.json:.*error\[ST101\]' "$work/out.txt"; then
    cat "$work/out.txt" >&2
    fail "$what: expected exit status 1 with the example's ST101, got $status"
  fi
  echo "  $what: exit 1, $(grep -c 'ST101' "$work/out.txt") ST101"
}

section "build every artifact of $target / $platform from $binary"
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
# SANDTRAP_BINARY: the extension's protocol test runs against the same binary.
SANDTRAP_BINARY="$binary" bash "$repo/scripts/dist.sh" --cdk "$binary" "$out"

section "the archive: checksum, unpack, run"
archive="sandtrap-v$version-$target.tar.gz"
(cd "$out" && sha256sum -c "$archive.sha256") || fail "$archive does not match its .sha256"
mkdir "$work/archive"
tar -C "$work/archive" -xzf "$out/$archive"
unpacked="$work/archive/sandtrap-v$version-$target/sandtrap"
[ "$("$unpacked" --version)" = "sandtrap $version" ] || fail "the archive's binary is not sandtrap $version"
expect_st101 "archive" "$unpacked"

section "the wheel: a fresh virtualenv, no index"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index \
  --find-links "$out/wheels" "sandtrap-cli==$version" || fail "pip cannot install the wheel"
[ "$("$work/venv/bin/sandtrap" --version)" = "sandtrap $version" ] || fail "the wheel's sandtrap is not $version"
expect_st101 "wheel" "$work/venv/bin/sandtrap"
metadata=$(find "$work/venv" -path '*sandtrap_cli-*.dist-info/METADATA')
grep -q "^Name: sandtrap-cli$" "$metadata" || fail "the wheel's distribution is not sandtrap-cli"
grep -q "^Project-URL: .*$repository" "$metadata" || { cat "$metadata" >&2; fail "the wheel's metadata does not name $repository"; }

section "npm: a fresh project, offline"
mkdir "$work/npm"
(cd "$work/npm" && npm init -y >/dev/null && npm install --offline --no-audit --no-fund --loglevel=error \
  "$out/npm/sandtrap-cli-$version.tgz" "$out/npm/sandtrap-cli-$platform-$version.tgz") \
  || fail "npm cannot install the tarballs"
[ "$(cd "$work/npm" && npx --no-install sandtrap --version)" = "sandtrap $version" ] || fail "npx sandtrap is not $version"
expect_st101 "npm" env -C "$work/npm" npx --no-install sandtrap
node - "$work/npm/node_modules" "$repository" "$out/npm/sandtrap-cdk-$version.tgz" "$version" <<'JS' || fail "an npm manifest is wrong"
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const [modules, repository, cdkTarball, version] = process.argv.slice(2);
for (const dir of fs.readdirSync(modules).filter((d) => d.startsWith('sandtrap-cli'))) {
  const p = require(path.join(modules, dir, 'package.json'));
  if (!p.repository || p.repository.url !== `git+${repository}.git`) throw new Error(`${dir}: repository ${JSON.stringify(p.repository)}`);
  console.log(`  ${p.name}@${p.version}: ${p.repository.url}, ${p.homepage}`);
}
const cdk = JSON.parse(execFileSync('tar', ['-xzOf', cdkTarball, 'package/package.json'], { encoding: 'utf8' }));
if (cdk.dependencies['sandtrap-cli'] !== version) throw new Error(`sandtrap-cdk depends on ${JSON.stringify(cdk.dependencies)}`);
console.log(`  sandtrap-cdk@${cdk.version}: depends on sandtrap-cli@${version}`);
JS

section "the VS Code extension: unpacked, its binary found by its own resolution"
vsix="$out/vscode/sandtrap-$platform-$version.vsix"
mkdir "$work/vsix"
# Unpacked as VS Code does, with the modes the .vsix records (the binary's executable bit).
python3 - "$vsix" "$work/vsix" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        path = z.extract(info, sys.argv[2])
        mode = info.external_attr >> 16 & 0o777
        if mode:
            os.chmod(path, mode)
PY
found=$(node - "$work/vsix/extension" <<'JS'
const path = require('path');
const fs = require('fs');
const extension = process.argv[2];
const { findBinary } = require(path.join(extension, 'out', 'binary.js'));
const found = findBinary({
  platform: process.platform, arch: process.arch, setting: '', workspaceFolders: [],
  extensionPath: extension, pathEnv: '',
  isExecutable: (f) => { try { fs.accessSync(f, fs.constants.X_OK); return fs.statSync(f).isFile(); } catch { return false; } },
});
if (!found.ok) { console.error(found.message); process.exit(1); }
console.log(found.command);
JS
) || fail "the extension does not find its bundled binary"
echo "  the extension starts $found"
expect_st101 "VS Code extension" "$found"
node -e 'const p = require(process.argv[1]); if (p.repository.url !== `git+${process.argv[2]}.git`) process.exit(1)' \
  "$work/vsix/extension/package.json" "$repository" || fail "the extension's manifest does not name $repository"

section "SHA256SUMS"
(cd "$out" && find . -type f ! -name '*.sha256' ! -name SHA256SUMS -printf '%P\n' | sort | xargs sha256sum >SHA256SUMS)
cat "$out/SHA256SUMS"
printf '\nrehearse-release: OK in %ss (artifacts in %s)\n' "$(($(date +%s) - started))" "$out"
