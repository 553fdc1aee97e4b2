#pragma once
// The database's own files must only ever be opened by SQLite: closing any other descriptor on
// them drops every POSIX lock this process holds there (fcntl semantics), and another process
// may then delete the -wal and -shm a live connection still uses. The CLI checks every file it
// writes or reads besides the database (--errors-json, export, backup and restore files, key
// and mapping files, import sources) against the database's files with this guard.
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace reclaim::storage {

/// Fails when `path` names the GeoPackage at `db_location` or one of its companion files
/// (-wal, -shm, -journal): the same device and inode when both exist, or the same absolute,
/// normalised name. A postgresql:// location has no files: always succeeds.
/// Errors: kInvalidArgument "<what> <path> is the database file <db> (or its -wal/-shm): …".
Result<void> refuse_database_path(const std::string& path, const std::string& db_location,
                                  std::string_view what);

}  // namespace reclaim::storage
