#!/usr/bin/env bash
# Benchmarks, side by side with the reference tools in the same run (issue #2):
#  1. import of ~100k hazard polygons from a GeoPackage with full validation
#     vs ogr2ogr copying the same layer to a new GeoPackage;
#  2. `reclaim status` vs PostGIS computing the same overlap-aware areas
#     (ST_Union, ST_Area(geography)) on the same data.
# Wall time and peak memory (GNU time), reported as ratios. SCALE=50 by default (~100k hazards).
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-50}
R=${RECLAIM:-build/src/cli/reclaim}
OUT=bench/out
mkdir -p "$OUT"
rm -f "$OUT"/*.gpkg*
T=/usr/bin/time
measure() { # measure NAME CMD... -> prints "NAME seconds peak_MB"
  local name=$1; shift
  $T -f "%e %M" -o "$OUT/$name.time" "$@" >"$OUT/$name.log" 2>&1
  read -r secs kb < <(tail -1 "$OUT/$name.time")
  echo "$name $secs $((kb / 1024))"
}

echo "== generating demo --scale $SCALE"
measure demo "$R" --db "$OUT/src.gpkg" demo --seed 1 --scale "$SCALE" | tee "$OUT/results.txt"
N=$(sqlite3 "$OUT/src.gpkg" "SELECT COUNT(*) FROM hazards")
echo "hazards: $N"

echo "== import (full validation) vs ogr2ogr copy"
"$R" --db "$OUT/import.gpkg" init >/dev/null
measure reclaim_import "$R" --db "$OUT/import.gpkg" import hazards "$OUT/src.gpkg" --layer hazards | tee -a "$OUT/results.txt"
measure ogr2ogr_copy ogr2ogr -f GPKG "$OUT/copy.gpkg" "$OUT/src.gpkg" hazards | tee -a "$OUT/results.txt"
echo "imported: $(sqlite3 "$OUT/import.gpkg" "SELECT COUNT(*) FROM hazards"), copied: $(sqlite3 "$OUT/copy.gpkg" "SELECT COUNT(*) FROM hazards")"

echo "== status vs PostGIS (same overlap-aware areas)"
PGDIR=$(mktemp -d /tmp/reclaim-bench-pg.XXXX)
trap 'bash "$PWD/scripts/pg_test_server.sh" stop "$PGDIR" >/dev/null 2>&1 || true' EXIT
URL=$(bash scripts/pg_test_server.sh start "$PGDIR" 55498 | sed -n 's/^PG_TEST_URL=//p')
ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=55498 user=postgres dbname=postgres" "$OUT/src.gpkg" hazards \
  -nln hazards -lco GEOMETRY_NAME=geom
cat > "$OUT/postgis.sql" <<'SQL'
SELECT contamination, COUNT(*), ST_Area(ST_Union(geom)::geography) FROM hazards
 WHERE status IN ('open','worked_on') GROUP BY contamination;
SELECT province_code, COUNT(*), ST_Area(ST_Union(geom)::geography) FROM hazards
 WHERE status IN ('open','worked_on') GROUP BY province_code;
SELECT COUNT(*), ST_Area(ST_Union(geom)::geography) FROM hazards WHERE status IN ('open','worked_on');
SQL
measure reclaim_status "$R" --db "$OUT/src.gpkg" status --json | tee -a "$OUT/results.txt"
measure postgis_status psql "$URL" -qAt -f "$OUT/postgis.sql" | tee -a "$OUT/results.txt"
python3 - "$OUT/results.txt" <<'PY'
import sys
r = {}
for line in open(sys.argv[1]):
    name, secs, mb = line.split()
    r[name] = (float(secs), int(mb))
def ratio(a, b):
    return r[a][0] / max(r[b][0], 1e-3)
print()
print(f"import with validation / ogr2ogr copy : {ratio('reclaim_import','ogr2ogr_copy'):.2f}x  "
      f"({r['reclaim_import'][0]:.1f}s vs {r['ogr2ogr_copy'][0]:.1f}s; peak {r['reclaim_import'][1]} MB vs {r['ogr2ogr_copy'][1]} MB)")
print(f"reclaim status / PostGIS union+area   : {ratio('reclaim_status','postgis_status'):.2f}x  "
      f"({r['reclaim_status'][0]:.1f}s vs {r['postgis_status'][0]:.1f}s; peak {r['reclaim_status'][1]} MB)")
PY
