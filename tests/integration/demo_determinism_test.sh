#!/usr/bin/env bash
# The demo is deterministic for a seed: two `reclaim demo --seed N` into new databases give the
# same rows in every table (and the same status), with only the times of creation (history,
# migrations, gpkg_contents) differing; another seed gives other hazards.
source "$(dirname "$0")/lib.sh"
R=${1:?usage: demo_determinism_test.sh path/to/reclaim}

# dump DB: every table, rows in a fixed order, values SQL-quoted; ISO date-times (the times of
# creation: demo values are dates without a time) replaced by TS.
dump() {
  local t
  for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"); do
    echo "== $t"
    sqlite3 -cmd ".mode quote" "$1" "SELECT * FROM \"$t\" ORDER BY 1"
  done | sed -E "s/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z?/TS/g"
}

for db in a b other; do
  seed=2
  [ "$db" = other ] && seed=3
  run "$R" --db "$WORK/$db.gpkg" demo --seed "$seed"
  expect_rc 0 "demo --seed $seed into $db.gpkg"
  dump "$WORK/$db.gpkg" >"$WORK/$db.dump"
  "$R" --db "$WORK/$db.gpkg" status --json >"$WORK/$db.status.json" 2>&1
done

tables=$(grep -c '^== ' "$WORK/a.dump")
hazards=$(count "$WORK/a.gpkg" hazards)
if [ "$tables" -gt 10 ] && [ "$hazards" -gt 1000 ]; then
  ok "the dump holds $tables tables, $hazards hazards"
else
  echo "FAIL - the dump holds $tables tables, $hazards hazards"; FAILS=$((FAILS + 1))
fi
if cmp -s "$WORK/a.dump" "$WORK/b.dump"; then
  ok "same seed: every table identical"
else
  echo "FAIL - same seed, different tables:"; diff "$WORK/a.dump" "$WORK/b.dump" | head -20
  FAILS=$((FAILS + 1))
fi
if cmp -s "$WORK/a.status.json" "$WORK/b.status.json"; then
  ok "same seed: same status --json"
else
  echo "FAIL - same seed, different status"; FAILS=$((FAILS + 1))
fi
if [ "$(sed -n '/^== hazards$/,/^== /p' "$WORK/a.dump" | sha256sum)" != \
     "$(sed -n '/^== hazards$/,/^== /p' "$WORK/other.dump" | sha256sum)" ]; then
  ok "another seed: other hazards"
else
  echo "FAIL - seeds 2 and 3 gave the same hazards"; FAILS=$((FAILS + 1))
fi
# The reference tables are read by the app (exchange::read_file): a missing or bad one is named.
DATA=$(dirname "$0")/../../data
mkdir -p "$WORK/data/reference"
cp -r "$DATA/gazetteer" "$DATA/boundaries" "$WORK/data/"
run "$R" --data-dir "$WORK/data" --db "$WORK/nofile.gpkg" demo
expect_rc 4 "demo without reference/contamination_2025.csv"
expect_out "reference/contamination_2025.csv: no such file" "the missing table is named"
cp "$DATA/reference/casualties_by_year.csv" "$WORK/data/reference/"
printf 'contamination,remaining_km2\nlandmines,469\ncluster_munitions,lots\nother_erw,547\n' \
  >"$WORK/data/reference/contamination_2025.csv"
run "$R" --data-dir "$WORK/data" --db "$WORK/bad.gpkg" demo
expect_rc 3 "demo with a bad reference table"
expect_out "contamination_2025.csv row 3: remaining_km2 'lots' is not a number" \
  "the bad table's row and field are named"
finish
