#pragma once
// The embedded storage adapter: one GeoPackage 1.3 file (SQLite, WAL mode) that QGIS, GDAL and
// ogrinfo open directly. Entities with a geometry are feature tables with the R-tree spatial
// index extension; the others, the gazetteer and the history are attribute tables. Polygon
// columns are MULTIPOLYGON: a lone polygon is stored as a multipolygon of one and a multipolygon
// of one part reads back as a polygon.
//
// Thread rules: one thread at a time (as every Store). Several processes may open the same file:
// writers serialise on SQLite's lock (5 s busy timeout, then kIo).
#include <memory>
#include <string>

#include "storage/store.hpp"

namespace reclaim::storage {

class GpkgStore final : public Store {
 public:
  /// The highest migration number this binary knows.
  static int latest_schema_version() noexcept;

  /// Opens the GeoPackage at `path`, creating an empty file if there is none (its directory must
  /// exist). Does not migrate: call migrate() before anything else.
  /// Errors: kIo (directory missing, cannot open/create), kUnsupported (the file exists but is
  /// not a SQLite database, or is a SQLite database that is not a GeoPackage).
  static Result<std::unique_ptr<GpkgStore>> open(const std::string& path);

  ~GpkgStore() override;
  GpkgStore(const GpkgStore&) = delete;
  GpkgStore& operator=(const GpkgStore&) = delete;

  const std::string& path() const noexcept;

  /// Also refuses (kFailedPrecondition) a database whose latest migration is newer than
  /// latest_schema_version().
  Result<void> migrate() override;
  Result<void> commit(const ChangeSet& changes) override;
  Result<std::optional<core::Record>> get(const core::EntitySchema& s,
                                          std::string_view id) override;
  Result<void> scan(const core::EntitySchema& s,
                    const std::function<bool(core::Record&&)>& fn) override;
  Result<std::vector<std::string>> existing_ids(const core::EntitySchema& s,
                                                const std::vector<std::string>& ids) override;
  Result<int64_t> count(const core::EntitySchema& s) override;
  Result<std::vector<HistoryEntry>> history(const core::EntitySchema& s,
                                            std::string_view id) override;
  Result<void> replace_admin_units(const std::vector<core::AdminUnit>& units,
                                   const std::vector<core::AdminBoundary>& bounds) override;
  Result<std::vector<core::AdminUnit>> admin_units() override;
  Result<std::vector<core::AdminBoundary>> admin_boundaries() override;
  Result<std::optional<std::string>> meta(std::string_view key) override;
  Result<void> set_meta(std::string_view key, std::string_view value) override;
  /// SQL WHERE with bound parameters, the R-tree for the bbox, keyset paging on (sort, id).
  Result<QueryPage> query(const core::EntitySchema& s, const Query& q) override;
  Result<void> scan_history(const std::function<bool(HistoryEntry&&)>& fn) override;
  Result<std::vector<std::pair<std::string, std::string>>> meta_entries() override;
  /// The partial index history_direct_edits (migration 5).
  Result<std::vector<HistoryEntry>> direct_edits(int64_t limit) override;
  /// PRAGMA data_version (changes when another connection commits) plus this connection's
  /// total row changes (its own writes).
  Result<int64_t> generation() override;
  Result<void> insert_session(const SessionRow& row) override;
  Result<std::optional<SessionRow>> find_session(std::string_view id_hash) override;
  Result<void> touch_session(std::string_view id_hash, int64_t last_seen_unix) override;
  Result<int64_t> delete_session(std::string_view id_hash) override;
  Result<int64_t> delete_user_sessions(std::string_view user,
                                       std::string_view except_id_hash) override;
  Result<int64_t> delete_stale_sessions(int64_t now_unix, int64_t idle_before_unix) override;
  /// Holds SQLite's write lock (BEGIN IMMEDIATE) throughout.
  Result<void> restore_from(Store& source) override;

  /// The implementation (sqlite/gpkg_impl.hpp): named here so that the adapter's files can share
  /// helpers over it; opaque to everyone else.
  class Impl;

 private:
  explicit GpkgStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace reclaim::storage
