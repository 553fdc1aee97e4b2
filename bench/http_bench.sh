#!/usr/bin/env bash
# HTTP benchmark (issue #4; a benchmark, not a test): `reclaim serve` side by side with nginx
# serving the SAME bytes as static files (the practical limit), on loopback with wrk:
#   1. vector tiles: ~200 z/x/y tiles over the demo's hazards, rotated by a Lua script;
#   2. OGC API – Features item pages (hazards, limit=100, rotating offsets);
#      each: requests/s and p99 for reclaim and nginx, and the ratio (goal >= 50 %, p99 < 20 ms);
#   3. a bounded mixed load (tiles, item pages, JSON API lists and records, status) for DURATION
#      seconds with zero non-2xx/3xx responses, RSS sampled every 10 s (flat memory).
# Reclaim is called with an analyst's API token (every request is authenticated, all hazards).
#
# Environment: SCALE (50: bench/out/src.gpkg, ~100k hazards; else a demo of that scale),
# DURATION (mixed load, s, default 300), WRK_DURATION (default 15s), CONNS (64),
# WRK_THREADS (2), SERVE_THREADS (2: reclaim threads = nginx workers), RECLAIM (binary).
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-50}
R=${RECLAIM:-build/src/cli/reclaim}
DURATION=${DURATION:-300}
WRK_DURATION=${WRK_DURATION:-15s}
CONNS=${CONNS:-64}
WRK_THREADS=${WRK_THREADS:-2}
SERVE_THREADS=${SERVE_THREADS:-2}
OUT=bench/out/http
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# ---- the database (a private copy: bench/run.sh regenerates bench/out/src.gpkg) --------------
if [[ "$SCALE" == 50 ]]; then SRC=bench/out/src.gpkg; else SRC=$OUT/src-s$SCALE.gpkg; fi
if [[ ! -f "$SRC" ]]; then
  echo "== generating demo --scale $SCALE into $SRC"
  "$R" --db "$SRC" demo --seed 1 --scale "$SCALE" >/dev/null
fi
DB=$OUT/serve.gpkg
rm -f "$DB" "$DB-wal" "$DB-shm"
sqlite3 "$SRC" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null 2>&1 || true
cp "$SRC" "$DB"
RECLAIM_PASSWORD='http bench analyst' "$R" --db "$DB" user add bench --role analyst >/dev/null
TOKEN=$("$R" --db "$DB" user token bench 2>/dev/null)
N=$(sqlite3 "$DB" "SELECT COUNT(*) FROM hazards")
echo "hazards: $N (scale $SCALE)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
RPORT=$(free_port)
NPORT=$(free_port)
rpid=
npid=
cleanup() {
  [[ -n "$rpid" ]] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null || true
  [[ -n "$npid" ]] && kill "$npid" 2>/dev/null || true
  [[ -n "${sampler:-}" ]] && kill "$sampler" 2>/dev/null || true
}
trap cleanup EXIT

"$R" --db "$DB" serve --listen "127.0.0.1:$RPORT" --threads "$SERVE_THREADS" >"$OUT/serve.log" 2>&1 &
rpid=$!
RBASE="http://127.0.0.1:$RPORT"
for _ in $(seq 200); do curl -fs "$RBASE/ogc" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$RBASE/ogc" >/dev/null || { cat "$OUT/serve.log"; exit 1; }

