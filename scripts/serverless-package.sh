#!/usr/bin/env bash
# The Serverless Framework front end against the framework itself: installs the pinned framework
# (testdata/serverless-app/package.json and its lock file) from npm into a temporary directory,
# runs `serverless package` on testdata/serverless-app offline (no credentials, no network once
# installed: the service uses no variable that calls AWS), and checks that sandtrap reports the
# same findings (code, severity, message) on the packaged template as on the serverless.yml it
# came from. With --write it also refreshes the committed copy in
# testdata/serverless-app/package/, which tests/it/serverless.rs compares on every `cargo test`.
# Needs node, npm and the npm registry. Usage: serverless-package.sh [--write] [SANDTRAP]
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
app="$repo/testdata/serverless-app"
write=false
if [ "${1:-}" = "--write" ]; then
  write=true
  shift
fi
sandtrap=${1:-$repo/target/debug/sandtrap}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  printf 'serverless-package: FAIL: %s\n' "$*" >&2
  exit 1
}

[ -x "$sandtrap" ] || fail "no sandtrap binary at $sandtrap (cargo build first)"
# Absolute: the checks below run sandtrap from the service's own directory.
sandtrap=$(cd "$(dirname "$sandtrap")" && pwd)/$(basename "$sandtrap")
command -v npm >/dev/null || fail "npm is not installed"

echo "== serverless-package: npm ci (the framework as pinned)"
cp "$app/package.json" "$app/package-lock.json" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error --ignore-scripts) ||
  fail "npm ci failed: is the npm registry reachable?"

echo "== serverless-package: serverless package"
mkdir "$work/service"
cp "$app/serverless.yml" "$app/welcome.js" "$work/service/"
# No telemetry, no update check, no dashboard; mock credentials that nothing uses.
(cd "$work/service" &&
  HOME="$work/home" SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off \
    SLS_DEPRECATION_DISABLE='*' AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
    AWS_EC2_METADATA_DISABLED=true "$work/node_modules/.bin/serverless" package)
packaged="$work/service/.serverless/cloudformation-template-update-stack.json"
[ -f "$packaged" ] || fail "serverless package wrote no $packaged"

findings() {
  # One line per finding of the file $2 in directory $1: what a user reads, without the file
  # and position.
  (cd "$1" && "$sandtrap" check --format json --exit-zero \
    --config "$repo/testdata/rules/empty.sandtrap.yaml" --ses-sandbox eu-west-1 "$2") |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const d of JSON.parse(s).diagnostics)console.log(`${d.code} ${d.severity} ${d.message}`)})' |
    sort
}

echo "== serverless-package: sandtrap on the package and on serverless.yml"
# The package, named as `serverless package` leaves it (its region from the serverless.yml
# beside .serverless/).
findings "$work/service" .serverless/cloudformation-template-update-stack.json >"$work/packaged.txt"
# The service file alone: moved away from its package, which would otherwise be read instead.
mkdir "$work/source"
cp "$app/serverless.yml" "$work/source/"
findings "$work/source" serverless.yml >"$work/source.txt"
cat "$work/packaged.txt"
[ -s "$work/packaged.txt" ] || fail "no finding on the packaged template"
diff -u "$work/packaged.txt" "$work/source.txt" ||
  fail "serverless.yml and its package give different findings"

if $write; then
  cp "$packaged" "$app/package/cloudformation-template-update-stack.json"
  echo "== serverless-package: wrote testdata/serverless-app/package/"
fi
echo "serverless-package: the same findings on both"
