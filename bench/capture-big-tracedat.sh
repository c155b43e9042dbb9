#!/usr/bin/env bash
# Captures a big REAL trace.dat (>= TARGET events, default 12 million) of the memcg-reclaim workload of
# ../shared/tools/capture-real-traces.sh (scenario memcg), run over and over: the trace vocabulary's event families
# and the stack triggers `tracefx record` sets, armed by hand in the TOP-LEVEL tracefs instance with a big per-CPU
# buffer (trace-cmd record cannot arm ftrace on this VM), saved with `trace-cmd extract`. Kprobes are left out:
# kprobe_events is global and another `tracefx record` may be using it.
# Needs root, tracefs, a loop device, xfsprogs, trace-cmd, the cgroup v1 memory controller.
# Usage: [TARGET=12000000] [BUFFER_KB=1572864] [MAX_SECONDS=900] bench/capture-big-tracedat.sh OUT.dat
# Everything armed is undone on every exit path (events, triggers, buffer size, tracing_on, cgroup, mount, loop).
set -euo pipefail
OUT=$(realpath -m "${1:?output trace.dat}")
TARGET=${TARGET:-12000000}
BUFFER_KB=${BUFFER_KB:-1572864}
MAX_SECONDS=${MAX_SECONDS:-900}
T=/sys/kernel/tracing
W=/var/tmp/tfbig
MNT=/mnt/tfbig
MEMCG=/sys/fs/cgroup/memory/tfbig
mountpoint -q $T || mount -t tracefs nodev $T
mkdir -p "$W" "$(dirname "$OUT")"

# The event families of capture-real-traces.sh (the trace vocabulary's tracepoints), those this kernel has.
EVENTS="writeback/writeback_dirty_folio writeback/folio_wait_writeback writeback/writeback_start
writeback/writeback_written writeback/writeback_single_inode_start writeback/writeback_single_inode
writeback/writeback_pages_written writeback/balance_dirty_pages
iomap/iomap_writeback_folio iomap/iomap_add_to_ioend
block/block_bio_queue block/block_bio_complete block/block_rq_issue block/block_rq_complete
block/block_plug block/block_unplug block/block_getrq block/block_bio_backmerge
vmscan/mm_vmscan_direct_reclaim_begin vmscan/mm_vmscan_direct_reclaim_end
vmscan/mm_vmscan_memcg_reclaim_begin vmscan/mm_vmscan_memcg_reclaim_end
vmscan/mm_vmscan_write_folio vmscan/mm_vmscan_lru_shrink_inactive vmscan/mm_vmscan_throttled
vmscan/mm_vmscan_kswapd_wake vmscan/mm_vmscan_kswapd_sleep
filemap/mm_filemap_fault filemap/mm_filemap_add_to_page_cache
sched/sched_switch sched/sched_waking sched/sched_process_hang sched/sched_process_exec sched/sched_process_exit
lock/contention_begin lock/contention_end"
# The stack triggers of `tracefx record` (src/TraceForensics.Cli/Capture/RecordingPlan.cs).
TRIGGERS="sched/sched_switch:stacktrace if prev_state & 2
writeback/folio_wait_writeback:stacktrace
vmscan/mm_vmscan_direct_reclaim_begin:stacktrace
vmscan/mm_vmscan_memcg_reclaim_begin:stacktrace"

# "7 (expanded: 1408)" before the first use: the size to put back is the expanded one.
ORIG_BUF=$(sed -E 's/.*expanded: ([0-9]+).*/\1/' $T/buffer_size_kb)
ORIG_ON=$(cat $T/tracing_on)
LOOP=""
cleanup() {
  set +e
  echo 0 > $T/tracing_on
  while IFS= read -r t; do echo "!${t#*:}" > "$T/events/${t%%:*}/trigger" 2>/dev/null; done <<< "$TRIGGERS"
  for e in $EVENTS; do [ -d $T/events/$e ] && echo 0 > $T/events/$e/enable; done
  echo > $T/trace
  echo "$ORIG_BUF" > $T/buffer_size_kb
  echo "$ORIG_ON" > $T/tracing_on
  if [ -d $MEMCG ]; then
    for p in $(cat $MEMCG/cgroup.procs); do kill "$p" 2>/dev/null; done
    sleep 0.5; rmdir $MEMCG
  fi
  if mountpoint -q $MNT; then umount $MNT 2>/dev/null || { sync; sleep 1; umount $MNT; } || umount -l $MNT; fi
  [ -n "$LOOP" ] && losetup -d "$LOOP"
  rm -f $W/fs.img
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

truncate -s 2G $W/fs.img
LOOP=$(losetup -f --show $W/fs.img)
mkfs.xfs -q -f "$LOOP"; mkdir -p $MNT; mount "$LOOP" $MNT
mkdir -p $MEMCG; echo 64M > $MEMCG/memory.limit_in_bytes

echo 0 > $T/tracing_on
echo 0 > $T/events/enable
echo > $T/trace
echo "$BUFFER_KB" > $T/buffer_size_kb
for e in $EVENTS; do [ -d $T/events/$e ] && echo 1 > $T/events/$e/enable; done
while IFS= read -r t; do echo "${t#*:}" > "$T/events/${t%%:*}/trigger"; done <<< "$TRIGGERS"

entries() { awk '/^entries:/ { n += $2 } END { print n + 0 }' $T/per_cpu/cpu*/stats; }
overrun() { awk '/^overrun:/ { n += $2 } END { print n + 0 }' $T/per_cpu/cpu*/stats; }

echo 1 > $T/tracing_on
start=$SECONDS; round=0
while [ "$(entries)" -lt "$TARGET" ] && [ $((SECONDS - start)) -lt "$MAX_SECONDS" ]; do
  round=$((round + 1))
  # One round of the memcg scenario: dd 400 MiB to xfs on loop while a second process faults in 24 MiB of
  # anonymous memory over and over, both in a cgroup-v1 memcg limited to 64 MiB.
  sh -c "echo \$\$ > $MEMCG/cgroup.procs
dd if=/dev/zero of=$MNT/memcg.dat bs=1M count=400 status=none &
python3 -c \"
import time
t=time.time()
while time.time()-t < 4:
    b=bytearray(24<<20)
    for i in range(0,len(b),4096): b[i]=1
    del b
\" &
wait; sync; rm -f $MNT/memcg.dat"
  echo "round $round: $(entries) events in the buffer, overrun $(overrun)"
done
echo 0 > $T/tracing_on
echo "events: $(entries), overrun: $(overrun), rounds: $round, $((SECONDS - start)) s"
[ "$(overrun)" = 0 ] || echo "WARNING: the ring buffer overwrote events; raise BUFFER_KB" >&2
trace-cmd extract -o "$OUT" >/dev/null 2>&1
ls -la "$OUT"
