#!/usr/bin/env bash
# The release binary, linked in the startup order of its own code: a first release build, the
# functions its short runs execute listed (bench/startup_order.sh, under valgrind), and a second
# build linked in that order (build.rs), checked.
#
#   scripts/build-release.sh [--target TRIPLE]    # extra arguments go to `cargo build`
#
# Why twice: the linker finds functions by their symbol names, and a tenth of the names a short
# run executes change with almost any change to the code or the compiler (the hashes of
# generic instances and of cross-unit locals). A one-file check of a binary linked with the
# committed list, ten per cent out of date, kept 9.6-10.2 MB resident; with the list of its own
# code, 6.6-7.0 MB. The second build compiles the same code, so every listed name is there.
#
# Only where the linker takes the order (build.rs asks it) and valgrind runs; elsewhere, or when
# profiling fails, the first build is the binary and this says why. valgrind is installed with
# apt when it is missing and apt is at hand. Prints the binary's path last.
set -euo pipefail
cd "$(dirname "$0")/.."

target=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --target) target=${args[i + 1]:-} ;;
    --target=*) target=${args[i]#--target=} ;;
  esac
done
dir=${CARGO_TARGET_DIR:-target}
binary=$dir/${target:+$target/}release/sandtrap

cargo build --release --locked "$@" >&2
if ! bash bench/startup_order.sh --check "$binary" >&2; then
  echo "build-release: this build's linker does not take the startup order; the binary is linked without it" >&2
  echo "$binary"
  exit 0
fi
if ! command -v valgrind >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "== installing valgrind" >&2
  sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq valgrind >/dev/null 2>&1 || true
fi
if ! bash bench/startup_order.sh "$binary" >&2; then
  echo "build-release: the short runs could not be profiled; the binary keeps the committed startup order" >&2
  echo "$binary"
  exit 0
fi
cargo build --release --locked "$@" >&2
bash bench/startup_order.sh --check "$binary" --all >&2
echo "$binary"
