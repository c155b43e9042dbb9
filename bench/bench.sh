#!/usr/bin/env bash
# Benchmark (not a test): throughput and peak RSS of `tracefx stats` or `tracefx analyze` on a large ftrace file
# built from the memcg capture by repeating it with shifted timestamps.
# usage: bench/bench.sh [stats|analyze] [SIZE_MB]   (defaults: stats 1100; the file is kept in bench/out/)
set -euo pipefail
cd "$(dirname "$0")/.."
command=${1:-stats}
size_mb=${2:-1100}
big=bench/out/memcg-${size_mb}mb.ftrace.txt
mkdir -p bench/out
[ -f "$big" ] || python3 bench/make-big-trace.py "$big" --size-mb "$size_mb"
dotnet build src/TraceForensics.Cli -c Release -o bench/out/tracefx >/dev/null
bytes=$(stat -c %s "$big")
# warm the page cache so the figure is the reader's, not the disk's
cat "$big" > /dev/null
for run in 1 2 3; do
  set +e
  /usr/bin/time -f '%e %M' -o bench/out/time.txt bench/out/tracefx/tracefx "$command" "$big" > bench/out/$command.txt
  rc=$?
  set -e
  # analyze exits 1 when it finds something at or above --fail-on; that is not a failure of the benchmark
  [ "$rc" -le 1 ] || { echo "tracefx $command exited $rc" >&2; exit "$rc"; }
  read -r secs rss_kb < bench/out/time.txt
  awk -v b="$bytes" -v s="$secs" -v r="$rss_kb" -v n="$run" -v c="$command" \
    'BEGIN { printf "%s run %d: %.0f MB in %.2f s = %.0f MB/s, peak RSS %.0f MB\n", c, n, b/1e6, s, b/1e6/s, r/1024 }'
done
head -1 bench/out/$command.txt
