#!/usr/bin/env bash
# Packs the npm distribution into OUT_DIR (default: target/npm) as `npm pack` tarballs:
# - `sandtrap-cli-<platform>-<arch>`: the platform package holding BINARY (`os`/`cpu` set, so
#   npm installs it only there), for this machine, or for PLATFORM (node's `process.platform` and
#   `process.arch`, e.g. `linux-arm64`) when the release workflow packs a cross-built binary;
# - `sandtrap-cli` (packages/npm/sandtrap-cli): the shim that runs `sandtrap` (`npx sandtrap-cli`)
#   by resolving the platform package among its optionalDependencies;
# - with --cdk, `sandtrap-cdk` (packages/cdk): the CDK validation plugin, compiled with `tsc`
#   (TypeScript and aws-cdk-lib for its types installed from npm into a scratch directory).
# SANDTRAP_NPM_TOOLS=DIR reuses DIR/node_modules for those instead.
# Usage: scripts/build-npm.sh [--cdk] [BINARY [OUT_DIR [PLATFORM]]]
# (default BINARY: target/release/sandtrap, built if absent). Prints the tarballs' paths.
set -euo pipefail

TYPESCRIPT_VERSION=5.9.3
TYPES_NODE_VERSION=20.19.25

repo=$(cd "$(dirname "$0")/.." && pwd)
cdk=false
if [ "${1:-}" = "--cdk" ]; then
  cdk=true
  shift
fi
target_dir=${CARGO_TARGET_DIR:-$repo/target}
binary=${1:-$target_dir/release/sandtrap}
out=${2:-$target_dir/npm}
platform=${3:-$(node -p 'process.platform + "-" + process.arch')}
if [ ! -x "$binary" ]; then
  (cd "$repo" && cargo build --release --locked >&2)
fi
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)
# The addresses every package names come from Cargo.toml's `repository` (its GitHub Pages site is
# the documentation), so the manifests in packages/ carry none of their own.
repository=$(sed -n 's/^repository = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "build-npm: $*" >&2
  exit 1
}
# with_urls MANIFEST: sets `repository`, `homepage` (the documentation site) and `bugs` from
# Cargo.toml's `repository`.
with_urls() {
  node -e '
const fs = require("fs");
const [file, repository] = process.argv.slice(1);
const [owner, name] = new URL(repository).pathname.split("/").filter(Boolean);
const p = JSON.parse(fs.readFileSync(file, "utf8"));
p.repository = { type: "git", url: `git+${repository}.git` };
p.homepage = `https://${owner.toLowerCase()}.github.io/${name}/`;
p.bugs = { url: `${repository}/issues` };
fs.writeFileSync(file, JSON.stringify(p, null, 2) + "\n");
' "$1" "$repository"
}
for manifest in "$repo/packages/npm/sandtrap-cli/package.json" "$repo/packages/cdk/package.json"; do
  node -e 'const p = require(process.argv[1]); if (p.version !== process.argv[2]) process.exit(1)' \
    "$manifest" "$version" || fail "$manifest is not version $version (Cargo.toml)"
done

# The platform package.
name="sandtrap-cli-$platform"
node -e 'const p = require(process.argv[1]); if (!(process.argv[2] in p.optionalDependencies)) process.exit(1)' \
  "$repo/packages/npm/sandtrap-cli/package.json" "$name" || fail "$name is not an optional dependency of sandtrap-cli"
os=${platform%-*}
cpu=${platform##*-}
exe=sandtrap
[ "$os" = win32 ] && exe=sandtrap.exe
mkdir -p "$work/platform/bin"
cp "$binary" "$work/platform/bin/$exe"
chmod +x "$work/platform/bin/$exe"
cat >"$work/platform/package.json" <<JSON
{
  "name": "$name",
  "version": "$version",
  "description": "The sandtrap binary for $platform (installed by the sandtrap-cli package)",
  "license": "Apache-2.0",
  "os": ["$os"],
  "cpu": ["$cpu"],
  "files": ["bin/$exe"],
  "preferUnplugged": true
}
JSON
printf '# %s\n\nThe sandtrap %s binary for %s. Install `sandtrap-cli`, which picks this package.\n' \
  "$name" "$version" "$platform" >"$work/platform/README.md"
with_urls "$work/platform/package.json"
(cd "$work/platform" && npm pack --silent --pack-destination "$out" >/dev/null)

# The shim.
cp -R "$repo/packages/npm/sandtrap-cli" "$work/shim"
with_urls "$work/shim/package.json"
(cd "$work/shim" && npm pack --silent --pack-destination "$out" >/dev/null)

if $cdk; then
  # The plugin, compiled against the aws-cdk-lib its tests use.
  cp -R "$repo/packages/cdk" "$work/cdk"
  rm -rf "$work/cdk/node_modules" "$work/cdk/lib"
  # SANDTRAP_NPM_TOOLS: a directory whose node_modules already has them (the test's CDK app).
  tools=${SANDTRAP_NPM_TOOLS:-}
  if [ -z "$tools" ]; then
    tools="$work/tools"
    mkdir "$tools"
    cp "$repo/testdata/cdk-app/package.json" "$repo/testdata/cdk-app/package-lock.json" "$tools/"
    (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error >&2 \
      && npm install --no-save --no-audit --no-fund --loglevel=error \
        "typescript@$TYPESCRIPT_VERSION" "@types/node@$TYPES_NODE_VERSION" >&2) \
      || fail "cannot install typescript, @types/node and aws-cdk-lib from npm"
  fi
  ln -s "$tools/node_modules" "$work/cdk/node_modules"
  (cd "$work/cdk" && node node_modules/typescript/bin/tsc -p tsconfig.json) || fail "tsc failed"
  (cd "$work/cdk" && node --test test/) || fail "the plugin's unit tests failed"
  rm "$work/cdk/node_modules"
  with_urls "$work/cdk/package.json"
  (cd "$work/cdk" && npm pack --silent --pack-destination "$out" >/dev/null)
fi
ls "$out"/*.tgz
