// GeoPackage backup and restore through SQLite's online backup API. Every database file here is
// opened only through SQLite (never read or written behind its back: closing any other
// descriptor of the file would drop this process's POSIX locks on it).
#include "storage/sqlite/gpkg_backup.hpp"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "storage/sqlite/gpkg_store.hpp"

namespace reclaim::storage::gpkg {
namespace {

constexpr int32_t kGpkgApplicationId = 0x47504B47;  // 'GPKG'
constexpr int kBusyRetries = 100;                   // x 50 ms: a writer's commit is short
constexpr int kTargetBusyTimeoutMs = 1000;          // a short CLI reader may finish meanwhile

struct DbCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

bool is_busy(int rc) noexcept {
  return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

Error db_error(sqlite3* db, int rc, const std::string& what) {
  const ErrorCode code = (rc & 0xff) == SQLITE_NOTADB ? ErrorCode::kUnsupported : ErrorCode::kIo;
  return Error{code, what + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc))};
}

Result<DbPtr> open_db(const std::string& path, int flags, const std::string& what) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) return fail(db_error(raw, rc, what));
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Result<void> exec(sqlite3* db, const std::string& sql, const std::string& what) {
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(db_error(db, rc, what));
  return {};
}

/// Every row of the first column of `sql`, as text (NULL as "").
Result<std::vector<std::string>> column(sqlite3* db, const std::string& sql,
                                        const std::string& what) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr);
  StmtPtr st(raw);
  if (rc != SQLITE_OK) return fail(db_error(db, rc, what));
  std::vector<std::string> out;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0));
    out.emplace_back(t != nullptr ? t : "");
  }
  if (rc != SQLITE_DONE) return fail(db_error(db, rc, what));
  return out;
}

Result<std::string> scalar(sqlite3* db, const std::string& sql, const std::string& what) {
  auto rows = column(db, sql, what);
  if (!rows) return fail(rows.error());
  return rows->empty() ? std::string() : rows->front();
}

