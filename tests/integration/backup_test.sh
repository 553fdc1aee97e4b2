#!/usr/bin/env bash
# `reclaim backup` / `reclaim restore` on a GeoPackage, as an operator would run them:
#  - a backup taken while another process keeps importing is a consistent snapshot (sqlite3's
#    integrity_check, every record's version equals its number of history entries, each
#    import all or nothing, between the writer's counts before and after);
#  - restored into a fresh file, every table (sqlite3 .dump per table, sessions excepted) and
#    `status --json` equal the snapshot; the same for encrypted backups (passphrase, key file);
#  - a restored database has no live sessions;
#  - refusals leave the target byte for byte as it was: a target holding data without --force,
#    a target in use by another process, a wrong passphrase or key, an altered or truncated
#    file, a backup of the other back end.
#   backup_test.sh path/to/reclaim
source "$(dirname "$0")/lib.sh"
R=${1:?usage: backup_test.sh path/to/reclaim}
W=$WORK
HOLDER_PID=
WRITER_PID=
cleanup() {
  [ -n "$WRITER_PID" ] && kill "$WRITER_PID" 2>/dev/null
  [ -n "$HOLDER_PID" ] && kill "$HOLDER_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT

A=$W/national.gpkg
run "$R" --db "$A" demo --seed 4
expect_rc 0 "demo GeoPackage created"
# A live session in the source (the sessions table of the sessions work, or a stand-in).
sqlite3 "$A" "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY)"
python3 - "$A" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cols = db.execute("SELECT name, upper(type) FROM pragma_table_info('sessions')").fetchall()
vals = [1 if 'INT' in t else 1.0 if ('REAL' in t or 'FLOA' in t) else 'live-session' for _, t in cols]
db.execute(f"INSERT INTO sessions VALUES ({','.join('?' * len(cols))})", vals)
db.commit()
PY
expect_eq "$(count "$A" sessions)" 1 "the source has one live session"

# Per-table checksums of everything but the sessions, computed by sqlite3 alone.
tables_sum() {
  local db=$1 t
  for t in $(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sessions'
                            AND name NOT LIKE 'sqlite_%' ORDER BY name"); do
    printf '%s %s %s\n' "$t" "$(sqlite3 "$db" "SELECT COUNT(*) FROM \"$t\"")" \
      "$(sqlite3 "$db" ".dump '$t'" | sha256sum | cut -c1-16)"
  done
}
status_json() { "$R" --db "$1" status --json; }

# --- 1. a backup while a writer imports --------------------------------------------------------
H=$(sqlite3 "$A" "SELECT id FROM hazards WHERE status = 'open' AND remaining_m2 > 100000 ORDER BY id LIMIT 1")
V0=$(sqlite3 "$A" "SELECT version FROM hazards WHERE id = '$H'")
STOP=$W/stop_writer
ROUNDS=$W/rounds
echo 0 > "$ROUNDS"
(
  i=0
  while [ ! -e "$STOP" ]; do
    i=$((i + 1))
    printf 'id,name,type\nW%04d-1,Writer %d a,other\nW%04d-2,Writer %d b,other\nW%04d-3,Writer %d c,other\n' \
      $i $i $i $i $i $i > "$W/org_$i.csv"
    printf 'activity_id,hazard_id,type,org,start_date,end_date,cleared_m2,ap_mines,at_mines,erw_items\nKH-AC-W%04d,%s,clearance,CMAC,2025-12-01,2025-12-02,1,0,0,0\n' \
      $i "$H" > "$W/act_$i.csv"
    "$R" --db "$A" import organisations "$W/org_$i.csv" >/dev/null 2>&1 || echo "org $i failed" >> "$W/writer_errors"
    "$R" --db "$A" import activities "$W/act_$i.csv" >/dev/null 2>&1 || echo "act $i failed" >> "$W/writer_errors"
    echo $i > "$ROUNDS"
  done
) &
WRITER_PID=$!
wait_rounds() {  # wait_rounds N: until the writer finished N rounds (generous limit)
  local n=0
  while [ "$(cat "$ROUNDS")" -lt "$1" ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n + 1)); done
}
wait_rounds 2
BEFORE=$(cat "$ROUNDS")
B1=$W/during.bak
run "$R" --db "$A" backup --to "$B1"
expect_rc 0 "backup while the writer imports"
expect_out "GeoPackage" "backup names the back end"
AFTER=$(cat "$ROUNDS")
wait_rounds $((AFTER + 1))
touch "$STOP"
wait "$WRITER_PID"
WRITER_PID=
TOTAL=$(cat "$ROUNDS")
expect_eq "$(cat "$W/writer_errors" 2>/dev/null)" "" "every write of the writer succeeded ($TOTAL rounds; backup after round $BEFORE, done by round $AFTER)"
expect_eq "$(( TOTAL > AFTER ))" 1 "the writer kept writing after the backup"

