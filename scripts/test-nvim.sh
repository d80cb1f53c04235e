#!/usr/bin/env bash
# `sandtrap lsp` with a real client: headless Neovim opens the fixture workspace's pool template,
# waits for ST101, applies the ignore-comment code action and checks the finding goes away.
# Installs Neovim with apt when it is missing. Usage: scripts/test-nvim.sh [SANDTRAP_BINARY]
# (default: target/release/sandtrap, built if absent). Exit status 0 on success, 1 on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

if ! command -v nvim >/dev/null 2>&1; then
  echo "== installing neovim"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq neovim >/dev/null
fi
nvim --version | head -1

target_dir=${CARGO_TARGET_DIR:-$repo/target}
binary=${1:-$target_dir/release/sandtrap}
if [ ! -x "$binary" ]; then
  echo "== building $binary"
  cargo build --release --locked
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r testdata/lsp/workspace "$work/workspace"
result="$work/result.txt"
# Keep Neovim's state, log and shada inside the scratch directory.
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" \
  XDG_STATE_HOME="$work/state" XDG_CACHE_HOME="$work/cache"
export SANDTRAP_BIN="$binary" SANDTRAP_WORKSPACE="$work/workspace" SANDTRAP_RESULT="$result"

status=0
timeout 120 nvim --headless --clean -n -i NONE \
  -c "luafile $repo/testdata/lsp/nvim/test.lua" </dev/null >"$work/nvim.out" 2>&1 || status=$?

echo "== neovim test steps"
if [ -f "$result" ]; then
  cat "$result"
else
  echo "(no result file: Neovim exited with status $status before writing it)"
fi
if [ "$status" -ne 0 ] || ! grep -q '^RESULT: PASS$' "$result" 2>/dev/null; then
  echo "== FAILED (neovim exit status $status)" >&2
  echo "== neovim output" >&2
  cat "$work/nvim.out" >&2 || true
  echo "== neovim lsp log" >&2
  find "$work" -name 'lsp.log' -exec tail -n 40 {} \; >&2 || true
  exit 1
fi
echo "== neovim test passed"
