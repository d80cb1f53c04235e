#!/usr/bin/env bash
# End to end with npm and the real AWS CDK, from local `npm pack` tarballs (scripts/build-npm.sh):
# - `npx sandtrap` in a fresh project with the `sandtrap-cli` package and this machine's platform
#   package runs the binary (exit statuses passed through), and says what to do without one;
# - a CDK app (aws-cdk-lib pinned in testdata/cdk-app/package-lock.json) with the `sandtrap-cdk`
#   plugin fails `app.synth()` with ST101 in CDK's validation report, on the pool's construct
#   path, when the pool's SES region is declared in the sandbox, and passes once production
#   access is declared in the plugin's options, both through `policyValidationBeta1` and through
#   the stable `Validations.of(app).addPlugins`; the plugin type-checks against both of CDK's
#   interfaces (`tsc --noEmit`).
# Needs node, npm and the npm registry (aws-cdk-lib, TypeScript). Usage:
# scripts/test-npm.sh [SANDTRAP_BINARY] (default: target/release/sandtrap, built if absent).
set -euo pipefail

TYPESCRIPT_VERSION=5.9.3
TYPES_NODE_VERSION=20.19.25

repo=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-${CARGO_TARGET_DIR:-$repo/target}/release/sandtrap}
if [ ! -x "$binary" ]; then
  (cd "$repo" && cargo build --release --locked)
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
started=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

section() { printf '\n== test-npm: %s\n' "$*"; }
fail() {
  printf 'test-npm: FAIL: %s\n' "$*" >&2
  exit 1
}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)
platform=$(node -p 'process.platform + "-" + process.arch')

section "a CDK app: npm ci (aws-cdk-lib as pinned), TypeScript $TYPESCRIPT_VERSION"
app="$work/app"
mkdir "$app"
cp "$repo/testdata/cdk-app/package.json" "$repo/testdata/cdk-app/package-lock.json" "$app/"
cp "$repo/testdata/cdk-plugin-app/app.js" "$repo/testdata/cdk-plugin-app/types.ts" "$app/"
(cd "$app" && npm ci --no-audit --no-fund --loglevel=error \
  && npm install --no-audit --no-fund --loglevel=error \
    "typescript@$TYPESCRIPT_VERSION" "@types/node@$TYPES_NODE_VERSION") \
  || fail "cannot install aws-cdk-lib and TypeScript: is the npm registry reachable?"

section "npm pack: sandtrap-cli, sandtrap-cli-$platform, sandtrap-cdk (compiled with tsc)"
tarballs="$work/tarballs"
SANDTRAP_NPM_TOOLS="$app" bash "$repo/scripts/build-npm.sh" --cdk "$binary" "$tarballs"
for t in "sandtrap-cli-$version.tgz" "sandtrap-cli-$platform-$version.tgz" "sandtrap-cdk-$version.tgz"; do
  [ -f "$tarballs/$t" ] || fail "no $t"
done
# (The listing is read whole: `grep -q` closing the pipe early would fail tar under pipefail.)
listing=$(tar -tzf "$tarballs/sandtrap-cdk-$version.tgz")
echo "$listing"
grep -qx 'package/lib/index.js' <<<"$listing" || fail "the sandtrap-cdk tarball has no compiled lib/index.js"
grep -qx 'package/lib/index.d.ts' <<<"$listing" || fail "the sandtrap-cdk tarball has no declarations"
if grep -v '\.d\.ts$' <<<"$listing" | grep -q -e '\.ts$' -e '/test/'; then
  fail "the sandtrap-cdk tarball ships TypeScript sources or tests"
fi

section "npx sandtrap in a fresh project (local tarballs, no registry)"
npx_dir="$work/npx"
mkdir "$npx_dir"
(cd "$npx_dir" && npm init -y >/dev/null \
  && npm install --offline --no-audit --no-fund --loglevel=error \
    "$tarballs/sandtrap-cli-$version.tgz" "$tarballs/sandtrap-cli-$platform-$version.tgz") \
  || fail "npm cannot install the local tarballs"
[ "$(cd "$npx_dir" && npx --no-install sandtrap --version)" = "sandtrap $version" ] \
  || fail "npx sandtrap --version is not 'sandtrap $version'"
status=0
(cd "$npx_dir" && npx --no-install sandtrap check --format concise --config "$repo/examples/sandtrap.yaml" "$repo/examples/") \
  >"$work/npx.txt" || status=$?
cat "$work/npx.txt"
[ "$status" -eq 1 ] && grep -q 'error\[ST101\]' "$work/npx.txt" \
  || fail "npx sandtrap check did not report the example's ST101 with exit status 1 (got $status)"
