#pragma once
// `reclaim migrate`: copies a whole database between back ends (GeoPackage <-> PostgreSQL, or
// the same kind), for moving a province laptop's file onto the national server and back.
#include <cstdint>
#include <map>
#include <string>

#include "common/error.hpp"
#include "storage/store.hpp"

namespace reclaim::app {

struct MigrateReport {
  std::map<std::string, int64_t> records;  ///< entity -> records copied (internal ones too)
  int64_t history = 0;                     ///< history entries copied
  size_t admin_units = 0, boundaries = 0, settings = 0;
};

/// Copies everything in `from` into `to` in one transaction on `to` (Store::restore_from:
/// records with their row versions, the complete history with its seq numbers, the gazetteer,
/// the boundaries and the settings), then checks that every entity has as many records in `to`
/// as in `from`. Errors: kFailedPrecondition (`to` is not empty), kInvalidArgument, kIo (nothing
/// was written), kInternal (the counts differ after the copy: a bug).
Result<MigrateReport> copy_database(storage::Store& from, storage::Store& to);

/// Opens `from` and `to` (a GeoPackage path or a postgresql:// URL each; `to` is created and
/// migrated if it does not exist: a new file, or a database made with CREATE DATABASE) and
/// copies `from` into `to` (see copy_database). Errors: as open_store and copy_database;
/// kInvalidArgument if both name the same database.
Result<MigrateReport> migrate_database(const std::string& from, const std::string& to);

}  // namespace reclaim::app
