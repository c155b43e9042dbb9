#!/bin/sh
# Captures the FUSE known-answer traces of sample-traces/ (issue 20): stallfs (this directory) mounted with writeback
# cache, `dd conv=fsync` into it under `tracefx record`, and the same under `perf record` (perf-script form).
#   capture.sh CASE OUTDIR      CASE: block | slow | stop
# Needs root, fuse3, libfuse3-dev; TRACEFX (default: tracefx) the CLI. Leaves nothing mounted or running.
set -eu
case_=$1; out=$2
here=$(cd "$(dirname "$0")" && pwd)
tracefx=${TRACEFX:-tracefx}
# Not under /tmp: a stuck mount there stalls whoever walks /tmp (find).
work=$(mktemp -d /mnt/tfx-fuse.XXXXXX)
mnt=$work/mnt; mkdir -p "$mnt"
cc -O2 -Wall -o "$work/stallfs" "$here/stallfs.c" $(pkg-config --cflags --libs fuse3)
old_hung=$(cat /proc/sys/kernel/hung_task_timeout_secs)
old_warnings=$(cat /proc/sys/kernel/hung_task_warnings)
cleanup() {
    [ -n "${daemon:-}" ] && kill -CONT "$daemon" 2>/dev/null; [ -n "${daemon:-}" ] && kill -KILL "$daemon" 2>/dev/null || true
    umount -l "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" 2>/dev/null || true
    echo "$old_hung" > /proc/sys/kernel/hung_task_timeout_secs
    echo "$old_warnings" > /proc/sys/kernel/hung_task_warnings
    rm -rf "$work"
}
trap cleanup EXIT
start_daemon() {
    case $case_ in
        block) "$work/stallfs" "$mnt" block & ;;
        slow) "$work/stallfs" "$mnt" slow 3 & ;;
        stop) "$work/stallfs" "$mnt" stop & ;;
    esac
    daemon=$!
    for _ in $(seq 50); do mountpoint -q "$mnt" && break; sleep 0.1; done
    mountpoint -q "$mnt"
}
stop_daemon() {
    kill -CONT "$daemon" 2>/dev/null || true; kill -KILL "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true
    umount -l "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" 2>/dev/null || true
    sleep 1; daemon=
}
dd_cmd="dd if=/dev/zero of=$mnt/data bs=64k count=4 conv=fsync"
# A hung-task report of dd within the recording (the kernel log record saves beside the trace): 5 s instead of 120,
# 2 s for the slow case (its dd waits 3 s a WRITE), and warnings left to give (each report uses one up); both restored on
# exit.
if [ "$case_" = slow ]; then echo 2; else echo 5; fi > /proc/sys/kernel/hung_task_timeout_secs
echo 10 > /proc/sys/kernel/hung_task_warnings
dur=""
[ "$case_" = slow ] || dur="--duration 16"
# The default families without the block layer, page cache and reclaim detail: the machine is shared, and those
# families of other work would make the file hundreds of MB; nothing of them is on the FUSE device.
events=default,-bio-queue,-bio-merge,-bio-split,-bio-remap,-bio-complete,-request-get,-request-insert,-request-issue,-request-complete,-plug,-unplug,-page-cache-add,-page-cache-delete,-reclaim-shrink-inactive,-block-map,-journal-commit,-kswapd-wake,-kswapd-sleep
start_daemon
echo "daemon pid $daemon, mount $mnt ($(mountpoint -d "$mnt"))"
"$tracefx" record -o "$out/fuse-$case_.ftrace.txt.gz" --events "$events" $dur -- $dd_cmd || true
stop_daemon
if command -v perf >/dev/null; then
    start_daemon
    echo "perf: daemon pid $daemon, mount $mnt ($(mountpoint -d "$mnt"))"
    pdur=${dur#--duration }; [ -n "$pdur" ] || pdur=12
    # System-wide for a fixed time, dd started beside it: a dd asleep in D would keep `perf record -- dd` waiting.
    # Filtered to dd, the daemon and D-state sleeps: unfiltered, a loaded machine gives hundreds of MB of callchains.
    perf record -q -a -g -o "$work/perf.data" \
        -e sched:sched_switch --filter 'prev_comm == "dd" || prev_comm == "stallfs" || next_comm == "dd" || next_comm == "stallfs" || prev_state & 2' \
        -e sched:sched_waking --filter 'comm == "dd" || comm == "stallfs"' \
        -e sched:sched_wakeup --filter 'comm == "dd" || comm == "stallfs"' \
        -e sched:sched_process_exit --filter 'comm == "dd" || comm == "stallfs"' \
        -e writeback:folio_wait_writeback -e fuse:fuse_request_send -e fuse:fuse_request_end -- sleep "$pdur" &
    perf_pid=$!
    # perf -a -g takes a while to start on a loaded machine: dd starts 3 s later, so its first requests are in.
    sleep 3; $dd_cmd & dd_pid=$!
    wait "$perf_pid" || true
    perf script -i "$work/perf.data" 2>/dev/null | gzip -9 > "$out/fuse-$case_.perf-script.txt.gz" || true
    stop_daemon
    wait "$dd_pid" 2>/dev/null || true
fi
