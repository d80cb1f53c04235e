#!/usr/bin/env bash
# End to end with the real AWS CDK: installs the pinned aws-cdk-lib into a temporary directory,
# synthesizes testdata/cdk-app (stacks with environments, a Stage, a NestedStack) with plain
# `node app.js OUTDIR` (no CDK CLI), checks the cloud assembly with the release build of sandtrap,
# and asserts every diagnostic. Needs node and npm (the machine's own; nothing is installed
# globally) and the npm registry. Run from .ci/run; any failed step exits non-zero.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
app="$repo/testdata/cdk-app"
started=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

section() { printf '\n== test-cdk: %s\n' "$*"; }
fail() {
  printf 'test-cdk: FAIL: %s\n' "$*" >&2
  exit 1
}

section "node and npm"
command -v node >/dev/null || fail "node is not installed: the CDK end-to-end test needs Node.js and npm"
command -v npm >/dev/null || fail "npm is not installed: the CDK end-to-end test needs Node.js and npm"
echo "node $(node --version), npm $(npm --version)"

section "npm ci (aws-cdk-lib and constructs as pinned in testdata/cdk-app/package-lock.json)"
cp "$app/package.json" "$app/package-lock.json" "$app/app.js" "$app/accuracy.js" "$work/"
if ! (cd "$work" && npm ci --no-audit --no-fund --loglevel=error); then
  fail "npm ci failed: is the npm registry reachable? (the test cannot run without aws-cdk-lib)"
fi
(cd "$work" && node -e 'for (const p of ["aws-cdk-lib", "constructs"]) console.log(p, require(p + "/package.json").version)')

# expect.js: the diagnostics of a JSON report (code, severity, file, resource; CDK's hashes in
# logical ids and file names stripped by `strip`) must be exactly `expected`; exits 1 otherwise.
cat >"$work/expect.js" <<'JS'
const fs = require('fs');
module.exports = (file, expected, strip) => {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const actual = report.diagnostics.map((d) => strip(`${d.code} ${d.severity} ${d.file} ${d.resource}`));
  for (const line of actual) console.log('  got', line);
  const missing = expected.filter((e) => !actual.includes(e));
  const unexpected = actual.filter((a) => !expected.includes(a));
  if (missing.length || unexpected.length) {
    console.error('missing:', missing, '\nunexpected:', unexpected);
    process.exit(1);
  }
  return report;
};
JS

section "synthesize (node app.js cdk.out)"
(cd "$work" && node app.js cdk.out)
find "$work/cdk.out" -name '*.template.json' -printf '%P\n' | sort

section "build sandtrap (release)"
(cd "$repo" && cargo build --release --locked --quiet)
sandtrap="${CARGO_TARGET_DIR:-$repo/target}/release/sandtrap"
[ -x "$sandtrap" ] || fail "no binary at $sandtrap"

section "sandtrap check --ses-sandbox 111111111111:us-east-1 cdk.out"
status=0
(cd "$work" && "$sandtrap" check --format concise --ses-sandbox 111111111111:us-east-1 cdk.out) || status=$?
[ "$status" -eq 1 ] || fail "expected exit status 1 (errors found), got $status"
status=0
(cd "$work" && "$sandtrap" check --format json --ses-sandbox 111111111111:us-east-1 cdk.out) \
  >"$work/report.json" || status=$?
[ "$status" -eq 1 ] || fail "expected exit status 1 from the JSON run, got $status"

section "assert the diagnostics"
# Expected, per docs/domain.md (allowed SES regions per pool region, sandbox per account and
# region):
# - Auth/PublicPool (eu-west-2, self sign-up, SES us-east-1 in the sandbox): ST101 error; the
#   legacy us-east-1 is allowed for eu-west-2 (ST102 info); example.com is declared in us-east-1
#   by the SesIdentity stack, so no ST205/ST207.
# - Auth/Partners (NestedStack, inherits eu-west-2; admin-only; SES us-west-1): ST203 error (not
#   allowed for eu-west-2), ST205 error (example.com is declared only in us-east-1), ST101 info
#   (us-west-1 sandbox state unknown, admin-only pool).
# - Staging/Auth (Stage, eu-west-3; admin-only; SES eu-west-3, its own region): ST207 info
#   (staging.example.com declared nowhere), ST101 info (eu-west-3 sandbox state unknown).
node - "$work/report.json" <<'JS' || fail "diagnostics differ from the expected ones"
const expect = require(require('path').join(require('path').dirname(process.argv[2]), 'expect.js'));
// CDK appends hashes to logical ids and file names; compare with those stripped.
const strip = (s) => s.replace(/[0-9A-F]{8}(?=\b|\.)/g, '*').replace(/PublicPool\*|PartnerPool\*|StaffPool\*/g, (m) => m.slice(0, -1));
const expected = [
  'ST101 error cdk.out/Auth.template.json PublicPool',
  'ST102 info cdk.out/Auth.template.json PublicPool',
  'ST101 info cdk.out/AuthPartners*.nested.template.json PartnerPool',
  'ST203 error cdk.out/AuthPartners*.nested.template.json PartnerPool',
  'ST205 error cdk.out/AuthPartners*.nested.template.json PartnerPool',
  'ST101 info cdk.out/assembly-Staging/StagingAuth*.template.json StaffPool',
  'ST207 info cdk.out/assembly-Staging/StagingAuth*.template.json StaffPool',
];
const report = expect(process.argv[2], expected, strip);
const s = report.summary;
if (s.errors !== 3 || s.warnings !== 0 || s.infos !== 4 || s.templates !== 4) {
  console.error('unexpected summary', s);
  process.exit(1);
}
console.log(`all ${expected.length} expected diagnostics, nothing else; summary`, JSON.stringify(s));
JS

