#!/usr/bin/env bash
# fuzz/run.sh READER SECONDS: coverage-guided fuzzing of one reader with afl++ and SharpFuzz.
#   Publishes fuzz/TraceForensics.Fuzz into fuzz/out/bin and instruments the tool's assemblies (and the decompressors')
#   there (skipped when FUZZ_PREPARED=1: fuzz/ci.sh prepares once), then runs afl-fuzz for SECONDS on the seeds of
#   fuzz/seeds/READER, findings in fuzz/out/READER, and prints the run's figures from its fuzzer_stats.
#   Exit 0 with no crash and no hang; 1 otherwise (the inputs are in fuzz/out/READER/default/{crashes,hangs}).
# READER: ftrace trace-cmd perf-script dmesg topology trace-dat decompress events-map
# Replay one input outside afl (its exception escapes with its stack):
#   dotnet build fuzz/TraceForensics.Fuzz -c Release && dotnet fuzz/TraceForensics.Fuzz/bin/Release/net10.0/TraceForensics.Fuzz.dll READER FILE
#   (the uninstrumented build: the instrumented one in fuzz/out/bin runs only under afl-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
reader=${1:?usage: fuzz/run.sh READER SECONDS}
seconds=${2:?usage: fuzz/run.sh READER SECONDS}
[ -d "fuzz/seeds/$reader" ] || { echo "fuzz/run.sh: no seeds for reader '$reader' (fuzz/seeds/)" >&2; exit 2; }
command -v afl-fuzz >/dev/null || { echo "fuzz/run.sh: afl-fuzz not found (Debian: apt-get install afl++)" >&2; exit 2; }
out=${FUZZ_OUT:-fuzz/out}  # FUZZ_OUT: another place (a long run keeps its own instrumented copy)
bin=$out/bin

if [ "${FUZZ_PREPARED:-0}" != 1 ]; then
  rm -rf "$bin"
  mkdir -p "$out"
  dotnet publish fuzz/TraceForensics.Fuzz -c Release -o "$bin" --nologo -v q > "$out/publish.log" 2>&1 || {
    echo "fuzz/run.sh: publishing the harness failed:" >&2; tail -n 30 "$out/publish.log" >&2; exit 2; }
  dotnet tool restore >/dev/null || { echo "fuzz/run.sh: dotnet tool restore failed (SharpFuzz.CommandLine)" >&2; exit 2; }
  # The tool's assemblies, and the decompressors it reads through (xz: SharpCompress, zstd: ZstdSharp); not the harness.
  for dll in "$bin"/TraceForensics.*.dll "$bin"/tracefx.dll "$bin"/SharpCompress.dll "$bin"/ZstdSharp.dll; do
    case "$(basename "$dll")" in TraceForensics.Fuzz.dll) continue ;; esac
    dotnet sharpfuzz "$dll" >/dev/null || { echo "fuzz/run.sh: instrumenting $dll failed" >&2; exit 2; }
  done
fi

rm -rf "${out:?}/$reader"
mkdir -p "$out/$reader"
# The harness runs .NET, which afl cannot see instrumented: skip the binary check; a crash is an escaped exception
# (SharpFuzz reports it), not a core dump, so the core_pattern check is not needed either.
export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
       AFL_NO_UI=1 AFL_QUIET=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_TieredPGO=0
# -t: a hang is an input that takes over 5 s (a harness run takes milliseconds); -m none: .NET reserves much address space.
afl-fuzz -i "fuzz/seeds/$reader" -o "$out/$reader" -t 5000 -m none -V "$seconds" \
  -- "$(command -v dotnet)" "$bin/TraceForensics.Fuzz.dll" "$reader" > "$out/$reader/afl.log" 2>&1 || {
    echo "fuzz/run.sh: afl-fuzz failed for $reader; the end of its log:" >&2; tail -n 30 "$out/$reader/afl.log" >&2; exit 2; }

stats=$out/$reader/default/fuzzer_stats
get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes=$(get saved_crashes); hangs=$(get saved_hangs)
printf '%-12s execs %-9s paths %-5s crashes %-3s hangs %-3s seconds %-5s (%s execs/s)\n' "$reader" \
  "$(get execs_done)" "$(get corpus_count)" "$crashes" "$hangs" "$(get run_time)" "$(get execs_per_sec)"
[ "$crashes" = 0 ] && [ "$hangs" = 0 ]
