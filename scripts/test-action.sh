#!/usr/bin/env bash
# The GitHub Action's shell logic, run as a runner runs a composite action's steps: each `run`
# step of action.yml (written out by scripts/action-steps.mjs, its `${{ }}` expressions evaluated)
# in `bash --noprofile --norc -eo pipefail`, in a clean environment holding what a runner gives a
# composite action: RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_ACTION_PATH (a checkout of the
# action), GITHUB_OUTPUT, GITHUB_PATH (read between steps), GITHUB_STEP_SUMMARY, GITHUB_REPOSITORY
# (the user's repository) and an empty GITHUB_ACTION_REPOSITORY, as composite `run` steps are
# often given. Nothing reaches GitHub: `curl` is a stub serving a local release directory (and
# failing for any other host), `cargo` a stub that records the source build. Cases: the release
# exists (downloaded from the `repository` input's releases, checksum verified, the check run,
# its outputs and job summary written); its checksum does not match (the step fails, no
# fallback); no release of this version (the source build, said in the log); a download that
# fails otherwise (the step fails); another `repository`; a platform with no release binary.
# Needs node/npm (the `yaml` package from npm). Usage: scripts/test-action.sh [SANDTRAP_BINARY]
# (default: target/release/sandtrap, built if absent).
set -euo pipefail

YAML_VERSION=2.9.1

repo=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-${CARGO_TARGET_DIR:-$repo/target}/release/sandtrap}
if [ ! -x "$binary" ]; then
  (cd "$repo" && cargo build --release --locked)
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
started=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

section() { printf '\n== test-action: %s\n' "$*"; }
fail() {
  printf 'test-action: FAIL: %s\n' "$*" >&2
  exit 1
}

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)
repository=$(sed -n 's/^repository = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)
owner_repo=${repository#https://github.com/}
tools="$work/tools"
mkdir "$tools"
(cd "$tools" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "yaml@$YAML_VERSION") \
  || fail "cannot install yaml from npm"

# The action's checkout, as `uses: OWNER/REPO@REF` lays it in GITHUB_ACTION_PATH.
action="$work/action"
mkdir "$action"
cp "$repo/action.yml" "$repo/Cargo.toml" "$action/"
[ "$(sed -n 's/^    default: //p' "$action/action.yml" | grep -c "^$owner_repo$")" = 1 ] \
  || fail "action.yml's repository input does not default to $owner_repo (Cargo.toml's repository)"

# release REPO TARGET: the release archive of TARGET and its .sha256 in REPO's releases, laid out
# as scripts/dist.sh makes them.
release() {
  local dir="$work/releases/$1/v$version" name="sandtrap-v$version-$2"
  mkdir -p "$dir" "$work/pack/$name"
  cp "$binary" "$work/pack/$name/sandtrap"
  tar -C "$work/pack" -czf "$dir/$name.tar.gz" "$name"
  (cd "$dir" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
}

# The stubs: curl serves https://github.com/OWNER/REPO/releases/download/TAG/FILE from
# $work/releases/OWNER/REPO/TAG/FILE (404 when absent) and fails like an unreachable host for
# anything else or when STUB_CURL=offline; cargo records its arguments and installs the binary.
stubs="$work/stubs"
mkdir "$stubs"
cat >"$stubs/curl" <<'SH'
#!/usr/bin/env bash
out= format= fail=0 url=
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out=$2; shift 2 ;;
    -w) format=$2; shift 2 ;;
    --retry) shift 2 ;;
    -f|-fsSL) fail=1; shift ;;
    -*) shift ;;
    *) url=$1; shift ;;
  esac
