#pragma once
// PgStore's implementation, shared by its source files (one per concern):
//   pg_store.cpp     connection, statements, pipelines, open
//   pg_schema.cpp    migrations (PostGIS, numbered files, generated entity tables, migration 5)
//   pg_writes.cpp    commit, gazetteer replacement, settings
//   pg_reads.cpp     get, scan, ids, counts, history, gazetteer, settings, generation
//   pg_query.cpp     query and mvt_tile
//   pg_sessions.cpp  the sessions table
//   pg_restore.cpp   restore_from
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/postgres/pg_sql.hpp"
#include "storage/postgres/pg_store.hpp"
#include "storage/postgres/pg_wire.hpp"
#include "storage/sql/table_sql.hpp"
#include "storage/sql/transaction.hpp"

namespace reclaim::storage {

inline constexpr size_t kPgBatch = 1000;  ///< statements sent per pipeline round trip
inline constexpr int kPgScanPage = 1000;  ///< rows per scan query

/// One built-in entity table: the shared statements and the PostgreSQL-only ones.
struct PgTable {
  sql::TableSql sql;
  std::string lock;        ///< by_id FOR UPDATE
  std::string first_page;  ///< the first kPgScanPage rows by id
  std::string next_page;   ///< the next kPgScanPage rows after id $1
  std::string exists;      ///< the ids of $1 (a text array) that are stored
};

/// One statement of a pipeline and what it is about (for its error message).
struct Queued {
  const std::string* sql = nullptr;  ///< a statement that outlives the batch
  pg::Params params;
  std::string what;       ///< "hazards KH-HZ-1 (row 3)": starts its error message
  std::string duplicate;  ///< on a unique violation (23505): kAlreadyExists, what + ": " + this
};

class PgStore::Impl {
 public:
  /// BEGIN ... COMMIT (Reclaim's own writes: SET LOCAL reclaim.writer), rolled back unless
  /// committed.
  using Transaction = sql::Transaction<Impl>;
  Result<void> begin_transaction();
  Result<void> commit_transaction();
  void rollback_transaction() noexcept;

  /// Statements queued for pipelined round trips of kPgBatch, with what their parameters point
  /// into (kept until sent).
  class Batch {
   public:
    explicit Batch(Impl& db) : db_(db) {}
    /// Queues; sends the batch when it is full.
    Result<void> add(Queued item);
    /// Sends what is queued.
    Result<void> flush();
    std::deque<core::Record> records;
    std::deque<HistoryEntry> history;

   private:
    Impl& db_;
    std::vector<Queued> items_;
  };

  std::string url;
  std::string shown;  // url, password masked
  pg::ConnPtr conn;
  std::unordered_map<std::string, std::string> prepared;  ///< SQL -> statement name
  std::unordered_map<std::string, PgTable> tables;
  const sql::FixedSql& fixed = pg::fixed_sql();

  // What the last error was (set by error()), for callers that translate it.
  std::string last_sqlstate;
  bool last_lost = false;       // the connection is gone
  bool last_cancelled = false;  // statement timeout or pg_cancel_backend
  bool committing = false;      // the failing statement was COMMIT

  // ---- connection and statements (pg_store.cpp) ----
  /// Translates a failed result (or a connection failure: r == nullptr) into an Error.
  Error error(const PGresult* r, std::string_view what);
  Result<pg::ResPtr> check(pg::ResPtr r, std::string_view what);
  /// Reconnects a connection that was lost (outside any transaction).
  Result<void> ensure_connected();
  /// Runs SQL without parameters (DDL, several statements, transaction control).
  Result<void> exec(const std::string& sql, std::string_view what);
  /// One statement with parameters, not prepared; binary results.
  Result<pg::ResPtr> query(const std::string& sql, pg::Params& p, std::string_view what);
  /// The name of `sql` prepared on this connection (prepared on first use).
  Result<const std::string*> prepared_name(const std::string& sql);
  /// A statement prepared once per connection on first use; binary results.
  Result<pg::ResPtr> run(const std::string& sql, pg::Params& p, std::string_view what);
  /// Sends `batch` as one pipeline (one round trip) and reads every result; the first failing
  /// statement's error is returned (the server skips the rest). Empties the batch.
  Result<void> run_batch(std::vector<Queued>& batch);
  /// The built-in table of `s`. Errors: kInvalidArgument (unknown or different schema).
  Result<PgTable*> table(const core::EntitySchema& s);
  /// A failure of a write transaction (`r`), said again when the connection was lost (`during`:
  /// "during the import") or the statement cancelled, so the user knows what was written.
  Result<void> explain_write(Result<void> r, std::string_view during,
                             std::string_view while_committing);

  // ---- schema (pg_schema.cpp) ----
  Result<bool> has_postgis();
  Result<int> schema_version();
  Result<void> run_generated_step();

  // ---- writes (pg_writes.cpp) ----
  Result<void> commit_changes(const ChangeSet& cs);
  Result<void> update(PgTable& t, const Change& c, const ChangeSource& src,
                      const std::string& at, Batch& batch);
  Result<void> queue_unit(Batch& batch, const core::AdminUnit& u);
  Result<void> queue_boundary(Batch& batch, const core::AdminBoundary& b);
  Result<void> upsert_meta(const std::string& key, const std::string& value);
};

}  // namespace reclaim::storage
