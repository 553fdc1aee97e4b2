#!/usr/bin/env bash
# A private PostgreSQL 15 + PostGIS 3 primary with one streaming standby on loopback, for tests
# and for trying out `--db-read`. Works as root (runs the servers as 'postgres') or as a normal user.
#
#   pg_replica.sh start DIR PRIMARY_PORT STANDBY_PORT  -> prints PRIMARY_URL=... and STANDBY_URL=...
#   pg_replica.sh wait  DIR [TIMEOUT_S]                -> returns when the standby has replayed all
#                                                          WAL the primary had written at the call
#   pg_replica.sh stop  DIR                            -> stops both, removes DIR
#
# The primary is scripts/pg_test_server.sh's server (initdb's defaults: wal_level=replica,
# max_wal_senders=10, pg_hba trusting replication connections from 127.0.0.1); the standby is
# `pg_basebackup -R` of it (standby.signal + primary_conninfo), read-only (hot_standby=on).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
CMD=${1:?usage: $0 start|wait|stop DIR ...}
DIR=${2:?usage: $0 start|wait|stop DIR ...}

if [ "$(id -u)" = 0 ]; then
  RUNAS=${PG_TEST_USER:-postgres}
  as_pg() { runuser -u "$RUNAS" -- "$@"; }
else
  as_pg() { "$@"; }
fi

port_of() { cat "$DIR/$1.port"; }
psql_at() { as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$1" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 -c "$2"; }

cd /
case "$CMD" in
start)
  PPORT=${3:?primary port}
  SPORT=${4:?standby port}
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown "$RUNAS" "$DIR"
  bash "$HERE/pg_test_server.sh" start "$DIR/primary" "$PPORT" >/dev/null
  echo "$PPORT" > "$DIR/primary.port"
  mkdir -p "$DIR/standby"
  [ "$(id -u)" = 0 ] && chown "$RUNAS" "$DIR/standby"
  # a copy of the running primary, configured to stream from it (-R: standby.signal + conninfo)
  as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PPORT" -U postgres -D "$DIR/standby/data" -R \
    -X stream -c fast --no-sync
  as_pg "$PGBIN/pg_ctl" -D "$DIR/standby/data" -l "$DIR/standby/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $SPORT -k $DIR/standby -c hot_standby=on" start >/dev/null
  echo "$SPORT" > "$DIR/standby.port"
  [ "$(psql_at "$SPORT" 'SELECT pg_is_in_recovery()')" = t ] || { echo "standby is not in recovery" >&2; exit 1; }
  echo "PRIMARY_URL=postgresql://postgres@127.0.0.1:$PPORT/postgres"
  echo "STANDBY_URL=postgresql://postgres@127.0.0.1:$SPORT/postgres"
  ;;
wait)
  TIMEOUT=${3:-120}
  target=$(psql_at "$(port_of primary)" 'SELECT pg_current_wal_lsn()')
  for ((i = 0; i < TIMEOUT * 10; i++)); do
    caught=$(psql_at "$(port_of standby)" "SELECT COALESCE(pg_last_wal_replay_lsn() >= '$target'::pg_lsn, false)")
    [ "$caught" = t ] && exit 0
    sleep 0.1
  done
  echo "the standby did not replay up to $target within ${TIMEOUT}s" >&2
  exit 1
  ;;
stop)
  if [ -f "$DIR/standby/data/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$DIR/standby/data" -m fast -w stop >/dev/null || true
  fi
  [ -d "$DIR/primary" ] && bash "$HERE/pg_test_server.sh" stop "$DIR/primary" || true
  rm -rf "$DIR"
  ;;
*) echo "usage: $0 start|wait|stop DIR ..." >&2; exit 2 ;;
esac
