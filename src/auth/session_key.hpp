#pragma once
// The session signing key: 32 random bytes in a key file, never in the database (a copy of the
// database signs nobody in). By default the file sits beside a GeoPackage as `<db>.key`; a
// PostgreSQL database needs a configured path (`--key-file`, RECLAIM_KEY_FILE). Several servers
// behind a proxy share one file. The file holds the key as base64url text, mode 0600.
//
//   create       on first need, atomically (written to a temporary file, then link()ed into
//                place, so concurrent first starts agree on one key)
//   rotate       `reclaim key rotate`: a new key written to a temporary file and rename()d
//                over the old one; every SessionKey watching the file notices within
//                kRecheckMs (stat: inode, size, mtime) and from then on every session signed
//                with the old key is refused
//
// Thread rules: SessionKey is thread-safe.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace reclaim::auth {

/// Where the key of the database at `db_location` lives: `configured` when it is not empty,
/// else `<db>.key` for a GeoPackage. Errors: kInvalidArgument for a PostgreSQL URL without a
/// configured path (naming --key-file and RECLAIM_KEY_FILE).
Result<std::string> key_file_path(std::string_view db_location, std::string_view configured);

class SessionKey {
 public:
  static constexpr int64_t kRecheckMs = 250;  ///< how often the file is stat()ed at most

  /// Reads the key file, creating it (mode 0600) when `create` and it does not exist.
  /// Errors: kNotFound (no file and !create), kFailedPrecondition (the file is readable or
  /// writable by group or others: chmod 600), kInvalidArgument (not a key file), kIo.
  static Result<std::shared_ptr<SessionKey>> open(const std::string& path, bool create = true);
  /// A key that lives only in this process (tests, servers without accounts).
  static std::shared_ptr<SessionKey> ephemeral();

  /// Writes a new random key to `path` atomically (temporary file + rename, mode 0600).
  /// The directory must exist. Errors: kIo.
  static Result<void> rotate(const std::string& path);

  /// The current key (kSessionKeyBytes bytes), re-read when the file changed. When the file
  /// has become unreadable or malformed the error is returned (sessions then fail closed).
  Result<std::string> current();
  /// Bumped every time the key changes.
  uint64_t generation();
  const std::string& path() const noexcept { return path_; }

 private:
  SessionKey() = default;
  Result<void> reload_locked();

  std::string path_;  ///< "" for an ephemeral key
  std::mutex mu_;
  std::string key_;
  uint64_t generation_ = 1;
  int64_t checked_ms_ = 0;
  struct Stamp {
    uint64_t dev = 0, ino = 0;
    int64_t size = -1, mtime_ns = 0, ctime_ns = 0;
    bool operator==(const Stamp&) const = default;
  } stamp_;
  std::string error_;  ///< why the last reload failed ("" = fine)
};

}  // namespace reclaim::auth