# ---- the URL lists and the same bytes for nginx ----------------------------------------------
WEB=$OUT/nginx/html
rm -rf "$WEB"
mkdir -p "$WEB"
python3 - "$RBASE" "$TOKEN" "$WEB" "$OUT" "$N" <<'PY'
import json, math, os, random, sys, urllib.request
base, token, web, out, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def fetch(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read()
random.seed(1)
# hazard centres from a few spread item pages
centres = []
for off in sorted(random.sample(range(0, max(1, n - 100)), min(8, max(1, n // 100)))):
    page = json.loads(fetch(f"/ogc/collections/hazards/items?limit=100&offset={off}"))
    for f in page["features"]:
        ring = f["geometry"]["coordinates"][0] if f["geometry"]["type"] == "Polygon" else f["geometry"]["coordinates"][0][0]
        centres.append((sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)))
def tile(lon, lat, z):
    x = int((lon + 180) / 360 * 2**z)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**z)
    return z, x, y
tiles = set()
while len(tiles) < 200 and centres:
    lon, lat = random.choice(centres)
    tiles.add(tile(lon, lat, random.choice([9, 10, 11, 12, 13, 14])))
rpaths, npaths, sizes = [], [], []
for z, x, y in sorted(tiles):
    p = f"/tiles/hazards/{z}/{x}/{y}.mvt"
    body = fetch(p)
    os.makedirs(f"{web}/tiles/hazards/{z}/{x}", exist_ok=True)
    open(f"{web}{p}", "wb").write(body)
    rpaths.append(p); npaths.append(p); sizes.append(len(body))
open(f"{out}/tiles_reclaim.txt", "w").write("\n".join(rpaths) + "\n")
open(f"{out}/tiles_nginx.txt", "w").write("\n".join(npaths) + "\n")
print(f"tiles: {len(rpaths)}, mean {sum(sizes) / max(1, len(sizes)) / 1024:.1f} KiB, "
      f"{sum(1 for s in sizes if s == 0)} empty")
# item pages
offs = sorted(random.sample(range(0, max(1, n - 100)), min(50, max(1, n // 100))))
rpaths, npaths, sizes = [], [], []
os.makedirs(f"{web}/items", exist_ok=True)
for off in offs:
    p = f"/ogc/collections/hazards/items?limit=100&offset={off}"
    body = fetch(p)
    open(f"{web}/items/{off}.json", "wb").write(body)
    rpaths.append(p); npaths.append(f"/items/{off}.json"); sizes.append(len(body))
open(f"{out}/items_reclaim.txt", "w").write("\n".join(rpaths) + "\n")
open(f"{out}/items_nginx.txt", "w").write("\n".join(npaths) + "\n")
print(f"item pages: {len(rpaths)}, mean {sum(sizes) / max(1, len(sizes)) / 1024:.1f} KiB")
# the mixed load: tiles, item pages, API lists and records, TileJSON, status
ids = [f["id"] for f in json.loads(fetch("/api/hazards?limit=200"))["items"]]
mixed = [l for l in open(f"{out}/tiles_reclaim.txt").read().split()]
mixed += [l for l in open(f"{out}/items_reclaim.txt").read().split()]
mixed += [f"/api/hazards/{i}" for i in ids[:100]]
mixed += [f"/api/hazards?limit=50&province={p:02d}" for p in range(1, 26)]
mixed += ["/api/activities?limit=50", "/api/eo_finds?limit=50", "/tiles/hazards.json",
          "/ogc/collections", "/api/status"]
open(f"{out}/mixed_reclaim.txt", "w").write("\n".join(mixed) + "\n")
PY

# ---- nginx: a private instance with its own prefix --------------------------------------------
NGX=$OUT/nginx
mkdir -p "$NGX/conf" "$NGX/logs" "$NGX/tmp"
cat >"$NGX/conf/nginx.conf" <<EOF
worker_processes $SERVE_THREADS;
pid $NGX/logs/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path $NGX/tmp/body;
  proxy_temp_path $NGX/tmp/proxy;
  fastcgi_temp_path $NGX/tmp/fastcgi;
  uwsgi_temp_path $NGX/tmp/uwsgi;
  scgi_temp_path $NGX/tmp/scgi;
  types { application/vnd.mapbox-vector-tile mvt; application/geo+json json; }
  server {
    listen 127.0.0.1:$NPORT;
    root $WEB;
    etag on;
    add_header Cache-Control "private, max-age=60";
  }
}
EOF
nginx -p "$NGX" -c "$NGX/conf/nginx.conf" -g 'daemon off;' 2>"$NGX/logs/stderr.log" &
npid=$!
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$NPORT$(head -1 "$OUT/tiles_nginx.txt")" && break; sleep 0.1; done

cat >"$OUT/rotate.lua" <<'LUA'
-- Rotates through the paths in $PATHS (one per line); sends $TOKEN as a Bearer token if set.
local paths = {}
for line in io.lines(os.getenv("PATHS")) do if #line > 0 then paths[#paths + 1] = line end end
local token = os.getenv("TOKEN") or ""
local headers = {}
if token ~= "" then headers["Authorization"] = "Bearer " .. token end
local i = 0
function setup(thread) end
function init(args) math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16)); i = math.random(#paths) end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], headers)
end
LUA

# run_wrk NAME BASE PATHS TOKEN DURATION CONNS -> "rps p99_ms non2xx errors"
run_wrk() {
  local name=$1 base=$2 paths=$3 token=$4 dur=$5 conns=$6
  PATHS=$paths TOKEN=$token wrk -t"$WRK_THREADS" -c"$conns" -d"$dur" --timeout 10s --latency \
    -s "$OUT/rotate.lua" "$base" >"$OUT/$name.wrk" 2>&1
  python3 - "$OUT/$name.wrk" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
def ms(v, unit): return float(v) * {"us": 1e-3, "ms": 1, "s": 1e3}[unit]
m = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", t)
p99 = ms(*m.groups()) if m else float("nan")
non = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
err = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
errors = sum(map(int, err.groups())) if err else 0
print(f"{rps:.0f} {p99:.2f} {int(non.group(1)) if non else 0} {errors}")
PY
}

RES=$OUT/results.txt
: >"$RES"
compare() {  # compare LABEL reclaim_paths nginx_paths
  local label=$1
  read -r r_rps r_p99 r_non r_err < <(run_wrk "${label}_reclaim" "$RBASE" "$2" "$TOKEN" "$WRK_DURATION" "$CONNS")
  read -r n_rps n_p99 n_non n_err < <(run_wrk "${label}_nginx" "http://127.0.0.1:$NPORT" "$3" "" "$WRK_DURATION" "$CONNS")
  local ratio
  ratio=$(python3 -c "print(f'{100 * $r_rps / max(1, $n_rps):.0f}')")
  printf '%-6s reclaim %8s req/s  p99 %7s ms  (non-2xx %s, errors %s) | nginx %8s req/s  p99 %7s ms | reclaim/nginx %s%%\n' \
    "$label" "$r_rps" "$r_p99" "$r_non" "$r_err" "$n_rps" "$n_p99" "$ratio" | tee -a "$RES"
}
echo "== wrk -t$WRK_THREADS -c$CONNS -d$WRK_DURATION --latency (reclaim --threads $SERVE_THREADS, nginx $SERVE_THREADS workers)"
compare tiles "$OUT/tiles_reclaim.txt" "$OUT/tiles_nginx.txt"
compare items "$OUT/items_reclaim.txt" "$OUT/items_nginx.txt"

# ---- bounded mixed load with RSS sampling -----------------------------------------------------
echo "== mixed load for ${DURATION}s (-c16), RSS every 10 s"
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$rpid/status"; }
(
  while kill -0 "$rpid" 2>/dev/null; do echo "$(date +%s) $(rss)"; sleep 10; done
) >"$OUT/rss.txt" &
sampler=$!
read -r m_rps m_p99 m_non m_err < <(run_wrk mixed "$RBASE" "$OUT/mixed_reclaim.txt" "$TOKEN" "${DURATION}s" 16)
kill "$sampler" 2>/dev/null || true
sampler=
echo "$(date +%s) $(rss)" >>"$OUT/rss.txt"
read -r rss_first rss_max rss_last < <(awk '{v[NR]=$2; if ($2 > m) m = $2} END {print v[1], m, v[NR]}' "$OUT/rss.txt")
printf 'mixed  reclaim %8s req/s  p99 %7s ms  non-2xx/3xx %s  socket errors %s  RSS MiB first %s max %s last %s (%s samples)\n' \
  "$m_rps" "$m_p99" "$m_non" "$m_err" "$rss_first" "$rss_max" "$rss_last" "$(wc -l <"$OUT/rss.txt")" | tee -a "$RES"
status=0
[[ "$m_non" == 0 && "$m_err" == 0 ]] || { echo "FAIL: errors under the mixed load"; status=1; }
echo "results: $RES (wrk outputs and rss.txt beside it)"
exit $status
