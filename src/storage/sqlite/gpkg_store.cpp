// GpkgStore: the connection, its statements, and open(). The other concerns are in the files
// gpkg_impl.hpp lists.
#include <filesystem>

#include "core/entities.hpp"
#include "storage/sqlite/gpkg_impl.hpp"

namespace reclaim::storage {
namespace {

constexpr int32_t kGpkgApplicationId = 0x47504B47;  // 'GPKG'
constexpr int kBusyTimeoutMs = 5000;

}  // namespace

using gpkg::Stmt;
using gpkg::StmtPtr;

Result<void> GpkgStore::Impl::begin_transaction() {
  if (auto r = exec("BEGIN IMMEDIATE", path + ": cannot start a transaction"); !r) return r;
  // Reclaim's own writes are not direct edits (migration 5): mark this transaction.
  if (!marks_writes) return {};
  if (auto r = exec("INSERT INTO reclaim_writer DEFAULT VALUES",
                    path + ": cannot start a transaction");
      !r) {
    rollback_transaction();
    return r;
  }
  return {};
}

Result<void> GpkgStore::Impl::commit_transaction() {
  if (marks_writes) {
    if (auto r = exec("DELETE FROM reclaim_writer", path + ": cannot commit"); !r) return r;
  }
  return exec("COMMIT", path + ": cannot commit");
}

void GpkgStore::Impl::rollback_transaction() noexcept { (void)exec("ROLLBACK", "rollback"); }

Error GpkgStore::Impl::db_error(int rc, std::string_view what) const {
  const ErrorCode code = (rc & 0xff) == SQLITE_NOTADB ? ErrorCode::kUnsupported : ErrorCode::kIo;
  std::string msg = std::string(what) + ": " + sqlite3_errmsg(db.get());
  if ((rc & 0xff) == SQLITE_BUSY) msg += " (another process is writing " + path + ")";
  return Error{code, std::move(msg)};
}

Result<Stmt> GpkgStore::Impl::use(StmtPtr& cache, const std::string& sql) {
  if (cache && sqlite3_stmt_busy(cache.get()) == 0) return Stmt(cache.get(), nullptr);
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db.get(), sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return fail(db_error(rc, path + ": cannot prepare statement"));
  }
  if (!cache) {
    cache.reset(raw);
    return Stmt(raw, nullptr);
  }
  return Stmt(raw, StmtPtr(raw));
}

Result<void> GpkgStore::Impl::exec(const std::string& sql, std::string_view what) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = std::string(what) + ": " + (err != nullptr ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    const ErrorCode code = (rc & 0xff) == SQLITE_NOTADB ? ErrorCode::kUnsupported : ErrorCode::kIo;
    return fail(code, std::move(msg));
  }
  return {};
}

Result<void> GpkgStore::Impl::done(Stmt& st, std::string_view what) {
  if (const int rc = st.step(); rc != SQLITE_DONE) return fail(db_error(rc, what));
  return {};
}

Result<int64_t> GpkgStore::Impl::query_int(const std::string& sql) {
  auto st = prepare(sql);
  if (!st) return fail(st.error());
  const int rc = st->step();
  if (rc == SQLITE_ROW) return st->int64(0);
  if (rc == SQLITE_DONE) return 0;
  return fail(db_error(rc, path));
}

Result<GpkgTable*> GpkgStore::Impl::table(const core::EntitySchema& s) {
  if (auto it = tables.find(s.name); it != tables.end()) return &it->second;
  auto found = sql::builtin_schema(s);
  if (!found) return fail(found.error());
  const core::EntitySchema* builtin = *found;
  GpkgTable t;
  t.sql = sql::make_table_sql(*builtin, gpkg::kDialect);
  const std::string id = sql::q(builtin->id_field().name);
  t.scan = t.sql.select + " ORDER BY " + id;
  t.exists = "SELECT 1 FROM " + sql::q(builtin->name) + " WHERE " + id + " = ?";
  return &tables.emplace(s.name, std::move(t)).first->second;
}

GpkgStore::GpkgStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpkgStore::~GpkgStore() = default;
const std::string& GpkgStore::path() const noexcept { return impl_->path; }

Result<std::unique_ptr<GpkgStore>> GpkgStore::open(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return fail(ErrorCode::kIo, "no database file given");
  std::error_code ec;
  const fs::path p(path);
  const bool exists = fs::exists(p, ec);
  bool fresh = true;
  if (exists) {
    if (fs::is_directory(p, ec))
      return fail(ErrorCode::kIo, path + " is a directory, not a GeoPackage file");
    // Never open the file behind SQLite's back: closing any descriptor on it drops every POSIX
    // lock this process holds there (fcntl semantics), and another process then deletes the
    // -wal and -shm a live connection of ours still uses. A stat is safe; SQLite itself tells
    // whether the bytes are a database (SQLITE_NOTADB on the first query below).
    const auto size = fs::file_size(p, ec);
    if (ec) return fail(ErrorCode::kIo, "cannot read " + path + ": " + ec.message());
    fresh = size == 0;
  } else {
    const fs::path dir = p.parent_path();
    if (!dir.empty() && !fs::is_directory(dir, ec))
      return fail(ErrorCode::kIo,
                  "cannot create " + path + ": directory " + dir.string() + " does not exist");
  }

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  impl->db.reset(raw);
  if (rc != SQLITE_OK) {
    std::string msg =
        "cannot open " + path + ": " + (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    return fail(ErrorCode::kIo, std::move(msg));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  if (gpkg::register_functions(raw) != SQLITE_OK)
    return fail(impl->db_error(SQLITE_ERROR, path + ": cannot register ST_ functions"));

  if (!fresh) {
    auto app = impl->query_int("PRAGMA application_id");
    if (!app) {
      Error e = app.error();
      if (e.code == ErrorCode::kUnsupported)
        e.message = path + " is not a GeoPackage (it is not a readable SQLite database)";
      return fail(std::move(e));
    }
    auto tables = impl->query_int("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'");
    if (!tables) return fail(tables.error());
    if (*tables > 0) {
      if (*app != kGpkgApplicationId)
        return fail(ErrorCode::kUnsupported, path + " is a SQLite database but not a GeoPackage");
      auto version = impl->schema_version();
      if (!version) return fail(version.error());
      if (*version == 0)
        return fail(ErrorCode::kUnsupported,
                    path + " is a GeoPackage but not a Reclaim database (no reclaim_migrations)");
    }
  }
  for (const char* pragma :
       {"PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"}) {
    if (auto r = impl->exec(pragma, path + ": " + pragma); !r) return fail(r.error());
  }
  return std::unique_ptr<GpkgStore>(new GpkgStore(std::move(impl)));
}

}  // namespace reclaim::storage
