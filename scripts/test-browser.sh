#!/usr/bin/env bash
# The pictures and pages in a real browser, offline: the HTML report and the documentation site
# in Debian's Chromium (driven by playwright-core), every Mermaid diagram sandtrap draws (the
# bundled example, a generated 50-stack app, the Markdown report's) rendered by the real Mermaid
# library there, and the Markdown report rendered by cmark-gfm (GitHub's renderer). Installs
# chromium and cmark-gfm with apt when missing, and the pinned npm packages of
# scripts/browser/package-lock.json. Screenshots are kept in target/browser/screenshots (CI
# artifacts). `--update` also rewrites the pictures in docs/images.
#
# Uses the binary at $SANDTRAP (default: target/release/sandtrap, built when missing).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work="$repo/target/browser"
update=0
[ "${1:-}" = "--update" ] && update=1
started=$(date +%s)

section() { printf '\n== test-browser: %s\n' "$*"; }
fail() {
  printf 'test-browser: FAIL: %s\n' "$*" >&2
  exit 1
}

section "tools"
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v cmark-gfm >/dev/null || missing+=(cmark-gfm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} with apt"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null ||
    fail "apt-get install ${missing[*]} failed"
fi
chromium --version
command -v node >/dev/null || fail "node is not installed"
mkdir -p "$work"
cp "$repo/scripts/browser/package.json" "$repo/scripts/browser/package-lock.json" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci failed (registry reachable?)"

bin=${SANDTRAP:-$repo/target/release/sandtrap}
if [ ! -x "$bin" ]; then
  section "cargo build --release"
  (cd "$repo" && cargo build --release --locked)
fi
cd "$repo"

section "what the browser opens"
rm -rf "$work/site" "$work/diagrams" "$work/screenshots" "$work/app"
mkdir -p "$work/diagrams" "$work/app"
example=(--config examples/sandtrap.yaml examples/)
"$bin" debug site "$work/site"
status=0
"$bin" check --format html --output-file "$work/report.html" "${example[@]}" || status=$?
[ "$status" -eq 1 ] || fail "check --format html of the example exited $status, not 1"
"$bin" map --format json "${example[@]}" >"$work/map.json"
"$bin" map "${example[@]}" >"$work/diagrams/map-example.mmd"
cmp -s "$work/diagrams/map-example.mmd" docs/images/map-example.mmd ||
  fail "docs/images/map-example.mmd is not the example's map: refresh it (see tests/it/map.rs)"
status=0
"$bin" check --format markdown --output-file "$work/summary.md" "${example[@]}" || status=$?
[ "$status" -eq 1 ] || fail "check --format markdown of the example exited $status, not 1"
awk '/^```mermaid$/{on=1; next} /^```$/{on=0} on' "$work/summary.md" >"$work/diagrams/summary.mmd"
[ -s "$work/diagrams/summary.mmd" ] || fail "the Markdown report has no mermaid block"
cmark-gfm --extension table --extension autolink --extension strikethrough "$work/summary.md" >"$work/summary.html"
printf '<!doctype html><meta charset="utf-8"><title>blank</title><body></body>\n' >"$work/blank.html"

# A 50-stack app over two accounts and three regions: some identities declared, some missing,
# one region in the sandbox.
python3 - "$work/app" <<'PY'
import sys, pathlib
out = pathlib.Path(sys.argv[1])
regions = ["us-east-1", "eu-west-1", "ap-northeast-1"]
accounts = ["111111111111", "222222222222"]
ids = []
for n in range(50):
    account, region = accounts[n % 2], regions[n % 3]
    domain = f"app{n}.example.com"
    if n % 7 != 0:
        ids.append((account, region, domain))
    (out / f"stack{n:02}.yaml").write_text(f"""Metadata: {{sandtrap: {{region: {region}}}}}
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      AutoVerifiedAttributes: [email]
      EmailConfiguration:
        EmailSendingAccount: DEVELOPER
        From: no-reply@{domain}
        SourceArn: arn:aws:ses:{region}:{account}:identity/{domain}
""")
for account in accounts:
    for region in regions:
        body = "".join(
            f"  Id{i}:\n    Type: AWS::SES::EmailIdentity\n    Properties:\n      EmailIdentity: {d}\n"
            for i, (a, r, d) in enumerate(ids) if a == account and r == region)
        (out / f"identities-{account}-{region}.yaml").write_text(
            f"Metadata: {{sandtrap: {{region: {region}}}}}\nResources:\n{body}")
PY
"$bin" map --ses-sandbox eu-west-1 --ses-production us-east-1 --expand "$work/app" >"$work/diagrams/app-50-stacks.mmd"
"$bin" map --ses-sandbox eu-west-1 --ses-production us-east-1 "$work/app" >"$work/diagrams/app-50-stacks-collapsed.mmd"
grep -q '%% collapsed' "$work/diagrams/app-50-stacks-collapsed.mmd" || fail "the 50-stack map collapsed nothing"

section "Chromium"
cp "$repo/scripts/browser/check.mjs" "$work/"
# Where the site is published, as the binary links it: the GitHub Pages site of Cargo.toml's
# `repository` (unless the build set SANDTRAP_DOCS_URL).
repository=$(sed -n 's/^repository = "\(.*\)"$/\1/p' Cargo.toml | head -1)
owner_repo=${repository#https://github.com/}
docs_url=${SANDTRAP_DOCS_URL:-https://$(printf '%s' "${owner_repo%%/*}" | tr '[:upper:]' '[:lower:]').github.io/${owner_repo#*/}/}
UPDATE=$update REPO="$repo" DOCS_URL="$docs_url" node "$work/check.mjs" "$work"
grep -q 'docs/images/map-example.png' README.md || fail "the README does not show docs/images/map-example.png"
echo "test-browser: done in $(($(date +%s) - started)) s"
