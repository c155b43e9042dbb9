#!/usr/bin/env bash
# Benchmark (not a test): does the detectors' own cost grow with the input, not faster (issue #16 item 6)? Runs
# `tracefx analyze` on kernel logs made by make-detector-trace.py: a wait-for ring of N tasks (one deadlock of N), a
# line of N tasks each waiting for the next, a ring of N found through the held-locks list, and N hung-task reports in
# the syzkaller form, for each N. Each figure is the median of RUNS runs (wall, cpu = user+sys,
# peak RSS), printed beside `wc -l` of the same file from the same runs and the ratio of the two, and beside the
# previous N's cpu figure scaled to this N (linear cost: ratio at most 1; below 1 while start-up still weighs).
# usage: bench/scale-bench.sh [RUNS] [TRACEFX_DLL] [N...]   (defaults: 3, a Release build of this checkout,
#        1000 10000 100000; files go to /tmp/tracefx-scale-bench, never into the repository)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
tracefx=${2:-}
shift $(( $# < 2 ? $# : 2 ))
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
out=/tmp/tracefx-scale-bench
mkdir -p "$out"
if [ -z "$tracefx" ]; then
  dotnet build src/TraceForensics.Cli -c Release -o "$out/tracefx" >/dev/null
  tracefx=$out/tracefx/tracefx.dll
fi

. bench/median-of-runs.sh

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "tracefx: $tracefx; median of $runs runs"
for kind in ring line held hung; do
  prev_n=; prev_cpu=
  for n in "${sizes[@]}"; do
    file=$out/$kind-$n.log
    [ -f "$file" ] || python3 bench/make-detector-trace.py "$kind" "$n" "$file"
    cat "$file" > /dev/null # warm the page cache
    read -r wc_wall _ _ < <(measure wc -l "$file")
    read -r w c rss < <(measure dotnet "$tracefx" analyze "$file")
    verdict=$(head -n1 "$out/last.out")
    lines=$(wc -l < "$file")
    [ -n "$prev_n" ] || { prev_n=$n; prev_cpu=$c; }
    awk -v k="$kind" -v n="$n" -v l="$lines" -v w="$w" -v c="$c" -v rss="$rss" -v wc="$wc_wall" -v fn="$prev_n" -v fc="$prev_cpu" -v v="$verdict" 'BEGIN {
      printf "%s N=%-7d %8d lines: analyze %7.2f s wall, %7.2f s cpu, %5.0f MB peak; wc -l %5.2f s; analyze / wc -l %6.0fx; cpu / (cpu at N=%d x %g) %.2f  [%s]\n",
        k, n, l, w, c, rss, wc, w/(wc > 0 ? wc : 0.01), fn, n/fn, c/(fc*n/fn), v }'
    prev_n=$n; prev_cpu=$c
  done
done
