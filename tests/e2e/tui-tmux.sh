#!/usr/bin/env bash
# End-to-end: runs the real tracefx binary's terminal UI in tmux on the LKML deadlock sample and on a real capture,
# sends keys and checks the screen. usage: tests/e2e/tui-tmux.sh PATH/TO/tracefx.dll
set -euo pipefail
dll=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
session=tfx-e2e-$$
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT

wait_for() { # text [seconds]
  for _ in $(seq 1 $(( ${2:-30} * 10 ))); do
    tmux capture-pane -p -t "$session" | grep -qF -- "$1" && return 0
    sleep 0.1
  done
  echo "FAIL: '$1' never appeared; the screen was:" >&2
  tmux capture-pane -p -t "$session" >&2
  exit 1
}

run() { # trace
  tmux kill-session -t "$session" 2>/dev/null || true
  tmux new-session -d -s "$session" -x 120 -y 40 "dotnet $dll tui $1"
}

# The LKML deadlock: the finding, the jump to where the cycle closed, both tasks blocked, a search, quit.
run "$root/sample-traces/lkml-xfs-kprobe-holder.ftrace.txt"
wait_for "F1 deadlock 338.900305"
wait_for "postgres:47211 waits for writeback of page 8:16 ino 131 index 100"
tmux send-keys -t "$session" c
wait_for "postgres:47211 D"
wait_for "kworker/u8:9:47190 D"
tmux send-keys -t "$session" / u n l o c k Enter
wait_for "found 'unlock'"
tmux send-keys -t "$session" G # the last event of the trace
wait_for "(2434/2434)"
tmux send-keys -t "$session" q
for _ in $(seq 1 50); do tmux has-session -t "$session" 2>/dev/null || break; sleep 0.1; done
if tmux has-session -t "$session" 2>/dev/null; then echo "FAIL: q did not quit" >&2; exit 1; fi

# A real capture: the frozen backing filesystem stall.
run "$root/sample-traces/xfs-frozen-backing-stall.ftrace.txt.gz"
wait_for "F1 stall"
wait_for "frozen filesystem on 7:1"
tmux send-keys -t "$session" q
echo "tui e2e: ok"
