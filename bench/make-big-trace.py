#!/usr/bin/env python3
"""Builds a large ftrace text file for the `tracefx stats` benchmark by repeating a real capture
(default: ../shared/real-traces/xfs-memcg-reclaim.ftrace.txt.gz) with timestamps shifted forward on each
repetition, so the result is one long, time-ordered trace.

usage: make-big-trace.py OUT [--size-mb 1100] [--source PATH]
"""
import argparse, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import memcg_capture

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--size-mb", type=int, default=1100)
ap.add_argument("--source", default=memcg_capture.default_source)
a = ap.parse_args()

header, body, first, span = memcg_capture.read(a.source)
target = a.size_mb * 1024 * 1024
written = 0
rep = 0
os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
tmp = a.out + ".tmp"
with open(tmp, "wb", buffering=8 << 20) as out:
    out.write(b"\n".join(header) + b"\n")
    while written < target:
        data = memcg_capture.repetition(body, rep * span)
        out.write(data)
        written += len(data)
        rep += 1
os.replace(tmp, a.out)
print(f"{a.out}: {written / 1e6:.0f} MB, {rep} repetitions of {a.source}", file=sys.stderr)