expect_eq "$(sqlite3 "$B1" 'PRAGMA integrity_check')" ok "the backup passes integrity_check"
expect_eq "$(sqlite3 "$B1" 'PRAGMA journal_mode')" delete "the backup is one self-contained file (no -wal)"
expect_eq "$(stat -c %a "$B1")" 600 "the backup is readable by its owner only"
expect_eq "$(count "$B1" sessions)" 0 "the backup carries no live session"
ORGS=$(sqlite3 "$B1" "SELECT COUNT(*) FROM organisations WHERE id LIKE 'W%'")
ACTS=$(sqlite3 "$B1" "SELECT COUNT(*) FROM activities WHERE activity_id LIKE 'KH-AC-W%'")
expect_eq "$(( ORGS % 3 ))" 0 "each organisations import is in the backup whole or not at all ($ORGS rows)"
# Round i imports the organisations, then the activity, then records i: the backup holds the
# rounds finished before it started, and nothing begun after it ended.
expect_eq "$(( ORGS / 3 >= BEFORE && ORGS / 3 <= AFTER + 1 ))" 1 \
  "the backup holds the imports finished before it started and none begun after it ended"
expect_eq "$(( ACTS >= BEFORE && ACTS <= AFTER + 1 && (ORGS / 3 == ACTS || ORGS / 3 == ACTS + 1) ))" 1 \
  "the activity imports likewise, in the writer's order ($ACTS activities, $((ORGS / 3)) organisation imports)"
# Every record's row version equals its number of history entries (1 insert + updates): a copy
# torn between two commits would break this for the hazard the writer updates.
MISMATCH=0
for t in $(sqlite3 "$B1" "SELECT table_name FROM gpkg_contents WHERE table_name NOT IN ('admin_units', 'admin_boundaries', 'history')"); do
  idcol=$(sqlite3 "$B1" "SELECT name FROM pragma_table_info('$t') WHERE name NOT IN ('fid', 'geom') ORDER BY cid LIMIT 1")
  n=$(sqlite3 "$B1" "SELECT COUNT(*) FROM \"$t\" r WHERE r.version <> (SELECT COUNT(*) FROM history h
        WHERE h.entity = '$t' AND h.record_id = r.\"$idcol\")")
  MISMATCH=$((MISMATCH + n))
done
expect_eq "$MISMATCH" 0 "every record's version matches its history in the backup"
expect_eq "$(sqlite3 "$B1" "SELECT version FROM hazards WHERE id = '$H'")" "$((V0 + ACTS))" \
  "the hazard the writer clears has one version per activity in the backup"

# --- 2. restore into a fresh file --------------------------------------------------------------
SNAP=$W/snapshot.gpkg   # what the backup holds, read by Reclaim through a copy
cp "$B1" "$SNAP"
T1=$W/restored.gpkg
run "$R" --db "$T1" restore --from "$B1"
expect_rc 0 "restore into a new file"
expect_eq "$(sqlite3 "$T1" 'PRAGMA journal_mode')" wal "the restored database is in WAL mode"
expect_eq "$(sqlite3 "$T1" 'PRAGMA integrity_check')" ok "the restored database passes integrity_check"
tables_sum "$B1" > "$W/b1.sum"
tables_sum "$T1" > "$W/t1.sum"
if cmp -s "$W/b1.sum" "$W/t1.sum"; then
  ok "every table identical after the round trip ($(wc -l < "$W/b1.sum") tables compared)"
else
  RC=1 OUT=$(diff "$W/b1.sum" "$W/t1.sum" | head -10); bad "tables differ after restore"
fi
expect_eq "$(grep -c '^hazards \|^history \|^casualties \|^users ' "$W/t1.sum")" 4 "the comparison covers records, history and accounts"
status_json "$SNAP" > "$W/snap.status"
status_json "$T1" > "$W/t1.status"
expect_eq "$(sha256sum < "$W/t1.status")" "$(sha256sum < "$W/snap.status")" "status --json identical after restore"
expect_eq "$(grep -c remaining "$W/t1.status" | awk '{print ($1 > 0)}')" 1 "the status is not trivially empty"

