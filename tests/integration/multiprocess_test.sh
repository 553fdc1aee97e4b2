#!/usr/bin/env bash
# Issue 7, item 1: many processes, one GeoPackage. `reclaim serve` takes concurrent API writes
# (submissions) while other processes repeatedly open, read, write and close the same file:
# reclaim CLI writes (user add, user token, user disable) and reads (status), the sqlite3 shell
# (reads, writes), GDAL (`ogrinfo -ro` reads, a direct edit of a hazard as QGIS makes it), `ogrinfo -ro` and `reclaim backup`.
# Meanwhile: no -wal/-shm of the server is deleted while open (/proc/PID/fd), a user added or
# disabled by the CLI is seen by the server's next request, and the direct edit is listed by
# GET /api/direct-edits. Then the server is killed with SIGKILL: `pragma integrity_check` is ok,
# every acknowledged write is in the file, and so is every CLI-added user.
#   multiprocess_test.sh path/to/reclaim [seconds]
source "$(dirname "$0")/lib.sh"
R=${1:?usage: multiprocess_test.sh path/to/reclaim [seconds]}
R=$(cd "$(dirname "$R")" && pwd)/$(basename "$R")
SECONDS_OF_LOAD=${2:-20}
HERE=$(cd "$(dirname "$0")" && pwd)
DB=$WORK/national.gpkg

run "$R" --db "$DB" demo --seed 3
expect_rc 0 "demo database"
export RECLAIM_PASSWORD='multi process manager'
run "$R" --db "$DB" user add mgr --role national_data_manager
expect_rc 0 "a national data manager"
run "$R" --db "$DB" user add root --role administrator
expect_rc 0 "an administrator"
MGR=$("$R" --db "$DB" user token mgr 2>/dev/null)
ADM=$("$R" --db "$DB" user token root 2>/dev/null)
[ -n "$MGR" ] && [ -n "$ADM" ] && ok "API tokens issued by the CLI" || bad "no API token"
sqlite3 -separator '|' "$DB" "SELECT h.province_code, h.village_code, r.minx, r.miny FROM hazards h
  JOIN rtree_hazards_geom r ON r.id = h.fid WHERE h.village_code IS NOT NULL LIMIT 50" > "$WORK/anchors"

python3 - "$R" "$DB" "$MGR" "$ADM" "$SECONDS_OF_LOAD" "$HERE" "$WORK" <<'PY'
import json, os, random, signal, subprocess, sys, time
R, DB, MGR, ADM, secs, here, work = sys.argv[1:8]
sys.path.insert(0, here)
import mp_lib as m

from mp_lib import check, fails

anchors = m.anchors(open(os.path.join(work, "anchors")).read())
check(len(anchors) > 10, "report anchors from the demo hazards (%d)" % len(anchors))
port = m.free_port()
log = open(os.path.join(work, "serve.log"), "w")
srv = subprocess.Popen([R, "--db", DB, "serve", "--listen", "127.0.0.1:%d" % port],
                       stdout=log, stderr=subprocess.STDOUT)
m.wait_up(port, srv)
st, body = m.request(port, "POST", "/api/submissions", MGR, m.report(0, anchors[0], "KH-HZ-7"))
check(st == 201, "a first submission through the API (%d %s)" % (st, body[:200]))

writers = m.Writers(port, MGR, anchors, threads=4).start()
env = dict(os.environ, RECLAIM_PASSWORD="multi process user")
cli_users, seen_late, deleted, rounds, backups = [], [], [], 0, 0
other_writes = {"sqlite3": 0, "gdal": 0, "cli": 0}
hazard_id = m.sh("sqlite3 '%s' 'SELECT id FROM hazards ORDER BY fid LIMIT 1'" % DB).stdout.strip()
end = time.time() + float(secs)
while time.time() < end:
    rounds += 1
    # a reclaim CLI write: a new user, seen by the server's next request
    login = "cli%03d" % rounds
    r = m.sh("'%s' --db '%s' user add %s --role analyst" % (R, DB, login), env=env)
    if r.returncode == 0:
        cli_users.append(login)
        other_writes["cli"] += 1
        st, _ = m.request(port, "GET", "/api/users/" + login, ADM)
        if st != 200:
            seen_late.append((login, st))
    # an API token from the CLI, used at once
    tok = m.sh("'%s' --db '%s' user token %s" % (R, DB, login)).stdout.strip()
    if tok:
        other_writes["cli"] += 1
        st, _ = m.request(port, "GET", "/api/me", tok)
        if st != 200:
            seen_late.append((login + " token", st))
    # reads that open and close the file: reclaim status, sqlite3, ogrinfo -ro
    m.sh("'%s' --db '%s' status >/dev/null" % (R, DB))
    m.sh("sqlite3 '%s' 'SELECT COUNT(*) FROM submissions' >/dev/null" % DB)
    m.sh("ogrinfo -ro -so -q '%s' hazards >/dev/null" % DB)
    if rounds % 3 == 0:  # an online backup (sqlite3's .backup restarts forever under writes)
        r = m.sh("'%s' --db '%s' backup --to '%s/copy%d.gpkg'" % (R, DB, work, rounds), timeout=120)
        backups += r.returncode == 0
        m.sh("rm -f '%s/copy%d.gpkg'" % (work, rounds))
    # a direct edit of a hazard through GDAL (as QGIS makes it), and a sqlite3 write (the shell
    # edits tables without geometry: the R-tree triggers need GDAL's ST_ functions)
    if rounds % 4 == 1:
        r = m.sh("ogrinfo -q '%s' -sql \"UPDATE hazards SET name = 'edited directly %d' "
                 "WHERE id = '%s'\"" % (DB, rounds, hazard_id))
        if r.returncode == 0 and "ERROR" not in r.stderr:
            other_writes["gdal"] += 1
    if rounds % 4 == 3:
        r = m.sh("sqlite3 -cmd '.timeout 10000' '%s' \"UPDATE organisations SET name = name || '.' "
                 "WHERE rowid = (SELECT MIN(rowid) FROM organisations)\"" % DB)
        if r.returncode == 0:
            other_writes["sqlite3"] += 1
    deleted += m.deleted_fds(srv.pid, DB)
