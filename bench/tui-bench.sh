#!/usr/bin/env bash
# Benchmark (not a test): the terminal UI on a large trace beside `tracefx analyze` on the same file: seconds until
# the first findings are shown while the load goes on (provisional), until the load's end (the final findings and the
# event log; the UI in tmux, its screen polled every 0.1 s), peak RSS (the UI's VmHWM read from /proc just before it
# quits; analyze's from /usr/bin/time), then G (the last event) shown. CPU time (user+sys) of both from /proc, the UI's
# also by thread (the load, the UI, .NET's tiered compilation).
# What a user runs is measured: the published tool when there is one (`dotnet pwsh build.ps1 publish`: the native
# tracefx in artifacts/tracefx for analyze, and for tui the same native tracefx, which hands it to tracefx-tui beside it
# (the UI's native build) or, without that, to the managed companion in artifacts/tracefx/managed; that process is the
# one measured), else the Release build's dll through `dotnet`; the first line says which.
# usage: [RUNS=N] bench/tui-bench.sh FILE [PATH/TO/tracefx.dll]   (a dll given: that dll, through `dotnet`, for both)
# RUNS=N: N pairs (analyze, then the UI) one after the other, each printed, then the median of the N ratios: on a VM
# whose speed drifts from minute to minute, one pair says little.
set -euo pipefail
cd "$(dirname "$0")/.."
file=$1
if [ "${RUNS:-1}" -gt 1 ]; then
  ratios=()
  for i in $(seq 1 "$RUNS"); do
    out=$(RUNS=1 bash "$0" "$@")
    [ "$i" = 1 ] && echo "$out" | grep -E '^(running|machine|file):'
    echo "$out" | grep -E '^(analyze|tui):'
    ratios+=("$(echo "$out" | sed -nE 's/.*load done after [0-9.]+ s \(([0-9.]+)x analyze.*/\1/p')")
  done
  printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END { m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
    printf "load done / analyze over %d pairs: median %.2fx (from %.2fx to %.2fx)\n", NR, m, r[1], r[NR] }'
  exit 0
fi
if [ -z "${2:-}" ] && [ -x artifacts/tracefx/tracefx ] && [ -x artifacts/tracefx/managed/tracefx ]; then
  tracefx=(artifacts/tracefx/tracefx)
  if [ -x artifacts/tracefx/tracefx-tui ]; then
    echo "running: the published tool (artifacts/tracefx/tracefx, native; tui in artifacts/tracefx/tracefx-tui, native)"
  else
    echo "running: the published tool (artifacts/tracefx/tracefx, native; tui in its managed companion artifacts/tracefx/managed)"
  fi
else
  dll=${2:-src/TraceForensics.Cli/bin/Release/net10.0/tracefx.dll}
  tracefx=(dotnet "$dll")
  echo "running: dotnet $dll (not published)"
fi
session=tfx-bench-$$
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d)"
echo "file: $file ($(stat -L -c %s "$file") bytes)"
cat "$file" > /dev/null # warm the page cache

/usr/bin/time -f '%e %M %U %S' -o /tmp/tfx-bench-time.$$ "${tracefx[@]}" analyze "$file" > /dev/null || true
read -r asecs arss auser asys < /tmp/tfx-bench-time.$$
rm -f /tmp/tfx-bench-time.$$
acpu=$(awk -v u="$auser" -v s="$asys" 'BEGIN { printf "%.1f", u + s }')
echo "analyze: ${asecs} s (cpu ${acpu} s), peak RSS $((arss / 1024)) MB"

start=$(date +%s.%N)
tmux new-session -d -s "$session" -x 160 -y 50 "exec ${tracefx[*]} tui $file"
pid=$(tmux display -p -t "$session" '#{pane_pid}')
if [ "${tracefx[0]}" != dotnet ]; then
  # The native tracefx waits for its managed companion, the process that loads and draws.
  until child=$(pgrep -P "$pid" | head -1) && [ -n "$child" ]; do sleep 0.02; done
  pid=$child
fi
until tmux capture-pane -p -t "$session" | grep -qE '^.{0,3}(F[0-9]+ |no deadlock, stall or hung task found|could not load)'; do sleep 0.1; done
first=$(date +%s.%N)
# The load's end: the status line names how the event log is read again once there is one.
# Meanwhile each thread's CPU is sampled (a thread that ends keeps its last sample): the UI thread is the process's
# first, the load runs on a pool thread, .NET's tiered compilation (managed build) on a thread of its own. One `cat`
# a tick appends every thread's stat line to a file, parsed once at the end: the sampling must not take the cpus the
# load runs on (a sed, an awk and a cat for each thread each tick took a third of a cpu on the 2-cpu machine).
snaps=$(mktemp)
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -f "$snaps"' EXIT
until tmux capture-pane -p -t "$session" | grep -qE '\(0/[1-9][0-9]*\) log: |could not load'; do
  cat /proc/"$pid"/task/*/stat >> "$snaps" 2>/dev/null || true
  sleep 0.1
done
end=$(date +%s.%N)
tcpu=$(awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$pid/stat")
cat /proc/"$pid"/task/*/stat >> "$snaps" 2>/dev/null || true
# A stat line: "tid (comm) state ...", the comm may hold spaces; utime and stime are the 12th and 13th fields after it.
read -r ui jit replay reading < <(awk -v main="$pid" '{
    tid = $1; i = index($0, "("); j = length($0) - index(reverse($0), ")") + 1
    name = substr($0, i + 1, j - i - 1); split(substr($0, j + 2), f, " ")
    v = f[12] + f[13]; if (v > cpu[tid]) cpu[tid] = v; nm[tid] = name
  }
  function reverse(s,   r, k) { r = ""; for (k = length(s); k > 0; k--) r = r substr(s, k, 1); return r }
  END {
    for (t in cpu) {
      if (t == main) ui = cpu[t]
      else if (nm[t] == ".NET Tiered Com") jit += cpu[t]
      else if (nm[t] ~ /^tracefx /) reading += cpu[t]        # the reading pipeline: "tracefx reading", "tracefx decoding"
      else if (cpu[t] > replay) replay = cpu[t]              # the load (the replay and the analysis) on a pool thread
    }
    print ui + 0, jit + 0, replay + 0, reading + 0
  }' "$snaps")
threads=$(awk -v u="$ui" -v j="$jit" -v p="$replay" -v r="$reading" 'BEGIN { printf "replay thread %.1f s, reading threads %.1f s, UI thread %.1f s, tiered compilation %.1f s", p / 100, r / 100, u / 100, j / 100 }')
tmux send-keys -t "$session" G
until tmux capture-pane -p -t "$session" | grep -qE 'cursor .* \(([0-9]+)/\1\)'; do sleep 0.1; done
gend=$(date +%s.%N)
hwm=$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$pid/status")
tmux capture-pane -p -t "$session" | grep -E '^.{0,3}F[0-9]+ |cursor ' | cut -c1-150
tmux send-keys -t "$session" q
fsecs=$(awk -v a="$start" -v b="$first" 'BEGIN { printf "%.1f", b - a }')
tsecs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
echo "tui: first findings after ${fsecs} s (provisional), load done after ${tsecs} s ($(awk -v t="$tsecs" -v a="$asecs" 'BEGIN { printf "%.2f", t / a }')x analyze; cpu ${tcpu} s, $(awk -v t="$tcpu" -v a="$acpu" 'BEGIN { printf "%.2f", t / a }')x: ${threads}), G shown $(awk -v a="$end" -v b="$gend" 'BEGIN { printf "%.1f", b - a }') s later, peak RSS ${hwm} MB"
