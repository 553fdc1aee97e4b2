#pragma once
// Whole-database backup and restore within one back end (moving between back ends is
// `reclaim migrate`). A plain backup is the back end's own format, so standard tools read it:
//   GeoPackage  a complete SQLite file (journal mode DELETE, no -wal), itself a GeoPackage that
//               QGIS opens; taken with SQLite's online backup API in one read transaction, so
//               it is a consistent snapshot while the server and other processes keep writing
//   PostgreSQL  a pg_dump custom-format archive (`pg_dump -Fc`, restored with pg_restore)
// Encryption is not done here (app/backup_file.hpp wraps these bytes).
//
// Thread rules: the functions share nothing; each opens its own connection.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace reclaim::storage {

enum class BackupKind {
  kGeoPackage,  ///< a SQLite / GeoPackage file
  kPostgres,    ///< a pg_dump custom-format archive
};

/// "GeoPackage" or "PostgreSQL", for messages.
std::string_view backup_kind_name(BackupKind kind) noexcept;
/// The back end a --db location names: a postgresql:// (postgres://) URL or else a file.
BackupKind kind_of_location(std::string_view location) noexcept;
/// The kind of a plain backup from its first bytes ("SQLite format 3\0" or "PGDMP"), or nullopt.
std::optional<BackupKind> kind_of_backup_bytes(std::string_view first_bytes) noexcept;

/// `location` for messages: a URL's password replaced by "***".
std::string display_location(std::string_view location);

/// Refuses a backup of one back end for a target of the other (that is `reclaim migrate`).
/// Errors: kInvalidArgument naming both back ends and the file.
Result<void> check_same_back_end(BackupKind backup, const std::string& backup_file,
                                 std::string_view location);

/// Receives a backup's bytes in order; returns an error to stop the backup.
using ByteSink = std::function<Result<void>(std::string_view bytes)>;

/// Writes a consistent plain backup of the database at `location` to `sink`.
/// GeoPackage: the snapshot is first written to a private file (mode 0600) in `scratch_dir`,
/// checked (PRAGMA quick_check), streamed to `sink` and removed; the source file is only ever
/// opened through SQLite. PostgreSQL: pg_dump's output is streamed (no copy on disk); the
/// password, if the URL has one, reaches pg_dump in its environment (PGPASSWORD), never on its
/// command line. Live sessions are left out of the backup (see clear_live_sessions).
/// Errors: kNotFound (no such file), kUnsupported (not a Reclaim database), kIo (the database,
/// pg_dump, the scratch file, or the sink failed; nothing usable was produced).
Result<void> backup_database(const std::string& location, const std::string& scratch_dir,
                             const ByteSink& sink);

struct RestoreOptions {
  bool force = false;  ///< replace a database that already holds data
};

/// Restores the plain backup in `backup_file` (of `kind`, already verified by the caller as far
/// as its wrapper goes) into the database at `location`, which must be of the same back end and
/// used by no one else, then clears its live sessions (clear_live_sessions).
/// GeoPackage: the backup is checked (integrity_check, a Reclaim schema no newer than this
/// binary) before anything is written; the target (created if missing) is locked exclusively —
/// it is refused if any other connection (a server, a CLI command, QGIS) has it open — and
/// replaced page by page in one SQLite transaction through the online backup API, then put back
/// in WAL mode. PostgreSQL: the database must exist and have no other client connection;
/// pg_restore --single-transaction --clean --if-exists (all or nothing).
/// A target that holds data (any record, history entry or admin unit; or tables that are not a
/// Reclaim schema) is refused unless options.force.
/// Errors: kInvalidArgument (the backup and the target are of different back ends, naming
/// both; a corrupt backup), kFailedPrecondition (target not empty without force; target in
/// use; backup schema newer than this binary), kNotFound (no such PostgreSQL database),
/// kIo. On every error the target is left as it was.
Result<void> restore_database(const std::string& backup_file, BackupKind kind,
                              const std::string& location, const RestoreOptions& options);

/// A new private file (created with O_EXCL, mode 0600) in `dir`, removed — with any -journal,
/// -wal or -shm SQLite made beside it — when its owner goes out of scope. Used for the snapshot
/// of a GeoPackage backup, a decrypted backup awaiting restore and a backup being written.
class ScratchFile {
 public:
  /// Errors: kIo (naming the directory).
  static Result<ScratchFile> create(const std::string& dir, std::string_view prefix);
  ScratchFile(ScratchFile&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  ScratchFile& operator=(ScratchFile&&) = delete;
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  ~ScratchFile();
  const std::string& path() const noexcept { return path_; }
  /// Renames the file to `target` (atomically replacing nothing: the caller checked), after
  /// which it is no longer removed. Errors: kIo.
  Result<void> rename_to(const std::string& target);

 private:
  explicit ScratchFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

/// Deletes every row of the `sessions` table of the database at `location`, if it has that
/// table (a restored or migrated database must start with no live sessions: nobody stays
/// signed in through a copy). Tolerates the table not existing. Errors: kIo.
Result<void> clear_live_sessions(const std::string& location);

}  // namespace reclaim::storage
