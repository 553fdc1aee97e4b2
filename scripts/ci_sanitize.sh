#!/usr/bin/env bash
# The sanitizer stage of CI (docs/ci.md): the `asan` preset (clang, AddressSanitizer +
# UndefinedBehaviorSanitizer, the libFuzzer targets), then under the sanitizers
#   - every unit test (label unit),
#   - the fuzz corpus replay (label fuzz),
#   - a subset of the integration tests: $SANITIZE_SUBSET (below; docs/ci.md says why).
# Any sanitizer report stops the test that made it (halt_on_error) and fails the stage.
# Prints the build and test times.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
JOBS=${JOBS:-2}
BUILD=build/asan
# CLI import/export and bad input (every reader and the validation on real files), and the
# in-process HTTP server tests (API, OGC, tiles, cache, limits): label http.
SANITIZE_SUBSET=${SANITIZE_SUBSET:-'^(cli_import_export|cli_bad_input)$'}
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

t0=$(date +%s)
cmake --preset asan ${RECLAIM_PG_PORT:+-DRECLAIM_PG_PORT=$RECLAIM_PG_PORT} >/dev/null
cmake --build "$BUILD" -j "$JOBS"
t1=$(date +%s)
ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS" --timeout 900 -L 'unit|fuzz' -LE 'pg|e2e'
t2=$(date +%s)
ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS" --timeout 900 -R "$SANITIZE_SUBSET"
ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS" --timeout 900 -L http -LE 'pg|e2e|integration'
t3=$(date +%s)
echo "sanitize: build $((t1 - t0)) s, unit + fuzz replay $((t2 - t1)) s, integration subset $((t3 - t2)) s"
