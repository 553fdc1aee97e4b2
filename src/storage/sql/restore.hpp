#pragma once
// Store::restore_from written once: the copy's order and its emptiness check, over a small
// interface each adapter implements inside its own write transaction (SQLite: statements run at
// once; PostgreSQL: pipelined batches).
#include <cstdint>
#include <string>

#include "storage/store.hpp"

namespace reclaim::storage::sql {

/// Where a copy goes: one adapter's open write transaction.
class RestoreTarget {
 public:
  virtual ~RestoreTarget() = default;
  /// The database in messages (file path, URL with the password masked).
  virtual const std::string& where() const = 0;
  /// count(*) of a table (a built-in entity, history, admin_units, admin_boundaries).
  virtual Result<int64_t> count_rows(const std::string& table) = 0;
  virtual Result<void> insert_unit(const core::AdminUnit& u) = 0;
  virtual Result<void> insert_boundary(const core::AdminBoundary& b) = 0;
  /// A record with its row version kept. The target may queue it (and keeps it meanwhile).
  virtual Result<void> insert_record(const core::EntitySchema& s, core::Record&& r) = 0;
  /// A history entry with its seq kept. The target may queue it (and keeps it meanwhile).
  virtual Result<void> insert_history(HistoryEntry&& h) = 0;
  /// After the last row of `table`: writes what is queued and notes the table's change.
  virtual Result<void> end_table(const std::string& table) = 0;
  virtual Result<void> set_meta(const std::string& key, const std::string& value) = 0;
};

/// The target holds no record, history, admin unit or boundary (settings do not count).
/// Errors: kFailedPrecondition naming what it holds.
Result<void> require_empty(RestoreTarget& target);

/// require_empty, then copies from `source` in its order: the gazetteer, the boundaries, every
/// record of every entity (row versions kept), the complete history (seq kept), the settings.
/// Errors: the first failure of either store; the caller rolls its transaction back.
Result<void> copy_store(Store& source, RestoreTarget& target);

}  // namespace reclaim::storage::sql
