-- Reclaim's fixed tables: the gazetteer (attributes), administrative boundaries (features with
-- the GeoPackage R-tree spatial index extension) and the change history (attributes).
-- The R-tree triggers are the GeoPackage 1.3 ones (Annex F.3); ST_IsEmpty and ST_Min/MaxX/Y are
-- provided by the reader/writer (Reclaim registers its own, GDAL and QGIS theirs).

CREATE TABLE admin_units (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  code TEXT NOT NULL UNIQUE,
  parent_code TEXT,
  level INTEGER NOT NULL,
  name_latin TEXT,
  name_km TEXT,
  lat REAL,
  lon REAL
);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description)
VALUES ('admin_units', 'attributes', 'admin_units',
        'NCDD gazetteer: provinces, districts, communes, villages');

CREATE TABLE admin_boundaries (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom MULTIPOLYGON,
  code TEXT NOT NULL,
  level INTEGER NOT NULL
);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
VALUES ('admin_boundaries', 'features', 'admin_boundaries', 'administrative unit outlines', 4326);
INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)
VALUES ('admin_boundaries', 'geom', 'MULTIPOLYGON', 4326, 0, 0);
INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
VALUES ('admin_boundaries', 'geom', 'gpkg_rtree_index',
        'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
CREATE VIRTUAL TABLE rtree_admin_boundaries_geom USING rtree(id, minx, maxx, miny, maxy);
CREATE TRIGGER rtree_admin_boundaries_geom_insert AFTER INSERT ON admin_boundaries
  WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN
  INSERT OR REPLACE INTO rtree_admin_boundaries_geom VALUES (
    NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
END;
CREATE TRIGGER rtree_admin_boundaries_geom_update1 AFTER UPDATE OF geom ON admin_boundaries
  WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN
  INSERT OR REPLACE INTO rtree_admin_boundaries_geom VALUES (
    NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
END;
CREATE TRIGGER rtree_admin_boundaries_geom_update2 AFTER UPDATE OF geom ON admin_boundaries
  WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
BEGIN
  DELETE FROM rtree_admin_boundaries_geom WHERE id = OLD.fid;
END;
CREATE TRIGGER rtree_admin_boundaries_geom_update3 AFTER UPDATE ON admin_boundaries
  WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN
  DELETE FROM rtree_admin_boundaries_geom WHERE id = OLD.fid;
  INSERT OR REPLACE INTO rtree_admin_boundaries_geom VALUES (
    NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
END;
CREATE TRIGGER rtree_admin_boundaries_geom_update4 AFTER UPDATE ON admin_boundaries
  WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
BEGIN
  DELETE FROM rtree_admin_boundaries_geom WHERE id IN (OLD.fid, NEW.fid);
END;
CREATE TRIGGER rtree_admin_boundaries_geom_delete AFTER DELETE ON admin_boundaries
  WHEN old.geom NOT NULL
BEGIN
  DELETE FROM rtree_admin_boundaries_geom WHERE id = OLD.fid;
END;

-- Every change to every record: who, when, from which file and row, before and after (JSON).
CREATE TABLE history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  entity TEXT NOT NULL,
  record_id TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('insert', 'update')),
  at TEXT NOT NULL,
  "user" TEXT NOT NULL,
  file TEXT NOT NULL,
  source_record TEXT NOT NULL,
  reason TEXT NOT NULL,
  before_json TEXT,
  after_json TEXT NOT NULL
);
CREATE INDEX history_entity_record ON history (entity, record_id);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description)
VALUES ('history', 'attributes', 'history', 'every change to every record');
