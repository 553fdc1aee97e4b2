#!/usr/bin/env bash
# `reclaim backup` / `reclaim restore` on PostgreSQL (pg_dump -Fc / pg_restore):
#  - the demo database, backed up and restored into a fresh database: every table (row count
#    and md5 of its sorted rows, computed by psql; sessions excepted), every sequence and
#    `status --json` identical; plain and encrypted (key file);
#  - the password of the URL reaches pg_dump in its environment, never on its command line;
#  - a restored database has no live sessions, also from a pg_dump made by hand;
#  - refusals leave the target as it was: holding data without --force, in use by another
#    connection, a wrong key, an altered or truncated file, a backup of the other back end.
#   backup_pg_test.sh path/to/reclaim   (RECLAIM_PG_URL: a server with PostGIS, superuser)
source "$(dirname "$0")/../integration/lib.sh"
R=${1:?usage: backup_pg_test.sh path/to/reclaim}
URL=${RECLAIM_PG_URL:?RECLAIM_PG_URL (postgresql://…) must name a PostgreSQL server with PostGIS}
BASE=${URL%/*}
P=reclaim_bk_$$_$RANDOM
SRC=${P}_src DST=${P}_dst TOOL=${P}_tool ENC=${P}_enc
HOLDER_PID=
cleanup() {
  [ -n "$HOLDER_PID" ] && kill "$HOLDER_PID" 2>/dev/null
  for d in $SRC $DST $TOOL $ENC; do
    psql "$URL" -qAt -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
W=$WORK
q() { psql "$BASE/$1" -qAt -v ON_ERROR_STOP=1 -c "$2"; }
for d in $SRC $DST $TOOL $ENC; do q postgres "CREATE DATABASE $d" >/dev/null; done

run "$R" --db "$BASE/$SRC" demo --seed 4
expect_rc 0 "demo database on PostgreSQL"
# A live session (the sessions table of the sessions work, or a stand-in), foreign keys off.
q $SRC "CREATE TABLE IF NOT EXISTS sessions (id text PRIMARY KEY)" >/dev/null
q $SRC "SET session_replication_role = replica; DO \$\$ DECLARE c text; v text; BEGIN
  SELECT string_agg(quote_ident(column_name), ', '), string_agg(CASE
      WHEN data_type IN ('integer', 'bigint', 'smallint', 'numeric', 'real', 'double precision') THEN '1'
      WHEN data_type = 'boolean' THEN 'true' WHEN data_type LIKE 'timestamp%' THEN 'now()'
      WHEN data_type = 'bytea' THEN '''\\x00''' ELSE quote_literal('live-session') END, ', ')
    INTO c, v FROM information_schema.columns
   WHERE table_schema = 'public' AND table_name = 'sessions' AND column_default IS NULL;
  EXECUTE format('INSERT INTO sessions (%s) VALUES (%s)', c, v); END \$\$" >/dev/null
expect_eq "$(q $SRC 'SELECT COUNT(*) FROM sessions')" 1 "the source has one live session"

# Row count and md5 of the sorted rows of every table but the sessions (PostGIS's own tables
# left out), and every sequence's position: computed by psql alone.
tables_sum() {
  local db=$1 t
  for t in $(q "$db" "SELECT quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'sessions'
                        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
                      ORDER BY 1"); do
    echo "$t $(q "$db" "SELECT COUNT(*) || ' ' || md5(COALESCE(string_agg(r::text, E'\n' ORDER BY r::text), '')) FROM public.$t r")"
  done
  for t in $(q "$db" "SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"); do
    echo "sequence $t $(q "$db" "SELECT last_value || ' ' || is_called FROM public.$t")"
  done
}
status_json() { "$R" --db "$BASE/$1" status --json; }
tables_sum $SRC > "$W/src.sum"
status_json $SRC > "$W/src.status"
expect_eq "$(grep -c '^hazards \|^history \|^casualties \|^users ' "$W/src.sum")" 4 "the comparison covers records, history and accounts"
expect_eq "$(grep -c '^sequence ' "$W/src.sum" | awk '{print ($1 > 0)}')" 1 "and the sequences"

# --- plain backup; the password stays off pg_dump's command line ----------------------------
mkdir -p "$W/bin"
cat > "$W/bin/pg_dump" <<SH
#!/usr/bin/env bash
printf '%s\n' "\$@" > "$W/pg_dump.args"
printf '%s' "\${PGPASSWORD:-}" > "$W/pg_dump.password"
exec /usr/bin/pg_dump "\$@"
SH
chmod +x "$W/bin/pg_dump"
PW_URL="${BASE/:\/\/postgres@/://postgres:Sec%20ret-pw@}/$SRC"   # trust auth: any password works
B=$W/national.dump
PATH="$W/bin:$PATH" run "$R" --db "$PW_URL" backup --to "$B"
expect_rc 0 "backup of the PostgreSQL database"
expect_out "PostgreSQL" "backup names the back end"
expect_out "postgres:***@" "the URL is shown with its password masked"
expect_eq "$(grep -c 'Sec' "$W/pg_dump.args")" 0 "the password is not on pg_dump's command line"
expect_eq "$(cat "$W/pg_dump.password")" "Sec ret-pw" "pg_dump gets the (decoded) password in PGPASSWORD"
expect_eq "$(head -c 5 "$B")" PGDMP "the backup is a pg_dump custom-format archive"
expect_eq "$(stat -c %a "$B")" 600 "the backup is readable by its owner only"
expect_eq "$(pg_restore --data-only --table=sessions -f - "$B" | grep -c live-session)" 0 \
  "the backup carries no live session"

run "$R" --db "$BASE/$DST" restore --from "$B"
expect_rc 0 "restore into a fresh database"
tables_sum $DST > "$W/dst.sum"
if cmp -s "$W/src.sum" "$W/dst.sum"; then
  ok "every table and sequence identical after the round trip ($(wc -l < "$W/src.sum") compared)"
else
  RC=1 OUT=$(diff "$W/src.sum" "$W/dst.sum" | head -10); bad "tables differ after restore"
fi
expect_eq "$(status_json $DST | sha256sum)" "$(sha256sum < "$W/src.status")" "status --json identical after restore"
expect_eq "$(q $DST 'SELECT COUNT(*) FROM sessions')" 0 "the restored database has no live sessions"

# A dump made by hand keeps the session; restore ends it.
pg_dump -Fc -f "$W/tool.dump" "$BASE/$SRC"
run "$R" --db "$BASE/$TOOL" restore --from "$W/tool.dump"
expect_rc 0 "restore a pg_dump made by hand"
expect_eq "$(q $TOOL 'SELECT COUNT(*) FROM sessions')" 0 "restore ends the sessions of a hand-made dump"

# --- encrypted --------------------------------------------------------------------------------
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$W/key.hex"   # the 64-hex-digit form
head -c 32 /dev/urandom > "$W/otherkey"
E=$W/national.dump.enc
run "$R" --db "$BASE/$SRC" backup --to "$E" --encrypt --key-file "$W/key.hex"
expect_rc 0 "encrypted backup (key file)"
expect_eq "$(grep -c PGDMP "$E")" 0 "no plain pg_dump header in the encrypted file"
run "$R" --db "$BASE/$ENC" restore --from "$E" --key-file "$W/key.hex"
expect_rc 0 "restore the encrypted backup"
expect_eq "$(tables_sum $ENC | sha256sum)" "$(sha256sum < "$W/src.sum")" "every table identical (encrypted)"
expect_eq "$(status_json $ENC | sha256sum)" "$(sha256sum < "$W/src.status")" "status --json identical (encrypted)"

# --- refusals leave the target as it was -----------------------------------------------------
unchanged() { expect_eq "$(tables_sum $DST | sha256sum)" "$(sha256sum < "$W/dst.sum")" "$1: the target is as it was"; }
run "$R" --db "$BASE/$DST" restore --from "$B"
expect_rc 3 "restore over a database that holds data, without --force"
expect_out "not empty" "the refusal says the target holds data"
unchanged "non-empty target"
run "$R" --db "${PW_URL%/*}/$DST" restore --from "$B"
expect_rc 3 "the same refusal through a URL with a password"
expect_eq "$(grep -c Sec <<<"$OUT")" 0 "messages never show the password"
run "$R" --db "$BASE/$DST" restore --from "$E" --key-file "$W/otherkey" --force
expect_rc 3 "wrong key"
expect_out "wrong key or passphrase" "the refusal names the cause"
unchanged "wrong key"
SIZE=$(stat -c %s "$E")
cp "$E" "$W/tampered.enc"
printf '\x55' | dd of="$W/tampered.enc" bs=1 seek=$((SIZE / 2)) conv=notrunc status=none
run "$R" --db "$BASE/$DST" restore --from "$W/tampered.enc" --key-file "$W/key.hex" --force
expect_rc 3 "an altered encrypted backup"
unchanged "altered file"
head -c $((SIZE / 2)) "$E" > "$W/truncated.enc"
run "$R" --db "$BASE/$DST" restore --from "$W/truncated.enc" --key-file "$W/key.hex" --force
expect_rc 3 "a truncated encrypted backup"
expect_out "truncated" "the refusal says it is truncated"
unchanged "truncated file"
head -c $(( $(stat -c %s "$B") / 2 )) "$B" > "$W/truncated.dump"
run "$R" --db "$BASE/$DST" restore --from "$W/truncated.dump" --force
expect_rc 3 "a truncated plain archive"
unchanged "truncated plain archive"
run "$R" --db "$W/national.gpkg" restore --from "$B"
expect_rc 3 "a PostgreSQL backup into a GeoPackage"
expect_out "is a PostgreSQL backup but the target $W/national.gpkg is a GeoPackage database" "the refusal names both back ends"
expect_eq "$(ls "$W"/national.gpkg* 2>/dev/null)" "" "no GeoPackage was created"
psql "$BASE/$DST" -qAt -c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
HOLDER_PID=$!
n=0
while [ "$(q postgres "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '$DST'")" = 0 ] && [ $n -lt 600 ]; do
  sleep 0.1; n=$((n + 1))
done
run "$R" --db "$BASE/$DST" restore --from "$B" --force
expect_rc 3 "restore into a database another client is connected to"
expect_out "in use by 1 other connection" "the refusal says the target is in use"
kill "$HOLDER_PID" 2>/dev/null; wait "$HOLDER_PID" 2>/dev/null; HOLDER_PID=
q postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$DST' AND pid <> pg_backend_pid()" >/dev/null
unchanged "target in use"

# --- --force replaces a database that holds data ---------------------------------------------
printf 'id,name,type\nXTRA,Only in the target,other\n' > "$W/extra.csv"
run "$R" --db "$BASE/$DST" import organisations "$W/extra.csv"
expect_rc 0 "the target gets a record the backup does not have"
run "$R" --db "$BASE/$DST" restore --from "$E" --key-file "$W/key.hex" --force
expect_rc 0 "restore --force"
expect_eq "$(tables_sum $DST | sha256sum)" "$(sha256sum < "$W/src.sum")" "every table identical after restore --force"
expect_eq "$(q $DST "SELECT COUNT(*) FROM organisations WHERE id = 'XTRA'")" 0 "the target's own record is gone"

finish
