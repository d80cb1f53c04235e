#!/usr/bin/env bash
# End to end with the real pre-commit, from the wheel: installs the sandtrap-cli wheel (built by
# scripts/build-wheel.sh) into a fresh virtualenv and runs it; then makes a hook repository from
# packaging/pre-commit (the mirror whose Python package depends on the `sandtrap-cli` wheel, tagged
# v$VERSION) and a throwaway project using it, with pip pointed at the local wheel only
# (`PIP_NO_INDEX`, `PIP_FIND_LINKS`); asserts that `pre-commit install-hooks` takes under a
# minute, that `git commit` is refused for a template with an SES sandbox problem, accepted once
# production access is recorded, and that the `sandtrap-cdk` hook passes without a `cdk.out` and
# refuses a commit when the one present has a problem. The main repository's source-build hooks
# (.pre-commit-hooks.yaml, `language: rust`) are validated and must match the mirror's.
# Needs python3 and PyPI (pre-commit and the mirror's build backend, before going offline).
# Usage: scripts/test-pre-commit.sh [WHEEL_DIR] (default: target/wheels, built if empty).
set -euo pipefail

PRE_COMMIT_VERSION=4.7.0
# The mirror's build backend (pyproject.toml `requires`), put beside the wheel for the offline pip.
SETUPTOOLS_VERSION=84.2.1

repo=$(cd "$(dirname "$0")/.." && pwd)
started=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

section() { printf '\n== test-pre-commit: %s\n' "$*"; }
fail() {
  printf 'test-pre-commit: FAIL: %s\n' "$*" >&2
  exit 1
}

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)
wheels=${1:-${CARGO_TARGET_DIR:-$repo/target}/wheels}
if ! ls "$wheels"/sandtrap_cli-"$version"-*.whl >/dev/null 2>&1; then
  section "no sandtrap-cli $version wheel in $wheels: scripts/build-wheel.sh"
  bash "$repo/scripts/build-wheel.sh" "$wheels" >/dev/null
fi
wheels=$(cd "$wheels" && pwd)
links="$work/links"
mkdir "$links"
cp "$wheels"/sandtrap_cli-"$version"-*.whl "$links/"
ls "$links"

section "pip install of the wheel into a fresh virtualenv, no index"
python3 -m venv "$work/wheel-venv" || fail "cannot create a Python virtualenv (python3 -m venv)"
"$work/wheel-venv/bin/pip" install --quiet --disable-pip-version-check --no-index \
  --find-links "$links" "sandtrap-cli==$version" || fail "pip cannot install the wheel"
"$work/wheel-venv/bin/sandtrap" --version | grep -qx "sandtrap $version" \
  || fail "the installed sandtrap does not say it is $version"
status=0
"$work/wheel-venv/bin/sandtrap" check --format concise --config "$repo/examples/sandtrap.yaml" \
  "$repo/examples/" >"$work/out.txt" || status=$?
cat "$work/out.txt"
[ "$status" -eq 1 ] && grep -q 'error\[ST101\]' "$work/out.txt" \
  || fail "the installed sandtrap did not report the example's ST101 (status $status)"

section "pre-commit $PRE_COMMIT_VERSION in a virtualenv"
python3 -m venv "$work/venv" || fail "cannot create a Python virtualenv (python3 -m venv)"
if ! "$work/venv/bin/pip" install --quiet --disable-pip-version-check "pre-commit==$PRE_COMMIT_VERSION"; then
  fail "cannot install pre-commit==$PRE_COMMIT_VERSION: is PyPI reachable? (this test does not pass without it)"
fi
"$work/venv/bin/pip" download --quiet --disable-pip-version-check --only-binary=:all: \
  --dest "$links" "setuptools==$SETUPTOOLS_VERSION" || fail "cannot download setuptools==$SETUPTOOLS_VERSION"
export PATH="$work/venv/bin:$PATH"
pre-commit --version
for manifest in "$repo/.pre-commit-hooks.yaml" "$repo/packaging/pre-commit/.pre-commit-hooks.yaml"; do
  pre-commit validate-manifest "$manifest" || fail "$manifest is not a valid hooks manifest"
  echo "$manifest: valid manifest"
done
# The two manifests offer the same hooks; only the language (how sandtrap is installed) differs.
diff <(grep -v '^#' "$repo/.pre-commit-hooks.yaml" | sed 's/language: rust/language: LANG/') \
  <(grep -v '^#' "$repo/packaging/pre-commit/.pre-commit-hooks.yaml" | sed 's/language: python/language: LANG/') \
  || fail "packaging/pre-commit/.pre-commit-hooks.yaml and .pre-commit-hooks.yaml differ in more than the language"
grep -q "^version = \"$version\"" "$repo/packaging/pre-commit/pyproject.toml" \
  && grep -q "\"sandtrap-cli==$version\"" "$repo/packaging/pre-commit/pyproject.toml" \
  || fail "packaging/pre-commit/pyproject.toml is not version $version depending on sandtrap-cli==$version"

section "the hook repository: packaging/pre-commit, tagged v$version"
hooks="$work/sandtrap-pre-commit"
cp -R "$repo/packaging/pre-commit" "$hooks"
export GIT_AUTHOR_NAME=sandtrap-ci GIT_AUTHOR_EMAIL=ci@example.com
export GIT_COMMITTER_NAME=sandtrap-ci GIT_COMMITTER_EMAIL=ci@example.com
git -C "$hooks" init --quiet
git -C "$hooks" add -A
git -C "$hooks" commit --quiet -m "sandtrap $version"
git -C "$hooks" tag "v$version"
ls -A "$hooks"

