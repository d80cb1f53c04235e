#!/usr/bin/env bash
# The functions a short run executes, listed for the linker to place side by side at the start of
# the code (link/startup.order; build.rs hands it to the linker when the linker takes
# `--symbol-ordering-file`, as lld does), and the check that a binary was linked that way.
#
#   bench/startup_order.sh [BINARY]               # writes link/startup.order from BINARY's runs
#   bench/startup_order.sh --check BINARY [--all] # fails unless BINARY was linked in that order
#                                                 # (--all: and has 99% of the listed functions)
#
# Why: a one-file check executes about 1,200 of the binary's 13,000 functions, and they lie all
# over its 10 MB of code. The kernel maps the code around every page a run touches, so the run
# kept most of the code resident (6.75 MB). Side by side they are 1.6 MB of code.
#
# The runs are the short ones, where memory at start-up is what a user waits on: the one-file
# check of the performance targets first (bench/small.yaml, JSON, no cache), then a pre-commit
# run (the default report, the cache written, then read), the other formats an editor or a CI
# step asks for, a JSON template, a CDK assembly and a Terraform module. Each function executed
# (callgrind, every thread) is listed once: those of the first run first, then the others',
# each group sorted by name, so that a new listing differs from the old one only where the code
# did. Names are the binary's own. A name the linker does not find, a function since renamed or
# removed, is skipped; a function not listed is placed after the listed ones: an outdated list
# costs memory, never correctness. But a tenth of the names change with almost any change to
# the code or the compiler (the hashes of generic instances and of cross-unit locals), and a list
# that much out of date loses most of the gain (9.6-10.2 MB instead of 6.6-7.0 MB for a one-file
# check): release builds make the list of their own code first (scripts/build-release.sh).
# `--check` prints how much of the list the binary has.
#
# Needs valgrind and nm (binutils). About a minute.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
order="$root/link/startup.order"

# The names of the functions defined in BINARY's code.
functions() { nm --defined-only "$1" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | LC_ALL=C sort -u; }

# The listed names (comments and blank lines left out).
listed() { grep -v -e '^#' -e '^$' "$order" | LC_ALL=C sort -u; }

check() {
  local binary=$1 all=${2:-}
  command -v nm >/dev/null || { echo "startup order: not checked, nm missing (apt-get install -y binutils)"; return 0; }
  [[ -f $order ]] || { echo "startup order: $order missing" >&2; return 1; }
  listed >"$tmp/listed"
  # The binary's functions by address, read once.
  nm -n --defined-only "$binary" | awk '$2 ~ /^[tTwW]$/ { print $3 }' >"$tmp/by-address"
  LC_ALL=C sort -u "$tmp/by-address" >"$tmp/defined"
  local total present
  total=$(wc -l <"$tmp/listed")
  present=$(LC_ALL=C comm -12 "$tmp/listed" "$tmp/defined" | wc -l)
  # The first 100 functions of the code: a linked order puts listed ones there.
  awk 'NR <= 100' "$tmp/by-address" | LC_ALL=C sort -u >"$tmp/first"
  local first first_listed
  first=$(wc -l <"$tmp/first")
  first_listed=$(LC_ALL=C comm -12 "$tmp/first" "$tmp/listed" | wc -l)
  echo "startup order: $present of the $total listed functions are in $binary; $first_listed of its first $first functions are listed"
  if (( first_listed * 4 < first * 3 )); then
    echo "startup order: $binary was not linked in the order of $order (does the linker take --symbol-ordering-file? build.rs asks it)" >&2
    return 1
  fi
  if [[ $all == --all ]] && (( present * 100 < total * 99 )); then
    echo "startup order: $binary lacks $((total - present)) of the listed functions: the list is not of its code (bench/startup_order.sh)" >&2
    return 1
  fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ ${1:-} == --check ]]; then
  [[ $# -eq 2 || ( $# -eq 3 && $3 == --all ) ]] || { echo "usage: $0 --check BINARY [--all]" >&2; exit 2; }
  check "$2" "${3:-}"
  exit
fi

sandtrap=${1:-${CARGO_TARGET_DIR:-$root/target}/release/sandtrap}
[[ -x $sandtrap ]] || { echo "not an executable: $sandtrap (cargo build --release)" >&2; exit 2; }
# The runs happen in other directories.
sandtrap=$(cd "$(dirname "$sandtrap")" && pwd)/$(basename "$sandtrap")
command -v valgrind >/dev/null || { echo "valgrind missing: apt-get install -y valgrind" >&2; exit 2; }
command -v nm >/dev/null || { echo "nm missing: apt-get install -y binutils" >&2; exit 2; }

mkdir "$tmp/project"
cp "$here/small.yaml" "$tmp/project/"

# NAME DIR COMMAND...: the names of the functions COMMAND executes in DIR, into $tmp/NAME.
executed() {
  local name=$1 dir=$2
  shift 2
  echo "== $name" >&2
  # A finding is exit status 1: the run is what counts, not its verdict.
  (cd "$dir" && valgrind --tool=callgrind --demangle=no --callgrind-out-file="$tmp/$name.cg" \
    "$@" >/dev/null 2>"$tmp/$name.log" </dev/null) || true
  [[ -s $tmp/$name.cg ]] || { echo "$name: no profile written; valgrind said:" >&2; tail -n 5 "$tmp/$name.log" >&2; exit 1; }
  # A function is named at its first mention (`fn=(7) name`, then `fn=(7)`).
  sed -n -E 's/^c?fn=\([0-9]+\) (.+)$/\1/p' "$tmp/$name.cg" | LC_ALL=C sort -u >"$tmp/$name"
}

executed first "$root" "$sandtrap" check --no-cache --format json bench/small.yaml
executed pre-commit-cold "$tmp/project" "$sandtrap" check small.yaml
executed pre-commit-warm "$tmp/project" "$sandtrap" check small.yaml
for format in concise github sarif junit; do
  executed "format-$format" "$root" "$sandtrap" check --no-cache --format "$format" bench/small.yaml
done
executed json-template "$root" "$sandtrap" check --no-cache examples/cdk.out/Auth-Prod.template.json
executed cdk "$root" "$sandtrap" check --no-cache --config examples/sandtrap.yaml examples/
executed terraform "$root" "$sandtrap" check --no-cache testdata/terraform/flat-email-variables

functions "$sandtrap" >"$tmp/defined"
LC_ALL=C comm -12 "$tmp/first" "$tmp/defined" >"$tmp/group1"
cat "$tmp"/pre-commit-* "$tmp"/format-* "$tmp/json-template" "$tmp/cdk" "$tmp/terraform" \
  | LC_ALL=C sort -u | LC_ALL=C comm -12 - "$tmp/defined" | LC_ALL=C comm -23 - "$tmp/group1" >"$tmp/group2"

mkdir -p "$(dirname "$order")"
{
  echo "# The functions a short sandtrap run executes, placed side by side at the start of the code"
  echo "# by the linker (build.rs). Written by bench/startup_order.sh; regenerate, do not edit."
  echo "# $(wc -l <"$tmp/group1") of the one-file check, then $(wc -l <"$tmp/group2") more of the other short runs; $("$sandtrap" --version)."
  cat "$tmp/group1" "$tmp/group2"
} >"$order"
echo "wrote $order: $(($(wc -l <"$tmp/group1") + $(wc -l <"$tmp/group2"))) functions" >&2
