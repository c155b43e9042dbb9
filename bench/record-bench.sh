#!/bin/bash
# `tracefx record` under the mixed workload (bench/mixed-workload.sh: ext4 on a loop device, a 64 MiB v1 memcg with mmap
# write faults, dd conv=fsync in a loop, anonymous allocations, compaction every 2 s), as root. Prints tracefx's own
# CPU time and peak RSS (GNU time), what tracefx says it recorded and lost, and the event count `trace-cmd report`
# reads back from the trace.dat. Usage: sudo bench/record-bench.sh [OUT.dat] (OUT.txt.gz measures the text path).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-/var/tmp/tfx-bench.dat}
tfx=${TRACEFX:-$here/../src/TraceForensics.Cli/bin/Release/net10.0/tracefx.dll}
log=$(mktemp); trap 'rm -f "$log"' EXIT
echo "machine: $(nproc) cpus, $(awk '/MemTotal/{print int($2/1024)" MiB"}' /proc/meminfo), kernel $(uname -r), $(date -u +%F)"
/usr/bin/time -f "tracefx: %U s user, %S s system, %M KiB max RSS, %e s elapsed" \
    dotnet "$tfx" record ${TFX_ARGS:-} -o "$out" -- bash "$here/mixed-workload.sh" 2>"$log" >/dev/null || true
grep -E "^tracefx: (recorded|the ring|[0-9.]+ s user)" "$log" || cat "$log"
case "$out" in
    *.dat) echo "trace-cmd report: $(trace-cmd report "$out" 2>/dev/null | grep -c '^ ') events, $(trace-cmd report "$out" 2>/dev/null | grep -c 'EVENTS DROPPED') lost-event marks";;
esac
ls -la "$out"
