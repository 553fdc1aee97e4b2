-- Reclaim's bookkeeping on PostgreSQL: small settings ("seed", "created_at", ...) and the
-- numbered migrations applied so far. PostGIS itself is installed (or found) by the adapter
-- before the first migration runs.
CREATE TABLE reclaim_meta (
  key text NOT NULL PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE reclaim_migrations (
  version integer NOT NULL PRIMARY KEY,
  name text NOT NULL,
  applied_at text NOT NULL
);
