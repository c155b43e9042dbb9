#!/usr/bin/env bash
# Benchmark (not a test): `tracefx triage` over the public syzkaller hung-task and lockdep reports
# (../shared/corpus/syzkaller) copied to N reports with pids, kworker numbers, addresses, offsets and timestamps changed
# in each copy (bench/make-triage-corpus.py, into a temporary directory, removed at the end). For each N: wall and CPU
# time (user+sys), reports per second, peak RSS, then the Parquet file read back by DuckDB (`triage --summary`: rows and
# signature groups) beside the groups of the original reports: the copies must fall into the originals' groups.
# usage: bench/triage-bench.sh [N...]   (default: 10000 100000); TRACEFX=path/to/tracefx.dll to measure a given build
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${CORPUS:-../shared/corpus/syzkaller}
work=$(mktemp -d "${TMPDIR:-/tmp}/tracefx-triage-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ -z "${TRACEFX:-}" ]; then
  dotnet build src/TraceForensics.Cli -c Release -o "$work/tracefx" >/dev/null
  TRACEFX=$work/tracefx/tracefx.dll
fi
tracefx() { dotnet "$TRACEFX" "$@"; }
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"

tracefx triage -q "$corpus/hung" "$corpus/lockdep" -o "$work/originals.parquet" 2>/dev/null || true
originals=$(tracefx triage --summary "$work/originals.parquet" | head -1)
echo "originals: $originals"
for n in "${@:-10000 100000}"; do
  for count in $n; do
    rm -rf "$work/copies"
    python3 bench/make-triage-corpus.py "$corpus" "$work/copies" "$count"
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" dotnet "$TRACEFX" triage -q "$work/copies" -o "$work/copies.parquet" 2>"$work/err" || true
    read -r wall user sys rss < "$work/time"
    summary=$(tracefx triage --summary "$work/copies.parquet" | head -1)
    # every signature of the copies is one of the originals' (the copies changed only what the signature abstracts)
    signatures() { tracefx triage --summary "$1" | grep -oE '^ +[0-9]+ +[0-9]+  [0-9a-f]{16}' | awk '{print $3}' | sort; }
    signatures "$work/copies.parquet" > "$work/copies.sigs"
    signatures "$work/originals.parquet" > "$work/originals.sigs"
    extra=$(comm -23 "$work/copies.sigs" "$work/originals.sigs" | wc -l)
    awk -v n="$count" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v sm="$summary" -v x="$extra" 'BEGIN {
      printf "%7d reports: wall %.1f s (%.0f reports/s), cpu %.1f s (%.0f reports per cpu-second), peak RSS %.0f MB; DuckDB: %s; signatures not among the originals: %d\n",
        n, w, n / w, u + s, n / (u + s), r / 1024, sm, x }'
    tail -1 "$work/err"
  done
done