# A backup made by another tool (sqlite3 .backup) still has the session: restore ends it.
sqlite3 "$A" ".backup '$W/tool.bak'"
expect_eq "$(count "$W/tool.bak" sessions)" 1 "sqlite3 .backup keeps the live session"
T0=$W/from_tool.gpkg
run "$R" --db "$T0" restore --from "$W/tool.bak"
expect_rc 0 "restore a sqlite3 .backup copy"
expect_eq "$(count "$T0" sessions)" 0 "a restored database has no live sessions"

# --- 3. encrypted backups ---------------------------------------------------------------------
printf 'a long backup passphrase\n' > "$W/pass"
printf 'not the passphrase at all\n' > "$W/wrong"
head -c 32 /dev/urandom > "$W/key"
head -c 32 /dev/urandom > "$W/otherkey"
tables_sum "$A" > "$W/a.sum"
status_json "$A" > "$W/a.status"
E=$W/nightly.bak
run "$R" --db "$A" backup --to "$E" --encrypt --passphrase-file "$W/pass"
expect_rc 0 "encrypted backup (passphrase file)"
expect_out "encrypted" "backup says it is encrypted"
expect_eq "$(head -c 8 "$E" | od -An -c | tr -s ' ')" " R C L M B A K 032" "the file starts with the documented magic"
expect_eq "$(grep -c 'SQLite format 3' "$E")" 0 "no plain SQLite header in the encrypted file"
NAME=$(sqlite3 "$A" "SELECT name FROM organisations WHERE id = 'CMAC'")
expect_eq "$(grep -c -F "$NAME" "$E")" 0 "no record text readable in the encrypted file"
EK=$W/keyed.bak
RECLAIM_BACKUP_PASSPHRASE= run "$R" --db "$A" backup --to "$EK" --encrypt --key-file "$W/key"
expect_rc 0 "encrypted backup (key file)"
run "$R" --db "$A" backup --to "$W/x.bak" --encrypt
expect_rc 2 "--encrypt without a key or passphrase is a usage error"
run "$R" --db "$A" backup --to "$E"
expect_rc 3 "backup never overwrites an existing file"

T2=$W/restored_enc.gpkg
run "$R" --db "$T2" restore --from "$E"
expect_rc 3 "restore of an encrypted backup without a passphrase is refused"
expect_out "passphrase" "the refusal says what is needed"
expect_eq "$(ls "$T2" 2>/dev/null)" "" "nothing was created"
RECLAIM_BACKUP_PASSPHRASE='a long backup passphrase' run "$R" --db "$T2" restore --from "$E"
expect_rc 0 "restore the encrypted backup (passphrase from the environment)"
tables_sum "$T2" > "$W/t2.sum"
expect_eq "$(sha256sum < "$W/t2.sum")" "$(sha256sum < "$W/a.sum")" "every table identical (encrypted, passphrase)"
expect_eq "$(status_json "$T2" | sha256sum)" "$(sha256sum < "$W/a.status")" "status --json identical (encrypted, passphrase)"
expect_eq "$(count "$T2" sessions)" 0 "no live sessions after restoring the encrypted backup"
T3=$W/restored_key.gpkg
run "$R" --db "$T3" restore --from "$EK" --key-file "$W/key"
expect_rc 0 "restore the key-file backup"
expect_eq "$(tables_sum "$T3" | sha256sum)" "$(sha256sum < "$W/a.sum")" "every table identical (encrypted, key file)"

