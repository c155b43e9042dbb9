#!/usr/bin/env bash
# Real captures of writeback, bios, memcg reclaim and a frozen-backing stall on $FS, recorded with our own
# `tracefx record` (the trace, the kernel log of the same period and the storage topology at its start).
# Modelled on the shared checkout's tools/capture-real-traces.sh and on the live tests (tests/.../Live).
# Needs root, tracefs, loop devices, cgroup v1 memory, mkfs for $FS (xfsprogs, e2fsprogs, btrfs-progs), fsfreeze.
#
# Usage: FS=xfs|ext4|btrfs capture-fs.sh OUTDIR SCENARIO [NAME]
#   SCENARIO  fsync | memcg | stall
#   NAME      the files' base name (default $FS-fsync, $FS-memcg, $FS-frozen-backing-stall); record writes
#             NAME.ftrace.txt.gz, NAME.ftrace.txt.gz.dmesg.txt, NAME.ftrace.txt.gz.topology.txt; this script NAME.about
# Parameters (environment), with their defaults:
#   fsync:  FILES=1 MB=16            FILES files of MB MiB each, written by dd conv=fsync one after another
#   memcg:  LIMIT=32 MB=96           a cgroup-v1 memcg of LIMIT MiB; a process in it maps a file of MB MiB (more than
#                                    the limit) shared and dirties every page by write faults, then msyncs
#   stall:  DDS=1 MB=8 FREEZE=12     inner $FS on a loop over a file of an outer $FS; the outer is frozen for FREEZE s
#           ORDER=nested             while DDS dd's (conv=fsync, MB MiB each, each its own file) write to the inner;
#                                    ORDER=reversed makes the inner loop's number lower than the outer's
#   BLOCKSIZE=4096                   the block size of xfs and ext4 (mkfs -b; ext4 picks 1024 on small devices)
#   TFX     how to run tracefx (default: the Release build of this checkout)
# Everything made (mounts, loops, the memcg, a freeze, hung_task_timeout_secs lowered to 3) is undone on every exit.
set -euo pipefail
OUT=$(realpath -m "${1:?usage: FS=xfs|ext4|btrfs $0 OUTDIR fsync|memcg|stall [NAME]}")
SCEN=${2:?scenario: fsync, memcg or stall}
FS=${FS:-xfs}
case $FS in xfs|ext4|btrfs) ;; *) echo "FS must be xfs, ext4 or btrfs" >&2; exit 2 ;; esac
case $SCEN in
  fsync) NAME=${3:-$FS-fsync} ;;
  memcg) NAME=${3:-$FS-memcg} ;;
  stall) NAME=${3:-$FS-frozen-backing-stall} ;;
  *) echo "unknown scenario $SCEN" >&2; exit 2 ;;
esac
HERE=$(cd "$(dirname "$0")/../.." && pwd)
TFX=${TFX:-"dotnet $HERE/src/TraceForensics.Cli/bin/Release/net10.0/tracefx.dll"}
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
mkdir -p "$OUT"
W=$(mktemp -d /var/tmp/tfx-cap.XXXXXX)
M=/mnt/tfx-cap
MEMCG=/sys/fs/cgroup/memory/tfx-cap
ORIG_HT=$(cat /proc/sys/kernel/hung_task_timeout_secs); ORIG_HW=$(cat /proc/sys/kernel/hung_task_warnings)
# XFS wants at least 300 MB; ext4 and btrfs are fine smaller (btrfs on a small device needs mkfs -f, mixed groups)
case $FS in xfs) SIZE=320M; OUTER=1G ;; *) SIZE=256M; OUTER=512M ;; esac

