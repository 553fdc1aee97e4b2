-- Step 6: secrets out of the data, sessions that end (issue 7).
-- The session signing key now lives in a key file (`--key-file`, RECLAIM_KEY_FILE), never in
-- the database: the key that older versions kept in reclaim_meta is dropped, which ends every
-- session signed with it.
DELETE FROM reclaim_meta WHERE key = 'auth_session_key';
-- Server-side sessions: the cookie carries a random nonce and its MAC; only the nonce's SHA-256
-- is stored, so a copy of the database signs nobody in. Backups (pg_dump
-- --exclude-table-data=sessions) and restores carry no rows.
CREATE TABLE IF NOT EXISTS sessions (
  id_hash text COLLATE "C" NOT NULL PRIMARY KEY,
  user_id text COLLATE "C" NOT NULL,
  created_at bigint NOT NULL,
  last_seen_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  device text NOT NULL DEFAULT '',
  ip text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_user_id ON sessions (user_id);
