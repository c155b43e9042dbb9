#!/usr/bin/env bash
# Benchmark (not a test): throughput and peak RSS of `tracefx stats` or `tracefx analyze` on a large ftrace file
# built from the memcg capture by repeating it with shifted timestamps, each run beside `wc -l` of the same file (the
# speed of reading the bytes at all) and, with TRACEFX_THREADS=1, the same command on one thread.
# `formats` compares the text formats: the fsync capture as ftrace, trace-cmd report and perf script text, each
# repeated to SIZE_MB, read by `tracefx stats`; each format's MB/s beside the ftrace file's and the ratio.
# usage: bench/bench.sh [stats|analyze|formats] [SIZE_MB]   (defaults: stats 1100, formats 300; files kept in bench/out/)
set -euo pipefail
cd "$(dirname "$0")/.."
command=${1:-stats}
default_mb=1100
[ "$command" = formats ] && default_mb=300
size_mb=${2:-$default_mb}
mkdir -p bench/out
dotnet build src/TraceForensics.Cli -c Release -o bench/out/tracefx >/dev/null
# The tool a user runs: the published native build (`dotnet pwsh build.ps1 publish`) when there is one (TRACEFX_BIN to
# choose), else the managed Release build just made.
tool=${TRACEFX_BIN:-bench/out/tracefx/tracefx}
[ -z "${TRACEFX_BIN:-}" ] && [ -x artifacts/tracefx/tracefx ] && tool=artifacts/tracefx/tracefx
echo "running: $tool"
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d)"

# seconds and peak RSS (KiB) of one run of "$@" (its stdout to the file $1); exit 1 of analyze is a finding, not a failure
measure() {
  local out=$1; shift
  set +e
  /usr/bin/time -f '%e %M' -o bench/out/time.txt "$@" > "$out"
  local rc=$?
  set -e
  [ "$rc" -le 1 ] || { echo "$* exited $rc" >&2; exit "$rc"; }
  cat bench/out/time.txt
}

median() { sort -n | sed -n 2p; }

# three runs of tracefx COMMAND FILE (with the environment given before it), beside three of wc -l: medians and ratio
bench_file() {
  local label=$1 file=$2 cmd=$3; shift 3
  local bytes; bytes=$(stat -L -c %s "$file")
  cat "$file" > /dev/null # warm the page cache: the figure is the reader's, not the disk's
  local t=() r=() w=()
  for run in 1 2 3; do
    read -r secs rss < <(measure bench/out/$cmd.txt env "$@" "$tool" "$cmd" "$file")
    t+=("$secs"); r+=("$rss")
    read -r wsecs _ < <(measure /dev/null wc -l "$file")
    w+=("$wsecs")
  done
  local tm wm rm
  tm=$(printf '%s\n' "${t[@]}" | median); wm=$(printf '%s\n' "${w[@]}" | median); rm=$(printf '%s\n' "${r[@]}" | sort -n | tail -1)
  awk -v l="$label" -v b="$bytes" -v ts="${t[*]}" -v tm="$tm" -v wm="$wm" -v rm="$rm" 'BEGIN {
    printf "%-34s %6.0f MB: runs %s s, median %.2f s = %4.0f MB/s, peak RSS %3.0f MB | wc -l %.2f s = %5.0f MB/s | tracefx/wc %.2f\n",
      l, b/1e6, ts, tm, b/1e6/tm, rm/1024, wm, b/1e6/wm, wm/tm }'
  echo "$tm" > bench/out/median.txt
}

if [ "$command" = formats ]; then
  src=../shared/real-traces
  declare -A mbs
  for form in ftrace trace-cmd-report perf-script; do
    file=bench/out/fsync-${size_mb}mb.$form.txt
    [ -f "$file" ] || python3 bench/make-big-trace.py "$file" --size-mb "$size_mb" --source "$src/xfs-fsync.$form.txt" 2>/dev/null
    bench_file "stats $form" "$file" stats
    mbs[$form]=$(awk -v b="$(stat -c %s "$file")" -v s="$(cat bench/out/median.txt)" 'BEGIN { printf "%.0f", b/1e6/s }')
  done
  for form in trace-cmd-report perf-script; do
    awk -v f="$form" -v m="${mbs[$form]}" -v r="${mbs[ftrace]}" 'BEGIN { printf "%s: %d MB/s, ftrace %d MB/s: %.0f %%\n", f, m, r, 100*m/r }'
  done
  exit 0
fi

big=bench/out/memcg-${size_mb}mb.ftrace.txt
[ -f "$big" ] || python3 bench/make-big-trace.py "$big" --size-mb "$size_mb"
bench_file "$command (TRACEFX_THREADS=$(nproc))" "$big" "$command" TRACEFX_THREADS="$(nproc)"
bench_file "$command (TRACEFX_THREADS=1)" "$big" "$command" TRACEFX_THREADS=1
head -1 "bench/out/$command.txt"
