#!/usr/bin/env bash
# fuzz/ci.sh [SECONDS]: the short fuzzing run of CI: every reader for SECONDS (default 10) with afl++ and SharpFuzz,
# after one publish and instrumentation. Prints each reader's figures; exits 1 when any reader had a crash or a hang
# (the inputs stay in fuzz/out/READER/default/{crashes,hangs}; see the README's Fuzzing section to replay one).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
readers=(ftrace trace-cmd perf-script dmesg topology trace-dat decompress events-map)
command -v afl-fuzz >/dev/null || { echo "fuzz/ci.sh: afl-fuzz not found (Debian: apt-get install afl++)" >&2; exit 2; }
# Prepare (publish + instrument) with the first reader's run, then reuse it for the others.
failed=()
first=1
for r in "${readers[@]}"; do
  if [ $first = 1 ]; then bash fuzz/run.sh "$r" "$seconds"; rc=$?; first=0
  else FUZZ_PREPARED=1 bash fuzz/run.sh "$r" "$seconds"; rc=$?; fi
  [ $rc = 0 ] || failed+=("$r")
  [ $rc = 2 ] && { echo "fuzz/ci.sh: the fuzzer could not run ($r)" >&2; exit 2; }
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz/ci.sh: crashes or hangs in: ${failed[*]} (inputs in fuzz/out/READER/default/crashes and hangs)" >&2
  exit 1
fi
echo "fuzz/ci.sh: ${#readers[@]} readers fuzzed ${seconds} s each: no crash, no hang"
