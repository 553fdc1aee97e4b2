#!/usr/bin/env bash
# Fuzzing campaigns with the libFuzzer binaries of the `asan` preset (fuzz/README.md).
#   fuzz/run_long.sh TARGET [RUNS]   one target, RUNS executions (default: its budget)
#   fuzz/run_long.sh all             every target, one after the other, each with its budget
# Budgets: 1,000,000 executions for our own parsers, 100,000 for the targets that go through
# GDAL (import_*). Runs niced (nice -n 19), one campaign at a time. New inputs go to
# $BUILD/fuzz/corpus/<target>/ (the committed seeds are read, never written), crashes to
# $BUILD/fuzz/crashes/<target>/, logs to $BUILD/fuzz/logs/<target>.log; one line per campaign is
# appended to $BUILD/fuzz/results.tsv: target, executions, seconds, crashes found.
# MAX_TIME=S stops each campaign after S seconds even if RUNS are not reached (a shared machine).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/asan}
TARGETS="wkb wkt gpkg_blob text credentials record_json workflow_payload http_body http_query
         http_request import_csv import_geojson import_kml import_shpzip import_xlsx"
budget() { case "$1" in import_*) echo 100000 ;; *) echo 1000000 ;; esac; }

run_one() {
  local t=$1 runs=${2:-$(budget "$1")}
  local bin="$BUILD/fuzz/${t}_fuzz"
  [ -x "$bin" ] || { echo "no $bin: cmake --preset asan && cmake --build $BUILD -j2" >&2; return 2; }
  local work="$BUILD/fuzz/corpus/$t" crashes="$BUILD/fuzz/crashes/$t" log="$BUILD/fuzz/logs/$t.log"
  mkdir -p "$work" "$crashes" "$(dirname "$log")"
  local start end rc=0
  start=$(date +%s)
  # Leak checks are off: the targets keep their fixtures (databases, gazetteer) for the process.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
  RECLAIM_TODAY=2025-06-30 \
    nice -n 19 "$bin" -runs="$runs" -max_len=65536 -timeout=30 -rss_limit_mb=3072 \
      ${MAX_TIME:+-max_total_time=$MAX_TIME} -print_final_stats=1 -artifact_prefix="$crashes/" "$work" "fuzz/corpus/$t" \
      > "$log" 2>&1 || rc=$?
  end=$(date +%s)
  local execs found
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  found=$(find "$crashes" -type f | wc -l)
  printf '%s\t%s\t%s\t%s\n' "$t" "${execs:-?}" "$((end - start))" "$found" | tee -a "$BUILD/fuzz/results.tsv"
  if [ "$rc" -ne 0 ]; then
    echo "$t: the fuzzer stopped (exit $rc): see $log and $crashes/" >&2
    grep -m3 -E "ERROR: |SUMMARY: |runtime error" "$log" >&2 || true
  fi
  return "$rc"
}

if [ "${1:-}" = "all" ]; then
  status=0
  for t in $TARGETS; do run_one "$t" || status=1; done
  exit "$status"
fi
[ -n "${1:-}" ] || { sed -n '2,10p' "$0"; exit 2; }
run_one "$1" "${2:-}"
