#!/usr/bin/env bash
# Times sandtrap against cfn-lint and cfn-guard on the same inputs, in one run, and prints a
# Markdown table of medians with ratios and peak RSS. Run by hand (it takes many minutes and
# installs the peers); its output is recorded in docs/performance.md.
#
#   bench/compare.sh               # everything
#   RUNS=3 bench/compare.sh        # fewer runs of the fast commands
#   CFN_LINT_10K=1 bench/compare.sh   # also run cfn-lint on 10,000 templates (about an hour)
#
# Needs: cargo, python3 (venv), hyperfine (`apt-get install -y hyperfine`), GNU time.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work="$here/.work"
RUNS=${RUNS:-10}
SLOW_RUNS=${SLOW_RUNS:-1}
CFN_LINT_VERSION=1.51.0
CFN_GUARD_VERSION=3.2.1
mkdir -p "$work/results"

log() { printf '\n== %s\n' "$*" >&2; }

corpus=""
for c in "$root/../shared/corpus" /work/shared/corpus; do
  [[ -d $c ]] && { corpus=$(cd "$c" && pwd); break; }
done
[[ -n $corpus ]] || { echo "no template corpus (../shared/corpus)" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine missing: apt-get install -y hyperfine" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "GNU time missing: apt-get install -y time" >&2; exit 2; }

log "building sandtrap (release)"
target=${CARGO_TARGET_DIR:-$root/target}
(cd "$root" && cargo build --release --quiet)
sandtrap="$target/release/sandtrap"

log "cfn-lint $CFN_LINT_VERSION in $here/.venv"
if [[ ! -x $here/.venv/bin/cfn-lint ]] || [[ $("$here/.venv/bin/cfn-lint" --version) != *"$CFN_LINT_VERSION"* ]]; then
  python3 -m venv "$here/.venv"
  "$here/.venv/bin/pip" install --quiet "cfn-lint==$CFN_LINT_VERSION"
fi
cfn_lint="$here/.venv/bin/cfn-lint"
python="$here/.venv/bin/python" # has PyYAML (a cfn-lint dependency), used by the generator

log "cfn-guard $CFN_GUARD_VERSION in $here/.tools"
if [[ ! -x $here/.tools/bin/cfn-guard ]]; then
  cargo install --quiet --locked --root "$here/.tools" cfn-guard --version "$CFN_GUARD_VERSION"
fi
cfn_guard="$here/.tools/bin/cfn-guard"
guard_rules="$here/cognito-ses.guard"

log "inputs"
for n in 1000 10000; do
  [[ -f $work/mono-$n/.done ]] || { rm -rf "$work/mono-$n"; "$python" "$here/gen_monorepo.py" "$n" "$work/mono-$n" && touch "$work/mono-$n/.done"; }
done
small="$here/small.yaml"
# cfn-lint is given the template files themselves (it does not walk directories or read CDK
# manifests); sandtrap and cfn-guard are given the directory.
(cd "$corpus" && find cfn -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.template' \);
 find cdk -type f -name '*.template.json') | sed "s|^|$corpus/|" | sort > "$work/corpus-files.txt"
files_of() { find "$1" -type f \( -name '*.yaml' -o -name '*.json' \) | sort; }
files_of "$work/mono-1000" > "$work/mono-1000-files.txt"
files_of "$work/mono-10000" > "$work/mono-10000-files.txt"

# cfn-guard stops at the first file it cannot parse (an empty template in the corpus), so it is
# given the files it parses one by one (exit status 255 is its parse error).
guard_files() {
  while read -r f; do
    set +e; "$cfn_guard" validate --rules "$guard_rules" --data "$f" --show-summary none >/dev/null 2>&1; rc=$?; set -e
    [[ $rc -ne 255 ]] && echo "$f"
  done < "$1" > "$2"
}
[[ -s $work/corpus-guard-files.txt ]] || guard_files "$work/corpus-files.txt" "$work/corpus-guard-files.txt"
# Through a script that execs it: hyperfine takes the command as one argument, and 1,700 paths
# pass the kernel's limit for one argument (bash adds about 1 ms).
{ echo '#!/usr/bin/env bash'; printf 'exec %q validate --rules %q --show-summary none' "$cfn_guard" "$guard_rules"
  while read -r f; do printf ' --data %q' "$f"; done < "$work/corpus-guard-files.txt"; echo; } > "$work/guard-corpus.sh"

cat > "$work/machine.txt" <<INFO
$(uname -srm); $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); $(free -g | awk '/Mem:/{print $2}') GiB
sandtrap $("$sandtrap" --version | awk '{print $2}'), cfn-lint $CFN_LINT_VERSION ($("$python" --version)), cfn-guard $CFN_GUARD_VERSION, $(hyperfine --version)
corpus: $(du -sh "$corpus" | cut -f1); sandtrap is given the directory; cfn-lint the $(wc -l < "$work/corpus-files.txt") template files; cfn-guard the $(wc -l < "$work/corpus-guard-files.txt") of those it can parse
INFO

