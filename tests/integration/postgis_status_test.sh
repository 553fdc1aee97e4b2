#!/usr/bin/env bash
# The status figures Reclaim computes on the demo GeoPackage agree with an independent PostGIS
# computation on the same file: counts exactly, areas (ST_Area(geography), ST_Union) within 0.01 %.
source "$(dirname "$0")/lib.sh"
R=${1:?usage: postgis_status_test.sh path/to/reclaim PG_URL}
URL=${2:?PG_URL}
DB=$WORK/demo.gpkg
hostport=${URL#postgresql://postgres@}; hostport=${hostport%%/*}
PGCONN="host=${hostport%:*} port=${hostport#*:} user=postgres dbname=postgres"

run "$R" --db "$DB" demo --seed 3
expect_rc 0 "demo database created"
run "$R" --db "$DB" status --json
expect_rc 0 "status --json"
echo "$OUT" > "$WORK/status.json"

psql "$URL" -qAt -v ON_ERROR_STOP=1 -c "DROP SCHEMA IF EXISTS chk CASCADE; CREATE SCHEMA chk" >/dev/null
run ogr2ogr -f PostgreSQL "PG:$PGCONN active_schema=chk" "$DB" hazards -nln chk.hazards -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=NONE
expect_rc 0 "ogr2ogr loads the hazards into PostGIS"

psql "$URL" -qAt -F '|' -v ON_ERROR_STOP=1 > "$WORK/postgis.txt" <<'SQL'
SELECT 'type', contamination, COUNT(*), SUM(ST_Area(geom::geography)), ST_Area(ST_Union(geom)::geography),
       SUM(remaining_m2)
  FROM chk.hazards WHERE status IN ('open','worked_on') GROUP BY contamination
UNION ALL
SELECT 'all', '', COUNT(*), SUM(ST_Area(geom::geography)), ST_Area(ST_Union(geom)::geography), SUM(remaining_m2)
  FROM chk.hazards WHERE status IN ('open','worked_on')
UNION ALL
SELECT 'province', province_code, COUNT(*), SUM(ST_Area(geom::geography)), ST_Area(ST_Union(geom)::geography),
       SUM(remaining_m2)
  FROM chk.hazards WHERE status IN ('open','worked_on') GROUP BY province_code
UNION ALL
SELECT 'class', hazard_type || '/' || status, COUNT(*), 0, 0, 0 FROM chk.hazards GROUP BY hazard_type, status;
SQL
expect_rc 0 "PostGIS computed the same figures"
psql "$URL" -qAt -c "DROP SCHEMA chk CASCADE" >/dev/null

python3 - "$WORK/status.json" "$WORK/postgis.txt" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
nat = st["national"]
prov = {p["code"]: p for p in st["provinces"]}
fails = 0
checked = 0
def close(a, b, what, rel=1e-4):
    global fails, checked
    checked += 1
    if abs(a - b) > rel * max(abs(b), 1.0):
        print(f"FAIL - {what}: reclaim {a} vs PostGIS {b}")
        fails += 1
def same(a, b, what):
    global fails, checked
    checked += 1
    if a != b:
        print(f"FAIL - {what}: reclaim {a} vs PostGIS {b}")
        fails += 1
for line in open(sys.argv[2]):
    kind, key, n, area, union, remaining = line.strip().split("|")
    n, area, union, remaining = int(n), float(area), float(union), float(remaining)
    if kind == "type":
        r = nat["remaining_by_contamination"][key]
    elif kind == "all":
        r = nat["remaining_total"]
    elif kind == "province":
        r = prov[key]["remaining_total"]
    else:
        cls, status = key.split("/")
        same(nat["hazards"][cls][status], n, f"hazards {key}")
        continue
    same(r["hazards"], n, f"{kind} {key} hazards")
    close(r["polygon_area_m2"], area, f"{kind} {key} polygon area")
    close(r["union_area_m2"], union, f"{kind} {key} union area")
    close(r["remaining_m2"], remaining, f"{kind} {key} remaining (land-release arithmetic)")
print(f"{checked} figures compared with PostGIS, {fails} differ")
sys.exit(1 if fails or checked < 20 else 0)
PY
[ $? = 0 ] && ok "status agrees with PostGIS within 0.01 %" || FAILS=$((FAILS+1))
finish
