#!/usr/bin/env bash
# Issue 7, item 7: crash safety. SIGKILL at random moments
#   - during an import of HAZARDS hazards (one file, one transaction),
#   - during `reclaim migrate` (a whole-database copy into a new database),
#   - during concurrent API writes (submissions),
# ROUNDS rounds each, on a GeoPackage or on PostgreSQL. After each kill the database is reopened
# and checked: GeoPackage `pragma integrity_check` is ok; PostgreSQL consistency queries (every
# record has its history entry, amcheck on every B-tree index when the extension exists); the
# import is all or nothing (0 or HAZARDS new hazards, and as many history entries); the copy is
# all or nothing; every write the server acknowledged is present. Prints the counts.
#   crash_test.sh path/to/reclaim gpkg|pg [HAZARDS] [ROUNDS] [SEED]
#   (pg: RECLAIM_PG_URL names a server with PostGIS where the test may create databases)
source "$(dirname "$0")/lib.sh"
R=${1:?usage: crash_test.sh path/to/reclaim gpkg|pg [hazards] [rounds] [seed]}
R=$(cd "$(dirname "$R")" && pwd)/$(basename "$R")
MODE=${2:?gpkg or pg}
HAZARDS=${3:-10000}
ROUNDS=${4:-3}
SEED=${5:-$RANDOM}
HERE=$(cd "$(dirname "$0")" && pwd)
echo "crash test: $MODE, $HAZARDS hazards, $ROUNDS rounds, seed $SEED"
PG_DBS=()
if [ "$MODE" = pg ]; then
  URL=${RECLAIM_PG_URL:?RECLAIM_PG_URL (postgresql://…) must name a PostgreSQL server with PostGIS}
  BASE=${URL%/*}
  trap 'for d in "${PG_DBS[@]}"; do psql "$URL" -qAt -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1; done; rm -rf "$WORK"' EXIT
fi

# The source data: a demo database, and an import file of HAZARDS new hazards made from its
# hazards (new ids, the same geometry, province and village).
SRC=$WORK/source.gpkg
run "$R" --db "$SRC" demo --seed 5
expect_rc 0 "demo database"
run "$R" --db "$SRC" export hazards --format geojson -o "$WORK/demo_hazards.geojson"
expect_rc 0 "demo hazards exported"
python3 - "$WORK/demo_hazards.geojson" "$WORK/import.geojson" "$HAZARDS" <<'PY'
import json, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
feats = json.load(open(src))["features"]
res = []
for i in range(n):
    f = json.loads(json.dumps(feats[i % len(feats)]))
    f["properties"]["id"] = "KH-HZ-%07d" % (5000000 + i)
    res.append(f)
json.dump({"type": "FeatureCollection", "features": res}, open(out, "w"))
PY
sqlite3 -separator '|' "$SRC" "SELECT h.province_code, h.village_code, r.minx, r.miny FROM hazards h
  JOIN rtree_hazards_geom r ON r.id = h.fid WHERE h.village_code IS NOT NULL LIMIT 50" > "$WORK/anchors"

python3 - "$R" "$MODE" "$HAZARDS" "$ROUNDS" "$SEED" "$HERE" "$WORK" "${BASE:-}" "${URL:-}" <<'PY'
import json, os, random, signal, subprocess, sys, time
R, mode, n_haz, rounds, seed, here, work, base, url = sys.argv[1:10]
n_haz, rounds = int(n_haz), int(rounds)
rng = random.Random(int(seed))
sys.path.insert(0, here)
import mp_lib as m

from mp_lib import check, fails

env = dict(os.environ, RECLAIM_PASSWORD="crash test manager")
counter = [0]
def new_db():
    """A fresh, initialised database location."""
    counter[0] += 1
    if mode == "gpkg":
        loc = os.path.join(work, "db%d.gpkg" % counter[0])
    else:
        name = "reclaim_crash_%d_%d" % (os.getpid(), counter[0])
        m.sh("psql '%s' -qAt -c 'CREATE DATABASE %s'" % (url, name))
        with open(os.path.join(work, "pg_dbs"), "a") as f:
            f.write(name + "\n")
        loc = base + "/" + name
    r = m.sh("'%s' --db '%s' init" % (R, loc))
    if r.returncode != 0:
        check(False, "init %s: %s" % (loc, r.stderr[:300]))
    return loc

def scalar(loc, sql):
    if not loc.startswith("postgres"):
        return m.sh("sqlite3 -cmd '.timeout 10000' '%s' \"%s\"" % (loc, sql)).stdout.strip()
    return m.sh("psql '%s' -qAt -c \"%s\"" % (loc, sql)).stdout.strip()

amcheck = [None]
def consistent(loc, what):
    """integrity_check (GeoPackage) or consistency queries (PostgreSQL)."""
    if mode == "gpkg":
        v = scalar(loc, "pragma integrity_check")
        check(v == "ok", "%s: integrity_check = %s" % (what, v))
        return
    # every record of an entity has a history entry (written in the same transaction)
    orphans = scalar(loc, "SELECT COUNT(*) FROM hazards h WHERE NOT EXISTS (SELECT 1 FROM history "
                          "x WHERE x.entity = 'hazards' AND x.record_id = h.id)")
    check(orphans == "0", "%s: every hazard has its history (%s without)" % (what, orphans))
    if amcheck[0] is None:
        amcheck[0] = m.sh("psql '%s' -qAt -c 'CREATE EXTENSION IF NOT EXISTS amcheck'" % loc).returncode == 0
    if amcheck[0]:
        m.sh("psql '%s' -qAt -c 'CREATE EXTENSION IF NOT EXISTS amcheck'" % loc)
        r = m.sh("psql '%s' -qAt -v ON_ERROR_STOP=1 -c \"SELECT bt_index_check(c.oid) FROM pg_index i "
                 "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                 "JOIN pg_namespace s ON s.oid = c.relnamespace WHERE a.amname = 'btree' "
                 "AND s.nspname = 'public'\"" % loc)
        check(r.returncode == 0, "%s: amcheck on every B-tree index %s" % (what, r.stderr[:200]))
    r = m.sh("'%s' --db '%s' edits" % (R, loc))
    check(r.returncode == 0, "%s: the store opens again %s" % (what, r.stderr[:200]))

def kill_during(cmd, fraction_of, what):
    """Runs cmd, SIGKILLs it after a random fraction of `fraction_of` seconds. True if killed."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    delay = rng.uniform(0.05, 1.0) * fraction_of
    try:
        p.wait(timeout=delay)
        return False, delay
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait()
        return True, delay

results = []
# ---- 1. import ------------------------------------------------------------------------------
loc = new_db()
before = int(scalar(loc, "SELECT COUNT(*) FROM hazards") or -1)
t0 = time.time()
r = m.sh("'%s' --db '%s' import hazards '%s/import.geojson'" % (R, loc, work))
full = time.time() - t0
check(r.returncode == 0, "a complete import of %d hazards (%.1f s) %s" % (n_haz, full, r.stderr[:300]))
check(int(scalar(loc, "SELECT COUNT(*) FROM hazards")) == before + n_haz, "it wrote every hazard")
killed_imports = 0
for i in range(rounds):
    loc = new_db()
    before = int(scalar(loc, "SELECT COUNT(*) FROM hazards"))
    hist0 = int(scalar(loc, "SELECT COUNT(*) FROM history"))
    killed, at = kill_during([R, "--db", loc, "import", "hazards", work + "/import.geojson"], full,
                             "import")
    killed_imports += killed
    consistent(loc, "import round %d (killed at %.2f s: %s)" % (i + 1, at, killed))
    after = int(scalar(loc, "SELECT COUNT(*) FROM hazards"))
    hist = int(scalar(loc, "SELECT COUNT(*) FROM history"))
    added = after - before
    check(added in (0, n_haz) and hist - hist0 == added,
          "import round %d: all or nothing (%d of %d hazards, %d history entries)" %
          (i + 1, added, n_haz, hist - hist0))
    results.append("import round %d: killed=%s at %.2fs, hazards added %d" % (i + 1, killed, at, added))
    # the database is usable: the same import now completes
    r = m.sh("'%s' --db '%s' import hazards '%s/import.geojson'" % (R, loc, work))
    if added == 0:
        check(r.returncode == 0 and int(scalar(loc, "SELECT COUNT(*) FROM hazards")) == before + n_haz,
              "import round %d: the import runs again to completion" % (i + 1))

# ---- 2. migrate (a whole-database copy) -------------------------------------------------------
src = os.path.join(work, "source.gpkg")
src_haz = int(scalar(src, "SELECT COUNT(*) FROM hazards"))
def target():
    counter[0] += 1
    if mode == "gpkg":
        return os.path.join(work, "copy%d.gpkg" % counter[0])
    name = "reclaim_crash_%d_%d" % (os.getpid(), counter[0])
    m.sh("psql '%s' -qAt -c 'CREATE DATABASE %s'" % (url, name))
    with open(os.path.join(work, "pg_dbs"), "a") as f:
        f.write(name + "\n")
    return base + "/" + name
t = target()
t0 = time.time()
r = m.sh("'%s' migrate --from '%s' --to '%s'" % (R, src, t))
mig = time.time() - t0
check(r.returncode == 0, "a complete migrate (%.1f s) %s" % (mig, r.stderr[:300]))
killed_migrates = 0
for i in range(rounds):
    t = target()
    killed, at = kill_during([R, "migrate", "--from", src, "--to", t], mig, "migrate")
    killed_migrates += killed
    if mode == "gpkg" and not os.path.exists(t):
        check(True, "migrate round %d: killed before the file existed" % (i + 1))
        continue
    # reopening runs any pending schema migration (killed during `migrate` of the schema, too);
    # `edits` opens the store and reads its history (status needs a gazetteer: an empty copy has none)
    r = m.sh("'%s' --db '%s' edits" % (R, t))
    check(r.returncode == 0, "migrate round %d: the target opens after the kill %s" % (i + 1, r.stderr[:200]))
    consistent(t, "migrate round %d (killed at %.2f s: %s)" % (i + 1, at, killed))
    got = int(scalar(t, "SELECT COUNT(*) FROM hazards") or 0)
    check(got in (0, src_haz), "migrate round %d: all or nothing (%d of %d hazards)" % (i + 1, got, src_haz))
    results.append("migrate round %d: killed=%s at %.2fs, hazards copied %d of %d" % (i + 1, killed, at, got, src_haz))
    if got == 0:
        r = m.sh("'%s' migrate --from '%s' --to '%s'" % (R, src, t))
        check(r.returncode == 0, "migrate round %d: the copy runs again into the same target %s" % (i + 1, r.stderr[:200]))

# ---- 3. concurrent API writes -----------------------------------------------------------------
anchors = m.anchors(open(os.path.join(work, "anchors")).read())
loc = src if mode == "gpkg" else t
if mode == "pg" and int(scalar(loc, "SELECT COUNT(*) FROM hazards") or 0) == 0:
    m.sh("'%s' migrate --from '%s' --to '%s'" % (R, src, loc))
m.sh("'%s' --db '%s' user add crashmgr --role national_data_manager" % (R, loc), env=env)
token = m.sh("'%s' --db '%s' user token crashmgr" % (R, loc)).stdout.strip()
check(bool(token), "an API token")
total_acked = total_found = 0
import tempfile
key_file = os.path.join(tempfile.mkdtemp(prefix="reclaim-crash-key-"), "session.key")
for i in range(rounds):
    port = m.free_port()
    # the session key file: beside a GeoPackage by default, a path of its own for PostgreSQL
    srv = subprocess.Popen([R, "--db", loc, "serve", "--listen", "127.0.0.1:%d" % port,
                            "--key-file", key_file],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    m.wait_up(port, srv)
    w = m.Writers(port, token, anchors, threads=4, prefix="KH-HZ-6%d" % i).start()
    at = rng.uniform(1.0, 4.0)
    time.sleep(at)
    srv.send_signal(signal.SIGKILL)
    srv.wait()
    w.stop()
    consistent(loc, "API round %d (killed after %.2f s)" % (i + 1, at))
    ids = set(scalar(loc, "SELECT id FROM submissions").split())
    found = sum(1 for a in w.acked if a in ids)
    total_acked += len(w.acked)
    total_found += found
    check(len(w.acked) > 0 and found == len(w.acked),
          "API round %d: every acknowledged write is present (%d of %d)" % (i + 1, found, len(w.acked)))
    results.append("API round %d: killed after %.2fs, acknowledged %d, found %d" % (i + 1, at, len(w.acked), found))

print("\n".join(results))
print("summary (%s): import rounds %d (%d killed mid-way), migrate rounds %d (%d killed), "
      "API rounds %d: acknowledged %d, found %d" % (mode, rounds, killed_imports, rounds,
                                                  killed_migrates, rounds, total_acked, total_found))
sys.exit(1 if fails else 0)
PY
RC=$?
[ "$RC" = 0 ] || FAILS=$((FAILS + 1))
if [ "$MODE" = pg ] && [ -f "$WORK/pg_dbs" ]; then
  while read -r d; do PG_DBS+=("$d"); done < "$WORK/pg_dbs"
fi
finish
