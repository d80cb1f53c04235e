#!/usr/bin/env bash
# Builds the Python wheel of the sandtrap binary (pyproject.toml, maturin `bindings = "bin"`) for
# this machine into OUT_DIR (default: target/wheels), with maturin from PyPI in a throwaway
# virtualenv. maturin builds through cargo with the release profile and the same target
# directory, so after `cargo build --release` it compiles nothing (about a second); from scratch
# it is one release build. Usage: scripts/build-wheel.sh [OUT_DIR]. Prints the wheel's path last.
set -euo pipefail

MATURIN_VERSION=1.16.0

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-${CARGO_TARGET_DIR:-$repo/target}/wheels}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "maturin==$MATURIN_VERSION" \
  || { echo "build-wheel: cannot install maturin==$MATURIN_VERSION from PyPI" >&2; exit 1; }
rm -f "$out"/sandtrap-*.whl
(cd "$repo" && "$work/venv/bin/maturin" build --release --locked --out "$out" >&2)
ls "$out"/sandtrap-*.whl
