#!/usr/bin/env bash
# The analysis cache between processes (`.sandtrap_cache/`), on the 10,000-template monorepo
# that bench/growth.sh writes (bench/.work/mono-10000): CPU time (user + system, GNU time, the
# median of RUNS runs) and instructions (callgrind, one run; every thread counted) of
#
#   full        sandtrap check --no-cache --format json DIR        (the baseline: no cache)
#   cold        the same with an empty cache directory             (writes the cache)
#   unchanged   the same again, nothing changed                    (a CI job run again)
#   one-changed the same with one template edited since            (pre-commit, CI after a commit)
#   on-save-no-cache  --no-cache --stdin-filename FILE --project-root . - with FILE's buffer
#               edited                                             (the on-save run before)
#   on-save     the same with the cache: the rest of the project from it (the on-save run)
#   one-file-no-cache  --no-cache FILE                             (a pre-commit run before)
#   one-file    FILE with the project's cache, FILE unchanged       (a pre-commit run)
#   one-file-changed   the same with FILE edited since the cache was written
#
# and each as a share of `full`. Prints a Markdown table on stdout; docs/performance.md
# ("Persistent cache") records it. The edited template is restored afterwards; the cache lives
# in bench/.work/cache-bench, never in the monorepo.
#
#   SANDTRAP=target/release/sandtrap bench/cache.sh     # default: target/release/sandtrap
#   RUNS=5 CALLGRIND=0 bench/cache.sh                   # more runs; no instruction counts
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work="$here/.work"
mono="$work/mono-10000"
cache="$work/cache-bench"
RUNS=${RUNS:-3}
CALLGRIND=${CALLGRIND:-1}
sandtrap=${SANDTRAP:-$root/target/release/sandtrap}
sandtrap=$(cd "$(dirname "$sandtrap")" && pwd)/$(basename "$sandtrap")
edited=payments/service-0000/infra/stack-00008.yaml

[[ -x $sandtrap ]] || { echo "not an executable: $sandtrap (cargo build --release)" >&2; exit 2; }
[[ -d $mono ]] || { echo "no $mono: run bench/growth.sh once to write the inputs" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "GNU time missing: apt-get install -y time" >&2; exit 2; }
original=$(mktemp)
cp "$mono/$edited" "$original"
trap 'cp "$original" "$mono/$edited"; rm -f "$original"' EXIT

# The edit of run N: a trailing comment, so every run sees a changed file.
edit() { { cat "$original"; printf '# edit %s\n' "$1"; } >"$mono/$edited"; }
restore() { cp "$original" "$mono/$edited"; }

# cpu NAME PREPARE -- COMMAND...: the median CPU seconds of RUNS runs, PREPARE run before each
# (untimed, given the run's number).
cpu() {
  local prepare=$1 i out times=()
  shift 2
  for ((i = 1; i <= RUNS; i++)); do
    "$prepare" "$i"
    (cd "$mono" && /usr/bin/time -o "$timing" -f '%U %S %M' "$@" >/dev/null 2>/dev/null <"$stdin")
    out=$(tail -1 "$timing")
    times+=("$(awk '{printf "%.2f s | %.1f MB", $1 + $2, $3 / 1024}' <<<"$out")")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

# instructions PREPARE -- COMMAND...: instructions executed under callgrind, one run.
instructions() {
  local prepare=$1
  shift 2
  [[ $CALLGRIND == 1 ]] || { echo "-"; return; }
  "$prepare" 0
  (cd "$mono" && valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" <"$stdin" 2>&1 >/dev/null) |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | tail -1
}

# What runs before each timed run of each case.
none() { restore; }
empty() { restore; rm -rf "$cache"; }
warm() { restore; (cd "$mono" && "$sandtrap" check --format json --exit-zero --cache-dir "$cache" . >/dev/null); }
changed() { warm; edit "$1"; }
on_save() { warm; { cat "$original"; printf '# buffer %s\n' "$1"; } >"$buffer"; }

buffer=$(mktemp)
timing=$(mktemp)
stdin=/dev/null
check=("$sandtrap" check --format json --exit-zero)
declare -A cpus ins
run_case() {
  local name=$1 prepare=$2
  shift 2
  echo "== $name" >&2
  cpus[$name]=$(cpu "$prepare" -- "$@")
  ins[$name]=$(instructions "$prepare" -- "$@")
}
run_case full none "${check[@]}" --no-cache .
run_case cold empty "${check[@]}" --cache-dir "$cache" .
run_case unchanged warm "${check[@]}" --cache-dir "$cache" .
run_case one-changed changed "${check[@]}" --cache-dir "$cache" .
stdin=$buffer
run_case on-save-no-cache on_save "${check[@]}" --no-cache --stdin-filename "$edited" --project-root . -
run_case on-save on_save "${check[@]}" --cache-dir "$cache" --stdin-filename "$edited" --project-root . -
stdin=/dev/null
run_case one-file-no-cache none "${check[@]}" --no-cache "$edited"
run_case one-file warm "${check[@]}" --cache-dir "$cache" "$edited"
run_case one-file-changed changed "${check[@]}" --cache-dir "$cache" "$edited"
rm -f "$buffer" "$timing"

echo "sandtrap: $sandtrap; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); RUNS=$RUNS"
echo
echo "| run (10,000 templates) | CPU (median of $RUNS) | its peak RSS | share of full | instructions (callgrind) | share of full |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for name in full cold unchanged one-changed on-save-no-cache on-save one-file-no-cache one-file one-file-changed; do
  share=$(awk -v a="${cpus[$name]%% *}" -v b="${cpus[full]%% *}" 'BEGIN { printf "%.0f%%", 100 * a / b }')
  if [[ ${ins[$name]} == - || -z ${ins[$name]} ]]; then
    printf '| %s | %s | %s | - | - |\n' "$name" "${cpus[$name]}" "$share"
  else
    ishare=$(awk -v a="${ins[$name]}" -v b="${ins[full]}" 'BEGIN { printf "%.1f%%", 100 * a / b }')
    imega=$(awk -v a="${ins[$name]}" 'BEGIN { printf "%.1f M", a / 1e6 }')
    printf '| %s | %s | %s | %s | %s |\n' "$name" "${cpus[$name]}" "$share" "$imega" "$ishare"
  fi
done
echo
echo "cache file: $(du -sh "$cache" | cut -f1) in $cache"