# --- 4. refusals leave the target as it was ---------------------------------------------------
# T1 holds the snapshot taken during the writes; A has moved on since.
ORIG=$(sha256sum < "$T1")
unchanged() { expect_eq "$(sha256sum < "$T1")" "$ORIG" "$1: the target is byte for byte as it was"; }
run "$R" --db "$T1" restore --from "$E" --passphrase-file "$W/pass"
expect_rc 3 "restore over a database that holds data, without --force"
expect_out "not empty" "the refusal says the target holds data"
expect_out "hazards (" "and names what it holds"
unchanged "non-empty target"
run "$R" --db "$T1" restore --from "$E" --passphrase-file "$W/wrong" --force
expect_rc 3 "wrong passphrase"
expect_out "wrong key or passphrase" "the refusal names the cause"
unchanged "wrong passphrase"
run "$R" --db "$T1" restore --from "$EK" --key-file "$W/otherkey" --force
expect_rc 3 "wrong key file"
unchanged "wrong key file"
run "$R" --db "$T1" restore --from "$EK" --passphrase-file "$W/pass" --force
expect_rc 3 "a passphrase for a key-file backup"
expect_out "key file" "the refusal says a key file is needed"
SIZE=$(stat -c %s "$E")
cp "$E" "$W/tampered.bak"
printf '\x55' | dd of="$W/tampered.bak" bs=1 seek=$((SIZE / 2)) conv=notrunc status=none
run "$R" --db "$T1" restore --from "$W/tampered.bak" --passphrase-file "$W/pass" --force
expect_rc 3 "a backup with one altered byte in the middle"
expect_out "altered" "the refusal says the file was altered"
unchanged "altered file"
cp "$E" "$W/header.bak"
printf '\x01' | dd of="$W/header.bak" bs=1 seek=20 conv=notrunc status=none
run "$R" --db "$T1" restore --from "$W/header.bak" --passphrase-file "$W/pass" --force
expect_rc 3 "a backup with an altered header (salt)"
unchanged "altered header"
head -c $((SIZE - 70000)) "$E" > "$W/truncated.bak"
run "$R" --db "$T1" restore --from "$W/truncated.bak" --passphrase-file "$W/pass" --force
expect_rc 3 "a truncated backup"
expect_out "truncated" "the refusal says the file is truncated"
unchanged "truncated file"
head -c $((SIZE - 100)) "$E" > "$W/cut.bak"
run "$R" --db "$T1" restore --from "$W/cut.bak" --passphrase-file "$W/pass" --force
expect_rc 3 "a backup cut inside its final chunk"
unchanged "cut file"
head -c $((SIZE / 3)) "$B1" > "$W/plain_cut.bak"
run "$R" --db "$T1" restore --from "$W/plain_cut.bak" --force
expect_rc 3 "a truncated plain GeoPackage backup"
expect_out "damaged" "the refusal says the backup is damaged"
unchanged "truncated plain backup"
printf 'id,name\n1,x\n' > "$W/not_a_backup.csv"
run "$R" --db "$T1" restore --from "$W/not_a_backup.csv" --force
expect_rc 3 "a file that is not a backup"
expect_out "not a Reclaim backup" "the refusal says so"
run "$R" --db "postgresql://reclaim@127.0.0.1:1/national" restore --from "$B1" --force
expect_rc 3 "a GeoPackage backup into PostgreSQL"
expect_out "is a GeoPackage backup but the target postgresql://reclaim@127.0.0.1:1/national is a PostgreSQL database" \
  "the refusal names both back ends"
expect_out "reclaim migrate" "and points to migrate"
run "$R" --db "postgresql://reclaim@127.0.0.1:1/national" restore --from "$E" --force
expect_rc 3 "an encrypted GeoPackage backup into PostgreSQL (refused before asking for the key)"
# The target in use by another process (a reader holding the file open, as a server does).
python3 -c "
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1]); c.execute('SELECT COUNT(*) FROM hazards').fetchall()
print('open', flush=True); time.sleep(120)" "$T1" > "$W/holder.out" &
HOLDER_PID=$!
n=0; while ! grep -q open "$W/holder.out" && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
run "$R" --db "$T1" restore --from "$E" --passphrase-file "$W/pass" --force
expect_rc 3 "restore into a database another process has open"
expect_out "in use by another process" "the refusal says the target is in use"
kill "$HOLDER_PID"; wait "$HOLDER_PID" 2>/dev/null; HOLDER_PID=
unchanged "target in use"
expect_eq "$(ls -a "$W" | grep -c 'reclaim-restore\|reclaim-snapshot\|partial')" 0 "no private copies left behind"

# --- 5. --force replaces a database that holds data --------------------------------------------
run "$R" --db "$T1" restore --from "$E" --passphrase-file "$W/pass" --force
expect_rc 0 "restore --force over the older database"
expect_eq "$(tables_sum "$T1" | sha256sum)" "$(sha256sum < "$W/a.sum")" "every table identical after restore --force"
expect_eq "$(status_json "$T1" | sha256sum)" "$(sha256sum < "$W/a.status")" "status --json identical after restore --force"

finish
