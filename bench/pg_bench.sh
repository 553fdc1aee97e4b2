#!/usr/bin/env bash
# PostgreSQL benchmark (issue #3), side by side in one run on `demo --scale 50` (~110k hazards):
#  1. import of the hazards layer (full validation) into PostgreSQL vs into a GeoPackage vs plain
#     `ogr2ogr -f PostgreSQL` of the same layer (no validation);
#  2. `reclaim status` on PostgreSQL vs on the GeoPackage vs plain PostGIS SQL doing the same
#     overlap-aware union/area work (and a check that the two back ends give the same figures);
#  3. 8 concurrent writers x 1,000 activity reports (insert + versioned hazard update, retry on
#     conflict) on PostgreSQL: throughput and proof that no update was lost (bench/pg_writers).
# Wall time and peak memory (GNU time). Not a test. The private server runs with the test
# settings (fsync=off, synchronous_commit=off); the GeoPackage uses WAL + synchronous=NORMAL.
#   SCALE=50 RECLAIM=build/src/cli/reclaim PG_WRITERS=build/bench/pg_writers bench/pg_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SCALE=${SCALE:-50}
R=${RECLAIM:-build/src/cli/reclaim}
WRITERS_BIN=${PG_WRITERS:-$(dirname "$(dirname "$(dirname "$R")")")/bench/pg_writers}
OUT=${OUT:-/tmp/reclaim-pg-bench}
PORT=${PORT:-55499}
mkdir -p "$OUT"
rm -f "$OUT"/*.gpkg* "$OUT"/results.txt
T=/usr/bin/time
measure() { # measure NAME CMD... -> prints "NAME seconds peak_MB"
  local name=$1; shift
  $T -f "%e %M" -o "$OUT/$name.time" "$@" >"$OUT/$name.log" 2>&1 || { cat "$OUT/$name.log" >&2; return 1; }
  read -r secs kb < <(tail -1 "$OUT/$name.time")
  echo "$name $secs $((kb / 1024))"
}

PGDIR=$(mktemp -d /tmp/reclaim-pg-bench-server.XXXX)
chmod 755 "$PGDIR"
trap 'bash "$ROOT/scripts/pg_test_server.sh" stop "$PGDIR" >/dev/null 2>&1 || true' EXIT
BASE=$(bash scripts/pg_test_server.sh start "$PGDIR" "$PORT" | sed -n 's/^PG_TEST_URL=//p')
SERVER=${BASE%/*}
for db in reclaim_import reclaim_full ogr; do psql "$BASE" -qAt -c "CREATE DATABASE $db" >/dev/null; done
PG_IMPORT=$SERVER/reclaim_import
PG_FULL=$SERVER/reclaim_full
OGR="PG:host=127.0.0.1 port=$PORT user=postgres dbname=ogr"

echo "== demo --scale $SCALE (GeoPackage)"
measure demo "$R" --db "$OUT/src.gpkg" demo --seed 1 --scale "$SCALE" | tee "$OUT/results.txt"
N=$(sqlite3 "$OUT/src.gpkg" "SELECT COUNT(*) FROM hazards")
echo "hazards: $N"

echo "== import hazards: PostgreSQL vs GeoPackage vs ogr2ogr -f PostgreSQL"
"$R" --db "$OUT/import.gpkg" init >/dev/null
"$R" --db "$PG_IMPORT" init >/dev/null
measure import_gpkg "$R" --db "$OUT/import.gpkg" import hazards "$OUT/src.gpkg" --layer hazards | tee -a "$OUT/results.txt"
measure import_pg "$R" --db "$PG_IMPORT" import hazards "$OUT/src.gpkg" --layer hazards | tee -a "$OUT/results.txt"
measure ogr2ogr_pg ogr2ogr -f PostgreSQL "$OGR" "$OUT/src.gpkg" hazards -nln hazards -lco GEOMETRY_NAME=geom | tee -a "$OUT/results.txt"
echo "rows: gpkg $(sqlite3 "$OUT/import.gpkg" "SELECT COUNT(*) FROM hazards"), pg $(psql "$PG_IMPORT" -qAt -c "SELECT COUNT(*) FROM hazards"), ogr2ogr $(psql "$SERVER/ogr" -qAt -c "SELECT COUNT(*) FROM hazards")"

echo "== migrate the whole demo GeoPackage into PostgreSQL"
measure migrate_to_pg "$R" migrate --from "$OUT/src.gpkg" --to "$PG_FULL" | tee -a "$OUT/results.txt"
cat "$OUT/migrate_to_pg.log"

echo "== status: PostgreSQL vs GeoPackage vs plain PostGIS SQL"
cat > "$OUT/postgis.sql" <<'SQL'
SELECT contamination, COUNT(*), ST_Area(ST_Union(geom)::geography) FROM hazards
 WHERE status IN ('open','worked_on') GROUP BY contamination;
SELECT province_code, COUNT(*), ST_Area(ST_Union(geom)::geography) FROM hazards
 WHERE status IN ('open','worked_on') GROUP BY province_code;
SELECT COUNT(*), ST_Area(ST_Union(geom)::geography) FROM hazards WHERE status IN ('open','worked_on');
SQL
measure status_gpkg "$R" --db "$OUT/src.gpkg" status --json | tee -a "$OUT/results.txt"
measure status_pg "$R" --db "$PG_FULL" status --json | tee -a "$OUT/results.txt"
measure status_postgis psql "$SERVER/ogr" -qAt -f "$OUT/postgis.sql" | tee -a "$OUT/results.txt"
python3 - "$OUT/status_gpkg.log" "$OUT/status_pg.log" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
diffs = []
def cmp(x, y, path):
    if isinstance(x, dict):
        for k in x.keys() | y.keys(): cmp(x.get(k), y.get(k), f"{path}.{k}")
    elif isinstance(x, list):
        if len(x) != len(y): diffs.append(path); return
        for i, (u, v) in enumerate(zip(x, y)): cmp(u, v, f"{path}[{i}]")
    elif isinstance(x, float) or isinstance(y, float):
        if abs(x - y) > 1e-4 * max(abs(x), abs(y), 1.0): diffs.append(path)
    elif x != y: diffs.append(path)
cmp(a, b, "status")
print(f"status on PostgreSQL vs GeoPackage: {len(diffs)} differences (counts exact, areas within 0.01 %)")
PY

echo "== 8 concurrent writers x 1,000 activity reports (PostgreSQL)"
"$WRITERS_BIN" "$PG_FULL" 8 1000 64 | tee "$OUT/writers_pg.txt"

python3 - "$OUT/results.txt" "$OUT/writers_pg.txt" <<'PY'
import re, sys
r = {}
for line in open(sys.argv[1]):
    name, secs, mb = line.split()
    r[name] = (float(secs), int(mb))
def line(label, a, b):
    print(f"{label:44s}: {r[a][0] / max(r[b][0], 1e-3):5.2f}x  ({r[a][0]:.1f}s vs {r[b][0]:.1f}s; peak {r[a][1]} MB vs {r[b][1]} MB)")
print()
line("import PostgreSQL / import GeoPackage", "import_pg", "import_gpkg")
line("import PostgreSQL / ogr2ogr -f PostgreSQL", "import_pg", "ogr2ogr_pg")
line("status PostgreSQL / status GeoPackage", "status_pg", "status_gpkg")
line("status PostgreSQL / PostGIS union+area SQL", "status_pg", "status_postgis")
print(f"{'migrate GeoPackage -> PostgreSQL (all)':44s}: {r['migrate_to_pg'][0]:.1f}s, peak {r['migrate_to_pg'][1]} MB")
print(open(sys.argv[2]).read().strip())
PY
