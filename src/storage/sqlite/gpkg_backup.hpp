#pragma once
// GeoPackage side of storage/backup.hpp (internal to the storage library).
#include <string>

#include "storage/backup.hpp"

namespace reclaim::storage::gpkg {

/// See storage::backup_database.
Result<void> backup(const std::string& path, const std::string& scratch_dir, const ByteSink& sink);
/// See storage::restore_database.
Result<void> restore(const std::string& backup_file, const std::string& path,
                     const RestoreOptions& options);
/// See storage::clear_live_sessions.
Result<void> clear_live_sessions(const std::string& path);

}  // namespace reclaim::storage::gpkg
