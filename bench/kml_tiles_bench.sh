#!/usr/bin/env bash
# Two goals of issue 8, side by side with their references in one run (bench/README.md):
#  1. KML export of every hazard: `reclaim export --format kml` vs `ogr2ogr -f KML` writing the
#     same GeoPackage layer (goal: within 2x). Pair by pair, medians of RUNS runs.
#  2. Cold vector tiles z8-z12 over the mined north-west (Banteay Meanchey, Battambang, Pailin,
#     Oddar Meanchey: lon 102.3-103.9, lat 12.6-14.5): every tile of the hazards layer fetched
#     once from a freshly started `reclaim serve` (so none is in its response cache) vs PostGIS
#     `ST_AsMVT(ST_AsMVTGeom(...))` of the same rows, tile list and properties in one psql
#     session. Each side is one whole process (the client), the server already listening.
# SCALE=5 by default (~11,000 hazards). Prints the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-5}
RUNS=${RUNS:-3}
R=${RECLAIM:-build/src/cli/reclaim}
R=$(readlink -f "$R")
OUT=$(mktemp -d /tmp/reclaim-bench-kt.XXXX)
PGDIR=$(mktemp -d /tmp/reclaim-bench-ktpg.XXXX)  # its own directory: the server runs as postgres
PORT=${PORT:-18093}
PGPORT=${PGPORT:-55497}
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  bash scripts/pg_test_server.sh stop "$PGDIR" >/dev/null 2>&1 || true
  rm -rf "$OUT" "$PGDIR"
}
trap cleanup EXIT
T=/usr/bin/time
# one timed run: prints "seconds peak_MB"
timed() { $T -f "%e %M" -o "$OUT/t" "$@" >/dev/null 2>"$OUT/err" || { cat "$OUT/err" >&2; return 1; }
          read -r s kb < <(tail -1 "$OUT/t"); echo "$s $((kb / 1024))"; }

echo "== demo --scale $SCALE"
"$R" --db "$OUT/src.gpkg" demo --seed 1 --scale "$SCALE" >/dev/null
N=$(sqlite3 "$OUT/src.gpkg" "SELECT COUNT(*) FROM hazards")
echo "hazards: $N"

echo "== KML export: reclaim vs ogr2ogr -f KML (same layer), $RUNS pairs"
: > "$OUT/kml.txt"
for i in $(seq "$RUNS"); do
  rm -f "$OUT/a.kml" "$OUT/b.kml"
  a=$(timed "$R" --db "$OUT/src.gpkg" export hazards -o "$OUT/a.kml")
  b=$(timed ogr2ogr -f KML "$OUT/b.kml" "$OUT/src.gpkg" hazards)
  echo "$a $b" >> "$OUT/kml.txt"
done
echo "placemarks: reclaim $(grep -c '<Placemark' "$OUT/a.kml"), ogr2ogr $(grep -c '<Placemark' "$OUT/b.kml")"

