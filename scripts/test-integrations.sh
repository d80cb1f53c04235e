#!/usr/bin/env bash
# The snippets of docs/integrations.md, executed (scripts/test-integrations.py says which and
# how). Needs python3 (3.11+, for tomllib) and, for the nvim-lint recipe, Neovim (installed by
# scripts/test-nvim.sh, which .ci/run runs first). Usage: scripts/test-integrations.sh
# [SANDTRAP_BINARY] (default: target/release/sandtrap, built if absent).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-${CARGO_TARGET_DIR:-target}/release/sandtrap}
if [ ! -x "$binary" ]; then
  echo "== building $binary"
  cargo build --release --locked
fi
python3 scripts/test-integrations.py "$binary"