done
echo "$url" >>"$STUB_LOG/curl.log"
code() { [ -z "$format" ] || printf '%s' "${format//%\{http_code\}/$1}"; }
if [ "${STUB_CURL:-}" = offline ] || [[ "$url" != https://github.com/*/releases/download/* ]]; then
  echo "curl: (6) Could not resolve host" >&2
  code 000
  exit 6
fi
file="$STUB_RELEASES/${url#https://github.com/}"
file="${file/\/releases\/download\//\/}"
if [ -f "$file" ]; then
  cp "$file" "$out"
  code 200
  exit 0
fi
[ -n "$out" ] && echo "Not Found" >"$out"
code 404
if [ "$fail" = 1 ]; then echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; fi
exit 0
SH
cat >"$stubs/cargo" <<'SH'
#!/usr/bin/env bash
echo "$*" >>"$STUB_LOG/cargo.log"
root=
while [ $# -gt 0 ]; do
  case "$1" in --root) root=$2; shift 2 ;; *) shift ;; esac
done
mkdir -p "$root/bin" && cp "$STUB_BINARY" "$root/bin/sandtrap"
SH
chmod +x "$stubs/curl" "$stubs/cargo"

# run_action CASE [NAME=VALUE...]: a fresh runner for CASE; NAME=VALUE set inputs (INPUT_*) and
# runner variables (RUNNER_OS, RUNNER_ARCH, STUB_CURL). Runs the steps in order, stopping at the
# first that fails; its index is in $run/failed. The log is $run/log.
run_action() {
  local case=$1
  shift
  run="$work/runs/$case"
  mkdir -p "$run/steps" "$run/temp" "$run/home" "$run/workspace"
  cp -R "$repo/examples" "$run/workspace/examples"
  : >"$run/output" && : >"$run/path" && : >"$run/env" && : >"$run/summary" && : >"$run/log"
  local runner=(RUNNER_OS=Linux RUNNER_ARCH=X64 STUB_CURL=normal)
  local inputs=(INPUT_PATHS=examples/ "INPUT_ARGS=--config examples/sandtrap.yaml")
  for setting in "$@"; do
    case "$setting" in INPUT_*) inputs+=("$setting") ;; *) runner+=("$setting") ;; esac
  done
  (cd "$tools" && env "${inputs[@]}" node "$repo/scripts/action-steps.mjs" "$action/action.yml" "$action" "$run/steps") \
    || fail "$case: cannot read action.yml's steps"
  local i=0
  while [ -f "$run/steps/$i.sh" ] || [ -f "$run/steps/$i.skip" ]; do
    if [ -f "$run/steps/$i.skip" ]; then
      echo "-- step $i: $(cat "$run/steps/$i.skip") (skipped)" >>"$run/log"
      i=$((i + 1))
      continue
    fi
    echo "-- step $i: $(cat "$run/steps/$i.name")" >>"$run/log"
    local path="$stubs"
    while IFS= read -r dir; do path="$path:$dir"; done <"$run/path"
    path="$path:$(dirname "$(command -v node)"):/usr/local/bin:/usr/bin:/bin"
    local step_env=()
    while IFS= read -r -d '' pair; do step_env+=("$pair"); done <"$run/steps/$i.env"
    local status=0
    (cd "$run/workspace" && env -i HOME="$run/home" PATH="$path" CI=true GITHUB_ACTIONS=true \
      RUNNER_TEMP="$run/temp" GITHUB_ACTION_PATH="$action" GITHUB_ACTION_REPOSITORY= \
      GITHUB_REPOSITORY=someone/their-app GITHUB_WORKSPACE="$run/workspace" \
      GITHUB_OUTPUT="$run/output" GITHUB_PATH="$run/path" GITHUB_ENV="$run/env" \
      GITHUB_STEP_SUMMARY="$run/summary" STUB_LOG="$run" STUB_RELEASES="$work/releases" \
      STUB_BINARY="$binary" "${runner[@]}" "${step_env[@]}" \
      bash --noprofile --norc -eo pipefail "$run/steps/$i.sh") >>"$run/log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
      echo "-- step $i exited $status" >>"$run/log"
      echo "$i" >"$run/failed"
      return 0
    fi
    i=$((i + 1))
  done
}

show() { sed 's/^/    /' "$run/log"; }
requested() { cat "$run/curl.log" 2>/dev/null || true; }
released_url="https://github.com/$owner_repo/releases/download/v$version/sandtrap-v$version-x86_64-unknown-linux-musl.tar.gz"

release "$owner_repo" x86_64-unknown-linux-musl

