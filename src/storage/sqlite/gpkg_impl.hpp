#pragma once
// GpkgStore's implementation, shared by its source files (one per concern):
//   gpkg_store.cpp     connection, statements, open
//   gpkg_schema.cpp    migrations (numbered files, the generated entity tables, migration 5)
//   gpkg_writes.cpp    commit, history, gazetteer replacement, settings, gpkg_contents
//   gpkg_reads.cpp     get, scan, ids, counts, history, gazetteer, settings, query
//   gpkg_sessions.cpp  the sessions table
//   gpkg_restore.cpp   restore_from
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/sql/table_sql.hpp"
#include "storage/sql/transaction.hpp"
#include "storage/sqlite/gpkg_sql.hpp"
#include "storage/sqlite/gpkg_stmt.hpp"
#include "storage/sqlite/gpkg_store.hpp"

namespace reclaim::storage {

/// One built-in entity table: the shared statements, the GeoPackage-only ones, and the cache.
struct GpkgTable {
  sql::TableSql sql;
  std::string scan;    ///< select ORDER BY id
  std::string exists;  ///< SELECT 1 WHERE id = ?
  gpkg::StmtPtr insert_stmt, by_id_stmt, scan_stmt, update_stmt, exists_stmt, count_stmt;
};

class GpkgStore::Impl {
 public:
  /// BEGIN IMMEDIATE ... COMMIT, rolled back unless committed; Reclaim's own writes are marked
  /// (migration 5) while marks_writes is set.
  using Transaction = sql::Transaction<Impl>;
  Result<void> begin_transaction();
  Result<void> commit_transaction();
  void rollback_transaction() noexcept;

  std::string path;
  bool marks_writes = false;  ///< the schema has the direct-edit triggers (migration 5)
  gpkg::DbPtr db;  // declared before the statements: destroyed after them
  std::unordered_map<std::string, gpkg::StmtPtr> stmts;
  std::unordered_map<std::string, GpkgTable> tables;
  const sql::FixedSql& fixed = gpkg::fixed_sql();

  // ---- connection and statements (gpkg_store.cpp) ----
  Error db_error(int rc, std::string_view what) const;
  /// A statement from `cache`, preparing it on first use; a fresh one if it is in use already
  /// (e.g. a scan callback that reads the same table).
  Result<gpkg::Stmt> use(gpkg::StmtPtr& cache, const std::string& sql);
  Result<gpkg::Stmt> prepare(const std::string& sql) { return use(stmts[sql], sql); }
  /// Runs SQL without parameters (DDL, pragmas, transaction control).
  Result<void> exec(const std::string& sql, std::string_view what);
  /// Steps a statement that returns no rows. Errors: kIo starting with `what`.
  Result<void> done(gpkg::Stmt& st, std::string_view what);
  /// Steps through the rows of `st`, calling fn(const Stmt&) -> Result<bool> (false: stop).
  template <class Fn>
  Result<void> each_row(gpkg::Stmt& st, std::string_view what, Fn&& fn) {
    for (;;) {
      const int rc = st.step();
      if (rc == SQLITE_DONE) return {};
      if (rc != SQLITE_ROW) return fail(db_error(rc, what));
      auto more = fn(static_cast<const gpkg::Stmt&>(st));
      if (!more) return fail(more.error());
      if (!*more) return {};
    }
  }
  /// One value of a single-row query without parameters (0 for no row).
  Result<int64_t> query_int(const std::string& sql);
  /// The built-in table of `s`. Errors: kInvalidArgument (unknown or different schema).
  Result<GpkgTable*> table(const core::EntitySchema& s);

  // ---- schema (gpkg_schema.cpp) ----
  Result<int> schema_version();
  Result<void> run_generated_step();

  // ---- writes (gpkg_writes.cpp) ----
  Result<void> write_history(const HistoryEntry& h, bool with_seq, std::string_view what);
  Result<void> insert(GpkgTable& t, const Change& c, const ChangeSource& src,
                      const std::string& at, gpkg::Env& env);
  Result<void> update(GpkgTable& t, const Change& c, const ChangeSource& src,
                      const std::string& at, gpkg::Env& env);
  Result<void> insert_unit(const core::AdminUnit& u);
  Result<void> insert_boundary(const core::AdminBoundary& b, gpkg::Env& env);
  Result<void> upsert_meta(const std::string& key, const std::string& value);
  /// Widens the table's bbox in gpkg_contents by env (if not empty; replace_bbox: sets it) and
  /// stamps last_change.
  Result<void> touch_contents(const std::string& table, const gpkg::Env& env,
                              const std::string& at, bool replace_bbox);
};

}  // namespace reclaim::storage
