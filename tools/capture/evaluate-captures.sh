#!/usr/bin/env bash
# Scores tracefx on captures made by capture-fs.sh, by the criteria of the filesystem issue, printing one line per
# capture and never its content (so it can score the held-out set without anyone reading it):
#   fsync, memcg: no deadlock, potential deadlock or stall, and diagnostics under 1 % of events;
#   stall: no deadlock; every dd is in a stall rooted at a named frozen filesystem, which is the one the topology says
#          the stalled loop's backing file lives on; its chain names the bio (in-bio) or the device's in-flight bios
#          (in-one-of) and goes through the loop device's worker.
# Usage: tools/capture/evaluate-captures.sh [--no-sidecars] DIR_OR_TRACE...   (needs jq; builds nothing: set TRACEFX)
# Each NAME.ftrace.txt.gz is analysed with NAME.ftrace.txt.gz.dmesg.txt and .topology.txt beside it, unless --no-sidecars.
set -euo pipefail
TRACEFX=${TRACEFX:-"dotnet $(dirname "$0")/../../src/TraceForensics.Cli/bin/Release/net10.0/tracefx.dll"}
sidecars=1
[ "${1:-}" = --no-sidecars ] && { sidecars=0; shift; }
pass=0; total=0
score() {
  local trace=$1 name json inputs=("$1")
  name=$(basename "$trace"); name=${name%%.ftrace.txt*}
  if [ $sidecars = 1 ]; then
    for s in "$trace.dmesg.txt" "$trace.topology.txt"; do [ -f "$s" ] && inputs+=("$s"); done
  fi
  json=$($TRACEFX analyze -q --format json --fail-on none "${inputs[@]}" 2>/dev/null) || true
  local verdict=$(jq -r '.verdict' <<<"$json")
  local events=$(jq '[.inputs[] | select(.format != "topology" and .format != "dmesg") | .events] | add // 0' <<<"$json")
  # the JSON lists the first diagnostics only; stats counts them all
  local diags=$($TRACEFX stats "$trace" 2>/dev/null | head -1 | sed -n 's/.* \([0-9][0-9]*\) diagnostics.*/\1/p')
  diags=${diags:-0}
  local ok=1 why=""
  if jq -e '[.findings[] | select(.kind == "deadlock" or .kind == "potential-deadlock")] | length > 0' <<<"$json" >/dev/null; then ok=0; why+=" deadlock-claimed"; fi
  if [ "$events" -gt 0 ] && [ $((diags * 100)) -ge "$events" ]; then ok=0; why+=" diagnostics>=1%"; fi
  case $name in
    *stall*|*frozen*)
      # every dd: a stall rooted at a named frozen filesystem, a bio or in-flight bios named, a worker serving the loop
      local dds=$(jq '[.findings[].tasks[] | select(.comm == "dd")] | length' <<<"$json")
      [ "$dds" -gt 0 ] || { ok=0; why+=" no-dd-found"; }
      local bad=$(jq '[.findings[] | select(any(.tasks[]; .comm == "dd"))
          | select((.kind != "stall") or ((.root // "") | test("^freeze:[0-9]+:[0-9]+$") | not)
                   or (any(.chain[]; .relation == "in-bio" or .relation == "in-one-of") | not)
                   or (any(.chain[]; .relation == "served-by") | not))] | length' <<<"$json")
      [ "$bad" = 0 ] || { ok=0; why+=" dd-chain-incomplete($bad)"; }
      # with a topology: the root is the backing filesystem of the loop the chain went through
      local topo="$trace.topology.txt"
      if [ $sidecars = 1 ] && [ -f "$topo" ]; then
        while read -r dev root; do
          local want=$(awk -v d="$dev" '$1 == "loop" && $2 == d { for (i = 3; i <= NF; i++) if ($i ~ /^fs=/) print "freeze:" substr($i, 4) }' "$topo")
          [ -z "$want" ] || [ "$want" = "$root" ] || { ok=0; why+=" wrong-root($dev:$root!=$want)"; }
        done < <(jq -r '.findings[] | select(any(.tasks[]; .comm == "dd")) | .root as $r
                 | .chain[] | select(.relation == "served-by") | "\(.from | sub("^device:"; "")) \($r)"' <<<"$json")
      fi ;;
    *)
      if jq -e '[.findings[] | select(.kind == "stall")] | length > 0' <<<"$json" >/dev/null; then ok=0; why+=" stall-claimed"; fi ;;
  esac
  local summary=$(jq -r '[.findings[] | .kind] | group_by(.) | map("\(length) \(.[0])") | join(", ")' <<<"$json")
  total=$((total + 1)); [ $ok = 1 ] && pass=$((pass + 1))
  printf '%-48s %-4s verdict=%-10s events=%-7s diagnostics=%-5s findings: %s%s\n' "$name" "$([ $ok = 1 ] && echo PASS || echo FAIL)" \
    "$verdict" "$events" "$diags" "${summary:-none}" "${why:+  [$why ]}"
}
for arg in "$@"; do
  if [ -d "$arg" ]; then
    for t in "$arg"/*.ftrace.txt.gz; do [ -f "$t" ] && score "$t"; done
  else
    score "$arg"
  fi
done
echo "$pass of $total pass"
