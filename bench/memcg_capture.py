"""The memcg capture as the benchmark generators use it: read once, then written out repeated with timestamps shifted
forward on each repetition, so the result is one long, time-ordered trace."""
import gzip, os, re

here = os.path.dirname(os.path.abspath(__file__))
default_source = os.path.join(here, "..", "..", "shared", "real-traces", "xfs-memcg-reclaim.ftrace.txt.gz")
# ftrace ("[001] d..2. 408.429793: "), trace-cmd report ("[001]   408.429793: "), perf script ("[000]   392.336511: ")
ts_re = re.compile(rb"^(.*?\] +(?:\S+ +)?)(\d+)\.(\d{6})(: .*)$")


def read(source):
    """(header lines, body, first timestamp in us, span in us): body items are (prefix, us, suffix) for event lines and
    (line, None, None) for stack frames and the blank lines that end perf's callchains; the header is what comes before
    the first event line (ftrace's "#" lines, trace-cmd's "cpus=N"); span is the capture's length plus one second
    between repetitions."""
    opener = gzip.open if source.endswith(".gz") else open
    with opener(source, "rb") as f:
        lines = f.read().split(b"\n")
    header, body = [], []
    if lines and not lines[-1]:
        lines.pop()
    for line in lines:
        m = ts_re.match(line)
        if not body and not m:
            header.append(line)
            continue
        if not line and source_has_no_blank_records(source):
            continue
        if m:
            body.append((m.group(1), int(m.group(2)) * 1_000_000 + int(m.group(3)), m.group(4)))
        else:
            body.append((line, None, None))  # stack frames
    first = min(t for _, t, _ in body if t is not None)
    last = max(t for _, t, _ in body if t is not None)
    return header, body, first, last - first + 1_000_000


def source_has_no_blank_records(source):
    """A blank line means something in perf script (the end of a callchain); in ftrace text it is nothing."""
    return "perf-script" not in os.path.basename(source)


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