# a user disabled by the CLI is refused at the server's next request
disabled = cli_users[0] if cli_users else None
if disabled:
    tok = m.sh("'%s' --db '%s' user token %s" % (R, DB, disabled)).stdout.strip()
    check(m.request(port, "GET", "/api/me", tok)[0] == 200, "a CLI token works")
    m.sh("'%s' --db '%s' user disable %s" % (R, DB, disabled))
    st = m.request(port, "GET", "/api/me", tok)[0]
    check(st == 401, "after `user disable` from the CLI the server's next request refuses its token (%d)" % st)
# the direct edits reach the server at once
st, body = m.request(port, "GET", "/api/direct-edits?limit=1000", MGR)
items = json.loads(body)["items"] if st == 200 else []
direct = [i for i in items if i["entity"] == "hazards" and i["id"] == hazard_id]
check(st == 200 and other_writes["gdal"] > 0 and len(direct) == other_writes["gdal"],
      "GET /api/direct-edits lists every GDAL edit once (%d of %d)" % (len(direct), other_writes["gdal"]))
orgs = [i for i in items if i["entity"] == "organisations"]
check(other_writes["sqlite3"] > 0 and len(orgs) == other_writes["sqlite3"],
      "and every sqlite3 edit (%d of %d)" % (len(orgs), other_writes["sqlite3"]))
st, _ = m.request(port, "GET", "/api/direct-edits", ADM)
check(st == 200, "administrators may list direct edits")
st, body = m.request(port, "GET", "/api/hazards/" + hazard_id, MGR)
name = json.loads(body).get("name") if st == 200 else None
check(name == "edited directly %d" % (rounds - (rounds - 1) % 4),
      "the server's next read shows the last direct edit (%r)" % name)
time.sleep(0.5)
srv.send_signal(signal.SIGKILL)  # while the writers still write
srv.wait()
writers.stop()
log.close()

check(not deleted, "no -wal/-shm of the server was deleted while open (%s)" % sorted(set(deleted))[:3])
check(not seen_late, "every CLI-added user and CLI token was seen by the server's next request (%s)" % seen_late[:3])
check(m.sh("sqlite3 '%s' 'pragma integrity_check'" % DB).stdout.strip() == "ok", "integrity_check after SIGKILL is ok")
ids = set(m.sh("sqlite3 '%s' 'SELECT id FROM submissions'" % DB).stdout.split())
found = sum(1 for i in writers.acked if i in ids)
print("acknowledged submissions: %d, found after SIGKILL: %d; other answers: %s; CLI writes: %d, "
      "sqlite3 writes: %d, GDAL writes: %d, rounds: %d" % (len(writers.acked), found, writers.other,
                                            other_writes["cli"], other_writes["sqlite3"],
                                            other_writes["gdal"], rounds))
check(backups > 0, "reclaim backup ran while the server wrote (%d)" % backups)
check(len(writers.acked) > 20, "the server acknowledged writes under the load (%d)" % len(writers.acked))
check(found == len(writers.acked), "every acknowledged write is in the file (%d of %d)" % (found, len(writers.acked)))
users = set(m.sh("sqlite3 '%s' 'SELECT id FROM users'" % DB).stdout.split())
check(all(u in users for u in cli_users), "every CLI-added user is in the file (%d)" % len(cli_users))
st = m.sh("'%s' --db '%s' status --json" % (R, DB))
check(st.returncode == 0, "reclaim status after the crash")
sys.exit(1 if fails else 0)
PY
RC=$?
[ "$RC" = 0 ] || FAILS=$((FAILS + 1))
finish
