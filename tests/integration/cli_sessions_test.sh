#!/usr/bin/env bash
# Sessions that end, with the real binary: two `reclaim serve` processes on one GeoPackage and
# one key file, and the CLI changing accounts while they run (issue 7 items 2, 3 and 5):
#  - the key file is created beside the database, mode 0600; the database holds no key and no
#    usable session id; a PostgreSQL URL without --key-file is refused with a clear message;
#  - a session made on one server works on the other; `user revoke`, `user disable`,
#    `user role`, `user passwd` from the CLI end it (and the API token) on both servers before
#    their next request; `user enable` revives nothing;
#  - logout, then a server restart: the old cookie stays refused;
#  - five wrong passwords lock an account, but the right password from a known device (its
#    device cookie) still works; `user unlock` is the administrator's recovery;
#  - `reclaim key rotate`: both servers refuse the old sessions within a few seconds.
#   cli_sessions_test.sh path/to/reclaim
source "$(dirname "$0")/lib.sh"
R=${1:?usage: cli_sessions_test.sh path/to/reclaim}
W=$WORK
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
unset RECLAIM_KEY_FILE

DB=$W/national.gpkg
PW='sessions test password'
export RECLAIM_PASSWORD=$PW
run "$R" --db "$DB" init
expect_rc 0 "database initialised"
for u in ana:analyst adm:administrator lock:analyst; do
  run "$R" --db "$DB" user add "${u%%:*}" --role "${u#*:}"
  expect_rc 0 "user ${u%%:*} added"
done

run "$R" --db "postgresql://u@127.0.0.1:1/x" serve --listen 127.0.0.1:0
expect_rc 2 "PostgreSQL without a key file is refused"
expect_out "--key-file" "… naming --key-file"
expect_out "RECLAIM_KEY_FILE" "… and RECLAIM_KEY_FILE"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# start_server NAME: starts `reclaim serve` on a free port; sets PORT_<NAME>
start_server() {
  local port
  port=$(free_port)
  "$R" --db "$DB" serve --listen "127.0.0.1:$port" >"$W/serve_$1.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$1=$!"
  eval "PORT_$1=$port"
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/api/status" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "FAIL - server $1 did not start: $(cat "$W/serve_$1.log")"; FAILS=$((FAILS + 1))
}
stop_server() { local p; eval "p=\$PID_$1"; kill "$p"; wait "$p" 2>/dev/null; }
# login PORT USER [PASSWORD [JAR]] -> prints the reclaim_session cookie value ("" if refused)
login() {
  local jar=${4:-$W/jar_$$_$RANDOM}
  curl -s -c "$jar" -b "$jar" -o "$W/login.json" -H 'Content-Type: application/json' \
    -d "{\"user\":\"$2\",\"password\":\"${3:-$PW}\"}" "http://127.0.0.1:$1/api/login" >/dev/null
  awk '$6 == "reclaim_session" {print $7}' "$jar"
}
# me PORT COOKIE -> HTTP status of GET /api/me with that session
me() { curl -s -o /dev/null -w '%{http_code}' -b "reclaim_session=$2" "http://127.0.0.1:$1/api/me"; }
me_token() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $2" "http://127.0.0.1:$1/api/me"; }

start_server A
start_server B
A=$PORT_A
B=$PORT_B
expect_eq "$(stat -c %a "$DB.key")" 600 "the key file is created beside the database, mode 0600"
expect_eq "$(sqlite3 "$DB" "SELECT COUNT(*) FROM reclaim_meta WHERE key = 'auth_session_key'")" 0 \
  "the database holds no session key"

C=$(login "$A" ana)
[ -n "$C" ] && ok "ana signed in on server A" || bad "ana could not sign in"
expect_eq "$(me "$B" "$C")" 200 "the session made on A works on B (one file, one key)"
expect_eq "$(sqlite3 "$DB" "SELECT COUNT(*) FROM sessions WHERE user_id = 'ana'")" 1 "one session row"
NONCE=$(python3 -c 'import base64,sys; v=sys.argv[1].split(".")[0]; print(base64.urlsafe_b64decode(v + "=" * (-len(v) % 4)).decode())' "$C")
if grep -qF -- "$NONCE" "$DB" "$DB-wal" 2>/dev/null; then bad "the session nonce is in the database file"
else ok "the database holds only the session's hash, not its nonce"; fi

