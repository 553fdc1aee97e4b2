#pragma once
// Where the CLI opens a database, and the one rule about a database that is not there: only the
// commands that create one (init, demo, restore, migrate --to) may; every other command refuses
// a missing GeoPackage with exit 4 naming the path, instead of silently creating an empty file
// (`--db typo.gpkg export …` used to export 0 records from a new file).
#include <memory>
#include <string>

#include "app/application.hpp"
#include "common/error.hpp"
#include "storage/store.hpp"

namespace reclaim::cli {

/// What a command does with a database that does not exist.
enum class DbMode {
  kCreate,     ///< init, demo, restore, migrate --to: a missing GeoPackage is created
  kMustExist,  ///< every other command: a missing GeoPackage is an error
};

/// Checks `location` (the --db, --db-read or --from of a command) against `mode`. A
/// postgresql:// URL always passes: the server refuses a database that does not exist.
/// Errors: kNotFound "no database at PATH: …" (kMustExist and no such file, naming the
/// commands that create one).
Result<void> check_database(const std::string& location, DbMode mode);

/// check_database, then storage::open_store. Errors: as both.
Result<std::unique_ptr<storage::Store>> open_database(const std::string& location, DbMode mode);

/// The application on `db` (and, when `db_read` is not empty, its Service's read replica
/// there, which must exist whatever `mode` says). Errors: as open_database.
Result<std::unique_ptr<app::Application>> open_application(const std::string& db,
                                                           const std::string& db_read, DbMode mode);

}  // namespace reclaim::cli
