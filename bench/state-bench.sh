#!/usr/bin/env bash
# Benchmark (not a test): does the cost of an event stay flat as the replayed state grows? Runs `tracefx analyze` on
# two files of the same size made by make-state-trace.py: one whose preamble leaves 100k bios in flight, 1M live pages
# under writeback and 100k tasks, one whose preamble (same kind of lines) leaves almost nothing; both then hold the
# same repeated memcg capture. Also runs the two preambles alone, so the rest of the file (the body, where the state
# is only held) gets its own figure. Each figure is the median of RUNS runs, printed beside `wc -l` of the same file
# from the same runs and the ratio of the two.
# usage: bench/state-bench.sh [SIZE_MB] [RUNS] [TRACEFX_DLL]   (defaults: 300, 5, a Release build of this checkout;
#        files go to /tmp/tracefx-state-bench, never into the repository)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-300}
runs=${2:-5}
out=/tmp/tracefx-state-bench
mkdir -p "$out"
tracefx=${3:-}
if [ -z "$tracefx" ]; then
  dotnet build src/TraceForensics.Cli -c Release -o "$out/tracefx" >/dev/null
  tracefx=$out/tracefx/tracefx.dll
fi
for kind in large small; do
  flag=$([ "$kind" = small ] && echo --small || true)
  [ -f "$out/$kind-${size_mb}mb.txt" ] || python3 bench/make-state-trace.py "$out/$kind-${size_mb}mb.txt" --size-mb "$size_mb" $flag
  [ -f "$out/$kind-preamble.txt" ] || python3 bench/make-state-trace.py "$out/$kind-preamble.txt" --size-mb 0 $flag
done

. bench/median-of-runs.sh

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(date -u +%Y-%m-%d)"
echo "tracefx: $tracefx; median of $runs runs; wall MB/s (cpu MB/s = per second of user+sys time)"
declare -A wall cpu bytes
for f in large-${size_mb}mb small-${size_mb}mb large-preamble small-preamble; do
  file=$out/$f.txt
  cat "$file" > /dev/null # warm the page cache
  bytes[$f]=$(stat -c %s "$file")
  read -r wc_wall _ _ < <(measure wc -l "$file")
  read -r w c _ < <(measure dotnet "$tracefx" analyze "$file")
  wall[$f]=$w; cpu[$f]=$c
  lines=$(wc -l < "$file")
  awk -v f="$f" -v b="${bytes[$f]}" -v n="$lines" -v w="$w" -v c="$c" -v wc="$wc_wall" 'BEGIN {
    printf "%-18s %5.0f MB %8d lines: tracefx analyze %6.2f s = %5.0f MB/s (cpu %5.0f MB/s); wc -l %5.2f s = %6.0f MB/s; analyze / wc -l %5.1fx\n",
      f, b/1e6, n, w, b/1e6/w, b/1e6/c, wc, b/1e6/(wc > 0 ? wc : 0.01), w/(wc > 0 ? wc : 0.01) }'
done
L=large-${size_mb}mb; S=small-${size_mb}mb
awk -v lw="${wall[$L]}" -v sw="${wall[$S]}" -v lc="${cpu[$L]}" -v sc="${cpu[$S]}" -v lb="${bytes[$L]}" -v sb="${bytes[$S]}" \
    -v lpw="${wall[large-preamble]}" -v spw="${wall[small-preamble]}" -v lpc="${cpu[large-preamble]}" -v spc="${cpu[small-preamble]}" \
    -v lpb="${bytes[large-preamble]}" -v spb="${bytes[small-preamble]}" 'BEGIN {
  printf "whole file: large-state %.0f MB/s, small-state %.0f MB/s: ratio %.2f (cpu %.2f)\n", lb/1e6/lw, sb/1e6/sw, (lb/lw)/(sb/sw), (lb/lc)/(sb/sc)
  printf "body alone (file minus its preamble): large-state %.0f MB/s, small-state %.0f MB/s: ratio %.2f (cpu %.2f)\n",
    (lb-lpb)/1e6/(lw-lpw), (sb-spb)/1e6/(sw-spw), ((lb-lpb)/(lw-lpw))/((sb-spb)/(sw-spw)), ((lb-lpb)/(lc-lpc))/((sb-spb)/(sc-spc))
  printf "preamble alone: large-state %.0f MB/s, small-state %.0f MB/s: ratio %.2f (cpu %.2f)\n", lpb/1e6/lpw, spb/1e6/spw, (lpb/lpw)/(spb/spw), (lpb/lpc)/(spb/spc) }'
