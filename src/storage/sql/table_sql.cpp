#include "storage/sql/table_sql.hpp"

#include "storage/sql/sql_text.hpp"

namespace reclaim::storage::sql {
namespace {

/// "(a, b, c)" and the matching "(p1, p2, p3)" from parameter `first` on.
std::string params(const Dialect& d, int first, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i == 0 ? "" : ", ") + d.param(first + i, "");
  return out;
}

constexpr const char* kHistoryCols =
    "entity, record_id, op, at, \"user\", file, source_record, reason, before_json, after_json";

}  // namespace

std::string entity_table_ddl(const core::EntitySchema& s, const Dialect& d) {
  const bool features = s.geometry != core::GeometryKind::kNone;
  const std::string table = q(s.name);
  std::string ddl = "CREATE TABLE " + table + " (\n  " + std::string(d.fid_column);
  if (features) ddl += ",\n  " + d.geometry_column(s.geometry);
  for (size_t i = 0; i < s.fields.size(); ++i) {
    if (s.fields[i].since_migration != 0) continue;  // added by its numbered SQL file
    ddl += ",\n  " + q(s.fields[i].name) + " " + d.column_type(s.fields[i].type);
    if (i == 0) ddl += " " + std::string(d.id_constraint);
  }
  ddl += ",\n  version " + std::string(d.version_type) + " NOT NULL\n);\n";
  ddl += "CREATE UNIQUE INDEX " + q(s.name + "_" + s.id_field().name) + " ON " + table + " (" +
         q(s.id_field().name) + ");\n";
  if (features) ddl += d.spatial_index(s.name);
  return ddl;
}

TableSql make_table_sql(const core::EntitySchema& s, const Dialect& d) {
  TableSql t;
  t.schema = &s;
  t.features = s.geometry != core::GeometryKind::kNone;
  const std::string table = q(s.name);
  const std::string id = q(s.id_field().name);
  std::string cols, values, sets;
  std::string select = "SELECT fid, version, ";
  select += t.features ? d.geometry_select : d.no_geometry_select;
  int n = 1;
  if (t.features) {
    cols = "geom, ";
    values = d.geometry_param(1, s.geometry) + ", ";
    sets = "geom = " + values;
    n = 2;
  }
  for (const auto& f : s.fields) {
    const std::string p = d.param(n++, "");
    cols += q(f.name) + ", ";
    values += p + ", ";
    sets += q(f.name) + " = " + p + ", ";
    select += ", " + q(f.name);
  }
  t.record_params = n - 1;
  t.select = select + " FROM " + table;
  t.insert = "INSERT INTO " + table + " (" + cols + "version) VALUES (" + values + "1)";
  t.restore = "INSERT INTO " + table + " (" + cols + "version) VALUES (" + values +
              d.param(n, "bigint") + ")";
  t.update = "UPDATE " + table + " SET " + sets + "version = version + 1 WHERE " + id + " = " +
             d.param(n, "") + " AND version = " + d.param(n + 1, "bigint");
  t.by_id = t.select + " WHERE " + id + " = " + d.param(1, "");
  t.count = "SELECT count(*) FROM " + table;
  return t;
}

Result<const core::EntitySchema*> builtin_schema(const core::EntitySchema& s) {
  const core::EntitySchema* builtin = core::find_schema(s.name);
  if (builtin == nullptr)
    return fail(ErrorCode::kInvalidArgument, "no entity '" + s.name + "' in this Reclaim");
  if (builtin->fields.size() != s.fields.size() || builtin->geometry != s.geometry)
    return fail(ErrorCode::kInvalidArgument,
                s.name + ": schema differs from the built-in one the database was made with");
  return builtin;
}

FixedSql make_fixed_sql(const Dialect& d) {
  auto p = [&](int n, std::string_view cast = "") { return d.param(n, cast); };
  FixedSql f;
  f.history_insert = std::string("INSERT INTO history (") + kHistoryCols + ") VALUES (" +
                     params(d, 1, 10) + ")";
  f.history_restore = std::string("INSERT INTO history (seq, ") + kHistoryCols + ") VALUES (" +
                      p(1, "bigint") + ", " + params(d, 2, 10) + ")";
  f.history_select = std::string("SELECT seq, ") + kHistoryCols + " FROM history";
  f.unit_insert =
      "INSERT INTO admin_units (code, parent_code, level, name_latin, name_km, lat, lon) "
      "VALUES (" + params(d, 1, 7) + ")";
  f.unit_select =
      "SELECT code, parent_code, level, name_latin, name_km, lat, lon FROM admin_units "
      "ORDER BY fid";
  f.boundary_insert = "INSERT INTO admin_boundaries (geom, code, level) VALUES (" +
                      d.geometry_param(1, core::GeometryKind::kPolygon) + ", " + params(d, 2, 2) +
                      ")";
  f.boundary_select = "SELECT code, level, " + std::string(d.geometry_select) +
                      " FROM admin_boundaries ORDER BY fid";
  f.meta_select = "SELECT value FROM reclaim_meta WHERE key = " + p(1);
  f.meta_upsert = "INSERT INTO reclaim_meta (key, value) VALUES (" + params(d, 1, 2) +
                  ") ON CONFLICT (key) DO UPDATE SET value = excluded.value";
  f.meta_entries = "SELECT key, value FROM reclaim_meta ORDER BY key" + std::string(d.bytewise);
  f.session_insert =
      "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, device, ip) "
      "VALUES (" + params(d, 1, 2) + ", " + p(3, "bigint") + ", " + p(4, "bigint") + ", " +
      p(5, "bigint") + ", " + params(d, 6, 2) + ")";
  f.session_select =
      "SELECT user_id, created_at, last_seen_at, expires_at, device, ip FROM sessions "
      "WHERE id_hash = " + p(1);
  f.session_touch =
      "UPDATE sessions SET last_seen_at = " + p(1, "bigint") + " WHERE id_hash = " + p(2);
  f.session_delete = "DELETE FROM sessions WHERE id_hash = " + p(1);
  f.session_delete_user =
      "DELETE FROM sessions WHERE user_id = " + p(1) + " AND id_hash <> " + p(2);
  f.session_delete_stale = "DELETE FROM sessions WHERE expires_at <= " + p(1, "bigint") +
                           " OR last_seen_at <= " + p(2, "bigint");
  f.migration_insert = "INSERT INTO reclaim_migrations (version, name, applied_at) VALUES (" +
                       p(1, "integer") + ", " + params(d, 2, 2) + ")";
  return f;
}

}  // namespace reclaim::storage::sql
