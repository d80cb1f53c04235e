#!/usr/bin/env bash
# Instructions executed (valgrind --tool=callgrind, all threads, independent of machine load) and
# peak RSS (GNU time, outside valgrind) of the commands the performance targets are stated on:
# a one-file check (bench/small.yaml), and check / parse-only / load-only of the 1,000-template
# monorepo, the 1,000 and 10,000 join stacks and the 1,000 Terraform roots, with the ratios and
# instructions per input byte. Prints a Markdown table on stdout (progress on stderr);
# docs/performance.md ("Instructions") records it.
#
#   bench/instructions.sh                         # times target/release/sandtrap
#   SANDTRAP=path/to/sandtrap bench/instructions.sh
#   BIG=0 bench/instructions.sh                   # leave out the 10,000 join stacks (slow)
#
# `check` runs with `--no-cache`: the analysis itself, the same whatever a cache holds (a warm
# cache would make it a lookup, a cold one adds the writing; bench/cache.sh measures the cache).
#
# The inputs are bench/growth.sh's (bench/.work/, written by the generators if missing). About
# four minutes on the 2-core machine, most of it the 10,000 join stacks under callgrind.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work="$here/.work"
BIG=${BIG:-1}
sandtrap=${SANDTRAP:-${CARGO_TARGET_DIR:-$root/target}/release/sandtrap}
[[ -x $sandtrap ]] || { echo "not an executable: $sandtrap (cargo build --release)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind missing: apt-get install -y valgrind" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "GNU time missing: apt-get install -y time" >&2; exit 2; }

mkdir -p "$work"
[[ -f $work/mono-1000/.done ]] || { rm -rf "$work/mono-1000"; python3 "$here/gen_monorepo.py" 1000 "$work/mono-1000" >&2 && touch "$work/mono-1000/.done"; }
for n in 1000 10000; do
  [[ -f $work/join-$n/.done ]] || { rm -rf "$work/join-$n"; python3 "$here/gen_join.py" "$n" "$work/join-$n" && touch "$work/join-$n/.done"; }
done
[[ -f $work/tf-1000/.done ]] || { rm -rf "$work/tf-1000"; python3 "$here/gen_terraform.py" 1000 "$work/tf-1000" && touch "$work/tf-1000/.done"; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# NAME COMMAND...: prints "instructions peak_rss_kib".
measure() {
  local name=$1; shift
  echo "== $name" >&2
  valgrind --tool=callgrind --callgrind-out-file="$out/$name.cg" "$@" >/dev/null 2>"$out/$name.vg" || true
  local ir
  ir=$(awk '/^(summary|totals):/{print $2; exit}' "$out/$name.cg")
  /usr/bin/time -f '%M' -o "$out/$name.rss" "$@" >/dev/null 2>&1 || true
  echo "$ir $(tail -n 1 "$out/$name.rss")"
}

bytes() { find "$1" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.tf' \) -printf '%s\n' | awk '{s+=$1} END{print s}'; }

echo "sandtrap: $("$sandtrap" --version) ($sandtrap)"
echo
echo "| input | command | instructions | per input byte | ÷ parse-only | peak RSS |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
read -r ir rss < <(measure one "$sandtrap" check --no-cache --format json "$here/small.yaml")
size=$(stat -c %s "$here/small.yaml")
printf '| one file (bench/small.yaml, %s bytes) | check | %.1f M | | | %.1f MB |\n' "$size" "$(echo "$ir / 1000000" | bc -l)" "$(echo "$rss / 1024" | bc -l)"

inputs=("mono-1000:monorepo, 1,000 templates:--format json"
        "tf-1000:Terraform, 1,000 roots:--format json"
        "join-1000:join, 1,000 stacks:--format concise --ses-production us-west-2 --account 123456789012")
[[ $BIG == 1 ]] && inputs+=("join-10000:join, 10,000 stacks:--format concise --ses-production us-west-2 --account 123456789012")
for entry in "${inputs[@]}"; do
  IFS=: read -r dir label flags <<<"$entry"
  size=$(bytes "$work/$dir")
  # shellcheck disable=SC2086 # the flags are words
  read -r check check_rss < <(measure "$dir.check" "$sandtrap" check --no-cache $flags "$work/$dir")
  read -r parse parse_rss < <(measure "$dir.parse" "$sandtrap" debug parse "$work/$dir")
  read -r load load_rss < <(measure "$dir.load" "$sandtrap" debug parse --tree "$work/$dir")
  for row in "check:$check:$check_rss" "parse-only:$parse:$parse_rss" "load-only:$load:$load_rss"; do
    IFS=: read -r what ir rss <<<"$row"
    printf '| %s | %s | %.1f M | %.0f | %.2f× | %.0f MB |\n' "$label" "$what" \
      "$(echo "$ir / 1000000" | bc -l)" "$(echo "$ir / $size" | bc -l)" "$(echo "$ir / $parse" | bc -l)" \
      "$(echo "$rss / 1024" | bc -l)"
  done
done
