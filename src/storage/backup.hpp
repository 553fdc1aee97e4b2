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

/// Receives a backup's bytes in order; returns an error to stop the backup.
using ByteSink = std::function<Result<void>(std::string_view bytes)>;

struct RestoreOptions {
  bool force = false;  ///< replace a database that already holds data
};

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

}  // namespace reclaim::storage
