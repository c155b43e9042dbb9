"""The memcg capture as the benchmark generators use it: read once, then written out repeated with timestamps shifted
forward on each repetition, so the result is one long, time-ordered trace."""
import gzip, os, re

here = os.path.dirname(os.path.abspath(__file__))
default_source = os.path.join(here, "..", "..", "shared", "real-traces", "xfs-memcg-reclaim.ftrace.txt.gz")
ts_re = re.compile(rb"^(.*?\] (?:\S+ +)?)(\d+)\.(\d{6})(: .*)$")


def read(source):
    """(header lines, body, first timestamp in us, span in us): body items are (prefix, us, suffix) for event lines and
    (line, None, None) for stack frames; span is the capture's length plus one second between repetitions."""
    opener = gzip.open if source.endswith(".gz") else open
    with opener(source, "rb") as f:
        lines = f.read().split(b"\n")
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
    return header, body, first, last - first + 1_000_000


def repetition(body, shift):
    """One repetition of the body, its timestamps moved by shift us."""
    chunk = []
    for pre, t, post in body:
        if t is None:
            chunk.append(pre)
        else:
            u = t + shift
            chunk.append(b"%s%d.%06d%s" % (pre, u // 1_000_000, u % 1_000_000, post))
    return b"\n".join(chunk) + b"\n"
