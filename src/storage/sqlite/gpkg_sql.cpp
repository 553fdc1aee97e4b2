#include "storage/sqlite/gpkg_sql.hpp"

#include <vector>

#include "storage/sql/sql_text.hpp"
#include "storage/store.hpp"

namespace reclaim::storage::gpkg {
namespace {

using sql::lit;
using sql::q;

const char* sql_type(core::FieldType t) {
  switch (t) {
    case core::FieldType::kInteger:
      return "INTEGER";
    case core::FieldType::kReal:
      return "REAL";
    case core::FieldType::kDate:
      return "DATE";
    case core::FieldType::kBool:
      return "BOOLEAN";
    default:
      return "TEXT";
  }
}

/// The GeoPackage 1.3 R-tree index of `table`.geom and its triggers (Annex F.3).
std::string rtree_ddl(std::string_view table) {
  const std::string t = q(table);
  const std::string r = q("rtree_" + std::string(table) + "_geom");
  const std::string trig = "rtree_" + std::string(table) + "_geom_";
  const std::string ins = "INSERT OR REPLACE INTO " + r +
                          " VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), "
                          "ST_MinY(NEW.geom), ST_MaxY(NEW.geom));\n";
  std::string s;
  s += "CREATE VIRTUAL TABLE " + r + " USING rtree(id, minx, maxx, miny, maxy);\n";
  s += "CREATE TRIGGER " + q(trig + "insert") + " AFTER INSERT ON " + t +
       " WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))\nBEGIN\n  " + ins + "END;\n";
  s += "CREATE TRIGGER " + q(trig + "update1") + " AFTER UPDATE OF geom ON " + t +
       " WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))\nBEGIN\n  " +
       ins + "END;\n";
  s += "CREATE TRIGGER " + q(trig + "update2") + " AFTER UPDATE OF geom ON " + t +
       " WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))\nBEGIN\n"
       "  DELETE FROM " +
       r + " WHERE id = OLD.fid;\nEND;\n";
  s += "CREATE TRIGGER " + q(trig + "update3") + " AFTER UPDATE ON " + t +
       " WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))\nBEGIN\n"
       "  DELETE FROM " +
       r + " WHERE id = OLD.fid;\n  " + ins + "END;\n";
  s += "CREATE TRIGGER " + q(trig + "update4") + " AFTER UPDATE ON " + t +
       " WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))\nBEGIN\n"
       "  DELETE FROM " +
       r + " WHERE id IN (OLD.fid, NEW.fid);\nEND;\n";
  s += "CREATE TRIGGER " + q(trig + "delete") + " AFTER DELETE ON " + t +
       " WHEN old.geom NOT NULL\nBEGIN\n  DELETE FROM " + r + " WHERE id = OLD.fid;\nEND;\n";
  return s;
}

/// json_object(...) of a row's fields (OLD or NEW), secret fields masked as record_to_json does;
/// chunks of 50 fields joined with json_patch (SQLite allows 127 function arguments). Only
/// SQLite's built-in JSON functions: any program editing the file can run the triggers.
std::string row_json(const core::EntitySchema& s, std::string_view row) {
  std::vector<std::string> parts;
  std::string cur;
  size_t n = 0;
  for (const auto& f : s.fields) {
    const std::string v = std::string(row) + "." + q(f.name);
    cur += (cur.empty() ? "" : ", ") + lit(f.name) + ", " +
           (f.secret ? "CASE WHEN " + v + " IS NULL THEN NULL ELSE '***' END" : v);
    if (++n % 50 == 0) {
      parts.push_back("json_object(" + cur + ")");
      cur.clear();
    }
  }
  if (!cur.empty() || parts.empty()) parts.push_back("json_object(" + cur + ")");
  std::string out = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) out = "json_patch(" + out + ", " + parts[i] + ")";
  return out;
}

}  // namespace

const sql::FixedSql& fixed_sql() {
  static const sql::FixedSql kSql = sql::make_fixed_sql(kDialect);
  return kSql;
}

const char* geometry_type_name(core::GeometryKind k) {
  return k == core::GeometryKind::kPoint ? "POINT" : "MULTIPOLYGON";
}

const sql::Dialect kDialect = {
    .param = [](int, std::string_view) { return std::string("?"); },
    .geometry_param = [](int, core::GeometryKind) { return std::string("?"); },
    .geometry_select = "geom",
    .no_geometry_select = "NULL",
    .bytewise = "",
    .column_type = sql_type,
    .fid_column = "fid INTEGER PRIMARY KEY AUTOINCREMENT",
    .geometry_column = [](core::GeometryKind k) { return "geom " + std::string(geometry_type_name(k)); },
    .id_constraint = "NOT NULL",
    .version_type = "INTEGER",
    .spatial_index = rtree_ddl,
};

