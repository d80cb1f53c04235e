#!/usr/bin/env bash
# Every artifact a release publishes for one platform, from one release binary, into OUT_DIR:
# - sandtrap-vX.Y.Z-TARGET.tar.gz (.zip on Windows) holding the binary, README.md and
#   CHANGELOG.md, with its .sha256;
# - wheels/: the `sandtrap-cli` wheel (maturin through scripts/build-wheel.sh; maturin builds
#   with cargo into the same target directory, so it reuses the binary's build);
# - npm/: the `sandtrap-cli` shim and `sandtrap-cli-PLATFORM` tarballs, with --cdk also
#   `sandtrap-cdk` (scripts/build-npm.sh);
# - vscode/: the VS Code extension for PLATFORM with the platform package inside
#   (scripts/build-vsix.sh).
# Each artifact's binary is checked to be BINARY itself, byte for byte. The release workflow
# runs this on each platform's runner; scripts/rehearse-release.sh runs it here and installs what
# it made.
# Usage: scripts/dist.sh [--cdk] [--target TARGET] [--npm-platform PLATFORM] BINARY OUT_DIR
# (TARGET: the Rust target triple, default this machine's; PLATFORM: node's `process.platform`-
# `process.arch`, default this machine's).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cdk=()
target=
explicit_target=
platform=
while [ $# -gt 0 ]; do
  case "$1" in
    --cdk) cdk=(--cdk); shift ;;
    --target) target=$2; explicit_target=1; shift 2 ;;
    --npm-platform) platform=$2; shift 2 ;;
    *) break ;;
  esac
done
binary=${1:?usage: scripts/dist.sh [--cdk] [--target TARGET] [--npm-platform PLATFORM] BINARY OUT_DIR}
out=${2:?usage: scripts/dist.sh [--cdk] [--target TARGET] [--npm-platform PLATFORM] BINARY OUT_DIR}
host=$(rustc -vV | sed -n 's/^host: //p')
target=${target:-$host}
platform=${platform:-$(node -p 'process.platform + "-" + process.arch')}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)
[ -x "$binary" ] || { echo "dist: no binary at $binary" >&2; exit 1; }
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date +%s)

section() { printf '\n== dist: %s\n' "$*" >&2; }
fail() {
  printf 'dist: FAIL: %s\n' "$*" >&2
  exit 1
}
python=$(command -v python3 || command -v python)
sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}
digest() { sha256 "$1" | cut -d' ' -f1; }
want=$(digest "$binary")
# same FILE WHAT: FILE must be the release binary.
same() {
  [ "$(digest "$1")" = "$want" ] || fail "$2 holds another binary than $binary"
  echo "  $2: the release binary ($want)" >&2
}

exe=sandtrap
case "$target" in *windows*) exe=sandtrap.exe ;; esac

section "archive of $target"
name="sandtrap-v$version-$target"
mkdir "$work/$name"
cp "$binary" "$work/$name/$exe"
cp "$repo/README.md" "$repo/CHANGELOG.md" "$work/$name/"
case "$target" in
  *windows*)
    archive="$name.zip"
    (cd "$work" && 7z a -tzip "$out/$archive" "$name" >/dev/null)
    ;;
  *)
    archive="$name.tar.gz"
    tar -C "$work" -czf "$out/$archive" "$name"
    ;;
esac
(cd "$out" && sha256 "$archive" >"$archive.sha256")
cat "$out/$archive.sha256" >&2

section "wheel (maturin, reusing the release build)"
compat=()
# The musl binaries are static: one wheel serves glibc and musl Pythons alike.
case "$target" in *linux-musl*) compat=(--compatibility manylinux_2_17 --compatibility musllinux_1_2) ;; esac
# maturin builds where the binary was built: target/TARGET/release when a target was named (the
# release workflow), target/release otherwise.
target_flag=()
[ -z "$explicit_target" ] || target_flag=(--target "$target")
bash "$repo/scripts/build-wheel.sh" "$out/wheels" "${target_flag[@]}" "${compat[@]}" >/dev/null
wheel=$(ls "$out"/wheels/sandtrap_cli-"$version"-*.whl)
mkdir "$work/wheel"
"$python" -m zipfile -e "$wheel" "$work/wheel"
same "$(find "$work/wheel" -path "*.data/scripts/$exe")" "$(basename "$wheel")"

section "npm packages for $platform"
bash "$repo/scripts/build-npm.sh" "${cdk[@]}" "$binary" "$out/npm" "$platform" >/dev/null
mkdir "$work/npm"
tar -C "$work/npm" -xzf "$out/npm/sandtrap-cli-$platform-$version.tgz"
same "$work/npm/package/bin/$exe" "sandtrap-cli-$platform-$version.tgz"

section "VS Code extension for $platform"
bash "$repo/scripts/build-vsix.sh" "$out/vscode" "$out/npm/sandtrap-cli-$platform-$version.tgz" "$platform" >/dev/null
vsix="$out/vscode/sandtrap-$platform-$version.vsix"
[ -f "$vsix" ] || fail "no $vsix"
mkdir "$work/vsix"
"$python" -m zipfile -e "$vsix" "$work/vsix"
same "$work/vsix/extension/node_modules/sandtrap-cli-$platform/bin/$exe" "$(basename "$vsix")"

section "done in $(($(date +%s) - started)) s"
(cd "$out" && find . -type f ! -name '*.sha256' | sed 's|^\./||' | sort)
