#include "storage/db_files.hpp"

#include <sys/stat.h>

#include <array>
#include <filesystem>

namespace reclaim::storage {
namespace {

bool same_inode(const std::string& a, const std::string& b) {
  struct stat sa{}, sb{};
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

std::string normalised(const std::string& p) {
  std::error_code ec;
  auto n = std::filesystem::weakly_canonical(std::filesystem::absolute(p, ec), ec);
  return ec ? std::filesystem::path(p).lexically_normal().string() : n.string();
}

}  // namespace

Result<void> refuse_database_path(const std::string& path, const std::string& db_location,
                                  std::string_view what) {
  const std::string_view loc = db_location;
  if (path.empty() || db_location.empty() || loc.starts_with("postgresql://") ||
      loc.starts_with("postgres://"))
    return {};
  const std::string p = normalised(path);
  const std::string db = normalised(db_location);
  constexpr std::array<std::string_view, 4> kSuffixes = {"", "-wal", "-shm", "-journal"};
  for (const auto suffix : kSuffixes) {
    const std::string companion = db + std::string(suffix);
    if (p == companion || same_inode(path, db_location + std::string(suffix)))
      return fail(ErrorCode::kInvalidArgument,
                  std::string(what) + " " + path + " is the database file " + db_location +
                      (suffix.empty() ? "" : " (its " + std::string(suffix.substr(1)) + " file)") +
                      ": only SQLite may open it while it is in use; choose another file");
  }
  return {};
}

}  // namespace reclaim::storage
