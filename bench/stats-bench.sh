#!/usr/bin/env bash
# Benchmark (not a test): `tracefx stats` throughput and peak RSS on a >= 1 GB ftrace file built from the
# memcg capture. usage: bench/stats-bench.sh [SIZE_MB]   (default 1100; the file is kept in bench/out/)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1100}
big=bench/out/memcg-${size_mb}mb.ftrace.txt
mkdir -p bench/out
[ -f "$big" ] || python3 bench/make-big-trace.py "$big" --size-mb "$size_mb"
dotnet build src/TraceForensics.Cli -c Release -o bench/out/tracefx >/dev/null
bytes=$(stat -c %s "$big")
# warm the page cache so the figure is the reader's, not the disk's
cat "$big" > /dev/null
for run in 1 2 3; do
  /usr/bin/time -f '%e %M' -o bench/out/time.txt bench/out/tracefx/tracefx stats "$big" > bench/out/stats.txt
  read -r secs rss_kb < bench/out/time.txt
  awk -v b="$bytes" -v s="$secs" -v r="$rss_kb" -v n="$run" \
    'BEGIN { printf "run %d: %.0f MB in %.2f s = %.0f MB/s, peak RSS %.0f MB\n", n, b/1e6, s, b/1e6/s, r/1024 }'
done
head -1 bench/out/stats.txt