echo "== cold tiles z8-z12, north-west: reclaim serve vs PostGIS ST_AsMVT"
python3 - "$OUT/tiles.txt" <<'PY'
import math, sys
def tile(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y
with open(sys.argv[1], "w") as f:
    for z in range(8, 13):
        x0, y0 = tile(102.3, 14.5, z)
        x1, y1 = tile(103.9, 12.6, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                f.write(f"{z} {x} {y}\n")
PY
echo "tiles: $(wc -l < "$OUT/tiles.txt")"
# An analyst's map (every hazard, as PostGIS sees them), not the public one (released land only).
printf 'bench-password-1234\n' | "$R" --db "$OUT/src.gpkg" user add bench --role analyst --password-stdin >/dev/null
TOKEN=$("$R" --db "$OUT/src.gpkg" user token bench | tail -1)
bash scripts/pg_test_server.sh start "$PGDIR" "$PGPORT" > "$OUT/pg.txt"
URL=$(sed -n 's/^PG_TEST_URL=//p' "$OUT/pg.txt")
psql "$URL" -qAt -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=$PGPORT user=postgres dbname=postgres" "$OUT/src.gpkg" \
  hazards -nln hazards -lco GEOMETRY_NAME=geom
psql "$URL" -qAt -c "ANALYZE hazards" >/dev/null
# The same properties as Reclaim's hazards tile layer; the same 64-pixel buffer.
awk '{printf "SELECT length(ST_AsMVT(t, '"'"'hazards'"'"', 4096, '"'"'geom'"'"')) FROM (SELECT id, hazard_type, contamination, status, province_code, remaining_m2, ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(%d,%d,%d), 4096, 64, true) AS geom FROM hazards WHERE geom && ST_Transform(ST_TileEnvelope(%d,%d,%d, margin => 64.0/4096), 4326)) t WHERE t.geom IS NOT NULL;\n", $1,$2,$3,$1,$2,$3}' \
  "$OUT/tiles.txt" > "$OUT/postgis.sql"
cat > "$OUT/fetch.py" <<'PY'
import http.client, sys
port, tiles, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port)
auth = {"Authorization": "Bearer " + token}
total = nonempty = 0
for line in open(tiles):
    z, x, y = line.split()
    c.request("GET", f"/tiles/hazards/{z}/{x}/{y}.mvt", headers=auth)
    r = c.getresponse()
    body = r.read()
    if r.status not in (200, 204):
        sys.exit(f"tile {z}/{x}/{y}: HTTP {r.status}")
    total += len(body)
    nonempty += len(body) > 0
print(total, "bytes in", nonempty, "tiles with features")
PY
: > "$OUT/tiles_times.txt"
for i in $(seq "$RUNS"); do
  "$R" --db "$OUT/src.gpkg" serve --listen "127.0.0.1:$PORT" > "$OUT/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/ogc" >/dev/null 2>&1 && break; sleep 0.1; done
  a=$(timed python3 "$OUT/fetch.py" "$PORT" "$OUT/tiles.txt" "$TOKEN")
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  psql "$URL" -qAt -c "DISCARD ALL" >/dev/null
  b=$(timed psql "$URL" -qAt -f "$OUT/postgis.sql")
  echo "$a $b" >> "$OUT/tiles_times.txt"
done

# What each side built (not timed): tile bytes in all, and tiles with features.
"$R" --db "$OUT/src.gpkg" serve --listen "127.0.0.1:$PORT" > "$OUT/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/ogc" >/dev/null 2>&1 && break; sleep 0.1; done
echo "reclaim: $(python3 "$OUT/fetch.py" "$PORT" "$OUT/tiles.txt" "$TOKEN")"
echo "PostGIS: $(psql "$URL" -qAt -f "$OUT/postgis.sql" | awk '{s+=$1; n+=($1>0)} END {print s, "bytes in", n, "tiles with features"}')"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
python3 - "$OUT/kml.txt" "$OUT/tiles_times.txt" "$N" <<'PY'
import statistics as st, sys
def report(path, what, ref):
    rows = [list(map(float, l.split())) for l in open(path) if l.strip()]
    ratio = st.median(a / max(b, 1e-3) for a, _, b, _ in rows)
    a = st.median(r[0] for r in rows); b = st.median(r[2] for r in rows)
    ma = max(r[1] for r in rows); mb = max(r[3] for r in rows)
    print(f"{what:<44}: {ratio:.2f}x  (median {a:.2f}s vs {b:.2f}s {ref}; peak {ma:.0f} MB vs {mb:.0f} MB; {len(rows)} pairs)")
print()
print(f"hazards: {sys.argv[3]}")
report(sys.argv[1], "KML export, reclaim / ogr2ogr -f KML", "ogr2ogr")
report(sys.argv[2], "cold tiles z8-z12 NW, reclaim / ST_AsMVT", "PostGIS")
PY
