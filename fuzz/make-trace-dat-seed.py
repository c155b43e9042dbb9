#!/usr/bin/env python3
"""Writes a small version-6 trace.dat seed from a version-6, uncompressed trace.dat (trace-cmd convert --file-version 6
--compression none of a capture cut by trace-cmd split): the same headers, the ftrace and event formats of
KEEP_EVENTS in the systems KEEP only, the kallsyms lines naming the functions of KEEP_SYMBOLS, no printk formats, the saved
cmdlines, options, and the first page of each CPU's ring buffer. Layout as trace-cmd's Documentation/trace-cmd/
trace-cmd.dat.v6.5.txt: magic, version, endianness, long size, page size, header_page, header_event, ftrace formats,
event formats, kallsyms, printk, cmdlines, CPU count, options, flyrecord (per CPU offset and size), page-aligned data.
Usage: make-trace-dat-seed.py IN.dat OUT.dat"""
import re
import struct
import sys

KEEP = {b"sched", b"filemap", b"block", b"writeback"}
# the events of the cut capture (the formats of the others would only make the seed large)
KEEP_EVENTS = re.compile(rb"^name: (kernel_stack|print|sched_switch|sched_waking|sched_wakeup|sched_process_exec"
                         rb"|sched_process_hang|mm_filemap_fault|block_\w+|writeback_single_inode\w*|folio_wait_writeback)\n")
KEEP_SYMBOLS = re.compile(rb" (folio_wait_bit_common|folio_lock|folio_unlock|__schedule|schedule|io_schedule"
                          rb"|filemap_fault|__filemap_get_folio|submit_bio|blk_mq_submit_bio|xfs_file_fsync|xfs_buf_lock|ext4_sync_file)\b")

data = open(sys.argv[1], "rb").read()
pos = 0


def take(n):
    global pos
    out = data[pos:pos + n]
    pos += n
    return out


def u(fmt):
    return struct.unpack("<" + fmt, take(struct.calcsize(fmt)))[0]


def cstring():
    global pos
    end = data.index(b"\0", pos)
    s = data[pos:end]
    pos = end + 1
    return s


out = bytearray()
head = take(10)
assert head == b"\x17\x08Dtracing", "not a trace.dat"
version = cstring()
assert version == b"6", "version 6 expected (trace-cmd convert --file-version 6)"
endian, long_size = take(1), take(1)
page_size = u("I")
out += head + version + b"\0" + endian + long_size + struct.pack("<I", page_size)
for name in (b"header_page", b"header_event"):
    assert cstring() == name
    size = u("Q")
    out += name + b"\0" + struct.pack("<Q", size) + take(size)
count = u("I")
out += struct.pack("<I", count)
ftrace = [f for f in (take(u("Q")) for _ in range(count)) if KEEP_EVENTS.match(f)]
out[-4:] = struct.pack("<I", len(ftrace))
for f in ftrace:
    out += struct.pack("<Q", len(f)) + f
systems = u("I")
kept = []
for _ in range(systems):
    name = cstring()
    formats = [take(u("Q")) for _ in range(u("I"))]
    formats = [f for f in formats if KEEP_EVENTS.match(f)]
    if name in KEEP and formats:
        kept.append((name, formats))
out += struct.pack("<I", len(kept))
for name, formats in kept:
    out += name + b"\0" + struct.pack("<I", len(formats))
    for f in formats:
        out += struct.pack("<Q", len(f)) + f
kallsyms = take(u("I"))
kallsyms = b"".join(line for line in kallsyms.splitlines(keepends=True) if KEEP_SYMBOLS.search(line))
out += struct.pack("<I", len(kallsyms)) + kallsyms
take(u("I"))  # printk formats: none kept
out += struct.pack("<I", 0)
cmdlines = take(u("Q"))
out += struct.pack("<Q", len(cmdlines)) + cmdlines
cpus = u("I")
out += struct.pack("<I", cpus)
label = take(10)
if label.startswith(b"options"):
    out += label
    while True:
        oid = u("H")
        out += struct.pack("<H", oid)
        if oid == 0:
            break
        size = u("I")
        out += struct.pack("<I", size) + take(size)
    label = take(10)
assert label.startswith(b"flyrecord"), label
out += label
offsets = [(u("Q"), u("Q")) for _ in range(cpus)]
table = len(out)
out += b"\0" * (16 * cpus)
for cpu, (offset, size) in enumerate(offsets):
    out += b"\0" * (-len(out) % page_size)
    page = data[offset:offset + min(size, page_size)]
    struct.pack_into("<QQ", out, table + 16 * cpu, len(out), len(page))
    out += page
open(sys.argv[2], "wb").write(out)
print(f"{sys.argv[2]}: {len(out)} bytes, {len(kept)} event systems, {len(kallsyms)} bytes of kallsyms, {cpus} CPUs")
