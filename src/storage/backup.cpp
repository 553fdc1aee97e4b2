#include "storage/backup.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "storage/postgres/pg_backup.hpp"
#include "storage/postgres/pg_store.hpp"
#include "storage/sqlite/gpkg_backup.hpp"

namespace reclaim::storage {

std::string_view backup_kind_name(BackupKind kind) noexcept {
  return kind == BackupKind::kPostgres ? "PostgreSQL" : "GeoPackage";
}

BackupKind kind_of_location(std::string_view location) noexcept {
  return location.starts_with("postgresql://") || location.starts_with("postgres://")
             ? BackupKind::kPostgres
             : BackupKind::kGeoPackage;
}

std::optional<BackupKind> kind_of_backup_bytes(std::string_view first_bytes) noexcept {
  static constexpr std::string_view kSqlite("SQLite format 3\0", 16);
  if (first_bytes.starts_with(kSqlite)) return BackupKind::kGeoPackage;
  if (first_bytes.starts_with("PGDMP")) return BackupKind::kPostgres;
  return std::nullopt;
}

Result<void> backup_database(const std::string& location, const std::string& scratch_dir,
                             const ByteSink& sink) {
  if (kind_of_location(location) == BackupKind::kPostgres) return pg::backup(location, sink);
  return gpkg::backup(location, scratch_dir, sink);
}

std::string display_location(std::string_view location) {
  return kind_of_location(location) == BackupKind::kPostgres ? mask_password(location)
                                                             : std::string(location);
}

Result<void> check_same_back_end(BackupKind backup, const std::string& backup_file,
                                 std::string_view location) {
  const BackupKind target = kind_of_location(location);
  if (backup == target) return {};
  const std::string b(backup_kind_name(backup)), t(backup_kind_name(target));
  return fail(ErrorCode::kInvalidArgument,
              backup_file + " is a " + b + " backup but the target " + display_location(location) +
                  " is a " + t + " database: restore it into a " + b +
                  " database, then move it with `reclaim migrate --from A --to B`");
}

Result<void> restore_database(const std::string& backup_file, BackupKind kind,
                              const std::string& location, const RestoreOptions& options) {
  if (auto r = check_same_back_end(kind, backup_file, location); !r) return r;
  const BackupKind target = kind_of_location(location);
  if (target == BackupKind::kPostgres) return pg::restore(backup_file, location, options);
  return gpkg::restore(backup_file, location, options);
}

Result<ScratchFile> ScratchFile::create(const std::string& dir, std::string_view prefix) {
  const std::string d = dir.empty() ? "." : dir;
  std::string templ = (std::filesystem::path(d) / (std::string(prefix) + "XXXXXX")).string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  const int fd = ::mkstemp(buf.data());  // O_EXCL, mode 0600
  if (fd < 0)
    return fail(ErrorCode::kIo,
                "cannot create a private file in " + d + ": " + std::strerror(errno));
  ::close(fd);
  return ScratchFile(std::string(buf.data()));
}

ScratchFile::~ScratchFile() {
  if (path_.empty()) return;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"})
    (void)std::remove((path_ + suffix).c_str());
}

Result<void> ScratchFile::rename_to(const std::string& target) {
  if (std::rename(path_.c_str(), target.c_str()) != 0)
    return fail(ErrorCode::kIo,
                "cannot rename " + path_ + " to " + target + ": " + std::strerror(errno));
  path_.clear();
  return {};
}

Result<void> clear_live_sessions(const std::string& location) {
  if (kind_of_location(location) == BackupKind::kPostgres)
    return pg::clear_live_sessions(location);
  return gpkg::clear_live_sessions(location);
}

}  // namespace reclaim::storage