# revoke from the CLI: both servers refuse at their next request (no waiting)
C2=$(login "$B" ana)
T=$("$R" --db "$DB" user token ana 2>/dev/null)
expect_eq "$(me_token "$A" "$T")" 200 "ana's API token works"
run "$R" --db "$DB" user revoke ana
expect_rc 0 "user revoke"
expect_out "ended 2 sessions" "… ended both sessions"
expect_eq "$(me "$A" "$C")/$(me "$B" "$C")/$(me "$A" "$C2")/$(me "$B" "$C2")" 401/401/401/401 \
  "revoked sessions are refused by both servers at once"
expect_eq "$(me_token "$B" "$T")" 401 "the revoked API token is refused"

# disable ends everything; enable revives nothing
C=$(login "$A" ana)
T=$("$R" --db "$DB" user token ana 2>/dev/null)
run "$R" --db "$DB" user disable ana
expect_rc 0 "user disable"
expect_eq "$(me "$B" "$C")/$(me_token "$A" "$T")" 401/401 "disable ends the session and the token"
run "$R" --db "$DB" user enable ana
expect_rc 0 "user enable"
expect_eq "$(me "$A" "$C")/$(me "$B" "$C")/$(me_token "$B" "$T")" 401/401/401 \
  "re-enabling revives no session and no token"
C=$(login "$B" ana)
expect_eq "$(me "$A" "$C")" 200 "ana signs in again after enable"

# a role change ends the sessions; the new role applies at the next sign-in
run "$R" --db "$DB" user role ana national_data_manager
expect_rc 0 "user role"
expect_eq "$(me "$A" "$C")" 401 "a role change ends the session"
C=$(login "$A" ana)
ROLE=$(curl -s -b "reclaim_session=$C" "http://127.0.0.1:$A/api/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["role"])')
expect_eq "$ROLE" national_data_manager "the new role applies"
run "$R" --db "$DB" user role ana emperor
expect_rc 2 "an unknown role is a usage error"
expect_eq "$(me "$A" "$C")" 200 "… and ends nothing"

# an administrator's password reset (the CLI) ends the sessions
RECLAIM_PASSWORD='another long password' run "$R" --db "$DB" user passwd ana
expect_rc 0 "user passwd"
expect_eq "$(me "$B" "$C")" 401 "a password reset ends the session"
RECLAIM_PASSWORD=$PW run "$R" --db "$DB" user passwd ana

# logout, then restart: the old cookie stays refused; another session survives the restart
K=$(login "$A" adm)
C=$(login "$A" ana)
CSRF=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$W/login.json")
curl -s -o /dev/null -X POST -H "X-CSRF-Token: $CSRF" -b "reclaim_session=$C" "http://127.0.0.1:$A/api/logout"
expect_eq "$(me "$A" "$C")" 401 "logout ends the session"
stop_server A
start_server A
A=$PORT_A
expect_eq "$(me "$A" "$C")" 401 "after a restart the logged-out cookie is still refused"
expect_eq "$(me "$A" "$K")" 200 "… and a live session survives the restart"

# lockout: the right password from a known device still works; unlock is the recovery
JAR=$W/lock.jar
L=$(login "$A" lock "$PW" "$JAR")
[ -n "$L" ] && ok "lock signed in (the browser is now a known device)" || bad "lock could not sign in"
for i in 1 2 3 4 5; do login "$B" lock "wrong password $i" >/dev/null; done
expect_eq "$(sqlite3 "$DB" "SELECT locked_until IS NOT NULL FROM users WHERE id = 'lock'")" 1 "five wrong passwords lock the account"
expect_eq "$(login "$A" lock)" "" "the right password from an unknown device is refused"
L=$(login "$B" lock "$PW" "$JAR")
[ -n "$L" ] && ok "the right password from the known device signs in" || bad "the known device was locked out"
run "$R" --db "$DB" user unlock lock
expect_rc 0 "user unlock"
L=$(login "$A" lock)
[ -n "$L" ] && ok "after unlock any device signs in" || bad "unlock did not clear the lockout"

# key rotation: every session ends on both servers within a few seconds
C=$(login "$A" ana)
expect_eq "$(me "$B" "$C")" 200 "a fresh session before rotation"
run "$R" --db "$DB" key rotate
expect_rc 0 "key rotate"
expect_eq "$(stat -c %a "$DB.key")" 600 "the rotated key file is mode 0600"
ended=
for _ in $(seq 100); do
  if [ "$(me "$A" "$C")/$(me "$B" "$C")" = 401/401 ]; then ended=1; break; fi
  sleep 0.1
done
[ -n "$ended" ] && ok "both servers refuse the old session after rotation" || bad "rotation did not end the session"
C=$(login "$B" ana)
expect_eq "$(me "$A" "$C")" 200 "signing in after rotation works on both servers"

finish
