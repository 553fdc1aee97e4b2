#pragma once
// Storage ports: what the application needs from a database. Adapters: sqlite/ (a GeoPackage
// file, the embedded default) and, later, postgres/. One contract test suite
// (storage/contract) runs against every adapter.
//
// Thread rules: a Store is used by one thread at a time.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "core/gazetteer.hpp"
#include "core/record.hpp"

namespace reclaim::storage {

/// Who made a change and from what: kept with every history entry.
struct ChangeSource {
  std::string user;    ///< login or OS user
  std::string file;    ///< import file, or "" for interactive changes
  std::string reason;  ///< "import", "demo", "activity AC-1 applied", ...
};

enum class ChangeOp { kInsert, kUpdate };

struct Change {
  ChangeOp op = ChangeOp::kInsert;
  const core::EntitySchema* schema = nullptr;
  core::Record record;        ///< for kUpdate, record.version is the version the writer read
  std::string source_record;  ///< "row 12", "feature 7": where in the file it came from
};

struct ChangeSet {
  ChangeSource source;
  std::vector<Change> changes;
};

struct HistoryEntry {
  int64_t seq = 0;
  std::string entity;
  std::string record_id;
  std::string op;  ///< "insert" | "update"
  std::string at;  ///< UTC timestamp, ISO 8601
  std::string user, file, source_record, reason;
  std::string before_json;  ///< "" for inserts
  std::string after_json;
};

class Store {
 public:
  virtual ~Store() = default;

  /// Creates the schema on an empty database or applies the pending numbered migrations.
  /// Errors: kIo; kFailedPrecondition if the database schema is newer than this binary.
  virtual Result<void> migrate() = 0;

  /// Applies every change in one transaction: all land, or none (the database is left as it
  /// was). Inserts get version 1; an update must carry the stored version (else kConflict) and
  /// bumps it. Each change writes one history entry (before/after as JSON).
  /// Errors: kAlreadyExists (duplicate id, naming it), kNotFound (update of a missing record),
  /// kConflict, kIo.
  virtual Result<void> commit(const ChangeSet& changes) = 0;

  virtual Result<std::optional<core::Record>> get(const core::EntitySchema& s,
                                                  std::string_view id) = 0;
  /// Calls fn for every record of the entity (in id order). fn returns false to stop.
  virtual Result<void> scan(const core::EntitySchema& s,
                            const std::function<bool(core::Record&&)>& fn) = 0;
  /// Which of `ids` already exist.
  virtual Result<std::vector<std::string>> existing_ids(const core::EntitySchema& s,
                                                        const std::vector<std::string>& ids) = 0;
  virtual Result<int64_t> count(const core::EntitySchema& s) = 0;
  /// History of one record, oldest first.
  virtual Result<std::vector<HistoryEntry>> history(const core::EntitySchema& s,
                                                    std::string_view id) = 0;

  /// Replaces the gazetteer and boundaries (one transaction).
  virtual Result<void> replace_admin_units(const std::vector<core::AdminUnit>& units,
                                           const std::vector<core::AdminBoundary>& bounds) = 0;
  virtual Result<std::vector<core::AdminUnit>> admin_units() = 0;
  virtual Result<std::vector<core::AdminBoundary>> admin_boundaries() = 0;

  /// Small key/value settings (e.g. "seed", "created_at").
  virtual Result<std::optional<std::string>> meta(std::string_view key) = 0;
  virtual Result<void> set_meta(std::string_view key, std::string_view value) = 0;
};

/// Opens a store from a location: a file path (GeoPackage, created if missing). Later also
/// postgresql://… URLs.  Errors: kIo, kUnsupported.
Result<std::unique_ptr<Store>> open_store(const std::string& location);

}  // namespace reclaim::storage