std::string quote_ident(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

/// Checks that `db` (opened from `path`, described as `role`) is a Reclaim GeoPackage whose
/// schema this binary knows. Errors: kUnsupported, kFailedPrecondition (newer schema), kIo.
Result<void> check_reclaim_database(sqlite3* db, const std::string& path, std::string_view role) {
  const std::string what = std::string(role) + " " + path;
  auto app = scalar(db, "PRAGMA application_id", what);
  if (!app) {
    Error e = app.error();
    if (e.code == ErrorCode::kUnsupported) e.message = what + " is not a SQLite/GeoPackage file";
    return fail(std::move(e));
  }
  if (std::stoll(*app) != kGpkgApplicationId)
    return fail(ErrorCode::kUnsupported, what + " is not a GeoPackage");
  auto has = scalar(db,
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
                    "'reclaim_migrations'",
                    what);
  if (!has) return fail(has.error());
  if (*has == "0")
    return fail(ErrorCode::kUnsupported,
                what + " is a GeoPackage but not a Reclaim database (no reclaim_migrations)");
  auto version = scalar(db, "SELECT COALESCE(MAX(version), 0) FROM reclaim_migrations", what);
  if (!version) return fail(version.error());
  if (std::stoi(*version) > GpkgStore::latest_schema_version())
    return fail(ErrorCode::kFailedPrecondition,
                what + " has database schema version " + *version + ", newer than this Reclaim (" +
                    std::to_string(GpkgStore::latest_schema_version()) + "); upgrade Reclaim");
  return {};
}

/// The tables that hold data of the national record: every table but SQLite's, GeoPackage's
/// (gpkg_*, rtree_*) and the schema bookkeeping (reclaim_migrations, reclaim_meta).
Result<std::vector<std::string>> data_tables(sqlite3* db, const std::string& what) {
  return column(db,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'gpkg_%' AND name NOT LIKE 'rtree_%' AND name NOT IN "
                "('reclaim_migrations', 'reclaim_meta') AND sql NOT LIKE 'CREATE VIRTUAL%' "
                "ORDER BY name",
                what);
}

/// "hazards (1203 rows), history (8121 rows)" for the data tables that hold rows, or "".
Result<std::string> describe_contents(sqlite3* db, const std::string& what) {
  auto tables = data_tables(db, what);
  if (!tables) return fail(tables.error());
  std::string out;
  for (const auto& t : *tables) {
    auto n = scalar(db, "SELECT COUNT(*) FROM " + quote_ident(t), what);
    if (!n) return fail(n.error());
    if (*n == "0") continue;
    out += (out.empty() ? "" : ", ") + t + " (" + *n + " rows)";
  }
  return out;
}

/// THE place where a copied GeoPackage loses its live sessions: deletes every row of the
/// `sessions` table if there is one, overwriting the freed pages (secure_delete) so that the
/// copy keeps no session identifiers.
Result<void> delete_session_rows(sqlite3* db, const std::string& path) {
  auto has = scalar(db,
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'sessions'",
                    path);
  if (!has) return fail(has.error());
  if (*has == "0") return {};
  if (auto r = exec(db, "PRAGMA secure_delete = ON", path); !r) return r;
  return exec(db, "DELETE FROM sessions", path + ": cannot end the live sessions");
}

/// Copies every page of `from` into `to` in one step (one read transaction on `from`: a
/// consistent snapshot even while other connections write it). Retries while `from` is busy.
Result<void> copy_pages(sqlite3* from, sqlite3* to, const std::string& what) {
  for (int attempt = 0;; ++attempt) {
    sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
    if (b == nullptr) return fail(db_error(to, sqlite3_errcode(to), what));
    const int step = sqlite3_backup_step(b, -1);
    const int rc = sqlite3_backup_finish(b);
    if (step == SQLITE_DONE && rc == SQLITE_OK) return {};
    if (!is_busy(step) || attempt >= kBusyRetries)
      return fail(db_error(to, step == SQLITE_DONE ? rc : step, what));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Result<void> check_integrity(sqlite3* db, const std::string& pragma, const std::string& what) {
  auto rows = column(db, "PRAGMA " + pragma, what);
  if (!rows) return fail(rows.error());
  if (rows->size() != 1 || rows->front() != "ok")
    return fail(ErrorCode::kInvalidArgument,
                what + " is damaged (" + pragma + ": " + (rows->empty() ? "" : rows->front()) +
                    ")");
  return {};
}

}  // namespace

Result<void> backup(const std::string& path, const std::string& scratch_dir, const ByteSink& sink) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return fail(ErrorCode::kNotFound, "no GeoPackage " + path + " to back up");
  auto snapshot = ScratchFile::create(scratch_dir, ".reclaim-snapshot-");
  if (!snapshot) return fail(snapshot.error());
  {
    // A read-write connection (no create), as any other client of the file: it follows
    // SQLite's locking protocol with the server and the other processes.
    auto src = open_db(path, SQLITE_OPEN_READWRITE, "cannot open " + path);
    if (!src) return fail(src.error());
    sqlite3_busy_timeout(src->get(), 5000);
    if (auto r = check_reclaim_database(src->get(), path, "database"); !r) return r;
    auto dst = open_db(snapshot->path(), SQLITE_OPEN_READWRITE, "cannot open " + snapshot->path());
    if (!dst) return fail(dst.error());
    if (auto r = copy_pages(src->get(), dst->get(), "cannot back up " + path); !r) return r;
    src->reset();  // the server's file is no longer used from here on
    // A self-contained single file: no -wal beside it, no live sessions in it.
    if (auto r = exec(dst->get(), "PRAGMA journal_mode = DELETE", snapshot->path()); !r) return r;
    if (auto r = delete_session_rows(dst->get(), snapshot->path()); !r) return r;
    if (auto r = check_integrity(dst->get(), "quick_check", "the backup of " + path); !r)
      return fail(ErrorCode::kIo, r.error().message);
  }
  std::ifstream in(snapshot->path(), std::ios::binary);  // our private copy, closed by SQLite
  if (!in) return fail(ErrorCode::kIo, "cannot read the snapshot " + snapshot->path());
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto got = static_cast<size_t>(in.gcount());
    if (got == 0) break;
    if (auto r = sink(std::string_view(buf.data(), got)); !r) return r;
  }
  if (in.bad()) return fail(ErrorCode::kIo, "cannot read the snapshot " + snapshot->path());
  return {};
}

