#!/usr/bin/env bash
# How sandtrap grows with its input, in one run: CPU time, wall time and peak RSS of
# `sandtrap check`, of parsing alone and of loading alone, and of cfn-guard running one rule, on
# synthetic monorepos of 1,000, 10,000 and 50,000 templates and on 1,000 and 10,000 cross-stack
# join stacks, and on 1,000 generated Terraform roots; the growth exponents between sizes; the
# language server on the 10,000-template workspace (its CPU per edit too); the analysis cache and
# the editor's on-save run (bench/cache.sh); instruction counts under callgrind
# (bench/instructions.sh); and the performance targets, met or not. Prints a Markdown report on stdout
# (progress goes to stderr); docs/performance.md ("Growth") records it.
#
#   bench/growth.sh                          # builds sandtrap (cargo build --release) first
#   SANDTRAP=target/release/sandtrap bench/growth.sh   # times the given binary instead
#   RUNS=1 bench/growth.sh                   # one run of each command (default 3, median shown)
#   GUARD_50K=0 bench/growth.sh              # leave out cfn-guard on 50,000 templates
#   GUARD=0 bench/growth.sh                  # leave out cfn-guard altogether
#   LSP=0 bench/growth.sh                    # leave out the language server
#   INSTRUCTIONS=0 bench/growth.sh           # leave out the callgrind counts (about 4 minutes)
#   CACHE=0 bench/growth.sh                  # leave out bench/cache.sh (the on-save run)
#
# Other settings: SLOW_SECONDS (default 20: a command whose first run takes longer runs once),
# LSP_EDITS (default 10), LSP_DEBOUNCE_MS (the server's debounce, default 200), PYTHON (an
# interpreter with PyYAML, for bench/gen_monorepo.py; default bench/.venv/bin/python if present,
# else python3).
#
# Takes about 3 minutes with RUNS=3 on a 2-core machine once the inputs and cfn-guard exist,
# half of it the 50,000-template monorepo (cfn-guard alone about 30 s there, 2.7 GB of RSS). The
# first run also writes the inputs under bench/.work/ (about 3 minutes, 450 MB) and installs
# cfn-guard 3.2.1 under bench/.tools/ with `cargo install --locked` (about 10 minutes of
# compiling on one core). Needs GNU time (`apt-get install -y time`) and python3.
set -euo pipefail

# What was typed: the settings given in the environment, before the defaults apply.
command_line=""
for v in SANDTRAP RUNS SLOW_SECONDS GUARD GUARD_50K LSP INSTRUCTIONS CACHE LSP_EDITS LSP_DEBOUNCE_MS PYTHON; do
  if [[ -n ${!v:-} ]]; then command_line+="$(printf '%s=%q ' "$v" "${!v}")"; fi
done
command_line+="bench/growth.sh"

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work="$here/.work"
results="$work/growth"
RUNS=${RUNS:-3}
SLOW_SECONDS=${SLOW_SECONDS:-20}
GUARD=${GUARD:-1}
GUARD_50K=${GUARD_50K:-1}
LSP=${LSP:-1}
INSTRUCTIONS=${INSTRUCTIONS:-1}
CACHE=${CACHE:-1}
LSP_EDITS=${LSP_EDITS:-10}
LSP_DEBOUNCE_MS=${LSP_DEBOUNCE_MS:-200}
CFN_GUARD_VERSION=3.2.1
MONO_SIZES=(1000 10000 50000)
JOIN_SIZES=(1000 10000)
TF_SIZES=(1000)

log() { printf '== %s\n' "$*" >&2; }

