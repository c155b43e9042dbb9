#!/usr/bin/env bash
# Start-up benchmark (not a test): `tracefx analyze` of a small file, median wall time of 10 warm runs, for the native
# build (`dotnet pwsh build.ps1 publish`: artifacts/tracefx/tracefx) and the managed Release build, each beside its
# peers from the same run: a .NET program that does nothing (managed and Native AOT: the runtime's own start-up here),
# /bin/true (a process start), `wc -l` of the same file and `trace-cmd report` of a trace.dat (where installed).
# usage: bench/startup-bench.sh [FILE] [RUNS]   (defaults: the README's first sample, 10 runs; builds into bench/out/)
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-sample-traces/lkml-xfs-kprobe-holder.ftrace.txt}
runs=${2:-10}
native=artifacts/tracefx/tracefx
[ -x "$native" ] || { echo "no native build at $native: run 'dotnet pwsh build.ps1 publish' first" >&2; exit 2; }
out=bench/out/startup
mkdir -p "$out"
managed=src/TraceForensics.Cli/bin/Release/net10.0/tracefx
[ -x "$managed" ] || dotnet build src/TraceForensics.Cli -c Release >/dev/null
if [ ! -x "$out/empty-native/startup-empty" ]; then
  dotnet build bench/startup-empty -c Release -o "$out/empty-managed" >/dev/null
  dotnet publish bench/startup-empty -c Release -r "$(dotnet --info | awk '/^ *RID:/ {print $2; exit}')" \
    -p:PublishAot=true -o "$out/empty-native" >/dev/null
fi
dat=../shared/real-traces/xfs-fsync.trace.dat
# median wall and CPU (user+sys) of RUNS runs after 2 warm-up runs; output to /dev/null; exit codes 0 and 1 are fine
measure() {
  python3 - "$runs" "$@" <<'PY'
import os, statistics, subprocess, sys, time
runs, label, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
def once():
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1): sys.exit(f"{' '.join(cmd)} exited {code}")
    return (time.perf_counter() - start) * 1000, (usage.ru_utime + usage.ru_stime) * 1000
once(); once()
r = [once() for _ in range(runs)]
print(f"{label:<44} {statistics.median(w for w, _ in r):7.1f} ms wall  {statistics.median(c for _, c in r):6.1f} ms cpu  (min {min(w for w, _ in r):.1f})")
PY
}
lines=$(wc -l < "$file")
echo "start-up: median of $runs warm runs; $file ($lines lines); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
measure "tracefx analyze (native)" "$native" analyze "$file"
measure "tracefx analyze (managed Release build)" "$managed" analyze "$file"
measure "tracefx stats (native)" "$native" stats "$file"
measure "tracefx --version (native)" "$native" --version
measure "empty .NET program (Native AOT)" "$out/empty-native/startup-empty"
measure "empty .NET program (managed)" "$out/empty-managed/startup-empty"
measure "/bin/true" /bin/true
measure "wc -l (same file)" wc -l "$file"
if command -v trace-cmd >/dev/null && [ -f "$dat" ]; then
  measure "trace-cmd report -i xfs-fsync.trace.dat" trace-cmd report -i "$dat"
  measure "tracefx analyze xfs-fsync.trace.dat (native)" "$native" analyze "$dat"
fi
