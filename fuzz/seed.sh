#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with starting inputs from the shared template corpus (never
# committed) and the hostile fixtures. Usage: fuzz/seed.sh [CORPUS_DIR]
# No pipefail: `find | head` ends find with SIGPIPE by design.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-}
if [[ -z $src ]]; then
  for c in "$here/../../shared/corpus" /work/shared/corpus; do
    [[ -d $c ]] && { src=$c; break; }
  done
fi
mkdir -p "$here"/corpus/{load_yaml,load_json,cdk_manifest,resolve,pipeline}
hostile="$here/../testdata/hostile"
if [[ -d $hostile ]]; then
  find "$hostile" -type f -size -128k | while read -r f; do
    for t in load_yaml load_json; do cp "$f" "$here/corpus/$t/hostile-$(basename "$f")"; done
  done
fi
# Reproductions of fixed defects: a diagnostic past column 65,535 of minified JSON (the human
# format panicked), and lone-CR line ends (every position was on line 1).
long=$(head -c 70000 /dev/zero | tr '\0' p)
minified="{\"Resources\":{\"T\":{\"Type\":\"AWS::SNS::Topic\",\"Properties\":{\"TopicName\":\"$long\"}},}}"
printf '%s' "$minified" > "$here/corpus/load_json/long-line"
for t in resolve pipeline; do printf '\x07%s' "$minified" > "$here/corpus/$t/long-line"; done
signup="$here/../testdata/rules/ST101/fail-sandbox-self-signup.yaml"
if [[ -f $signup ]]; then
  tr '\n' '\r' < "$signup" > "$here/corpus/load_yaml/lone-cr"
  for t in resolve pipeline; do { printf '\x06'; tr '\n' '\r' < "$signup"; } > "$here/corpus/$t/lone-cr"; done
fi
[[ -n $src && -d $src ]] || { echo "no template corpus found; seeded from fixtures only"; exit 0; }
n=0
# Small files keep the fuzzer fast; a few hundred of each kind is plenty to start from.
find "$src" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.template' \) -size -32k | sort | head -400 |
  while read -r f; do
    h=$(sha1sum "$f" | cut -c1-16)
    cp "$f" "$here/corpus/load_yaml/$h"
    { printf '\x06'; cat "$f"; } > "$here/corpus/resolve/y$h"
    { printf '\x06'; cat "$f"; } > "$here/corpus/pipeline/y$h"
  done
find "$src" -type f -name '*.json' ! -name manifest.json -size -32k | sort | head -300 |
  while read -r f; do
    h=$(sha1sum "$f" | cut -c1-16)
    cp "$f" "$here/corpus/load_json/$h"
    { printf '\x07'; cat "$f"; } > "$here/corpus/resolve/j$h"
    { printf '\x07'; cat "$f"; } > "$here/corpus/pipeline/j$h"
  done
find "$src" -type f -name manifest.json -size -32k | sort | head -100 |
  while read -r f; do cp "$f" "$here/corpus/cdk_manifest/$(sha1sum "$f" | cut -c1-16)"; done
echo "seeded: $(for t in load_yaml load_json cdk_manifest resolve pipeline; do printf '%s=%s ' $t "$(ls "$here/corpus/$t" | wc -l)"; done)"
