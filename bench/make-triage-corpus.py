#!/usr/bin/env python3
"""Copies the public syzkaller hung-task and lockdep reports (../shared/corpus/syzkaller/{hung,lockdep}) to COUNT files
under OUT, each copy with its pids, kworker numbers, addresses, +0x../0x.. offsets and timestamps changed (so nothing
that caches by content helps, and the chain signatures must see through the changes). Copy k of report R is
OUT/<k // 1000>/<R's dir>-<R's name>-<k>.log. usage: make-triage-corpus.py CORPUS_DIR OUT COUNT"""
import os, random, re, sys

corpus, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
reports = []
for sub in ("hung", "lockdep"):
    d = os.path.join(corpus, sub)
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            reports.append((f"{sub}-{name}", f.read().decode("utf-8", "surrogateescape")))

# pids where the kernel prints them (sched_show_task's pid:/tgid:, "task comm:pid", "locks held by comm/pid", a
# caller id "[ T41]"); those under 100 (init, kthreadd and the early kernel threads) are kept, and a pid is replaced
# only where it stands alone (not in "#2:", a time's fraction or a longer number)
PID_CONTEXT = re.compile(r"(?:pid:|tgid:|task \S+?:|by task \S+?:|by \S+?/|\[\s*T)(\d{3,})\b")
TS = re.compile(r"\[\s*(\d+)\.(\d{6})\]")
OFFSET = re.compile(r"\+0x([0-9a-f]+)/0x([0-9a-f]+)")
ADDR = re.compile(r"\b(?:0x)?ffff[0-9a-f]{12}\b")
KWORKER = re.compile(r"kworker/(u?)(\d+):(\d+)")

def vary(text, rng):
    pids = {}
    for m in PID_CONTEXT.finditer(text):
        pids.setdefault(m.group(1), str(rng.randrange(2, 4194304)))
    if pids:
        alone = "|".join(sorted(map(re.escape, pids), key=len, reverse=True))
        text = re.sub(r"(?<![#.\w])(" + alone + r")(?![\w.])", lambda m: pids[m.group(1)], text)
        text = re.sub(r"(\[\s*T)(" + alone + r")\]", lambda m: m.group(1) + pids[m.group(2)] + "]", text)
    shift = rng.randrange(0, 10**6) * 10**6 + rng.randrange(0, 10**6)
    def ts(m):
        us = int(m.group(1)) * 10**6 + int(m.group(2)) + shift
        s = f"{us // 10**6}.{us % 10**6:06d}"
        return "[" + s.rjust(len(m.group(0)) - 2) + "]"
    text = TS.sub(ts, text)
    text = OFFSET.sub(lambda m: f"+0x{rng.randrange(1, max(2, int(m.group(2), 16))):x}/0x{m.group(2)}", text)
    addrs = {}
    text = ADDR.sub(lambda m: addrs.setdefault(m.group(0), ("0x" if m.group(0).startswith("0x") else "") + f"ffff{rng.randrange(0x880000000000, 0xffffffffffff):012x}"[:16]), text)
    workers = {}
    text = KWORKER.sub(lambda m: workers.setdefault(m.group(0), f"kworker/{m.group(1)}{rng.randrange(0, 64)}:{rng.randrange(0, 9)}"), text)
    return text

for k in range(count):
    name, text = reports[k % len(reports)]
    rng = random.Random(k)
    d = os.path.join(out, str(k // 1000))
    if k % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"{name}-{k}.log"), "wb") as f:
        f.write(vary(text, rng).encode("utf-8", "surrogateescape"))
