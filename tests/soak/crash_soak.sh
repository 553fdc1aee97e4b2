#!/usr/bin/env bash
# The long crash test (issue 7, item 7; not in ctest): tests/integration/crash_test.sh with a
# 100k-hazard import and many rounds, on the GeoPackage and (when RECLAIM_PG_URL is set) on
# PostgreSQL. Results go to stdout and bench/out/crash_soak/<mode>.txt.
#   tests/soak/crash_soak.sh [path/to/reclaim] [hazards] [rounds]
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
R=${1:-$HERE/../../build/src/cli/reclaim}
HAZARDS=${2:-100000}
ROUNDS=${3:-10}
OUT=$HERE/../../bench/out/crash_soak
mkdir -p "$OUT"
rc=0
modes=(gpkg)
[ -n "${RECLAIM_PG_URL:-}" ] && modes+=(pg)
for mode in "${modes[@]}"; do
  start=$(date +%s)
  bash "$HERE/../integration/crash_test.sh" "$R" "$mode" "$HAZARDS" "$ROUNDS" "${SEED:-$RANDOM}" \
    | tee "$OUT/$mode.txt"
  st=${PIPESTATUS[0]}
  echo "$mode: exit $st in $(( $(date +%s) - start )) s" | tee -a "$OUT/$mode.txt"
  [ "$st" = 0 ] || rc=1
done
exit $rc