section "production access recorded: ST101 goes away, the region errors stay"
status=0
(cd "$work" && "$sandtrap" check --format concise --ses-production 111111111111:us-east-1 cdk.out) \
  >"$work/production.txt" || status=$?
cat "$work/production.txt"
[ "$status" -eq 1 ] || fail "expected exit status 1 (ST203, ST205), got $status"
grep -q 'error\[ST101\]' "$work/production.txt" && fail "ST101 error reported although us-east-1 has production access"
grep -q 'error\[ST203\]' "$work/production.txt" || fail "ST203 missing"

section "accuracy app (node accuracy.js): env-agnostic senders, nested deployments, cross-region references"
(cd "$work" && node accuracy.js accuracy.out >/dev/null && node accuracy.js amplify.out amplify >/dev/null)
# The Amplify-shaped stack alone, with no flag and no config: SES in whatever region it deploys
# to, self sign-up, nothing known about the sandbox there -> ST101 warning, exit status 1.
status=0
(cd "$work" && "$sandtrap" check --format json amplify.out) >"$work/amplify.json" || status=$?
[ "$status" -eq 1 ] || fail "expected exit status 1 from the Amplify-shaped assembly, got $status"
status=0
(cd "$work" && "$sandtrap" check --format json accuracy.out) >"$work/accuracy.json" || status=$?
[ "$status" -eq 1 ] || fail "expected exit status 1 from the accuracy app, got $status"
node - "$work/amplify.json" "$work/accuracy.json" <<'JS' || fail "diagnostics differ from the expected ones"
const expect = require(require('path').join(require('path').dirname(process.argv[2]), 'expect.js'));
const strip = (s) => s.replace(/[0-9A-F]{8}(?=\b|\.)/g, '*');
const check = (file, expected) => expect(file, expected, strip);
// Amplify-shaped: ST101 at the unknown-state level for a public pool, plus ST003.
const amplify = check(process.argv[2], [
  'ST003 info amplify.out/AmplifyAuth.template.json UserPool*',
  'ST101 warning amplify.out/AmplifyAuth.template.json UserPool*',
]);
const st101 = amplify.diagnostics.find((d) => d.code === 'ST101');
if (!/whatever region its stack deploys to/.test(st101.message)) {
  console.error('ST101 does not say the SES region is the deploy region:', st101.message);
  process.exit(1);
}
const report = check(process.argv[3], [
  'ST003 info accuracy.out/AmplifyAuth.template.json UserPool*',
  'ST101 warning accuracy.out/AmplifyAuth.template.json UserPool*',
  // withSES({ sesRegion: 'eu-west-1' }) in an environment-agnostic stack: the skipped region
  // checks are named.
  'ST003 info accuracy.out/Regional.template.json StaffPool*',
  'ST101 info accuracy.out/Regional.template.json StaffPool*',
  'ST207 info accuracy.out/Regional.template.json StaffPool*',
  // The identity in the parent stack, the pool in its NestedStack: one deployment.
  'ST208 warning accuracy.out/ParentPools*.nested.template.json PartnerPool*',
  'ST101 info accuracy.out/ParentPools*.nested.template.json PartnerPool*',
  // The cross-region reference resolves to the identity's ARN: no ST002, and the identity is
  // found declared in us-east-1 (no ST207).
  'ST101 info accuracy.out/Auth.template.json Pool',
  'ST102 info accuracy.out/Auth.template.json Pool',
]);
const regional = report.diagnostics.find((d) => d.code === 'ST003' && /Regional/.test(d.file));
if (!/ST203/.test(regional.message) || /Metadata/.test(regional.help)) {
  console.error('ST003 for a CDK stack must name the skipped checks and CDK-fit help:', regional);
  process.exit(1);
}
console.log('accuracy app: every expected diagnostic, nothing else');
JS

section "every region of the account declared in production: the Amplify-shaped stack passes"
status=0
(cd "$work" && "$sandtrap" check --format concise --account 111111111111 --ses-production '111111111111:*' amplify.out) || status=$?
[ "$status" -eq 0 ] || fail "expected exit status 0 once every region has production access, got $status"

printf '\ntest-cdk: OK in %ss\n' "$(($(date +%s) - started))"
