#!/usr/bin/env bash
# Instructions per YAML byte of the parsers that keep positions, events only (no tree), on the
# same files: granit-parser as sandtrap drives it (comments captured, and not), saphyr-parser and
# yaml-rust2 (bench/parsers/, a crate of its own). Counted with callgrind, so the machine's load
# does not move them; the cost of reading the files (`none`) is taken off.
# Usage: bench/parsers.sh DIR... (default: ../shared/corpus/cfn and bench/.work/mono-1000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v valgrind >/dev/null || { echo "parsers.sh: needs valgrind" >&2; exit 1; }
dirs=("$@")
if [ ${#dirs[@]} -eq 0 ]; then
  for d in "$here/../../shared/corpus/cfn" "$here/.work/mono-1000"; do
    [ -d "$d" ] && dirs+=("$d")
  done
fi
[ ${#dirs[@]} -gt 0 ] || { echo "parsers.sh: no input directory (make bench/.work/mono-1000 with bench/gen_monorepo.py)" >&2; exit 1; }
cargo build --quiet --release --locked --manifest-path "$here/parsers/Cargo.toml"
tool="$here/parsers/target/release/yaml-parsers"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() {
  valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$tool" "$@" >"$out/stdout" 2>/dev/null
  awk '/^(summary|totals):/{print $2; exit}' "$out/cg"
}
for dir in "${dirs[@]}"; do
  base=$(count none "$dir")
  read -r files _ bytes _ < "$out/stdout"
  echo "$dir: $files YAML files, $bytes bytes"
  echo
  echo "| parser | instructions | per byte | events |"
  echo "| --- | ---: | ---: | ---: |"
  for parser in granit granit-no-comments saphyr yaml-rust2; do
    ir=$(count "$parser" "$dir")
    events=$(awk '{print $5}' "$out/stdout")
    printf '| %s | %.1f M | %.0f | %s |\n' "$parser" "$(echo "($ir - $base) / 1000000" | bc -l)" \
      "$(echo "($ir - $base) / $bytes" | bc -l)" "$events"
  done
  echo
done