# From here on pip sees only the local wheel (and the build backend), never an index.
export PIP_NO_INDEX=1 PIP_FIND_LINKS="$links" PIP_DISABLE_PIP_VERSION_CHECK=1
export PRE_COMMIT_HOME="$work/pre-commit-home"

section "a throwaway repository using the hook repository at v$version"
project="$work/project"
git init --quiet "$project"
cd "$project"
cat >.pre-commit-config.yaml <<YAML
repos:
  - repo: $hooks
    rev: v$version
    hooks:
      - id: sandtrap
      - id: sandtrap-cdk
YAML
cat .pre-commit-config.yaml
printf 'cdk.out/\n' >.gitignore
git add .pre-commit-config.yaml .gitignore
git commit --quiet --no-verify -m "pre-commit configuration"
pre-commit install

# Builds the hook environment up front so the timings below are the hooks' own.
section "pre-commit install-hooks (pip install of the hook repository and the wheel, no index)"
hooks_started=$(date +%s)
pre-commit install-hooks || fail "pre-commit could not install the hooks from $hooks at v$version"
took=$(($(date +%s) - hooks_started))
echo "installed in ${took}s"
[ "$took" -lt 60 ] || fail "install-hooks took ${took}s; the wheel should install in seconds"

# commit NAME EXPECTED: commits what is staged; EXPECTED is "refused" or "accepted".
commit() {
  local status=0
  git commit -m "$1" >"$work/out.txt" 2>&1 || status=$?
  cat "$work/out.txt"
  case "$2" in
    refused) [ "$status" -ne 0 ] || fail "the commit '$1' was accepted; expected it refused" ;;
    accepted) [ "$status" -eq 0 ] || fail "the commit '$1' was refused; expected it accepted" ;;
  esac
}

section "a template mailing through SES in the us-west-2 sandbox, and a broken package.json: refused"
cat >.sandtrap.yaml <<'YAML'
ses:
  sandbox:
    - regions: [us-west-2]
YAML
mkdir infra
cat >infra/auth.yaml <<'YAML'
AWSTemplateFormatVersion: "2010-09-09"
Metadata:
  sandtrap:
    region: us-west-2
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
    Properties:
      AutoVerifiedAttributes: [email]
      UsernameAttributes: [email]
      EmailConfiguration:
        EmailSendingAccount: DEVELOPER
        SourceArn: !Sub arn:aws:ses:us-west-2:${AWS::AccountId}:identity/example.com
        From: noreply@example.com
YAML
printf '{"name": "web", "dependencies": {\n' >package.json
git add .sandtrap.yaml infra/auth.yaml package.json
commit "auth stack" refused
grep -q 'ST101' "$work/out.txt" || fail "the refusal does not name ST101"
grep -q 'infra/auth.yaml' "$work/out.txt" || fail "the refusal does not name infra/auth.yaml"
grep -q 'ST001' "$work/out.txt" && fail "the broken package.json was reported (ST001); it is not a template"
grep -q 'sandtrap (CDK cloud assembly).*Passed' "$work/out.txt" \
  || fail "sandtrap-cdk did not pass without a cdk.out"

section "files named like options (--config=quiet.yaml, --output-file=victim.yaml): still refused"
# A pull request could commit them: the hook's entry ends with `--`, so they are file names.
printf 'ignore: [ST]\n' >quiet.yaml
cp quiet.yaml ./--config=quiet.yaml
printf 'precious: true\n' >victim.yaml
printf 'x: 1\n' >./--output-file=victim.yaml
git add quiet.yaml victim.yaml ./--config=quiet.yaml ./--output-file=victim.yaml
commit "files named like options" refused
grep -q 'ST101' "$work/out.txt" || fail "a file named --config=quiet.yaml switched the rules off"
[ "$(cat victim.yaml)" = "precious: true" ] || fail "a file named --output-file=victim.yaml overwrote victim.yaml"
git rm --quiet --cached quiet.yaml victim.yaml ./--config=quiet.yaml ./--output-file=victim.yaml
rm quiet.yaml victim.yaml ./--config=quiet.yaml ./--output-file=victim.yaml

section "production access recorded in .sandtrap.yaml: accepted"
cat >.sandtrap.yaml <<'YAML'
ses:
  production:
    - regions: [us-west-2]
YAML
git add .sandtrap.yaml
commit "auth stack, us-west-2 out of the SES sandbox" accepted
git log --oneline -1 | grep -q 'auth stack' || fail "the commit is not in the log"

section "sandtrap-cdk: a gitignored cdk.out with a sandbox problem refuses any commit"
cp -R "$repo/examples/cdk.out" cdk.out
cp "$repo/examples/sandtrap.yaml" .sandtrap.yaml
git add .sandtrap.yaml
commit "configuration as in the example" refused
grep -q 'sandtrap (CDK cloud assembly).*Failed' "$work/out.txt" || fail "sandtrap-cdk did not fail"
grep -q 'ST101' "$work/out.txt" || fail "the refusal does not name ST101"
grep -q 'cdk.out/Auth-Staging.template.json' "$work/out.txt" || fail "the refusal does not name the staging stack"

section "the cdk.out removed: accepted"
rm -rf cdk.out
commit "configuration as in the example" accepted

printf '\ntest-pre-commit: OK in %ss\n' "$(($(date +%s) - started))"
