#pragma once
// PostgreSQL side of storage/backup.hpp (internal to the storage library): Debian's pg_dump and
// pg_restore run as child processes (no shell), the password in their environment.
#include <string>

#include "storage/backup.hpp"

namespace reclaim::storage::pg {

/// See storage::backup_database.
Result<void> backup(const std::string& url, const ByteSink& sink);
/// See storage::restore_database.
Result<void> restore(const std::string& backup_file, const std::string& url,
                     const RestoreOptions& options);
/// See storage::clear_live_sessions.
Result<void> clear_live_sessions(const std::string& url);

}  // namespace reclaim::storage::pg
