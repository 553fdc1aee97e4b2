#include "storage/postgres/pg_sql.hpp"

#include "core/entities.hpp"
#include "storage/sql/sql_text.hpp"
#include "storage/store.hpp"

namespace reclaim::storage::pg {
namespace {

using sql::lit;
using sql::q;

const char* sql_type(core::FieldType t) {
  switch (t) {
    case core::FieldType::kInteger:
    case core::FieldType::kBool:
      return "bigint";
    case core::FieldType::kReal:
      return "double precision";
    default:
      return "text";  // dates too: ISO text, identical round trips with the GeoPackage
  }
}


std::string param(int n, std::string_view cast) {
  std::string p = "$" + std::to_string(n);
  if (!cast.empty()) p += "::" + std::string(cast);
  return p;
}

std::string geometry_param(int n, core::GeometryKind kind) {
  const std::string wkb = "ST_GeomFromWKB(" + param(n, "bytea") + ", 4326)";
  return kind == core::GeometryKind::kPoint ? wkb : "ST_Multi(" + wkb + ")";
}

std::string geometry_column(core::GeometryKind kind) {
  return std::string("geom geometry(") +
         (kind == core::GeometryKind::kPoint ? "Point" : "MultiPolygon") + ", 4326)";
}

std::string gist_index(std::string_view table) {
  return "CREATE INDEX " + q(std::string(table) + "_geom") + " ON " + q(table) +
         " USING gist (geom);\n";
}

}  // namespace

const sql::Dialect kDialect = {
    .param = param,
    .geometry_param = geometry_param,
    .geometry_select = "ST_AsBinary(geom)",
    .no_geometry_select = "NULL::bytea",
    .bytewise = " COLLATE \"C\"",
    .column_type = sql_type,
    .fid_column = "fid bigserial PRIMARY KEY",
    .geometry_column = geometry_column,
    .id_constraint = "COLLATE \"C\" NOT NULL",  // ids sort bytewise, as in the GeoPackage
    .version_type = "bigint",
    .spatial_index = gist_index,
};

const sql::FixedSql& fixed_sql() {
  static const sql::FixedSql kSql = sql::make_fixed_sql(kDialect);
  return kSql;
}

/// Migration 5 on PostgreSQL. Reclaim's transactions SET LOCAL reclaim.writer = 'on'; an insert,
/// update or delete on an entity table without it (psql, QGIS on the database) is written to
/// the history as a direct, unvalidated edit by a PL/pgSQL trigger (to_jsonb of the row without
/// fid, geom and version; secret fields masked), and an update bumps the row version. A
/// statement trigger on reclaim_meta counts settings changes in reclaim_changes.
std::string direct_edits_ddl() {
  std::string ddl =
      "ALTER TABLE history DROP CONSTRAINT IF EXISTS history_op_check;\n"
      "ALTER TABLE history ADD CONSTRAINT history_op_check "
      "CHECK (op IN ('insert', 'update', 'delete'));\n"
      "CREATE INDEX IF NOT EXISTS history_direct_edits ON history (seq) WHERE reason = " +
      lit(kDirectEditReason) +
      ";\n"
      "CREATE TABLE IF NOT EXISTS reclaim_changes (id integer PRIMARY KEY CHECK (id = 1), n bigint NOT NULL);\n"
      "INSERT INTO reclaim_changes VALUES (1, 0) ON CONFLICT DO NOTHING;\n"
      "CREATE OR REPLACE FUNCTION reclaim_count_change() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
      "BEGIN UPDATE reclaim_changes SET n = n + 1 WHERE id = 1; RETURN NULL; END $f$;\n"
      "DROP TRIGGER IF EXISTS reclaim_meta_changes ON reclaim_meta;\n"
      "CREATE TRIGGER reclaim_meta_changes AFTER INSERT OR UPDATE OR DELETE ON reclaim_meta "
      "FOR EACH STATEMENT EXECUTE FUNCTION reclaim_count_change();\n"
      "CREATE OR REPLACE FUNCTION reclaim_direct_version() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
      "BEGIN\n"
      "  IF coalesce(current_setting('reclaim.writer', true), '') <> 'on'\n"
      "     AND NEW.version IS NOT DISTINCT FROM OLD.version THEN\n"
      "    NEW.version := coalesce(OLD.version, 0) + 1;\n"
      "  END IF;\n"
      "  RETURN NEW;\n"
      "END $f$;\n"
      "CREATE OR REPLACE FUNCTION reclaim_direct_edit() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
      "DECLARE b jsonb; a jsonb; i integer;\n"
      "BEGIN\n"
      "  IF coalesce(current_setting('reclaim.writer', true), '') = 'on' THEN RETURN NULL; END IF;\n"
      "  IF TG_OP <> 'INSERT' THEN b := to_jsonb(OLD) - 'fid' - 'geom' - 'version'; END IF;\n"
      "  IF TG_OP <> 'DELETE' THEN a := to_jsonb(NEW) - 'fid' - 'geom' - 'version'; "
      "ELSE a := '{}'::jsonb; END IF;\n"
      "  FOR i IN 1 .. TG_NARGS - 1 LOOP\n"
      "    IF b ->> TG_ARGV[i] IS NOT NULL THEN b := jsonb_set(b, ARRAY[TG_ARGV[i]], '\"***\"'); END IF;\n"
      "    IF a ->> TG_ARGV[i] IS NOT NULL THEN a := jsonb_set(a, ARRAY[TG_ARGV[i]], '\"***\"'); END IF;\n"
      "  END LOOP;\n"
      "  INSERT INTO history (entity, record_id, op, at, \"user\", file, source_record, reason, "
      "before_json, after_json) VALUES (TG_TABLE_NAME, coalesce(CASE WHEN TG_OP = 'DELETE' THEN "
      "b ELSE a END ->> TG_ARGV[0], ''), lower(TG_OP), to_char(clock_timestamp() AT TIME ZONE "
      "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), '', '', 'direct edit', " +
      lit(kDirectEditReason) +
      ", b::text, a::text);\n"
      "  RETURN NULL;\n"
      "END $f$;\n";
  for (const auto& s : core::all_schemas()) {
    std::string args = lit(s.id_field().name);
    for (const auto& f : s.fields)
      if (f.secret) args += ", " + lit(f.name);
    ddl += "DROP TRIGGER IF EXISTS " + q("reclaim_direct_" + s.name) + " ON " + q(s.name) + ";\n";
    ddl += "DROP TRIGGER IF EXISTS " + q("reclaim_direct_" + s.name + "_version") + " ON " +
           q(s.name) + ";\n";
    ddl += "CREATE TRIGGER " + q("reclaim_direct_" + s.name) +
           " AFTER INSERT OR UPDATE OR DELETE ON " + q(s.name) +
           " FOR EACH ROW EXECUTE FUNCTION reclaim_direct_edit(" + args + ");\n";
    ddl += "CREATE TRIGGER " + q("reclaim_direct_" + s.name + "_version") +
           " BEFORE UPDATE ON " + q(s.name) +
           " FOR EACH ROW EXECUTE FUNCTION reclaim_direct_version();\n";
  }
  return ddl;
}

}  // namespace reclaim::storage::pg