UNDO=(); OUTERS=(); HOLD=""
cleanup() { # always, in reverse: thaw, restore the hung-task knobs, the memcg, unmount, detach
  set +e
  [ -n "$HOLD" ] && losetup -d "$HOLD"
  for o in "${OUTERS[@]}"; do fsfreeze -u "$o" 2>/dev/null; done
  echo "$ORIG_HT" > /proc/sys/kernel/hung_task_timeout_secs; echo "$ORIG_HW" > /proc/sys/kernel/hung_task_warnings
  if [ -d $MEMCG ]; then
    for p in $(cat $MEMCG/cgroup.procs); do kill "$p"; done
    sleep 0.5; rmdir $MEMCG
  fi
  for ((i=${#UNDO[@]}-1; i>=0; i--)); do eval "${UNDO[$i]}"; done
  rm -rf "$W"; rmdir $M 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
undo_umount() { umount "$1" 2>/dev/null || { sync; sleep 1; umount "$1"; } || umount -l "$1"; rmdir "$1" 2>/dev/null; }
BLOCKSIZE=${BLOCKSIZE:-4096} # ext4 would pick 1024 on a small device; the default is what larger ones get
mkfs_dev() { case $FS in btrfs) mkfs.btrfs -q -f "$1" >/dev/null ;; xfs) mkfs.xfs -q -f -b size=$BLOCKSIZE "$1" ;; ext4) mkfs.ext4 -q -F -b $BLOCKSIZE "$1" ;; esac; }
LAST_LOOP=""
mkloopfs() { # image size mountpoint -> a fresh $FS on a loop over image, mounted; LAST_LOOP is the loop
  truncate -s "$2" "$1"; local l; l=$(losetup -f --show "$1"); UNDO+=("losetup -d $l")
  [ "$FS" = btrfs ] && UNDO+=("btrfs device scan --forget $l 2>/dev/null")
  mkfs_dev "$l"; mkdir -p "$3"; mount "$l" "$3"; UNDO+=("undo_umount $3"); LAST_LOOP=$l
}
devno() { local l=$1; cat "/sys/block/$(basename "$l")/dev"; }
# Records WORKLOAD with tracefx: the trace and its companions under the names record gives them.
record() { # workload...
  $TFX record -o "$OUT/$NAME.ftrace.txt.gz" -- "$@"
}
STRIPPED=0
# The sandbox's own mount lines (they name host paths, not storage of the experiment) are removed from the topology,
# and the .about says so; then the .about is written.
finish() { # how-text what-the-trace-should-show
  local top="$OUT/$NAME.ftrace.txt.gz.topology.txt"
  if [ -f "$top" ] && grep -q '^mount [^ ]* /mnt/sandboxing' "$top"; then
    STRIPPED=$(grep -c '^mount [^ ]* /mnt/sandboxing' "$top"); sed -i '/^mount [^ ]* \/mnt\/sandboxing/d' "$top"
  fi
  {
    echo "scenario: $NAME"
    echo "kernel: $(uname -r)"
    echo "captured: $(date -u +%FT%TZ)"
    echo "filesystem: $FS$([ "$FS" != btrfs ] && echo " (block size $BLOCKSIZE)")"
    echo "how: $1"
    echo "should show: $2"
    echo "recorded with: tools/capture/capture-fs.sh ($SCEN) -> tracefx record -o $NAME.ftrace.txt.gz -- WORKLOAD"
    [ "$STRIPPED" -gt 0 ] && echo "topology: $STRIPPED mount line(s) of the capture machine's sandbox (/mnt/sandboxing/...) removed; nothing else changed"
    echo "devices: $DEVICES"
  } > "$OUT/$NAME.about"
  ls -la "$OUT/$NAME".*
}
mkdir -p $M

case $SCEN in
fsync)
  FILES=${FILES:-1}; MB=${MB:-16}
  mkloopfs "$W/fs.img" $SIZE $M/fs
  DEVICES="$FS on loop $(devno "$LAST_LOOP") mounted at $M/fs"
  record bash -c "for i in \$(seq 1 $FILES); do dd if=/dev/urandom of=$M/fs/fsync\$i.dat bs=1M count=$MB conv=fsync status=none || exit 1; done"
  finish "dd if=/dev/urandom bs=1M count=$MB conv=fsync into $FILES file(s) one after another, on $FS ($SIZE) on a loop device" \
         "buffered writes dirtying pages, writeback of them into bios on the loop device (the filesystem's own writeback events), dd waiting in folio_wait_writeback under fsync, all completing: a long wait, no deadlock, no stall"
  ;;
