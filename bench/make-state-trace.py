#!/usr/bin/env python3
"""Builds an ftrace text file for the flat-cost benchmark: a preamble that leaves a large live state (or, with
--small, the same number of lines leaving almost none), then the memcg capture repeated as in make-big-trace.py.

Large state after the preamble (all on 7:0, the memcg capture's loop device, far beyond its sectors; pids beyond its pids):
- 100k bios in flight: a writeback kworker builds 100k ioends of 10 pages each (iomap_add_to_ioend) and queues one
  bio for each (block_bio_queue); none completes;
- 1M live pages: the 10 pages of each of those ioends are under writeback;
- 100k tasks: 100k pids each switch out in S (sched_switch).
The small-state preamble has the same lines, except that each bio completes (block_rq_complete instead of
block_rq_issue) and the sched_switch lines come from 100 pids instead of 100k, so the state stays small.

usage: make-state-trace.py OUT [--size-mb 200] [--small] [--bios 100000] [--pages-per-bio 10] [--tasks 100000]
"""
import argparse, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import memcg_capture

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--size-mb", type=int, default=200)
ap.add_argument("--small", action="store_true")
ap.add_argument("--bios", type=int, default=100_000)
ap.add_argument("--pages-per-bio", type=int, default=10)
ap.add_argument("--tasks", type=int, default=100_000)
ap.add_argument("--source", default=memcg_capture.default_source)
a = ap.parse_args()

header, body, first, span = memcg_capture.read(a.source)

# The preamble ends before the capture starts.
WORKER = 4_000_001           # the writeback kworker of the preamble
TASK0 = 3_000_000            # first pid of the preamble's tasks
INO = 0xfff001               # the file the preamble writes back
SECTOR0 = 1 << 32            # its first disk sector: far beyond anything the capture touches
page = 4096
bio_bytes = a.pages_per_bio * page
preamble_lines = a.bios * 3 + a.tasks
t0 = first - preamble_lines - 1_000_000


def stamp(us):
    return b"%d.%06d" % (us // 1_000_000, us % 1_000_000)


def preamble(out):
    us = t0
    worker = b"    kworker/u8:9-%d     [000] .....   " % WORKER
    for i in range(a.bios):
        pos = i * bio_bytes
        sector = SECTOR0 + pos // 512
        n = bio_bytes // 512
        out.write(worker + stamp(us) + b": iomap_add_to_ioend: dev 7:0 ino 0x%x bdev 7:0 pos 0x%x dirty len 0x%x addr 0x%x "
                  b"offset 0x%x length 0x%x type MAPPED (0x2) flags DIRTY (0x2)\n" % (INO, pos, bio_bytes, sector * 512, pos, bio_bytes))
        out.write(worker + stamp(us + 1) + b": block_bio_queue: 7,0 WS %d + %d [kworker/u8:9]\n" % (sector, n))
        if a.small:
            out.write(b"          <idle>-0       [001] ..s1.   " + stamp(us + 2) + b": block_rq_complete: 7,0 WS () %d + %d be,0,4 [0]\n" % (sector, n))
        else:
            out.write(worker + stamp(us + 2) + b": block_rq_issue: 7,0 WS %d () %d + %d be,0,4 [kworker/u8:9]\n" % (n * 512, sector, n))
        us += 3
    for i in range(a.tasks):
        pid = TASK0 + (i % 100 if a.small else i)
        out.write(b"          sleep-%d   [001] d..2.   %s: sched_switch: prev_comm=sleep prev_pid=%d prev_prio=120 prev_state=S "
                  b"==> next_comm=swapper/1 next_pid=0 next_prio=120\n" % (pid, stamp(us), pid))
        us += 1


target = a.size_mb * 1024 * 1024
os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
tmp = a.out + ".tmp"
rep = 0
with open(tmp, "wb", buffering=8 << 20) as out:
    out.write(b"\n".join(header) + b"\n")
    preamble(out)
    written = out.tell()
    while written < target:
        data = memcg_capture.repetition(body, rep * span)
        if written + len(data) > target:
            # cut at the start of an event line (not inside a stack) so both files are the same size, give or take a line
            cut = target - written
            while cut > 0 and not (data[cut - 1:cut] == b"\n" and not data[cut:].lstrip().startswith(b"=>")):
                cut -= 1
            data = data[:cut]
        out.write(data)
        written += len(data)
        rep += 1
        if written >= target or not data:
            break
os.replace(tmp, a.out)
kind = "small" if a.small else "large"
print(f"{a.out}: {written / 1e6:.0f} MB, {kind}-state preamble of {preamble_lines} lines, then {rep} repetitions (the last cut short) of {a.source}",
      file=sys.stderr)
