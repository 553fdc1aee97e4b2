#pragma once
// The server storage adapter: PostgreSQL 15 + PostGIS 3 over libpq, the same logical schema as
// the GeoPackage (one table per entity, admin_units, admin_boundaries, history, reclaim_meta,
// reclaim_migrations). Geometry columns are geometry(MultiPolygon, 4326) / geometry(Point, 4326)
// with GiST indexes; a lone polygon is stored as a multipolygon of one and a multipolygon of one
// part reads back as a polygon. Every row carries a version (optimistic concurrency): an update
// names the version it read and fails with kConflict if someone else changed the row meanwhile.
//
// Thread rules: one thread at a time (as every Store); one connection per PgStore. Any number of
// PgStores (threads, processes, machines) may write the same database at once.
#include <memory>
#include <string>

#include "storage/store.hpp"

namespace reclaim::storage {

class PgStore final : public Store {
 public:
  /// The highest migration number this binary knows.
  static int latest_schema_version() noexcept;

  /// Connects to `url` (postgresql://user:password@host:port/dbname?params, or a libpq
  /// key=value string). Does not migrate: call migrate() before anything else.
  /// Errors: kIo (server unreachable, authentication failed, no such database), with libpq's
  /// message and the URL with its password masked.
  static Result<std::unique_ptr<PgStore>> open(const std::string& url);

  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  /// The URL with any password replaced by "***" (for messages and logs).
  const std::string& display_url() const noexcept;

  /// Installs PostGIS if it is missing and the role may (CREATE EXTENSION IF NOT EXISTS
  /// postgis), then applies the pending migrations in one transaction (serialised between
  /// concurrent migrators by an advisory lock).
  /// Errors: kFailedPrecondition if PostGIS cannot be installed or the database schema is newer
  /// than latest_schema_version(); kIo.
  Result<void> migrate() override;
  /// Also kIo if the connection is lost or a statement is cancelled: the transaction is rolled
  /// back and the message says that nothing was written.
  Result<void> commit(const ChangeSet& changes) override;
  Result<std::optional<core::Record>> get(const core::EntitySchema& s,
                                          std::string_view id) override;
  /// Reads in pages of ids (the callback may use the store).
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
  /// One SQL statement (bound parameters, the GiST index for the bbox), keyset paging in the
  /// GeoPackage adapter's order: text bytewise, nulls first ascending and last descending.
  Result<QueryPage> query(const core::EntitySchema& s, const Query& q) override;
  /// ST_AsMVT over ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(z, x, y), 4096, 64,
  /// true): the server encodes the tile.
  Result<std::optional<std::string>> mvt_tile(const core::EntitySchema& s, int z, uint32_t x,
                                              uint32_t y,
                                              const std::vector<std::string>& properties,
                                              const std::vector<Condition>& where) override;
  /// The latest history seq (max(seq) on its primary key).
  Result<int64_t> generation() override;
  Result<void> scan_history(const std::function<bool(HistoryEntry&&)>& fn) override;
  Result<void> insert_session(const SessionRow& row) override;
  Result<std::optional<SessionRow>> find_session(std::string_view id_hash) override;
  Result<void> touch_session(std::string_view id_hash, int64_t last_seen_unix) override;
  Result<int64_t> delete_session(std::string_view id_hash) override;
  Result<int64_t> delete_user_sessions(std::string_view user,
                                       std::string_view except_id_hash) override;
  Result<int64_t> delete_stale_sessions(int64_t now_unix, int64_t idle_before_unix) override;
  Result<std::vector<std::pair<std::string, std::string>>> meta_entries() override;
  /// Locks the history table (concurrent writers wait), sends the rows in pipelined batches
  /// and moves the history sequence past the copied seq numbers.
  Result<void> restore_from(Store& source) override;

  /// The implementation (postgres/pg_impl.hpp): named here so that the adapter's files can share
  /// helpers over it; opaque to everyone else.
  class Impl;

 private:
  explicit PgStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// `url` with the password (URL user-info or key=value "password=") replaced by "***".
std::string mask_password(std::string_view url);

}  // namespace reclaim::storage
