#!/usr/bin/env bash
# End to end with the real CDK for Terraform: installs the pinned cdktf, constructs and
# @cdktf/provider-aws into a temporary directory, synthesizes testdata/cdktf-app with plain
# `node app.js OUTDIR` (no cdktf CLI), checks cdktf.out with the given sandtrap binary and
# asserts every diagnostic. Needs node and npm and the npm registry. Run from .ci/run.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
app="$repo/testdata/cdktf-app"
sandtrap=$(cd "$(dirname "${1:-$repo/target/release/sandtrap}")" && pwd)/$(basename "${1:-sandtrap}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  printf 'test-cdktf: FAIL: %s\n' "$*" >&2
  exit 1
}

[ -x "$sandtrap" ] || fail "no sandtrap binary at $sandtrap"
command -v node >/dev/null || fail "node is not installed: the CDK for Terraform test needs Node.js and npm"

echo "== test-cdktf: npm ci (cdktf, constructs, @cdktf/provider-aws as pinned)"
cp "$app/package.json" "$app/package-lock.json" "$app/app.js" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error) ||
  fail "npm ci failed: is the npm registry reachable?"

echo "== test-cdktf: synthesize (node app.js cdktf.out)"
(cd "$work" && node app.js cdktf.out)
find "$work/cdktf.out" -name 'cdk.tf.json' -printf '%P\n' | sort

echo "== test-cdktf: sandtrap check --ses-sandbox us-west-2 --ses-production ap-northeast-1 cdktf.out"
status=0
(cd "$work" && "$sandtrap" check --format json --ses-sandbox us-west-2 \
  --ses-production ap-northeast-1 cdktf.out >report.json) || status=$?
[ "$status" -eq 1 ] || fail "expected exit status 1 (an ST101 error), got $status"
node - "$work/report.json" <<'JS'
const fs = require('fs');
const report = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const got = report.diagnostics.map((d) => `${d.code} ${d.severity} ${d.file} ${d.resource}`).sort();
const expected = [
  'ST101 error cdktf.out/stacks/auth-staging/cdk.tf.json aws_cognito_user_pool.users',
  'ST208 warning cdktf.out/stacks/auth-prod/cdk.tf.json aws_cognito_user_pool.users',
  'ST208 warning cdktf.out/stacks/auth-staging/cdk.tf.json aws_cognito_user_pool.users',
].sort();
for (const line of got) console.log('  got', line);
if (JSON.stringify(got) !== JSON.stringify(expected)) {
  console.error('expected:', expected);
  process.exit(1);
}
const st101 = report.diagnostics.find((d) => d.code === 'ST101');
if (!st101.related.some((r) => r.message === 'region of provider `aws`')) {
  console.error('ST101 does not show the provider region:', st101.related);
  process.exit(1);
}
JS
echo "== test-cdktf: the human report names the construct"
(cd "$work" && "$sandtrap" check --color never --ses-sandbox us-west-2 \
  --ses-production ap-northeast-1 cdktf.out >human.txt) || true
grep -q 'CDK for Terraform construct `auth-staging/users`' "$work/human.txt" ||
  fail "the report does not name the construct: $(cat "$work/human.txt")"
echo "test-cdktf: ok"