section "a released version: downloaded from $owner_repo, verified, run (GITHUB_ACTION_REPOSITORY empty)"
run_action released
show
[ ! -f "$run/failed" ] || fail "a step failed"
[ "$(requested)" = "$released_url"$'\n'"$released_url.sha256" ] || fail "requested $(requested), not the release of $owner_repo"
grep -q "the released x86_64-unknown-linux-musl binary from $owner_repo" "$run/log" || fail "the log does not say which binary"
grep -q 'OK$' "$run/log" || fail "no checksum verification in the log"
[ ! -f "$run/cargo.log" ] || fail "cargo ran although the release exists"
grep -qx "$run/temp/sandtrap/bin" "$run/path" || fail "GITHUB_PATH does not get the binary's directory"
grep -qx 'exit-code=1' "$run/output" || fail "exit-code is not 1 for the example: $(cat "$run/output")"
report=$(sed -n 's/^output-file=//p' "$run/output")
[ -n "$report" ] || fail "no output-file output"
case "$report" in /*) ;; *) report="$run/workspace/$report" ;; esac
grep -q '"ruleId": "ST101"' "$report" || fail "the SARIF report $report has no ST101"
grep -q 'ST101' "$run/summary" || fail "the job summary has no ST101"
echo "  downloaded, verified, installed; exit-code=1; SARIF and job summary written"

section "the checksum does not match: the step fails, no source build"
# Another first digit (a sum that starts with 0 becomes 1, any other becomes 0): the same digit
# would leave the sum right, one build in sixteen.
sed -i 's/^0/1/;t;s/^[0-9a-f]/0/' "$work/releases/$owner_repo/v$version/sandtrap-v$version-x86_64-unknown-linux-musl.tar.gz.sha256"
run_action tampered
show
[ "$(cat "$run/failed" 2>/dev/null)" = 0 ] || fail "the install step did not fail"
grep -q 'FAILED' "$run/log" || fail "the log does not show the failed verification"
[ ! -f "$run/cargo.log" ] || fail "a bad checksum fell back to a source build"
[ ! -s "$run/path" ] || fail "a binary was put on PATH"
release "$owner_repo" x86_64-unknown-linux-musl

section "no release of v$version (404): the source build, said in the log"
run_action unreleased RUNNER_ARCH=ARM64
show
[ ! -f "$run/failed" ] || fail "a step failed"
grep -q "::notice title=sandtrap::$owner_repo has no release v$version" "$run/log" \
  || fail "the log does not say there is no release"
grep -q "building sandtrap $version from source with cargo install" "$run/log" || fail "the log does not say it builds from source"
grep -q -- "install --locked --quiet --path $action --root $run/temp/sandtrap" "$run/cargo.log" \
  || fail "cargo install was not run on the action's checkout: $(cat "$run/cargo.log" 2>/dev/null)"
grep -qx 'exit-code=1' "$run/output" || fail "the source-built sandtrap did not check the workspace"

section "the download fails otherwise (no network): the step fails, no source build"
run_action offline STUB_CURL=offline
show
[ "$(cat "$run/failed" 2>/dev/null)" = 0 ] || fail "the install step did not fail"
grep -q "::error title=sandtrap::cannot download $released_url (curl exit 6)" "$run/log" \
  || fail "the log does not name the failed download"
[ ! -f "$run/cargo.log" ] || fail "a network failure fell back to a source build"

section "the repository input: another repository's releases"
release someone/sandtrap-fork x86_64-unknown-linux-musl
run_action fork INPUT_REPOSITORY=someone/sandtrap-fork
show
[ ! -f "$run/failed" ] || fail "a step failed"
head -1 "$run/curl.log" | grep -q "^https://github.com/someone/sandtrap-fork/releases/download/v$version/" \
  || fail "the repository input was not used: $(requested)"

section "a platform with no release binary: the source build, no download"
run_action freebsd RUNNER_OS=FreeBSD
show
[ ! -f "$run/failed" ] || fail "a step failed"
[ ! -f "$run/curl.log" ] || fail "a download was tried for a platform with no binary"
grep -q "no released binary is built for FreeBSD-X64" "$run/log" || fail "the log does not say why it builds"
[ -f "$run/cargo.log" ] || fail "no source build"

printf '\ntest-action: OK in %ss\n' "$(($(date +%s) - started))"
