#!/usr/bin/env bash
# Remakes fuzz/seeds/READER/ from sample-traces/: small cuts (a fuzzer wants seeds of a few KB) of each text form --
# the head (the header and first events), a window around the first stack, the tail (where the stalls end) -- the
# kernel logs, a topology, the cuts compressed with gzip, zstd and xz for the decompressors, and an events map.
# The trace.dat seeds (versions 6, 7, 7 with zstd) are cut from ../shared/real-traces/xfs-fsync.trace.dat by trace-cmd
# split and convert and fuzz/make-trace-dat-seed.py, when trace-cmd and the capture are here (else kept as committed).
set -euo pipefail
cd "$(dirname "$0")/.."
S=sample-traces
D=fuzz/seeds
rm -rf "$D"/{ftrace,trace-cmd,perf-script,dmesg,topology,decompress,events-map}
mkdir -p "$D"/{ftrace,trace-cmd,perf-script,dmesg,topology,decompress,events-map,trace-dat}

# cut NAME SOURCE READER: head, stack window and tail of SOURCE (80 lines each)
cut3() {
  local name=$1 src=$2 reader=$3 first
  head -n 80 "$src" > "$D/$reader/$name.head.txt"
  tail -n 80 "$src" > "$D/$reader/$name.tail.txt"
  first=$(grep -n -m1 -E '<stack trace>|^=> |^	[0-9a-f]{8,} ' "$src" | cut -d: -f1 || true)
  if [ -n "$first" ]; then
    local from=$(( first > 20 ? first - 20 : 1 ))
    { head -n 3 "$src"; sed -n "${from},$((from + 79))p" "$src"; } > "$D/$reader/$name.stack.txt"
  fi
}
for t in lkml-xfs-potential xfs-bio-never-completes lkml-ext4-kprobe-holder; do
  cut3 "$t" "$S/$t.ftrace.txt" ftrace
  cut3 "$t" "$S/$t.trace-cmd-report.txt" trace-cmd
  cut3 "$t" "$S/$t.perf-script.txt" perf-script
done
cut3 xfs-fsync-nostack "$S/xfs-fsync.perf-script-nostack.txt" perf-script
for f in "$S"/*.dmesg.txt; do head -c 4096 "$f" > "$D/dmesg/$(basename "$f" .txt).txt"; done
cp "$S/xfs-two-frozen-backings.topology.txt" "$D/topology/"
cp "$S/lkml-btrfs-submits-first.topology.txt" "$D/topology/"
gzip -9 -n -c "$D/ftrace/lkml-xfs-potential.stack.txt" > "$D/decompress/ftrace.gz"
zstd -q -19 -c "$D/dmesg/xfs-frozen-backing-stall.dmesg.txt" > "$D/decompress/dmesg.zst"
xz -9 -c "$D/trace-cmd/xfs-bio-never-completes.stack.txt" > "$D/decompress/trace-cmd.xz"
cat > "$D/events-map/map.txt" <<'MAP'
# events map: event_name kind
fuzz_lock page-lock-acquired
fuzz_unlock = page-unlock
fuzz_wait page-lock-wait
MAP
dat=../shared/real-traces/xfs-fsync.trace.dat
if command -v trace-cmd >/dev/null && [ -f "$dat" ]; then
  tmp=$(mktemp -d)
  trace-cmd split -i "$dat" -o "$tmp/cut.dat" -e 40 >/dev/null 2>&1
  trace-cmd convert -i "$tmp/cut.dat.1" --file-version 6 --compression none -o "$tmp/v6-full.dat" >/dev/null 2>&1
  python3 fuzz/make-trace-dat-seed.py "$tmp/v6-full.dat" "$D/trace-dat/v6.dat"
  rm -f "$D/trace-dat/v7.dat" "$D/trace-dat/v7-zstd.dat"
  trace-cmd convert -i "$D/trace-dat/v6.dat" --file-version 7 --compression none -o "$D/trace-dat/v7.dat" >/dev/null 2>&1
  trace-cmd convert -i "$D/trace-dat/v6.dat" --file-version 7 --compression zstd -o "$D/trace-dat/v7-zstd.dat" >/dev/null 2>&1
  rm -rf "$tmp"
fi
echo "seeds: $(find "$D" -type f | wc -l) files, $(du -sh "$D" | cut -f1)"
