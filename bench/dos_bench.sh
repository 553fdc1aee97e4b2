#!/usr/bin/env bash
# Denial-of-service benchmark (issue 7 item 5; a benchmark, not a test): how much four anonymous
# clients asking `/api/status?as_of=<random date>` as fast as they can slow a signed-in user.
#
# An analyst (API token) runs the same sequence of requests twice, once on an idle server and once
# while four anonymous clients (each from its own loopback address, two connections each, i.e.
# at their per-client limit) hammer uncached as-of status. Reported per kind of request: median
# and p90 latency idle and under attack, and the ratio under-attack / idle (goal <= 2x):
#   cheap     API lists and records, OGC collection pages (the I/O threads)
#   status    the national status (cached after its first build)
#   as_of     the user's own uncached as-of status (the worker pool, ahead of anonymous clients)
# The attackers' replies are counted (200 / 429 / 503); nothing else may come back.
#
# Environment: SCALE (demo scale, default 1), ROUNDS (user requests per kind, default 40),
# SERVE_THREADS (2), HEAVY_WORKERS (2), RECLAIM (binary). Output: bench/out/dos/.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-1}
ROUNDS=${ROUNDS:-40}
SERVE_THREADS=${SERVE_THREADS:-2}
HEAVY_WORKERS=${HEAVY_WORKERS:-2}
R=${RECLAIM:-build/src/cli/reclaim}
OUT=bench/out/dos
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
DB=$OUT/dos-s$SCALE.gpkg
if [[ ! -f "$DB" ]]; then
  echo "== generating demo --scale $SCALE into $DB"
  "$R" --db "$DB" demo --seed 1 --scale "$SCALE" >/dev/null
  RECLAIM_PASSWORD='dos bench analyst' "$R" --db "$DB" user add dosbench --role analyst >/dev/null
fi
TOKEN=$("$R" --db "$DB" user token dosbench 2>/dev/null)

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$R" --db "$DB" serve --listen "127.0.0.1:$PORT" --threads "$SERVE_THREADS" \
  --heavy-workers "$HEAVY_WORKERS" >"$OUT/serve.log" 2>&1 &
rpid=$!
trap 'kill $rpid 2>/dev/null; wait $rpid 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$PORT/ogc" >/dev/null 2>&1 && break; sleep 0.1; done

python3 - "$PORT" "$TOKEN" "$ROUNDS" <<'PY' | tee "$OUT/result.txt"
import http.client, json, random, statistics, sys, threading, time
port, token, rounds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])

def get(path, source="127.0.0.1", auth=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600, source_address=(source, 0))
    h = {"Authorization": "Bearer " + auth} if auth else {}
    t0 = time.perf_counter()
    c.request("GET", path, headers=h)
    r = c.getresponse()
    r.read()
    c.close()
    return r.status, time.perf_counter() - t0

def date(rng):
    return "%04d-%02d-%02d" % (rng.randint(2000, 2026), rng.randint(1, 12), rng.randint(1, 28))

def user_run(seed):
    rng = random.Random(seed)
    lat = {"cheap": [], "status": [], "as_of": []}
    for i in range(rounds):
        for kind, path in (("cheap", "/api/hazards?limit=50&province=%02d" % rng.randint(1, 25)),
                           ("cheap", "/api/accidents?limit=20"),
                           ("cheap", "/ogc/collections/hazards"),
                           ("status", "/api/status"),
                           ("as_of", "/api/status?as_of=" + date(rng))):
            st, t = get(path, auth=token)
            assert st == 200, (path, st)
            lat[kind].append(t)
    return lat

get("/api/status", auth=token)  # the current status built once, as a running server has it
idle = user_run(1)

stop = threading.Event()
counts = {}
lock = threading.Lock()
def attacker(addr, seed):
    rng = random.Random(seed)
    while not stop.is_set():
        st, _ = get("/api/status?as_of=" + date(rng), source=addr)
        with lock:
            counts[st] = counts.get(st, 0) + 1
threads = [threading.Thread(target=attacker, args=("127.0.0.%d" % (10 + a), a * 10 + k))
           for a in range(4) for k in range(2)]
for t in threads: t.start()
time.sleep(2)  # the attack under way
attacked = user_run(2)
stop.set()
for t in threads: t.join()

def q(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]
print("kind     idle median/p90 ms   under attack median/p90 ms   ratio median  ratio p90")
for kind in ("cheap", "status", "as_of"):
    a, b = idle[kind], attacked[kind]
    print("%-8s %8.1f / %-8.1f     %8.1f / %-8.1f           %5.2fx       %5.2fx" % (
        kind, statistics.median(a) * 1e3, q(a, .9) * 1e3, statistics.median(b) * 1e3,
        q(b, .9) * 1e3, statistics.median(b) / statistics.median(a), q(b, .9) / q(a, .9)))
allidle = [x for k in idle for x in idle[k]]
allatt = [x for k in attacked for x in attacked[k]]
print("all      mean %.1f ms idle, %.1f ms under attack: ratio %.2fx (goal <= 2x)" % (
    statistics.mean(allidle) * 1e3, statistics.mean(allatt) * 1e3,
    statistics.mean(allatt) / statistics.mean(allidle)))
print("attackers' replies:", dict(sorted(counts.items())))
bad = {k: v for k, v in counts.items() if k not in (200, 429, 503)}
if bad:
    sys.exit("unexpected replies to the attackers: %s" % bad)
PY
