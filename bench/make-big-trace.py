#!/usr/bin/env python3
"""Builds a large ftrace text file for the `tracefx stats` benchmark by repeating a real capture
(default: ../shared/real-traces/xfs-memcg-reclaim.ftrace.txt.gz) with timestamps shifted forward on each
repetition, so the result is one long, time-ordered trace.

usage: make-big-trace.py OUT [--size-mb 1100] [--source PATH]
"""
import argparse, gzip, os, re, sys

here = os.path.dirname(os.path.abspath(__file__))
default_source = os.path.join(here, "..", "..", "shared", "real-traces", "xfs-memcg-reclaim.ftrace.txt.gz")
ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--size-mb", type=int, default=1100)
ap.add_argument("--source", default=default_source)
a = ap.parse_args()

opener = gzip.open if a.source.endswith(".gz") else open
with opener(a.source, "rb") as f:
    lines = f.read().split(b"\n")
ts_re = re.compile(rb"^(.*?\] (?:\S+ +)?)(\d+)\.(\d{6})(: .*)$")
header, body = [], []
for line in lines:
    if not body and line.startswith(b"#"):
        header.append(line)
        continue
    if not line:
        continue
    m = ts_re.match(line)
    if m:
        body.append((m.group(1), int(m.group(2)) * 1_000_000 + int(m.group(3)), m.group(4)))
    else:
        body.append((line, None, None))  # stack frames
first = min(t for _, t, _ in body if t is not None)
last = max(t for _, t, _ in body if t is not None)
span = last - first + 1_000_000  # one second between repetitions
target = a.size_mb * 1024 * 1024
written = 0
rep = 0
os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
tmp = a.out + ".tmp"
with open(tmp, "wb", buffering=8 << 20) as out:
    out.write(b"\n".join(header) + b"\n")
    while written < target:
        shift = rep * span
        chunk = []
        for pre, t, post in body:
            if t is None:
                chunk.append(pre)
            else:
                u = t + shift
                chunk.append(b"%s%d.%06d%s" % (pre, u // 1_000_000, u % 1_000_000, post))
        data = b"\n".join(chunk) + b"\n"
        out.write(data)
        written += len(data)
        rep += 1
os.replace(tmp, a.out)
print(f"{a.out}: {written / 1e6:.0f} MB, {rep} repetitions of {a.source}", file=sys.stderr)
