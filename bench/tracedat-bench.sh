#!/usr/bin/env bash
# Benchmark (not a test): `tracefx analyze` and `tracefx stats` on a trace.dat beside `trace-cmd report -i FILE >
# /dev/null` on the same file, in the same run, wall time, CPU time (user+sys: the figure to compare on a loaded
# machine, where wall time is mostly waiting for a core) and peak RSS, RUNS runs each interleaved, and the ratios.
# The issue's target: analyze in at most 0.2x trace-cmd report's time on a trace.dat of >= 10 million events.
# usage: [RUNS=3] bench/tracedat-bench.sh [FILE.dat]   (default bench/out/memcg-big.trace.dat, made by
#        bench/capture-big-tracedat.sh as root)
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-bench/out/memcg-big.trace.dat}
runs=${RUNS:-3}
[ -f "$file" ] || { echo "no $file: capture it with bench/capture-big-tracedat.sh (root)" >&2; exit 2; }
mkdir -p bench/out
dotnet build src/TraceForensics.Cli -c Release -o bench/out/tracefx >/dev/null
cat "$file" > /dev/null # page cache warm: the figures are the readers', not the disk's
echo "file: $file, $(stat -c %s "$file") bytes; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"

measure() { # output command... -> "secs rss_kb cpu_secs" (exit 1 of analyze is a finding, not a failure)
  local name=$1; shift
  set +e
  /usr/bin/time -f '%e %M %U %S' -o bench/out/time.txt "$@" > "$name" 2>/dev/null
  local rc=$?
  set -e
  [ "$rc" -le 1 ] || { echo "$name exited $rc" >&2; exit "$rc"; }
  awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' bench/out/time.txt
}
for run in $(seq 1 "$runs"); do
  read -r tc_s tc_kb tc_c < <(measure /dev/null trace-cmd report -i "$file")
  read -r an_s an_kb an_c < <(measure bench/out/analyze.txt bench/out/tracefx/tracefx analyze "$file")
  read -r st_s st_kb st_c < <(measure bench/out/stats.txt bench/out/tracefx/tracefx stats "$file")
  awk -v r="$run" -v tc="$tc_s" -v tck="$tc_kb" -v tcc="$tc_c" -v an="$an_s" -v ank="$an_kb" -v anc="$an_c" -v st="$st_s" -v stk="$st_kb" -v stc="$st_c" 'BEGIN {
    printf "run %d: trace-cmd report %.2f s, cpu %.2f s (%.0f MB) | tracefx analyze %.2f s, cpu %.2f s (%.0f MB) ratio %.2f, cpu %.2f | tracefx stats %.2f s, cpu %.2f s (%.0f MB) ratio %.2f, cpu %.2f\n",
      r, tc, tcc, tck/1024, an, anc, ank/1024, an/tc, anc/tcc, st, stc, stk/1024, st/tc, stc/tcc }'
done
echo "trace-cmd report lines: $(trace-cmd report -i "$file" 2>/dev/null | wc -l)"
head -3 bench/out/stats.txt