[[ -x /usr/bin/time ]] || { echo "GNU time missing: apt-get install -y time" >&2; exit 2; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

if [[ -n ${SANDTRAP:-} ]]; then
  sandtrap=$(cd "$(dirname "$SANDTRAP")" && pwd)/$(basename "$SANDTRAP")
else
  log "building sandtrap (release)"
  (cd "$root" && cargo build --release --quiet)
  sandtrap="${CARGO_TARGET_DIR:-$root/target}/release/sandtrap"
fi
[[ -x $sandtrap ]] || { echo "not an executable: $sandtrap" >&2; exit 2; }

cfn_guard="$here/.tools/bin/cfn-guard"
guard_rules="$here/cognito-ses.guard"
if [[ $GUARD == 1 && ! -x $cfn_guard ]]; then
  log "cfn-guard $CFN_GUARD_VERSION in $here/.tools"
  nice -n 19 cargo install --quiet --locked --root "$here/.tools" cfn-guard --version "$CFN_GUARD_VERSION"
fi

python=${PYTHON:-}
if [[ -z $python ]]; then
  if [[ -x $here/.venv/bin/python ]]; then python="$here/.venv/bin/python"; else python=python3; fi
fi
# Without PyYAML the generator writes every template as YAML: other inputs than compare.sh's.
"$python" -c 'import yaml' 2>/dev/null ||
  { echo "$python has no PyYAML (needed by bench/gen_monorepo.py): pip install pyyaml, or set PYTHON" >&2; exit 2; }

log "inputs under $work"
mkdir -p "$work"
for n in "${MONO_SIZES[@]}"; do
  [[ -f $work/mono-$n/.done ]] || { rm -rf "$work/mono-$n"; "$python" "$here/gen_monorepo.py" "$n" "$work/mono-$n" >&2 && touch "$work/mono-$n/.done"; }
done
for n in "${JOIN_SIZES[@]}"; do
  [[ -f $work/join-$n/.done ]] || { rm -rf "$work/join-$n"; python3 "$here/gen_join.py" "$n" "$work/join-$n" && touch "$work/join-$n/.done"; }
done

for n in "${TF_SIZES[@]}"; do
  [[ -f $work/tf-$n/.done ]] || { rm -rf "$work/tf-$n"; python3 "$here/gen_terraform.py" "$n" "$work/tf-$n" && touch "$work/tf-$n/.done"; }
done

rm -rf "$results"
mkdir -p "$results"

# NAME COMMAND...: RUNS runs under GNU time, one line "wall user sys maxrss_kib" each in
# NAME.time; a command whose first run takes longer than SLOW_SECONDS runs once. Exit statuses
# are ignored (check exits non-zero on findings, cfn-guard on failed rules) but kept, the last
# one in NAME.status; the command line goes to NAME.cmd.
measure() {
  local name=$1; shift
  printf '%q ' "$@" | sed 's/ $//' > "$results/$name.cmd"
  local i
  for ((i = 1; i <= RUNS; i++)); do
    log "$name ($i/$RUNS)"
    /usr/bin/time -f '%e %U %S %M' -o "$results/$name.last" "$@" >/dev/null 2>"$results/$name.stderr" || true
    # GNU time writes "Command exited with non-zero status N" first when the command fails.
    tail -n 1 "$results/$name.last" >> "$results/$name.time"
    sed -n 's/^Command exited with non-zero status //p; s/^Command terminated by signal /signal /p' \
      "$results/$name.last" | grep . > "$results/$name.status" || echo 0 > "$results/$name.status"
    tail -n 1 "$results/$name.last" | awk -v limit="$SLOW_SECONDS" '{exit !($1 + 0 > limit + 0)}' && break
  done
  rm -f "$results/$name.last"
}

for n in "${MONO_SIZES[@]}"; do
  dir="$work/mono-$n"
  measure "mono$n.check" "$sandtrap" check --no-cache --format json "$dir"
  measure "mono$n.parse" "$sandtrap" debug parse "$dir"
  measure "mono$n.tree" "$sandtrap" debug parse --tree "$dir"
  if [[ $GUARD == 1 && ($n -lt 50000 || $GUARD_50K == 1) ]]; then
    measure "mono$n.guard" "$cfn_guard" validate --rules "$guard_rules" --data "$dir" --show-summary none
  fi
done
for n in "${JOIN_SIZES[@]}"; do
  dir="$work/join-$n"
  measure "join$n.check" "$sandtrap" check --no-cache --format concise --ses-production us-west-2 --account 123456789012 "$dir"
  measure "join$n.parse" "$sandtrap" debug parse "$dir"
  measure "join$n.tree" "$sandtrap" debug parse --tree "$dir"
  if [[ $GUARD == 1 ]]; then
    measure "join$n.guard" "$cfn_guard" validate --rules "$guard_rules" --data "$dir" --show-summary none
  fi
done

for n in "${TF_SIZES[@]}"; do
  dir="$work/tf-$n"
  # Without the cache, as every other check here: a cache the first run writes would serve the
  # next two.
  measure "tf$n.check" "$sandtrap" check --no-cache --format json "$dir"
  measure "tf$n.parse" "$sandtrap" debug parse "$dir"
  measure "tf$n.tree" "$sandtrap" debug parse --tree "$dir"
done

if [[ $LSP == 1 ]]; then
  log "language server on $work/mono-10000"
  printf '%q ' python3 "$here/lsp_workspace.py" "$sandtrap" "$work/mono-10000" --starts "$RUNS" \
    --edits "$LSP_EDITS" --debounce-ms "$LSP_DEBOUNCE_MS" | sed 's/ $//' > "$results/lsp.cmd"
  python3 "$here/lsp_workspace.py" "$sandtrap" "$work/mono-10000" --starts "$RUNS" \
    --edits "$LSP_EDITS" --debounce-ms "$LSP_DEBOUNCE_MS" --json "$results/lsp.json" >&2
  log "language server on $work/mono-10000, a client without file watching (the server's own)"
  python3 "$here/lsp_workspace.py" "$sandtrap" "$work/mono-10000" --watcher server \
    --edits "$LSP_EDITS" --debounce-ms "$LSP_DEBOUNCE_MS" --json "$results/lsp-nowatch.json" >&2
  log "language server on $work/mono-10000, no watcher at all (fileWatcher: off)"
  python3 "$here/lsp_workspace.py" "$sandtrap" "$work/mono-10000" --watcher off \
    --edits "$LSP_EDITS" --debounce-ms "$LSP_DEBOUNCE_MS" --json "$results/lsp-off.json" >&2
fi

if [[ $CACHE == 1 ]]; then
  log "the analysis cache and the on-save run (bench/cache.sh)"
  SANDTRAP=$sandtrap RUNS=$RUNS CALLGRIND=$INSTRUCTIONS "$here/cache.sh" > "$results/cache.md"
fi

if [[ $INSTRUCTIONS == 1 ]]; then
  log "instruction counts (callgrind)"
  SANDTRAP=$sandtrap "$here/instructions.sh" > "$results/instructions.md"
fi

{
  printf 'uname\t%s\n' "$(uname -srm)"
  printf 'cores\t%s\n' "$(nproc)"
  printf 'cpu\t%s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  printf 'memory\t%s GiB\n' "$(free -g | awk '/Mem:/{print $2}')"
  printf 'load_before\t%s\n' "$load_before"
  printf 'load_after\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'sandtrap\t%s (%s)\n' "$("$sandtrap" --version)" "$sandtrap"
  if [[ $GUARD == 1 ]]; then printf 'cfn_guard\t%s\n' "$("$cfn_guard" --version)"; else printf 'cfn_guard\tnot run (GUARD=0)\n'; fi
  printf 'command\t%s\n' "$command_line"
  printf 'settings\t%s\n' "RUNS=$RUNS SLOW_SECONDS=$SLOW_SECONDS GUARD=$GUARD GUARD_50K=$GUARD_50K LSP=$LSP INSTRUCTIONS=$INSTRUCTIONS CACHE=$CACHE LSP_EDITS=$LSP_EDITS LSP_DEBOUNCE_MS=$LSP_DEBOUNCE_MS PYTHON=$python"
  printf 'runs\t%s\n' "$RUNS"
  printf 'slow_seconds\t%s\n' "$SLOW_SECONDS"
} > "$results/machine.tsv"

python3 "$here/growth_report.py" "$results" | tee "$results/report.md"
