// GpkgStore's migrations: the numbered SQL files embedded in the binary, the entity tables
// generated from the schemas (migration 3, registered in gpkg_contents) and the direct-edit
// triggers (migration 5).
#include "core/entities.hpp"
#include "storage/sql/migrate.hpp"
#include "storage/sqlite/gpkg_impl.hpp"
#include "storage/sqlite/migrations.hpp"

namespace reclaim::storage {
namespace {

std::vector<MigrationStep> migration_steps() {
  return storage::migration_steps(detail::embedded_migration_files(), kEntityTablesStep);
}

}  // namespace

int GpkgStore::latest_schema_version() noexcept {
  static const int kLatest = sql::latest_version(migration_steps());
  return kLatest;
}

Result<int> GpkgStore::Impl::schema_version() {
  auto has = query_int(
      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
      "'reclaim_migrations'");
  if (!has) return fail(has.error());
  if (*has == 0) return 0;
  auto v = query_int("SELECT COALESCE(MAX(version), 0) FROM reclaim_migrations");
  if (!v) return fail(v.error());
  return static_cast<int>(*v);
}

Result<void> GpkgStore::Impl::run_generated_step() {
  static const std::string kContents =
      "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
      "VALUES (?, ?, ?, ?, ?)";
  static const std::string kGeomCols =
      "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, "
      "z, m) VALUES (?, 'geom', ?, 4326, 0, 0)";
  static const std::string kExtension =
      "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, "
      "scope) VALUES (?, 'geom', 'gpkg_rtree_index', "
      "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')";
  for (const auto& s : core::all_schemas()) {
    const bool features = s.geometry != core::GeometryKind::kNone;
    if (auto r = exec(sql::entity_table_ddl(s, gpkg::kDialect), path + ": cannot create table " + s.name); !r)
      return r;
    const std::string description = "Reclaim " + s.singular + " records";
    {
      auto st = prepare(kContents);
      if (!st) return fail(st.error());
      st->bind_text(1, s.name);
      st->bind_text(2, features ? "features" : "attributes");
      st->bind_text(3, s.name);
      st->bind_text(4, description);
      if (features) {
        st->bind_int(5, 4326);
      } else {
        st->bind_null(5);
      }
      if (int rc = st->step(); rc != SQLITE_DONE)
        return fail(db_error(rc, path + ": cannot register " + s.name));
    }
    if (!features) continue;
    for (const std::string* sql : {&kGeomCols, &kExtension}) {
      auto st = prepare(*sql);
      if (!st) return fail(st.error());
      st->bind_text(1, s.name);
      if (sql == &kGeomCols) st->bind_text(2, gpkg::geometry_type_name(s.geometry));
      if (int rc = st->step(); rc != SQLITE_DONE)
        return fail(db_error(rc, path + ": cannot register " + s.name));
    }
  }
  return {};
}

Result<void> GpkgStore::migrate() {
  Impl& db = *impl_;
  const int latest = latest_schema_version();
  auto current = db.schema_version();
  if (!current) return fail(current.error());
  if (*current > latest) return fail(sql::newer_schema(db.path, *current, latest));
  if (*current == latest) {
    db.marks_writes = true;
    return {};
  }

  db.marks_writes = false;  // the migration itself writes no records
  auto txn = Impl::Transaction::begin(db);
  if (!txn) return fail(txn.error());
  current = db.schema_version();  // another process may have migrated meanwhile
  if (!current) return fail(current.error());
  if (*current > latest) return fail(sql::newer_schema(db.path, *current, latest));
  auto run = [&](const MigrationStep& step) -> Result<void> {
    const std::string what = db.path + ": migration " + step.name;
    if (!step.sql.empty()) return db.exec(std::string(step.sql), what);
    if (step.version == kDirectEditsStep) return db.exec(gpkg::direct_edits_ddl(), what);
    return db.run_generated_step();
  };
  auto record = [&](const MigrationStep& step, const std::string& at) -> Result<void> {
    auto st = db.prepare(db.fixed.migration_insert);
    if (!st) return fail(st.error());
    st->bind_int(1, step.version);
    st->bind_text(2, step.name);
    st->bind_text(3, at);
    return db.done(*st, db.path + ": cannot record migration " + step.name);
  };
  if (auto r = sql::apply_steps(migration_steps(), *current, run, record); !r) return r;
  auto done = txn->commit();
  if (done) db.marks_writes = true;
  return done;
}

}  // namespace reclaim::storage
