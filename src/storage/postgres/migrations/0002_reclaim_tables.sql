-- Reclaim's fixed tables, the same logical schema as the GeoPackage: the gazetteer, the
-- administrative boundaries (PostGIS, WGS 84, GiST index) and the change history.

CREATE TABLE admin_units (
  fid bigserial PRIMARY KEY,
  code text COLLATE "C" NOT NULL UNIQUE,
  parent_code text,
  level integer NOT NULL,
  name_latin text,
  name_km text,
  lat double precision,
  lon double precision
);

CREATE TABLE admin_boundaries (
  fid bigserial PRIMARY KEY,
  geom geometry(MultiPolygon, 4326),
  code text NOT NULL,
  level integer NOT NULL
);
CREATE INDEX admin_boundaries_geom ON admin_boundaries USING gist (geom);

-- Every change to every record: who, when, from which file and row, before and after (JSON).
CREATE TABLE history (
  seq bigserial PRIMARY KEY,
  entity text NOT NULL,
  record_id text NOT NULL,
  op text NOT NULL CHECK (op IN ('insert', 'update')),
  at text NOT NULL,
  "user" text NOT NULL,
  file text NOT NULL,
  source_record text NOT NULL,
  reason text NOT NULL,
  before_json text,
  after_json text NOT NULL
);
CREATE INDEX history_entity_record ON history (entity, record_id);