memcg)
  LIMIT=${LIMIT:-32}; MB=${MB:-96}
  mkloopfs "$W/fs.img" $SIZE $M/fs
  DEVICES="$FS on loop $(devno "$LAST_LOOP") mounted at $M/fs"
  mkdir -p $MEMCG; echo "${LIMIT}M" > $MEMCG/memory.limit_in_bytes
  cat > "$W/mmap-dirty.py" <<EOF
import mmap, os
size = $MB << 20
fd = os.open("$M/fs/memcg.dat", os.O_RDWR | os.O_CREAT, 0o644)
os.ftruncate(fd, size)
m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
for off in range(0, size, 4096):
    m[off] = 1  # a write fault on each page of the file: dirty page cache charged to the memcg
m.flush()
m.close()
os.close(fd)
EOF
  record sh -c "echo \$\$ > $MEMCG/cgroup.procs && exec python3 $W/mmap-dirty.py"
  finish "in a cgroup-v1 memcg limited to $LIMIT MiB, python3 maps a $MB MiB file on $FS ($SIZE, loop) MAP_SHARED and writes one byte to each page in order (write faults dirty the page cache), then msync" \
         "page faults on the file (mm_filemap_fault), pages dirtied, memcg reclaim (mm_vmscan_memcg_reclaim_begin/end) entered from the faulting task as the memcg fills, reclaim waiting on writeback of the file's pages (folio_wait_writeback under shrink_folio_list), the writeback's bios on the loop device completing; no deadlock"
  ;;
stall)
  DDS=${DDS:-1}; MB=${MB:-8}; FREEZE=${FREEZE:-12}; ORDER=${ORDER:-nested}
  if [ "$ORDER" = reversed ]; then # hold the lowest free loop number, so the inner loop gets one below the outer's
    truncate -s 1M "$W/hold.img"; HOLD=$(losetup -f --show "$W/hold.img")
  fi
  mkloopfs "$W/outer.img" $OUTER $M/outer; OUTER_LOOP=$LAST_LOOP; OUTERS+=("$M/outer")
  if [ -n "$HOLD" ]; then losetup -d "$HOLD"; HOLD=""; fi
  mkloopfs "$M/outer/inner.img" $SIZE $M/inner; INNER_LOOP=$LAST_LOOP
  DEVICES="outer $FS on loop $(devno "$OUTER_LOOP") at $M/outer; inner $FS on loop $(devno "$INNER_LOOP") over $M/outer/inner.img, at $M/inner"
  echo 3 > /proc/sys/kernel/hung_task_timeout_secs
  echo 10 > /proc/sys/kernel/hung_task_warnings # the kernel's budget of reports; earlier stalls may have used it up
  sync
  record bash -c "fsfreeze -f $M/outer || exit 1
for i in \$(seq 1 $DDS); do dd if=/dev/urandom of=$M/inner/stalled\$i.dat bs=1M count=$MB conv=fsync status=none & done
sleep $FREEZE
fsfreeze -u $M/outer
wait"
  echo "$ORIG_HT" > /proc/sys/kernel/hung_task_timeout_secs; echo "$ORIG_HW" > /proc/sys/kernel/hung_task_warnings
  finish "$FS on a loop device over a file of a second $FS (loop order: $ORDER); the outer is frozen (fsfreeze) for $FREEZE s while $DDS dd(s) conv=fsync write $MB MiB each to the inner; hung_task_timeout_secs=3 so khungtaskd reports the blocked tasks" \
         "dd waits (folio_wait_writeback under fsync) on writeback of pages of the inner fs, whose bios are in flight on the inner loop device, whose worker (kworker running the loop's work item) sleeps on the frozen outer fs (percpu_rwsem_wait under lo_rw_aio / sb_start_write); the freezer's own I/O to the outer device while freezing; hung-task reports in the kernel log; all completing after the thaw: a stall rooted at the frozen outer filesystem, no deadlock"
  ;;
esac
