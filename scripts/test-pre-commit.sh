#!/usr/bin/env bash
# End to end with the real pre-commit: installs a pinned pre-commit into a virtualenv, makes a
# throwaway git repository whose .pre-commit-config.yaml uses THIS checkout as the hook repository
# at its committed HEAD (pre-commit clones it and builds the hook with `cargo install --path .`),
# and asserts that `git commit` is refused for a template with an SES sandbox problem, accepted
# once production access is recorded, and that the `sandtrap-cdk` hook passes without a
# `cdk.out` and refuses a commit when the one present has a problem. Uncommitted changes to this
# checkout are not what runs. Needs python3 and PyPI. Run from .ci/run; any failure exits non-zero.
set -euo pipefail

PRE_COMMIT_VERSION=4.7.0

repo=$(cd "$(dirname "$0")/.." && pwd)
started=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

section() { printf '\n== test-pre-commit: %s\n' "$*"; }
fail() {
  printf 'test-pre-commit: FAIL: %s\n' "$*" >&2
  exit 1
}

rev=$(git -C "$repo" rev-parse HEAD)
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  echo "note: $repo has uncommitted changes; the hooks run as committed at $rev"
fi

section "pre-commit $PRE_COMMIT_VERSION in a virtualenv"
python3 -m venv "$work/venv" || fail "cannot create a Python virtualenv (python3 -m venv)"
if ! "$work/venv/bin/pip" install --quiet --disable-pip-version-check "pre-commit==$PRE_COMMIT_VERSION"; then
  fail "cannot install pre-commit==$PRE_COMMIT_VERSION: is PyPI reachable? (this test does not pass without it)"
fi
export PATH="$work/venv/bin:$PATH"
pre-commit --version
pre-commit validate-manifest "$repo/.pre-commit-hooks.yaml" || fail ".pre-commit-hooks.yaml is not a valid hooks manifest"
echo ".pre-commit-hooks.yaml: valid manifest"

# pre-commit's rust language runs `cargo install --bins --root ENV --path .` in its clone. Its
# build does not reuse the release build's artifacts (cargo install fingerprints differ), and in
# the same directory it would overwrite them: it gets a target directory of its own, kept between
# runs so that a second run compiles only sandtrap. pre-commit's own cache is temporary.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}/pre-commit"
export PRE_COMMIT_HOME="$work/pre-commit-home"
export GIT_AUTHOR_NAME=sandtrap-ci GIT_AUTHOR_EMAIL=ci@example.com
export GIT_COMMITTER_NAME=sandtrap-ci GIT_COMMITTER_EMAIL=ci@example.com

section "a throwaway repository using $repo at $rev"
project="$work/project"
git init --quiet "$project"
cd "$project"
cat >.pre-commit-config.yaml <<YAML
repos:
  - repo: $repo
    rev: $rev
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
section "pre-commit install-hooks (cargo install of the hook repository)"
hooks_started=$(date +%s)
pre-commit install-hooks || fail "pre-commit could not build the hooks from $repo at $rev"
echo "built in $(($(date +%s) - hooks_started))s"

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
