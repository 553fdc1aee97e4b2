#!/usr/bin/env bash
# `reclaim migrate` round trip: demo GeoPackage -> a new PostgreSQL database -> a new GeoPackage.
# Records (every column, row versions, geometry blobs byte for byte), the complete history (seq
# order, every column), the gazetteer, boundaries and settings come back identical, and
# `status --json` agrees on all three (counts exact, areas within 0.01 %: Reclaim's own figures
# on PostgreSQL equal those on the GeoPackage). Also: migrate refuses a target that is not empty.
#   migrate_roundtrip_test.sh path/to/reclaim   (RECLAIM_PG_URL: a server with PostGIS)
source "$(dirname "$0")/../integration/lib.sh"
R=${1:?usage: migrate_roundtrip_test.sh path/to/reclaim}
URL=${RECLAIM_PG_URL:?RECLAIM_PG_URL (postgresql://…) must name a PostgreSQL server with PostGIS}
DBNAME=reclaim_migrate_$$_$RANDOM
PGURL=${URL%/*}/$DBNAME
cleanup() {
  psql "$URL" -qAt -c "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" >/dev/null 2>&1
  psql "$URL" -qAt -c "DROP DATABASE IF EXISTS ${DBNAME}_bad WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

A=$WORK/a.gpkg
B=$WORK/b.gpkg
run "$R" --db "$A" demo --seed 5
expect_rc 0 "demo GeoPackage created"
# Land release on two hazards: updates, so row versions > 1 and update history are copied too.
H=$(sqlite3 "$A" "SELECT id FROM hazards WHERE status = 'open' AND remaining_m2 > 5000 ORDER BY id LIMIT 2")
H1=$(sed -n 1p <<<"$H"); H2=$(sed -n 2p <<<"$H")
cat > "$WORK/activities.csv" <<CSV
activity_id,hazard_id,type,org,start_date,end_date,cancelled_m2,reduced_m2,cleared_m2,ap_mines,at_mines,erw_items
KH-AC-T1,$H1,technical_survey,CMAC,2025-11-03,2025-11-20,,1000,,,,
KH-AC-T2,$H1,clearance,HALO,2025-12-01,2025-12-19,,,500,1,0,2
KH-AC-T3,$H2,clearance,MAG,2025-12-01,2025-12-10,,,700,0,0,1
CSV
run "$R" --db "$A" import activities "$WORK/activities.csv"
expect_rc 0 "import activities (hazard updates)"
run psql "$URL" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DBNAME"
expect_rc 0 "a fresh PostgreSQL database"

run "$R" migrate --from "$A" --to "$PGURL"
expect_rc 0 "migrate GeoPackage -> PostgreSQL"
expect_out "history entries" "migrate reports what it copied"
run "$R" migrate --from "$PGURL" --to "$B"
expect_rc 0 "migrate PostgreSQL -> GeoPackage"

# Everything but the fid (the tables' internal row number), in a fixed order.
dump() {
  local db=$1
  local tables
  tables=$(sqlite3 "$db" "SELECT table_name FROM gpkg_contents WHERE table_name NOT IN
             ('admin_units', 'admin_boundaries', 'history') ORDER BY table_name")
  for t in $tables; do
    local cols id
    cols=$(sqlite3 "$db" "SELECT group_concat(CASE WHEN type = 'BLOB' OR name = 'geom'
             THEN 'hex(\"' || name || '\")' ELSE 'quote(\"' || name || '\")' END, ', ')
             FROM pragma_table_info('$t') WHERE name <> 'fid'")
    id=$(sqlite3 "$db" "SELECT name FROM pragma_table_info('$t') WHERE name NOT IN ('fid', 'geom')
             ORDER BY cid LIMIT 1")
    echo "== $t"
    sqlite3 "$db" "SELECT $cols FROM \"$t\" ORDER BY \"$id\""
  done
  echo "== history"
  sqlite3 "$db" "SELECT seq, entity, record_id, op, at, user, file, source_record, reason,
                        quote(before_json), after_json FROM history ORDER BY seq"
  echo "== admin_units"
  sqlite3 "$db" "SELECT code, quote(parent_code), level, name_latin, name_km, quote(lat), quote(lon)
                 FROM admin_units ORDER BY fid"
  echo "== admin_boundaries"
  sqlite3 "$db" "SELECT code, level, hex(geom) FROM admin_boundaries ORDER BY fid"
  echo "== reclaim_meta"
  sqlite3 "$db" "SELECT key, value FROM reclaim_meta ORDER BY key"
}
dump "$A" > "$WORK/a.txt"
dump "$B" > "$WORK/b.txt"
if cmp -s "$WORK/a.txt" "$WORK/b.txt"; then
  ok "records, versions, geometries (byte-equal), history, gazetteer and settings identical ($(wc -l < "$WORK/a.txt") lines)"
else
  RC=1 OUT=$(diff "$WORK/a.txt" "$WORK/b.txt" | head -20)
  bad "the round trip changed the database"
fi
expect_eq "$(grep -c . "$WORK/a.txt" | awk '{print ($1 > 1000)}')" 1 "the dump is not trivially small"
expect_eq "$(sqlite3 "$A" "SELECT COUNT(*) FROM history WHERE op = 'update'" | awk '{print ($1 > 0)}')" 1 \
  "the demo history has updates (versions > 1 are covered)"

# PostgreSQL itself holds the same rows (not just a pass-through): counts and max version.
for t in hazards activities history; do
  a=$(sqlite3 "$A" "SELECT COUNT(*) FROM $t")
  p=$(psql "$PGURL" -qAt -c "SELECT COUNT(*) FROM $t")
  expect_eq "$p" "$a" "PostgreSQL holds the $a $t rows"
done
a=$(sqlite3 "$A" "SELECT MAX(version) || '/' || SUM(version) FROM hazards")
p=$(psql "$PGURL" -qAt -c "SELECT MAX(version) || '/' || SUM(version) FROM hazards")
expect_eq "$p" "$a" "hazard row versions kept on PostgreSQL"
# The history sequence continues after the copied entries.
p=$(psql "$PGURL" -qAt -c "SELECT nextval(pg_get_serial_sequence('history', 'seq')) > MAX(seq) FROM history")
expect_eq "$p" "t" "PostgreSQL history sequence continues after the copied seq numbers"

for db in "$A" "$PGURL" "$B"; do
  run "$R" --db "$db" status --json
  expect_rc 0 "status --json on ${db##*/}"
  echo "$OUT" > "$WORK/status-$(echo "$db" | md5sum | cut -c1-8).json"
done
python3 - "$WORK"/status-*.json <<'PY'
import json, sys
docs = [json.load(open(p)) for p in sys.argv[1:]]
fails = []
def cmp(a, b, path):
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys(): fails.append(f"{path}: keys differ")
        for k in a.keys() & b.keys(): cmp(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b): fails.append(f"{path}: {len(a)} vs {len(b)} items"); return
        for i, (x, y) in enumerate(zip(a, b)): cmp(x, y, f"{path}[{i}]")
    elif isinstance(a, bool) or isinstance(b, bool) or isinstance(a, int) and isinstance(b, int):
        if a != b: fails.append(f"{path}: {a} vs {b} (counts must be exact)")
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if abs(a - b) > 1e-4 * max(abs(a), abs(b), 1.0): fails.append(f"{path}: {a} vs {b}")
    elif a != b:
        fails.append(f"{path}: {a!r} vs {b!r}")
for d in docs[1:]: cmp(docs[0], d, "status")
for f in fails[:20]: print("FAIL -", f)
print(("FAIL - " if fails else "ok   - ") + f"status --json equal on GeoPackage, PostgreSQL and the copy back ({len(fails)} differences)")
sys.exit(1 if fails else 0)
PY
[ $? = 0 ] || FAILS=$((FAILS + 1))

# A target that is not empty is refused, and left as it was.
before=$(psql "$PGURL" -qAt -c "SELECT COUNT(*) FROM history")
run "$R" migrate --from "$A" --to "$PGURL"
expect_rc 3 "migrate into a database that is not empty is refused"
expect_out "is not empty" "the error says the target is not empty"
expect_eq "$(psql "$PGURL" -qAt -c "SELECT COUNT(*) FROM history")" "$before" "the refused target is unchanged"
# All or nothing: a record PostgreSQL rejects (text in an integer column, planted with sqlite3)
# near the end of the copy rolls back everything already sent.
cp "$A" "$WORK/bad.gpkg"
id_col=$(sqlite3 "$WORK/bad.gpkg" "SELECT name FROM pragma_table_info('funding') WHERE name <> 'fid' ORDER BY cid LIMIT 1")
sqlite3 "$WORK/bad.gpkg" "UPDATE funding SET year = 'soon'
                          WHERE $id_col = (SELECT MAX($id_col) FROM funding)"
run psql "$URL" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE ${DBNAME}_bad"
run "$R" migrate --from "$WORK/bad.gpkg" --to "${PGURL}_bad"
[ "$RC" != 0 ] && ok "a copy with a record the target rejects fails (exit $RC)" || bad "the bad copy succeeded"
expect_out "funding" "the error names the entity of the bad record"
expect_eq "$(psql "${PGURL}_bad" -qAt -c "SELECT (SELECT COUNT(*) FROM admin_units) + (SELECT COUNT(*) FROM hazards) + (SELECT COUNT(*) FROM history)")" 0   "nothing was written (one transaction on the target)"
psql "$URL" -qAt -c "DROP DATABASE IF EXISTS ${DBNAME}_bad WITH (FORCE)" >/dev/null 2>&1
run "$R" migrate --from "$A" --to "$A"
expect_rc 3 "migrate into itself is refused"
run "$R" migrate --from "$WORK/missing.gpkg" --to "$WORK/c.gpkg"
expect_rc 4 "a missing source is reported"
finish
