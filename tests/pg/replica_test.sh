#!/usr/bin/env bash
# Read replicas: a primary and a streaming standby (pg_basebackup -R) on loopback. Writes go
# through the primary; after the standby catches up, `--db-read STANDBY` reads the same figures;
# with replay paused the reads visibly come from the standby (the older figures); a write sent
# to the standby fails with a clear read-only error. Both servers are stopped even on failure.
#   replica_test.sh path/to/reclaim   (ports: RECLAIM_REPLICA_PORTS="primary standby", default
#   the first two free ones from 55440)
source "$(dirname "$0")/../integration/lib.sh"
R=${1:?usage: replica_test.sh path/to/reclaim}
REPLICA=$(cd "$(dirname "$0")/../../scripts" && pwd)/pg_replica.sh
PGDIR=$(mktemp -d /tmp/reclaim-replica.XXXXXX)
chmod 755 "$PGDIR"
trap 'bash "$REPLICA" stop "$PGDIR" >/dev/null 2>&1; rm -rf "$WORK"' EXIT

free_ports() {
  python3 - "$@" <<'PY'
import socket, sys
found = []
port = 55440
while len(found) < 2 and port < 55540:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port)); found.append(port)
    except OSError:
        pass
    finally:
        s.close()
    port += 1
print(*found)
PY
}
read -r PPORT SPORT <<<"${RECLAIM_REPLICA_PORTS:-$(free_ports)}"
run bash "$REPLICA" start "$PGDIR" "$PPORT" "$SPORT"
expect_rc 0 "primary on $PPORT and streaming standby on $SPORT started"
[ "$RC" = 0 ] || { echo "$OUT"; finish; }
PRIMARY=postgresql://postgres@127.0.0.1:$PPORT/postgres
STANDBY=postgresql://postgres@127.0.0.1:$SPORT/postgres

run "$R" --db "$PRIMARY" demo --seed 11
expect_rc 0 "demo written through the primary"
run bash "$REPLICA" wait "$PGDIR" 120
expect_rc 0 "the standby caught up with the primary"

run "$R" --db "$PRIMARY" status --json
expect_rc 0 "status on the primary"
PRIMARY_STATUS=$OUT
run "$R" --db "$PRIMARY" --db-read "$STANDBY" status --json
expect_rc 0 "status read from the standby (--db-read)"
expect_eq "$OUT" "$PRIMARY_STATUS" "status --json through the standby equals the primary's"
run "$R" --db "$PRIMARY" --db-read "$STANDBY" export hazards --format geojson -o "$WORK/h.geojson"
expect_rc 0 "export through the standby"
expect_out "exported 2200 hazards" "every hazard exported from the standby"

# With replay paused, a write on the primary is not yet visible through --db-read: the reads do
# come from the standby. After resuming, they agree again.
psql "$STANDBY" -qAt -c "SELECT pg_wal_replay_pause()" >/dev/null
H=$(psql "$PRIMARY" -qAt -c "SELECT id FROM hazards WHERE status = 'open' AND remaining_m2 > 5000 ORDER BY id LIMIT 1")
cat > "$WORK/activities.csv" <<CSV
activity_id,hazard_id,type,org,start_date,end_date,cancelled_m2,reduced_m2,cleared_m2,ap_mines,at_mines,erw_items
KH-AC-R1,$H,clearance,HALO,2025-12-01,2025-12-19,,,4000,3,0,2
CSV
run "$R" --db "$PRIMARY" import activities "$WORK/activities.csv"
expect_rc 0 "a clearance report imported through the primary"
run "$R" --db "$PRIMARY" status --json
NEW_STATUS=$OUT
[ "$NEW_STATUS" != "$PRIMARY_STATUS" ] && ok "the clearance changed the primary's status" \
  || { echo "FAIL - the import did not change the status"; FAILS=$((FAILS + 1)); }
run "$R" --db "$PRIMARY" --db-read "$STANDBY" status --json
expect_eq "$OUT" "$PRIMARY_STATUS" "--db-read still shows the standby's (paused) figures"
# The server reads through the replica too: its /api/status shows the standby's figures.
SPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$R" --db "$PRIMARY" --db-read "$STANDBY" serve --listen "127.0.0.1:$SPORT" \
  --key-file "$WORK/session.key" >"$WORK/serve.log" 2>&1 &
SPID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$SPORT/api/status" -o "$WORK/api_status.json" && break; sleep 0.1; done
kill -TERM "$SPID"; wait "$SPID" 2>/dev/null
remaining() { python3 -c 'import json,sys; print(round(json.load(sys.stdin)["national"]["remaining_total"]["remaining_m2"], 3))'; }
expect_eq "$(remaining < "$WORK/api_status.json")" "$(remaining <<<"$PRIMARY_STATUS")" \
  "reclaim serve --db-read answers /api/status from the standby"
[ "$(remaining <<<"$NEW_STATUS")" != "$(remaining <<<"$PRIMARY_STATUS")" ] && ok "(the primary's remaining area differs meanwhile)" \
  || { echo "FAIL - the clearance did not change the remaining area"; FAILS=$((FAILS + 1)); }
psql "$STANDBY" -qAt -c "SELECT pg_wal_replay_resume()" >/dev/null
run bash "$REPLICA" wait "$PGDIR" 120
expect_rc 0 "the standby caught up again"
run "$R" --db "$PRIMARY" --db-read "$STANDBY" status --json
expect_eq "$OUT" "$NEW_STATUS" "--db-read shows the new figures after replay"

# Writes to the standby fail clearly, and nothing changes.
cat > "$WORK/more.csv" <<CSV
activity_id,hazard_id,type,org,start_date,end_date,cancelled_m2,reduced_m2,cleared_m2,ap_mines,at_mines,erw_items
KH-AC-R2,$H,clearance,HALO,2025-12-20,2025-12-22,,,100,0,0,0
CSV
run "$R" --db "$STANDBY" import activities "$WORK/more.csv"
[ "$RC" != 0 ] && ok "an import sent to the standby fails (exit $RC)" || bad "an import sent to the standby succeeded"
expect_out "read-only" "the error says the server is read-only"
expect_out "--db" "the error tells where writes go"
expect_eq "$(psql "$PRIMARY" -qAt -c "SELECT COUNT(*) FROM activities WHERE activity_id = 'KH-AC-R2'")" 0 \
  "nothing was written"
finish