status=0
(cd "$npx_dir" && npx --no-install sandtrap check --config "$work/none.yaml" .) 2>/dev/null || status=$?
[ "$status" -eq 2 ] || fail "exit status 2 is not passed through (got $status)"
rm -rf "$npx_dir/node_modules/sandtrap-cli-$platform"
status=0
(cd "$npx_dir" && npx --no-install sandtrap --version) 2>"$work/missing.txt" || status=$?
cat "$work/missing.txt"
[ "$status" -eq 2 ] && grep -q "sandtrap-cli-$platform" "$work/missing.txt" && grep -q SANDTRAP_BINARY "$work/missing.txt" \
  || fail "without the platform package, npx sandtrap does not name it and SANDTRAP_BINARY"
[ "$(cd "$npx_dir" && SANDTRAP_BINARY="$binary" npx --no-install sandtrap --version)" = "sandtrap $version" ] \
  || fail "SANDTRAP_BINARY is not used"

section "sandtrap-cdk into the CDK app (local tarballs)"
(cd "$app" && npm install --no-audit --no-fund --loglevel=error \
  "$tarballs/sandtrap-cli-$version.tgz" "$tarballs/sandtrap-cli-$platform-$version.tgz" "$tarballs/sandtrap-cdk-$version.tgz") \
  || fail "npm cannot install sandtrap-cdk from the local tarballs"
(cd "$app" && node node_modules/typescript/bin/tsc --noEmit --strict --module commonjs --target ES2020 \
  --moduleResolution node --skipLibCheck --types node types.ts) \
  || fail "SandtrapValidator does not type-check as IPolicyValidationPluginBeta1 and IPolicyValidationPlugin"
echo "types.ts: SandtrapValidator is an IPolicyValidationPluginBeta1 and an IPolicyValidationPlugin"

# synth MODE OPTIONS EXPECTED: `node app.js` with the plugin; EXPECTED is "fails" or "passes".
synth() {
  local out="$work/out-$1-$3" status=0
  (cd "$app" && node app.js "$out" "$1" "$2") >"$work/synth.txt" 2>&1 || status=$?
  cut -c1-300 "$work/synth.txt"  # CDK prints a minified source line with an error
  case "$3" in
    fails)
      [ "$status" -ne 0 ] || fail "$1: app.synth() passed with $2; expected the validation to fail"
      grep -q 'Validation failed' "$work/synth.txt" || fail "$1: no 'Validation failed' from CDK"
      grep -q 'Auth/Pool/Resource' "$work/synth.txt" || fail "$1: the report does not name the construct path"
      node - "$out/validation-report.json" <<'JS' || fail "$1: CDK's validation report lacks sandtrap's ST101"
const report = require(process.argv[2]);
const plugin = report.pluginReports.find((p) => p.pluginName === 'sandtrap');
const v = plugin && plugin.violations.find((x) => x.ruleName === 'ST101 ses-sandbox-recipients');
const c = v && v.violatingConstructs[0];
const ok = plugin.conclusion === 'failure' && v.severity === 'error' && /sandbox/.test(v.description)
  && /put-account-details/.test(v.suggestedFix) && c.constructPath === 'Auth/Pool/Resource'
  && c.cloudFormationResource.propertyPaths[0] === 'Properties.EmailConfiguration.SourceArn';
console.log(ok ? `  ST101 on ${c.constructPath} at ${c.cloudFormationResource.propertyPaths[0]}` : JSON.stringify(plugin, null, 1));
process.exit(ok ? 0 : 1);
JS
      ;;
    passes) [ "$status" -eq 0 ] || fail "$1: app.synth() failed with $2; expected it to pass" ;;
  esac
}

for mode in beta1 stable; do
  section "$mode: us-west-2 in the SES sandbox: app.synth() fails with ST101"
  synth "$mode" '{"sesSandbox": ["111111111111:us-west-2"]}' fails
  section "$mode: production access declared in the plugin options: app.synth() passes"
  synth "$mode" '{"sesProduction": ["111111111111:us-west-2"], "failLevel": "warning"}' passes
done

section "the binary missing: the error names the platform package and SANDTRAP_BINARY"
rm -rf "$app/node_modules/sandtrap-cli-$platform"
status=0
(cd "$app" && node app.js "$work/out-missing" beta1 '{}') >"$work/synth.txt" 2>&1 || status=$?
grep -E 'sandtrap-cdk: .*sandtrap-cli-'"$platform"'.*SANDTRAP_BINARY' "$work/synth.txt" \
  || { cat "$work/synth.txt"; fail "no clear error without the binary (status $status)"; }
[ "$status" -ne 0 ] || fail "app.synth() passed without a sandtrap binary"
(cd "$app" && SANDTRAP_BINARY="$binary" node app.js "$work/out-env" beta1 '{"sesProduction": ["111111111111:us-west-2"]}') \
  || fail "SANDTRAP_BINARY is not used by the plugin"
echo "SANDTRAP_BINARY: used"

printf '\ntest-npm: OK in %ss\n' "$(($(date +%s) - started))"
