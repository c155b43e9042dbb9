#!/bin/bash
# `tracefx watch` as root, two measures. Cost: watching the mixed workload (bench/mixed-workload.sh: fsync and memcg
# pressure on a loop ext4) for its 25 s: tracefx's CPU time (user+sys, GNU time) as a share of one core, its peak RSS
# (GNU time) and steady RSS (VmRSS sampled every 0.5 s: the median over the second half of the workload), events
# replayed per second, events lost by the ring buffer and pages dropped unreplayed (--max-memory), as watch itself
# says; WATCH_ARGS adds options (e.g. "--window 5"). Latency: the frozen-backing experiment of
# ../shared/tools/capture-real-traces.sh (an XFS on a loop device over a file of a frozen XFS, dd conv=fsync into it)
# with --stall 2: how long after the stall began (the finding's time, trace clock) the incident line came (the trace
# clock read then from per_cpu/cpu0/stats), minus the 2 s; then, after the thaw, the "cleared" line.
# A background job of a script ignores SIGINT (bash), so the watch is stopped with SIGTERM.
# Everything is thawed, unmounted and detached on every exit (trap). Usage: sudo bench/watch-bench.sh [cost] [latency]
set -u
here=$(cd "$(dirname "$0")" && pwd)
tfx=${TRACEFX:-$here/../src/TraceForensics.Cli/bin/Release/net10.0/tracefx.dll}
W=$(mktemp -d /var/tmp/tfx-watch-bench.XXXXXX)
OL=""; IL=""; FROZEN=""; WP=""; DD=""
cleanup() {
  [ -n "$FROZEN" ] && fsfreeze -u "$W/outer"
  [ -n "$DD" ] && wait "$DD" 2>/dev/null
  [ -n "$WP" ] && kill -TERM "$WP" 2>/dev/null && wait "$WP" 2>/dev/null
  mountpoint -q "$W/inner" && umount "$W/inner"; [ -n "$IL" ] && losetup -d "$IL"
  mountpoint -q "$W/outer" && umount "$W/outer"; [ -n "$OL" ] && losetup -d "$OL"
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
echo "machine: $(nproc) cpus, $(awk '/MemTotal/{print int($2/1024)" MiB"}' /proc/meminfo), kernel $(uname -r), $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
now_ts() { awk '/^now ts:/{print $3}' /sys/kernel/tracing/per_cpu/cpu0/stats; }

for what in ${*:-cost latency}; do case $what in
cost)
  /usr/bin/time -f "%U %S %M %e" -o "$W/time" dotnet "$tfx" watch -o "$W/inc-cost" --stall 5 ${WATCH_ARGS:-} >"$W/cost.out" 2>"$W/cost.err" & WP=$!
  sleep 1; TP=$(pgrep -P $WP) # the watch is GNU time's child
  # Its RSS every half second (VmRSS, KiB), "w" while the workload runs.
  ( while kill -0 "$TP" 2>/dev/null; do r=$(awk '/^VmRSS/{print $2}' /proc/$TP/status 2>/dev/null); [ -n "$r" ] && echo "$(cat "$W/phase" 2>/dev/null) $r"; sleep 0.5; done ) >"$W/rss" & SP=$!
  sleep 2
  echo w >"$W/phase"; SECS=25 bash "$here/mixed-workload.sh" >/dev/null 2>&1; echo a >"$W/phase"
  sleep 2
  kill -TERM "$TP"; wait $WP; WP=""; wait $SP
  read -r user sys rss elapsed < "$W/time"
  line=$(grep '^tracefx: watched' "$W/cost.err")
  events=$(echo "$line" | sed -E 's/.*watched ([0-9]+) events.*/\1/')
  # Steady: the median of the samples in the second half of the workload; peak: GNU time's maximum RSS.
  n=$(awk '$1=="w"' "$W/rss" | wc -l)
  steady=$(awk '$1=="w"{print $2}' "$W/rss" | tail -n $(( (n + 1) / 2 )) | sort -n | awk '{a[NR]=$1} END{print int(a[int((NR+1)/2)]/1024)}')
  echo "cost: $(echo "scale=1; 100*($user+$sys)/$elapsed" | bc)% of one core ($user s user + $sys s sys over $elapsed s), peak RSS $((rss/1024)) MiB, steady RSS $steady MiB (median, second half of the workload), $(echo "$events/$elapsed" | bc) events/s; $line"
  grep -E '^tracefx: the (replay|window)' "$W/cost.err" | sort | uniq -c | sed 's/^/  /'
  echo "incidents during the workload: $(grep -c 'incident' "$W/cost.out")" ;;
latency)
  mkdir -p "$W/outer" "$W/inner"
  truncate -s 1G "$W/outer.img"; OL=$(losetup -f --show "$W/outer.img"); mkfs.xfs -q -f "$OL"; mount "$OL" "$W/outer"
  truncate -s 512M "$W/outer/inner.img"; IL=$(losetup -f --show "$W/outer/inner.img"); mkfs.xfs -q -f "$IL"; mount "$IL" "$W/inner"
  dotnet "$tfx" watch -o "$W/inc-lat" --stall 2 >"$W/lat.out" 2>"$W/lat.err" & WP=$!
  sleep 4
  fsfreeze -f "$W/outer"; FROZEN=1
  ( dd if=/dev/urandom of="$W/inner/stalled.dat" bs=1M count=16 conv=fsync status=none ) & DD=$!
  for i in $(seq 1 600); do grep -q ' incident ' "$W/lat.out" && break; sleep 0.05; done # 30 s at most
  seen=$(now_ts)
  sleep 2
  fsfreeze -u "$W/outer"; FROZEN=""
  wait "$DD"; DD=""
  for i in $(seq 1 100); do grep -q 'cleared' "$W/lat.out" && break; sleep 0.1; done
  kill -TERM $WP; wait $WP; WP=""
  at=$(grep -m1 ' incident ' "$W/lat.out" | sed -E 's/.* at ([0-9.]+): .*/\1/')
  echo "latency: incident line $(echo "$seen - $at - 2" | bc) s after --stall 2 elapsed (finding at $at, line seen at trace clock $seen, polled every 50 ms)"
  cat "$W/lat.out"; grep -E '^tracefx: (watched|the incident was found|the replay|the window)' "$W/lat.err"
  grep -q ' incident ' "$W/lat.out" || { echo "no incident: watch's stderr:"; cat "$W/lat.err"; } ;;
esac; done
