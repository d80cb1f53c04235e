#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ (or $SEED_DIR/<target>/) with starting inputs from the shared
# template corpus (never committed), the hostile fixtures and the reproductions of fixed
# defects. Usage: fuzz/seed.sh [CORPUS_DIR]; a CORPUS_DIR of `-` leaves the template corpus out
# (the smoke runs of .ci/run).
# No pipefail: `find | head` ends find with SIGPIPE by design.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${SEED_DIR:-$here/corpus}
src=${1:-}
if [[ -z $src ]]; then
  for c in "$here/../../shared/corpus" /work/shared/corpus; do
    [[ -d $c ]] && { src=$c; break; }
  done
fi
[[ $src == - ]] && src=
mkdir -p "$out"/{load_yaml,load_json,cdk_manifest,resolve,pipeline,render,load_terraform}
hostile="$here/../testdata/hostile"
if [[ -d $hostile ]]; then
  find "$hostile" -type f -size -128k | while read -r f; do
    for t in load_yaml load_json; do cp "$f" "$out/$t/hostile-$(basename "$f")"; done
  done
fi
# Reproductions of fixed defects: a diagnostic past column 65,535 of minified JSON (the human
# format panicked), and lone-CR line ends (every position was on line 1).
long=$(head -c 70000 /dev/zero | tr '\0' p)
minified="{\"Resources\":{\"T\":{\"Type\":\"AWS::SNS::Topic\",\"Properties\":{\"TopicName\":\"$long\"}},}}"
printf '%s' "$minified" > "$out/load_json/long-line"
for t in resolve pipeline; do printf '\x07%s' "$minified" > "$out/$t/long-line"; done
signup="$here/../testdata/rules/ST101/fail-sandbox-self-signup.yaml"
if [[ -f $signup ]]; then
  tr '\n' '\r' < "$signup" > "$out/load_yaml/lone-cr"
  for t in resolve pipeline; do { printf '\x06'; tr '\n' '\r' < "$signup"; } > "$out/$t/lone-cr"; done
fi
# The rule fixtures that fire a rule (small templates of every shape the rules know), and the
# manifests of the CDK fixtures.
find "$here/../testdata/rules" -type f -name 'fail-*' \( -name '*.yaml' -o -name '*.json' \) | sort | head -60 |
  while read -r f; do
    h=$(basename "$(dirname "$f")")-$(basename "$f")
    selector='\x06'; [[ $f == *.json ]] && selector='\x07'
    for t in resolve pipeline; do { printf "$selector"; cat "$f"; } > "$out/$t/$h"; done
  done
find "$here/../testdata" -type f -name manifest.json -size -32k | sort | head -20 |
  while read -r f; do cp "$f" "$out/cdk_manifest/fixture-$(sha1sum "$f" | cut -c1-16)"; done
# The Terraform fixtures, each read as a module and checked whole (selector 2: native syntax,
# 3: JSON).
find "$here/../testdata" -type f \( -name '*.tf' -o -name '*.tf.json' \) -size -32k | sort | head -60 |
  while read -r f; do
    selector='\x02'; [[ $f == *.json ]] && selector='\x03'
    { printf "$selector"; cat "$f"; } > "$out/load_terraform/fixture-$(sha1sum "$f" | cut -c1-16)"
  done
# Diagnostic text for the renderers (selector byte, then NUL-separated fields: file name, file
# text, then message, label, help, note and related message of each diagnostic): workflow
# commands, terminal escapes, a long line, wrapping.
render="$out/render"
printf '\x05::stop-commands::tok\nx.yaml\0a: "\x1b]0;t\x07"\nb: ##[add-mask]s\n\0m\n::error::x\0lab\x1b[2J\0help ::add-mask::s\0note\r\n\0rel \xe2\x80\xae' > "$render/commands"
{ printf '\xfft.json\0'; head -c 70000 /dev/zero | tr '\0' p; printf '\0%s\0\0%s' "$(head -c 300 /dev/zero | tr '\0' w)" "$(printf 'word %.0s' $(seq 40))::stop-commands::x"; } > "$render/long-line"
[[ -n $src && -d $src ]] || { echo "no template corpus found; seeded from fixtures only"; exit 0; }
n=0
# Small files keep the fuzzer fast; a few hundred of each kind is plenty to start from.
find "$src" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.template' \) -size -32k | sort | head -400 |
  while read -r f; do
    h=$(sha1sum "$f" | cut -c1-16)
    cp "$f" "$out/load_yaml/$h"
    { printf '\x06'; cat "$f"; } > "$out/resolve/y$h"
    { printf '\x06'; cat "$f"; } > "$out/pipeline/y$h"
  done
find "$src" -type f -name '*.json' ! -name manifest.json -size -32k | sort | head -300 |
  while read -r f; do
    h=$(sha1sum "$f" | cut -c1-16)
    cp "$f" "$out/load_json/$h"
    { printf '\x07'; cat "$f"; } > "$out/resolve/j$h"
    { printf '\x07'; cat "$f"; } > "$out/pipeline/j$h"
  done
find "$src" -type f -name manifest.json -size -32k | sort | head -100 |
  while read -r f; do cp "$f" "$out/cdk_manifest/$(sha1sum "$f" | cut -c1-16)"; done
echo "seeded: $(for t in load_yaml load_json cdk_manifest resolve pipeline render load_terraform; do printf '%s=%s ' $t "$(ls "$out/$t" | wc -l)"; done)"
