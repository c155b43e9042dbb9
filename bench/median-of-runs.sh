# Sourced by the benchmarks that time a command several times (state-bench.sh, scale-bench.sh); needs $runs and $out.
# measure COMMAND...: median wall seconds, median cpu (user+sys) seconds and median peak RSS (MB) of $runs runs.
measure() {
  for run in $(seq "$runs"); do
    set +e
    /usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" "$@" > "$out/last.out" 2>/dev/null
    rc=$?
    set -e
    # analyze exits 1 when it finds something at or above --fail-on; that is not a failure of the benchmark
    [ "$rc" -le 1 ] || { echo "$* exited $rc" >&2; exit "$rc"; }
    tail -n1 "$out/time.txt"
  done | python3 -c '
import statistics, sys
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
print("%.3f %.3f %.0f" % (statistics.median(r[0] for r in rows), statistics.median(r[1] + r[2] for r in rows),
                          statistics.median(r[3] for r in rows) / 1024))'
}
