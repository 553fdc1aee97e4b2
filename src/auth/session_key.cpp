#include "auth/session_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "auth/crypto.hpp"

namespace reclaim::auth {
namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string errno_text(int e) { return std::strerror(e); }

/// Closes a descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

/// Writes a new key into a fresh private temporary file beside `path`; returns its name.
Result<std::string> write_temp_key(const std::string& path) {
  std::string tmpl = path + ".tmp.XXXXXX";
  Fd f{::mkstemp(tmpl.data())};
  if (f.fd < 0)
    return fail(ErrorCode::kIo, "cannot create a key file beside " + path + ": " +
                                    errno_text(errno));
  const std::string text = base64url_encode(random_bytes(kSessionKeyBytes)) + "\n";
  bool ok = ::fchmod(f.fd, 0600) == 0;
  size_t done = 0;
  while (ok && done < text.size()) {
    const ssize_t n = ::write(f.fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(f.fd) == 0;
  if (!ok) {
    const int e = errno;
    ::unlink(tmpl.c_str());
    return fail(ErrorCode::kIo, "cannot write the key file " + tmpl + ": " + errno_text(e));
  }
  return tmpl;
}

void sync_dir_of(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd >= 0) (void)::fsync(d.fd);
}

}  // namespace

Result<std::string> key_file_path(std::string_view db, std::string_view configured) {
  if (!configured.empty()) return std::string(configured);
  if (db.starts_with("postgresql://") || db.starts_with("postgres://"))
    return fail(ErrorCode::kInvalidArgument,
                "a PostgreSQL database needs a session key file: give --key-file PATH or set "
                "RECLAIM_KEY_FILE (the key never lives in the database; servers sharing the "
                "database share the file)");
  if (db.empty()) return fail(ErrorCode::kInvalidArgument, "no database: give --db");
  return std::string(db) + ".key";
}

std::shared_ptr<SessionKey> SessionKey::ephemeral() {
  std::shared_ptr<SessionKey> k(new SessionKey());
  k->key_ = random_bytes(kSessionKeyBytes);
  return k;
}

Result<std::shared_ptr<SessionKey>> SessionKey::open(const std::string& path, bool create) {
  if (path.empty()) return fail(ErrorCode::kInvalidArgument, "no key file path");
  std::shared_ptr<SessionKey> k(new SessionKey());
  k->path_ = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT)
      return fail(ErrorCode::kIo, "cannot read the key file " + path + ": " + errno_text(errno));
    if (!create)
      return fail(ErrorCode::kNotFound, "no key file " + path +
                                            " (it is created when `reclaim serve` first starts)");
    auto tmp = write_temp_key(path);
    if (!tmp) return fail(tmp.error());
    // link() refuses to replace: of several processes starting at once, one key wins and the
    // others read it.
    const int rc = ::link(tmp->c_str(), path.c_str());
    const int e = errno;
    ::unlink(tmp->c_str());
    if (rc != 0 && e != EEXIST)
      return fail(ErrorCode::kIo, "cannot create the key file " + path + ": " + errno_text(e));
    sync_dir_of(path);
  }
  std::lock_guard lock(k->mu_);
  if (auto r = k->reload_locked(); !r) return fail(r.error());
  k->checked_ms_ = steady_ms();
  return k;
}

Result<void> SessionKey::rotate(const std::string& path) {
  if (path.empty()) return fail(ErrorCode::kInvalidArgument, "no key file path");
  auto tmp = write_temp_key(path);
  if (!tmp) return fail(tmp.error());
  if (::rename(tmp->c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp->c_str());
    return fail(ErrorCode::kIo, "cannot replace the key file " + path + ": " + errno_text(e));
  }
  sync_dir_of(path);
  return {};
}

Result<void> SessionKey::reload_locked() {
  Fd f{::open(path_.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0)
    return fail(ErrorCode::kIo, "cannot read the key file " + path_ + ": " + errno_text(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0)
    return fail(ErrorCode::kIo, "cannot read the key file " + path_ + ": " + errno_text(errno));
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(ErrorCode::kFailedPrecondition,
                "the key file " + path_ + " is open to other users (mode " + mode +
                    "): chmod 600 " + path_);
  }
  char buf[256];
  std::string text;
  for (;;) {
    const ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return fail(ErrorCode::kIo, "cannot read the key file " + path_ + ": " + errno_text(errno));
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > 4096) break;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  auto key = base64url_decode(text);
  if (!key || key->size() != kSessionKeyBytes)
    return fail(ErrorCode::kInvalidArgument,
                "the key file " + path_ + " does not hold a Reclaim session key (" +
                    std::to_string(kSessionKeyBytes) +
                    " bytes, base64url); `reclaim key rotate` writes a new one");
  const Stamp stamp{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                    static_cast<int64_t>(st.st_size),
                    int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec,
                    int64_t{st.st_ctim.tv_sec} * 1000000000 + st.st_ctim.tv_nsec};
  if (*key != key_) {
    if (!key_.empty()) ++generation_;
    key_ = std::move(*key);
  }
  stamp_ = stamp;
  return {};
}

Result<std::string> SessionKey::current() {
  std::lock_guard lock(mu_);
  if (path_.empty()) return key_;
  const int64_t now = steady_ms();
  if (now - checked_ms_ >= kRecheckMs || !error_.empty()) {
    checked_ms_ = now;
    struct stat st {};
    bool changed = true;
    if (::stat(path_.c_str(), &st) == 0) {
      const Stamp s{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                    static_cast<int64_t>(st.st_size),
                    int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec,
                    int64_t{st.st_ctim.tv_sec} * 1000000000 + st.st_ctim.tv_nsec};
      changed = !(s == stamp_);
    }
    if (changed) {
      if (auto r = reload_locked(); !r) {
        error_ = r.error().message;
        return fail(r.error());  // fail closed: no session is valid without its key
      }
      error_.clear();
    }
  }
  return key_;
}

uint64_t SessionKey::generation() {
  std::lock_guard lock(mu_);
  return generation_;
}

}  // namespace reclaim::auth
