-- Step 6: secrets out of the data, sessions that end (issue 7).
-- The session signing key now lives in a key file beside the database (or a configured path),
-- never in it: the key that older versions kept in reclaim_meta is dropped, which ends every
-- session signed with it.
DELETE FROM reclaim_meta WHERE key = 'auth_session_key';
-- Server-side sessions: the cookie carries a random nonce and its MAC; only the nonce's SHA-256
-- is stored, so a copy of this file signs nobody in. Backups and restores carry no rows.
CREATE TABLE IF NOT EXISTS sessions (
  id_hash TEXT NOT NULL PRIMARY KEY,
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  device TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_user_id ON sessions (user_id);
