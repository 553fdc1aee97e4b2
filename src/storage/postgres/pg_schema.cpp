// PgStore's migrations: PostGIS, the numbered SQL files embedded in the binary, the entity
// tables generated from the schemas (migration 3) and the direct-edit triggers (migration 5),
// in one transaction serialised between concurrent migrators by an advisory lock.
#include "core/entities.hpp"
#include "storage/postgres/pg_impl.hpp"
#include "storage/postgres/pg_migrations.hpp"
#include "storage/sql/migrate.hpp"

namespace reclaim::storage {
namespace {

constexpr int64_t kMigrationLock = 0x5245434C41494DLL;  // advisory lock key: 'RECLAIM'

std::vector<MigrationStep> migration_steps() {
  return storage::migration_steps(pg_detail::embedded_migration_files(), kEntityTablesStep);
}

}  // namespace

using pg::Params;
using pg::PgRow;

int PgStore::latest_schema_version() noexcept {
  static const int kLatest = sql::latest_version(migration_steps());
  return kLatest;
}

Result<bool> PgStore::Impl::has_postgis() {
  Params none;
  auto r = query("SELECT 1 FROM pg_extension WHERE extname = 'postgis'", none,
                 shown + ": cannot look for PostGIS");
  if (!r) return fail(r.error());
  return PQntuples(r->get()) > 0;
}

Result<int> PgStore::Impl::schema_version() {
  Params none;
  auto has = query("SELECT to_regclass('reclaim_migrations') IS NOT NULL", none,
                   shown + ": cannot read the schema version");
  if (!has) return fail(has.error());
  if (PgRow{has->get(), 0}.int64(0) == 0) return 0;
  auto v = query("SELECT COALESCE(MAX(version), 0)::bigint FROM reclaim_migrations", none,
                 shown + ": cannot read the schema version");
  if (!v) return fail(v.error());
  return static_cast<int>(PgRow{v->get(), 0}.int64(0));
}

Result<void> PgStore::Impl::run_generated_step() {
  for (const auto& s : core::all_schemas()) {
    if (auto r = exec(sql::entity_table_ddl(s, pg::kDialect), shown + ": cannot create table " + s.name);
        !r)
      return r;
  }
  return {};
}

Result<void> PgStore::migrate() {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return c;
  const int latest = latest_schema_version();
  auto postgis = db.has_postgis();
  if (!postgis) return fail(postgis.error());
  auto current = db.schema_version();
  if (!current) return fail(current.error());
  if (*current > latest) return fail(sql::newer_schema(db.shown, *current, latest));
  if (*current == latest && *postgis) return {};

  auto txn = Impl::Transaction::begin(db);
  if (!txn) return fail(txn.error());
  {
    Params key;
    key.integer(kMigrationLock);
    auto lock = db.query("SELECT pg_advisory_xact_lock($1::bigint)", key,
                         db.shown + ": cannot lock the schema for migration");
    if (!lock) return fail(lock.error());
  }
  postgis = db.has_postgis();  // another process may have migrated meanwhile
  if (!postgis) return fail(postgis.error());
  if (!*postgis) {
    if (auto r = db.exec("CREATE EXTENSION IF NOT EXISTS postgis", "CREATE EXTENSION postgis");
        !r) {
      const char* name = PQdb(db.conn.get());
      return fail(ErrorCode::kFailedPrecondition,
                  "PostGIS is not installed in database " + std::string(name ? name : "?") + ": " +
                      r.error().message +
                      " (install postgresql-15-postgis-3 and run CREATE EXTENSION postgis as a "
                      "superuser)");
    }
  }
  current = db.schema_version();
  if (!current) return fail(current.error());
  if (*current > latest) return fail(sql::newer_schema(db.shown, *current, latest));
  auto run = [&](const MigrationStep& step) -> Result<void> {
    const std::string what = db.shown + ": migration " + step.name;
    if (!step.sql.empty()) return db.exec(std::string(step.sql), what);
    // migration 5: direct-edit triggers and the change counter generation() adds
    if (step.version == kDirectEditsStep) return db.exec(pg::direct_edits_ddl(), what);
    return db.run_generated_step();
  };
  auto record = [&](const MigrationStep& step, const std::string& at) -> Result<void> {
    Params p;
    p.integer(step.version);
    p.ref(step.name);
    p.ref(at);
    auto rec = db.query(db.fixed.migration_insert, p,
                        db.shown + ": cannot record migration " + step.name);
    if (!rec) return fail(rec.error());
    return {};
  };
  if (auto r = sql::apply_steps(migration_steps(), *current, run, record); !r) return r;
  return txn->commit();
}

}  // namespace reclaim::storage