/// Migration 5: the direct-edit triggers. Reclaim marks each of its write transactions with a row
/// in reclaim_writer (inserted after BEGIN, deleted before COMMIT: no other connection ever sees
/// it); an insert, update or delete on an entity table while no such row exists was made by
/// another program, and the trigger writes it to the history as a direct, unvalidated edit (an
/// update also bumps the row version, so a Reclaim writer holding the old version gets a
/// conflict). The history's op check gains 'delete' (the table is rebuilt, seq kept). Note that
/// the GeoPackage R-tree triggers call ST_IsEmpty etc., which GDAL (QGIS) registers but the
/// plain sqlite3 shell does not: there, only tables without geometry can be edited.
std::string direct_edits_ddl() {
  std::string ddl =
      "CREATE TABLE IF NOT EXISTS reclaim_writer (id INTEGER PRIMARY KEY);\n"
      "DROP TABLE IF EXISTS history_0005;\n"
      "CREATE TABLE history_0005 (\n"
      "  seq INTEGER PRIMARY KEY AUTOINCREMENT,\n"
      "  entity TEXT NOT NULL,\n"
      "  record_id TEXT NOT NULL,\n"
      "  op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),\n"
      "  at TEXT NOT NULL,\n"
      "  \"user\" TEXT NOT NULL,\n"
      "  file TEXT NOT NULL,\n"
      "  source_record TEXT NOT NULL,\n"
      "  reason TEXT NOT NULL,\n"
      "  before_json TEXT,\n"
      "  after_json TEXT NOT NULL\n"
      ");\n"
      "INSERT INTO history_0005 SELECT seq, entity, record_id, op, at, \"user\", file, "
      "source_record, reason, before_json, after_json FROM history;\n"
      "DROP TABLE history;\n"
      "ALTER TABLE history_0005 RENAME TO history;\n"
      "CREATE INDEX history_entity_record ON history (entity, record_id);\n"
      "CREATE INDEX IF NOT EXISTS history_direct_edits ON history (seq) WHERE reason = " +
      lit(kDirectEditReason) + ";\n";
  // a re-run (a database whose migration records were rolled back by hand): triggers first,
  // they name the history table being rebuilt
  std::string drops;
  for (const auto& s : core::all_schemas())
    for (const char* op : {"insert", "update", "delete"})
      drops += "DROP TRIGGER IF EXISTS " + q("reclaim_direct_" + s.name + "_" + op) + ";\n";
  ddl = drops + ddl;
  const std::string cols =
      "INSERT INTO history (entity, record_id, op, at, \"user\", file, source_record, reason, "
      "before_json, after_json) VALUES (";
  const std::string now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
  const std::string tail = ", '', '', 'direct edit', " + lit(kDirectEditReason) + ", ";
  const std::string when = " WHEN NOT EXISTS (SELECT 1 FROM reclaim_writer)";
  for (const auto& s : core::all_schemas()) {
    const std::string t = q(s.name), name = lit(s.name), id = q(s.id_field().name);
    const std::string trig = "reclaim_direct_" + s.name + "_";
    ddl += "CREATE TRIGGER " + q(trig + "insert") + " AFTER INSERT ON " + t + when +
           "\nBEGIN\n  " + cols + name + ", COALESCE(NEW." + id + ", ''), 'insert', " + now +
           tail + "NULL, " + row_json(s, "NEW") + ");\nEND;\n";
    // UPDATE OF every column but version: the trigger's own version bump does not fire it again
    // (GDAL, and so QGIS, turns recursive_triggers on).
    std::string of = s.geometry != core::GeometryKind::kNone ? "geom" : "";
    for (const auto& f : s.fields) of += (of.empty() ? "" : ", ") + q(f.name);
    ddl += "CREATE TRIGGER " + q(trig + "update") + " AFTER UPDATE OF " + of +
           " ON " + t + when +
           "\nBEGIN\n  " + cols + name + ", COALESCE(NEW." + id + ", ''), 'update', " + now +
           tail + row_json(s, "OLD") + ", " + row_json(s, "NEW") +
           ");\n  UPDATE " + t + " SET version = COALESCE(OLD.version, 0) + 1 WHERE fid = NEW.fid" +
           " AND NEW.version IS OLD.version;\nEND;\n";
    ddl += "CREATE TRIGGER " + q(trig + "delete") + " AFTER DELETE ON " + t + when +
           "\nBEGIN\n  " + cols + name + ", COALESCE(OLD." + id + ", ''), 'delete', " + now +
           tail + row_json(s, "OLD") + ", '{}');\nEND;\n";
  }
  return ddl;
}

}  // namespace reclaim::storage::gpkg
