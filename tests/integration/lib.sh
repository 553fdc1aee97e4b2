# Small assertion helpers for the CLI integration tests.
set -uo pipefail
FAILS=0
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export RECLAIM_TODAY=2026-01-15   # dates after this are "in the future"

# run CMD... : runs, storing exit code in RC and output in OUT (stdout+stderr)
run() { OUT=$("$@" 2>&1); RC=$?; }
ok() { echo "ok   - $1"; }
bad() { echo "FAIL - $1"; echo "       rc=$RC output: ${OUT:0:600}"; FAILS=$((FAILS + 1)); }
expect_rc() { # expect_rc N description
  if [ "$RC" = "$1" ]; then ok "$2 (exit $1)"; else bad "$2: expected exit $1"; fi
}
expect_out() { # expect_out SUBSTRING description
  if grep -qF -- "$1" <<<"$OUT"; then ok "$2"; else bad "$2: output lacks '$1'"; fi
}
expect_eq() { # expect_eq ACTUAL EXPECTED description
  if [ "$1" = "$2" ]; then ok "$3"; else echo "FAIL - $3: got '$1', expected '$2'"; FAILS=$((FAILS + 1)); fi
}
count() { sqlite3 "$1" "SELECT COUNT(*) FROM $2"; }
finish() {
  if [ "$FAILS" -gt 0 ]; then echo "$FAILS check(s) failed"; exit 1; fi
  echo "all checks passed"
}
# A square hazard polygon as WKT: square LON LAT SIDE_DEG
square() {
  python3 -c "import sys; x,y,d=map(float,sys.argv[1:4]); print(f'POLYGON(({x} {y},{x+d} {y},{x+d} {y+d},{x} {y+d},{x} {y}))')" "$@"
}
