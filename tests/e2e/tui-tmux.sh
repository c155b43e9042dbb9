#!/usr/bin/env bash
# End-to-end: runs the real tracefx binary's terminal UI in tmux on the LKML deadlock sample and on a real capture,
# sends keys and checks the screen. usage: tests/e2e/tui-tmux.sh PATH/TO/tracefx.dll|PATH/TO/tracefx [PROGRAM]
# A dll is run through `dotnet`, anything else as it is (the published native tracefx). PROGRAM given: the UI must be
# drawn by a process of that name, the pane's own or its child (the native tracefx hands tui to tracefx-tui).
set -euo pipefail
tool=$1
program=${2:-}
case $tool in
  *.dll) command="dotnet $tool" ;;
  *) command=$tool ;;
esac
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
  tmux new-session -d -s "$session" -x 120 -y 40 "$command tui $1"
}

drawn_by() { # program: the pane's process or one of its children is it
  local pane
  pane=$(tmux display -p -t "$session" '#{pane_pid}')
  if ! { cat /proc/"$pane"/comm; pgrep -P "$pane" | xargs -r -I{} cat /proc/{}/comm; } 2>/dev/null | grep -qxF "$1"; then
    echo "FAIL: the UI is not drawn by $1; the pane runs: $(ps -o comm= --pid "$pane" --ppid "$pane" | tr '\n' ' ')" >&2
    exit 1
  fi
}

# The LKML deadlock: the finding, the jump to where the cycle closed, both tasks blocked, a search, quit.
run "$root/sample-traces/lkml-xfs-kprobe-holder.ftrace.txt"
wait_for "F1 deadlock 338.900305"
[ -z "$program" ] || drawn_by "$program"
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
# The terminal gone (the session killed: SIGHUP to the UI): the UI ends, no process left spinning on the hung-up tty
# (Terminal.Gui's input thread does, and its disposal waits for it: Commands/TuiSignals.cs bounds that wait).
run "$root/sample-traces/lkml-xfs-kprobe-holder.ftrace.txt"
wait_for "F1 deadlock 338.900305"
pane=$(tmux display -p -t "$session" '#{pane_pid}')
pids="$pane $(pgrep -P "$pane" | tr '\n' ' ' || true)"
tmux kill-session -t "$session"
for _ in $(seq 1 300); do # a hang guard
  alive=
  for p in $pids; do
    [ -r "/proc/$p/stat" ] && [ "$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)" != Z ] && alive=$p
  done
  [ -z "$alive" ] && break
  sleep 0.1
done
if [ -n "$alive" ]; then echo "FAIL: the UI ($(cat /proc/"$alive"/comm 2>/dev/null)) still runs after its terminal went away" >&2; kill -9 $pids 2>/dev/null; exit 1; fi
echo "tui e2e: ok"
