#!/usr/bin/env bash
# GDAL as the client of `reclaim serve`: ogrinfo lists the OGC API – Features collections,
# ogr2ogr copies the public hazards layer (released land) with the same feature count and
# geodesic area as the database, and with an analyst's API token (GDAL_HTTP_HEADERS) every
# hazard; GDAL's MVT driver decodes a tile; SIGTERM exits 0.
set -euo pipefail
BIN=${1:?usage: gdal_client_test.sh path/to/reclaim}
tmp=$(mktemp -d)
pid=
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [[ -f $tmp/serve.log ]] && cat "$tmp/serve.log" >&2; exit 1; }

"$BIN" --db "$tmp/demo.gpkg" demo --seed 1 >/dev/null
# an analyst account and its API token, for the authenticated copy (step 2b)
RECLAIM_PASSWORD='gdal client analyst' "$BIN" --db "$tmp/demo.gpkg" user add gis --role analyst >/dev/null
token=$("$BIN" --db "$tmp/demo.gpkg" user token gis 2>/dev/null)
[[ -n "$token" ]] || fail "no API token"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" --db "$tmp/demo.gpkg" serve --listen "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do
  curl -fs "$base/ogc" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "$base/ogc" >/dev/null || fail "server did not start"

# 1. ogrinfo lists the collections the public may read
ogrinfo -ro -q "OAPIF:$base/ogc" >"$tmp/layers.txt" 2>&1 || fail "ogrinfo: $(cat "$tmp/layers.txt")"
grep -q "hazards" "$tmp/layers.txt" || fail "no hazards layer: $(cat "$tmp/layers.txt")"
grep -q "admin_boundaries" "$tmp/layers.txt" || fail "no admin_boundaries layer"

# 2. ogr2ogr copies the hazards layer: same count and geodesic area as the database
ogr2ogr -f GPKG "$tmp/out.gpkg" "OAPIF:$base/ogc" hazards 2>"$tmp/ogr2ogr.err" ||
  fail "ogr2ogr: $(cat "$tmp/ogr2ogr.err")"
sql_area() {  # file where -> "count area_m2"
  ogrinfo -ro -q -dialect sqlite -sql \
    "SELECT COUNT(*) AS n, SUM(ST_Area(geom, 1)) AS a FROM hazards $2" "$1" 2>/dev/null |
    awk -F'= ' '/ n \(/{n=$2} / a \(/{a=$2} END{print n, a}'
}
read -r got_n got_a <<<"$(sql_area "$tmp/out.gpkg" "")"
read -r want_n want_a <<<"$(sql_area "$tmp/demo.gpkg" "WHERE status IN ('closed','handed_over')")"
echo "copied $got_n hazards, $got_a m²; database $want_n, $want_a m²"
[[ -n "$want_n" && "$want_n" -gt 0 ]] || fail "no released hazards in the database"
[[ "$got_n" == "$want_n" ]] || fail "feature count $got_n != $want_n"
python3 - "$got_a" "$want_a" <<'PY' || fail "areas differ by more than 0.01%"
import sys
got, want = float(sys.argv[1]), float(sys.argv[2])
sys.exit(0 if abs(got - want) <= 1e-4 * want else 1)
PY

# 2b. with an analyst's API token (GDAL_HTTP_HEADERS), ogr2ogr copies ALL hazards: same count and
#     area as the whole table
ogr2ogr --config GDAL_HTTP_HEADERS "Authorization: Bearer $token" -f GPKG "$tmp/all.gpkg" \
  "OAPIF:$base/ogc" hazards 2>"$tmp/ogr2ogr_all.err" || fail "ogr2ogr (token): $(cat "$tmp/ogr2ogr_all.err")"
read -r all_n all_a <<<"$(sql_area "$tmp/all.gpkg" "")"
read -r db_n db_a <<<"$(sql_area "$tmp/demo.gpkg" "")"
echo "copied $all_n hazards, $all_a m² with an analyst token; database $db_n, $db_a m²"
[[ "$db_n" -gt "$want_n" ]] || fail "the database has no hazards beyond the released ones"
[[ "$all_n" == "$db_n" ]] || fail "feature count with token $all_n != $db_n"
python3 - "$all_a" "$db_a" <<'PY' || fail "areas (token) differ by more than 0.01%"
import sys
got, want = float(sys.argv[1]), float(sys.argv[2])
sys.exit(0 if abs(got - want) <= 1e-4 * want else 1)
PY
# a wrong token is refused (401), not served as the public view
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${token}x" "$base/ogc/collections")
[[ "$code" == 401 ]] || fail "a wrong token was answered $code"

# 3. a vector tile decoded by GDAL's MVT driver (the z/x/y path names the tile)
mkdir -p "$tmp/tiles/6/50"
code=$(curl -s -o "$tmp/tiles/6/50/29.mvt" -w '%{http_code}' "$base/tiles/admin_boundaries/6/50/29.mvt")
if [[ "$code" == 200 ]]; then
  ogrinfo -ro -al -so "$tmp/tiles/6/50/29.mvt" >"$tmp/mvt.txt" 2>&1 || fail "MVT: $(cat "$tmp/mvt.txt")"
  grep -Eq "Feature Count: [1-9]" "$tmp/mvt.txt" || fail "no features in the tile: $(cat "$tmp/mvt.txt")"
elif [[ "$code" != 415 ]]; then  # 415: built without vector tiles
  fail "tile request answered $code"
fi

# 4. graceful shutdown: SIGTERM -> exit 0
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[[ $rc == 0 ]] || fail "serve exited $rc on SIGTERM"
echo "ok"
