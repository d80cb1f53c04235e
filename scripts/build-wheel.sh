#!/usr/bin/env bash
# Builds the Python wheel of the sandtrap binary (the `sandtrap-cli` distribution: pyproject.toml,
# maturin `bindings = "bin"`) for this machine into OUT_DIR (default: target/wheels), with
# maturin from PyPI in a throwaway virtualenv. maturin builds through cargo with the release profile and the same target
# directory, so after `cargo build --release` it compiles nothing (about a second); from scratch
# it is one release build. Usage: scripts/build-wheel.sh [OUT_DIR [MATURIN_ARGS...]] (e.g.
# `--target TARGET --compatibility ...` for the release's cross builds). Prints the wheel's path
# last.
set -euo pipefail

MATURIN_VERSION=1.16.0

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-${CARGO_TARGET_DIR:-$repo/target}/wheels}
shift || true
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python=$(command -v python3 || command -v python)
"$python" -m venv "$work/venv"
bin="$work/venv/bin"
[ -d "$bin" ] || bin="$work/venv/Scripts"  # Windows
"$bin/pip" install --quiet --disable-pip-version-check "maturin==$MATURIN_VERSION" \
  || { echo "build-wheel: cannot install maturin==$MATURIN_VERSION from PyPI" >&2; exit 1; }
rm -f "$out"/sandtrap_cli-*.whl
(cd "$repo" && "$bin/maturin" build --release --locked --out "$out" "$@" >&2)
ls "$out"/sandtrap_cli-*.whl