Result<void> restore(const std::string& backup_file, const std::string& path,
                     const RestoreOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  // 1. The backup: a sound Reclaim GeoPackage this binary can read. Only read.
  auto src = open_db(backup_file, SQLITE_OPEN_READONLY, "cannot open the backup " + backup_file);
  if (!src) return fail(src.error());
  auto checked = check_integrity(src->get(), "integrity_check", "the backup " + backup_file);
  if (checked) checked = check_reclaim_database(src->get(), backup_file, "the backup");
  if (!checked) {
    Error e = checked.error();
    if (e.code != ErrorCode::kFailedPrecondition) {  // damaged, or not ours: the user's input
      e.code = ErrorCode::kInvalidArgument;
      if (e.message.find("damaged") == std::string::npos &&
          e.message.find("not a") == std::string::npos)
        e.message += " (the backup is damaged)";
    }
    return fail(std::move(e));
  }

  // 2. The target: locked exclusively, or refused when anyone else has it open.
  if (fs::is_directory(path, ec))
    return fail(ErrorCode::kInvalidArgument, path + " is a directory, not a GeoPackage file");
  const bool existed = fs::exists(path, ec);
  if (!existed) {
    const fs::path dir = fs::path(path).parent_path();
    if (!dir.empty() && !fs::is_directory(dir, ec))
      return fail(ErrorCode::kNotFound,
                  "cannot restore into " + path + ": directory " + dir.string() + " does not exist");
  }
  struct RemoveIfCreated {
    const std::string& path;
    bool armed;
    ~RemoveIfCreated() {
      if (!armed) return;
      for (const char* suffix : {"", "-journal", "-wal", "-shm"})
        (void)std::remove((path + suffix).c_str());
    }
  } created{path, !existed};
  auto dst = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "cannot open " + path);
  if (!dst) return fail(dst.error());
  sqlite3* db = dst->get();
  sqlite3_busy_timeout(db, kTargetBusyTimeoutMs);
  // In EXCLUSIVE locking mode the connection takes the file's exclusive lock at its first read
  // of a WAL database (at its first write otherwise) and keeps it until it closes; that fails
  // while any other connection has the file open (in WAL mode each holds a shared lock), and
  // it writes nothing, so a refused restore leaves the file byte for byte as it was.
  if (auto r = exec(db, "PRAGMA locking_mode = EXCLUSIVE", path); !r) return r;
  auto mode = scalar(db, "PRAGMA journal_mode", path);
  auto locked = mode ? exec(db, "SELECT COUNT(*) FROM sqlite_master; BEGIN EXCLUSIVE; COMMIT", path)
                     : Result<void>(fail(mode.error()));
  if (!locked) {
    Error e = locked.error();
    if (is_busy(sqlite3_errcode(db)))
      return fail(ErrorCode::kFailedPrecondition,
                  path + " is in use by another process (a running `reclaim serve`, a CLI command, "
                         "QGIS or sqlite3): stop it, then restore; nothing was written");
    if (e.code == ErrorCode::kUnsupported)
      e.message = path + " is not a GeoPackage (not a SQLite database): not overwritten";
    return fail(std::move(e));
  }

  // 3. Refuse to replace data without --force.
  auto pages = scalar(db, "PRAGMA page_count", path);
  if (!pages) return fail(pages.error());
  if (*pages != "0" && !options.force) {
    auto app = scalar(db, "PRAGMA application_id", path);
    if (!app) return fail(app.error());
    auto held = describe_contents(db, path);
    if (!held) return fail(held.error());
    if (std::stoll(*app) != kGpkgApplicationId && !held->empty())
      return fail(ErrorCode::kFailedPrecondition,
                  path + " is a SQLite database that is not a GeoPackage and holds " + *held +
                      ": not overwritten (use --force to replace it)");
    if (!held->empty())
      return fail(ErrorCode::kFailedPrecondition,
                  path + " is not empty: it holds " + *held +
                      ". Nothing was written; `restore --force` replaces it");
  }

  // 4. Replace every page in one transaction (in rollback-journal mode, so that the page size
  // may differ), end the sessions, back to WAL mode.
  if (auto r = exec(db, "PRAGMA journal_mode = DELETE", path); !r) return r;
  if (auto r = copy_pages(src->get(), db, "cannot restore " + backup_file + " into " + path); !r) {
    (void)exec(db, "PRAGMA journal_mode = WAL", path);  // the copy was rolled back
    return r;
  }
  if (auto r = delete_session_rows(db, path); !r) return r;
  if (auto r = exec(db, "PRAGMA journal_mode = WAL", path); !r) return r;
  created.armed = false;
  return {};
}

Result<void> clear_live_sessions(const std::string& path) {
  auto db = open_db(path, SQLITE_OPEN_READWRITE, "cannot open " + path);
  if (!db) return fail(db.error());
  sqlite3_busy_timeout(db->get(), 5000);
  return delete_session_rows(db->get(), path);
}

}  // namespace reclaim::storage::gpkg
