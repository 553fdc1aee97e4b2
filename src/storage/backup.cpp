#include "storage/backup.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

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

}  // namespace reclaim::storage
