#pragma once
// `reclaim backup` / `reclaim restore`: a consistent copy of the whole national record while the
// server keeps writing, and its restore into a database of the same back end that nobody uses.
// Moving between back ends is `reclaim migrate` (app/migrate.hpp). The plain formats are in
// storage/backup.hpp, the encrypted file in app/backup_file.hpp.
#include <cstdint>
#include <string>

#include "app/backup_file.hpp"
#include "common/error.hpp"
#include "storage/backup.hpp"

namespace reclaim::app {

struct BackupReport {
  storage::BackupKind kind = storage::BackupKind::kGeoPackage;
  bool encrypted = false;
  uint64_t bytes = 0;  ///< size of the backup file
};

/// Writes a backup of the database at `location` to `to`, a file that must not exist yet: the
/// plain backup (storage::backup_database) or, when `secret` is not empty, the encrypted file
/// (app/backup_file.hpp). The file (mode 0600) appears under its name only when complete and
/// flushed to disk (written beside it, then renamed); a failed backup leaves nothing.
/// Errors: kAlreadyExists (`to` exists), kInvalidArgument (bad key file or passphrase), and as
/// storage::backup_database.
Result<BackupReport> backup_database(const std::string& location, const std::string& to,
                                     const BackupSecret& secret);

struct RestoreReport {
  storage::BackupKind kind = storage::BackupKind::kGeoPackage;
  bool encrypted = false;
};

/// Restores the backup file `from` (plain or encrypted: detected from its first bytes) into the
/// database at `location`. An encrypted backup is first decrypted and authenticated completely
/// into a private file (beside a GeoPackage target; in the temporary directory for PostgreSQL),
/// so that a wrong key, a truncated or an altered file is refused before the target is touched.
/// The restored database has no live sessions (storage::clear_live_sessions).
/// Errors: kNotFound (no such backup file), kInvalidArgument (not a Reclaim backup; encrypted
/// but no secret given; wrong secret; damaged; other back end, naming both), and as
/// storage::restore_database. On every error the target is left as it was.
Result<RestoreReport> restore_database(const std::string& from, const std::string& location,
                                       const BackupSecret& secret,
                                       const storage::RestoreOptions& options);

}  // namespace reclaim::app