# One hyperfine measurement: NAME RUNS COMMAND... (exit status ignored: linters exit non-zero
# on findings). Peak RSS is one more run under GNU time.
measure() {
  local name=$1 runs=$2; shift 2
  log "$name"
  hyperfine --style basic --shell=none --ignore-failure --warmup "$([[ $runs -gt 1 ]] && echo 1 || echo 0)" \
    --runs "$runs" --export-json "$work/results/$name.json" -- "$(printf '%q ' "$@")" >&2
  /usr/bin/time -f %M -o "$work/results/$name.rss" "$@" >/dev/null 2>&1 || true
}

# A command too slow to repeat: one run under GNU time gives both wall time and peak RSS.
measure_once() {
  local name=$1; shift
  log "$name (one run)"
  /usr/bin/time -f '%e %M' -o "$work/results/$name.time" "$@" >/dev/null 2>&1 || true
  # GNU time writes "Command exited with non-zero status N" first when the linter reports.
  tail -n 1 "$work/results/$name.time" |
    awk '{printf "{\"results\":[{\"median\":%s,\"min\":%s,\"max\":%s,\"times\":[%s]}]}\n", $1, $1, $1, $1}' \
    > "$work/results/$name.json"
  tail -n 1 "$work/results/$name.time" | awk '{print $2}' > "$work/results/$name.rss"
}

# --- the whole corpus
measure corpus.sandtrap "$RUNS" "$sandtrap" check --no-cache --format json "$corpus"
measure corpus.parse "$RUNS" "$sandtrap" debug parse "$corpus"
measure corpus.tree "$RUNS" "$sandtrap" debug parse --tree "$corpus"
measure corpus.cfn-guard "$RUNS" bash "$work/guard-corpus.sh"
mapfile -t corpus_files < "$work/corpus-files.txt"
measure_once corpus.cfn-lint "$cfn_lint" --format parseable -- "${corpus_files[@]}"

# --- one small template, process start included
measure small.sandtrap "$((RUNS * 3))" "$sandtrap" check --no-cache "$small"
measure small.cfn-guard "$((RUNS * 3))" "$cfn_guard" validate --rules "$guard_rules" --data "$small"
measure small.cfn-lint "$RUNS" "$cfn_lint" -- "$small"

# --- synthetic monorepos
for n in 1000 10000; do
  measure "mono$n.sandtrap" "$RUNS" "$sandtrap" check --no-cache --format json "$work/mono-$n"
  measure "mono$n.parse" "$RUNS" "$sandtrap" debug parse "$work/mono-$n"
  measure "mono$n.cfn-guard" "$(( n > 1000 ? SLOW_RUNS + 2 : RUNS ))" "$cfn_guard" validate --rules "$guard_rules" --data "$work/mono-$n" --show-summary none
done
mapfile -t mono_files < "$work/mono-1000-files.txt"
measure_once mono1000.cfn-lint "$cfn_lint" --format parseable -- "${mono_files[@]}"
if [[ ${CFN_LINT_10K:-0} == 1 ]]; then
  mapfile -t mono_files < "$work/mono-10000-files.txt"
  measure_once mono10000.cfn-lint "$cfn_lint" --format parseable -- "${mono_files[@]}"
fi

"$python" "$here/table.py" "$work/results" "$work/machine.txt" | tee "$work/results/table.md"
