#include "app/backup.hpp"
#include "storage/open/open.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

namespace reclaim::app {
namespace {

namespace fs = std::filesystem;

std::string directory_of(const std::string& path) {
  const fs::path dir = fs::path(path).parent_path();
  return dir.empty() ? std::string(".") : dir.string();
}

/// The first bytes of `path` (a backup file, never a database in use).
Result<std::string> head_of(const std::string& path, size_t n) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return fail(ErrorCode::kNotFound, "cannot read " + path + ": " + std::strerror(errno));
  std::string out(n, '\0');
  out.resize(std::fread(out.data(), 1, n, f));
  std::fclose(f);
  return out;
}

/// A plain file writer with fsync, for the unencrypted backup.
class PlainWriter {
 public:
  explicit PlainWriter(const std::string& path) : path_(path), f_(std::fopen(path.c_str(), "wb")) {}
  PlainWriter(const PlainWriter&) = delete;
  PlainWriter& operator=(const PlainWriter&) = delete;
  ~PlainWriter() {
    if (f_ != nullptr) std::fclose(f_);
  }
  Result<void> write(std::string_view b) {
    if (f_ == nullptr || std::fwrite(b.data(), 1, b.size(), f_) != b.size())
      return fail(ErrorCode::kIo, "cannot write " + path_ + ": " + std::strerror(errno));
    bytes_ += b.size();
    return {};
  }
  Result<void> finish() {
    if (f_ == nullptr || std::fflush(f_) != 0 || ::fsync(::fileno(f_)) != 0)
      return fail(ErrorCode::kIo, "cannot write " + path_ + ": " + std::strerror(errno));
    return {};
  }
  uint64_t bytes() const noexcept { return bytes_; }

 private:
  std::string path_;
  std::FILE* f_;
  uint64_t bytes_ = 0;
};

void sync_directory(const std::string& dir) {
  if (std::FILE* d = std::fopen(dir.c_str(), "r")) {
    (void)::fsync(::fileno(d));
    std::fclose(d);
  }
}

}  // namespace

Result<BackupReport> backup_database(const std::string& location, const std::string& to,
                                     const BackupSecret& secret) {
  if (to.empty()) return fail(ErrorCode::kInvalidArgument, "backup needs --to FILE");
  std::error_code ec;
  if (fs::exists(to, ec))
    return fail(ErrorCode::kAlreadyExists,
                to + " exists: a backup never overwrites a file (choose a new name, e.g. with "
                     "the date)");
  const std::string dir = directory_of(to);
  if (!fs::is_directory(dir, ec))
    return fail(ErrorCode::kNotFound, "cannot write " + to + ": directory " + dir +
                                          " does not exist");
  auto partial = storage::ScratchFile::create(dir, "." + fs::path(to).filename().string() + ".partial-");
  if (!partial) return fail(partial.error());

  BackupReport rep;
  rep.kind = storage::kind_of_location(location);
  rep.encrypted = !secret.empty();
  if (rep.encrypted) {
    auto enc = BackupEncryptor::create(partial->path(), rep.kind, secret);
    if (!enc) return fail(enc.error());
    auto r = storage::backup_database(location, dir, [&](std::string_view b) { return enc->write(b); });
    if (!r) return fail(r.error());
    if (auto f = enc->finish(); !f) return fail(f.error());
    rep.bytes = enc->bytes_written();
  } else {
    PlainWriter out(partial->path());
    auto r = storage::backup_database(location, dir, [&](std::string_view b) { return out.write(b); });
    if (!r) return fail(r.error());
    if (auto f = out.finish(); !f) return fail(f.error());
    rep.bytes = out.bytes();
  }
  if (fs::exists(to, ec))
    return fail(ErrorCode::kAlreadyExists, to + " appeared while the backup was written");
  if (auto r = partial->rename_to(to); !r) return fail(r.error());
  sync_directory(dir);
  return rep;
}

Result<RestoreReport> restore_database(const std::string& from, const std::string& location,
                                       const BackupSecret& secret,
                                       const storage::RestoreOptions& options) {
  std::error_code ec;
  if (!fs::is_regular_file(from, ec))
    return fail(ErrorCode::kNotFound, "no backup file " + from);
  auto head = head_of(from, kBackupHeaderBytes);
  if (!head) return fail(head.error());
  const storage::BackupKind target = storage::kind_of_location(location);
  RestoreReport rep;
  rep.encrypted = is_encrypted_backup(*head);
  if (!rep.encrypted) {
    auto kind = storage::kind_of_backup_bytes(*head);
    if (!kind)
      return fail(ErrorCode::kInvalidArgument,
                  from + " is not a Reclaim backup (neither an encrypted backup, a GeoPackage nor "
                         "a pg_dump archive)");
    rep.kind = *kind;
    if (auto r = storage::restore_database(from, rep.kind, location, options); !r)
      return fail(r.error());
    return rep;
  }

  auto header = read_encrypted_header(*head, from);
  if (!header) return fail(header.error());
  rep.kind = header->content;
  // before asking for the key: a GeoPackage backup never goes into PostgreSQL, nor the reverse
  if (auto r = storage::check_same_back_end(rep.kind, from, location); !r) return fail(r.error());
  if (secret.empty())
    return fail(ErrorCode::kInvalidArgument,
                from + " is encrypted: give " +
                    (header->passphrase ? std::string("--passphrase-file FILE (or set "
                                                      "RECLAIM_BACKUP_PASSPHRASE)")
                                        : std::string("--key-file FILE")));
  const std::string scratch_dir = target == storage::BackupKind::kGeoPackage
                                      ? directory_of(location)
                                      : fs::temp_directory_path(ec).string();
  auto plain = storage::ScratchFile::create(scratch_dir, ".reclaim-restore-");
  if (!plain) return fail(plain.error());
  auto decrypted = decrypt_backup(from, plain->path(), secret);
  if (!decrypted) return fail(decrypted.error());
  auto inner = head_of(plain->path(), 16);
  if (!inner) return fail(inner.error());
  if (storage::kind_of_backup_bytes(*inner) != rep.kind)
    return fail(ErrorCode::kInvalidArgument,
                from + " decrypts to something that is not a " +
                    std::string(storage::backup_kind_name(rep.kind)) + " backup");
  if (auto r = storage::restore_database(plain->path(), rep.kind, location, options); !r) {
    Error e = r.error();
    // name the user's file, not the private copy
    for (size_t p; (p = e.message.find(plain->path())) != std::string::npos;)
      e.message.replace(p, plain->path().size(), from);
    return fail(std::move(e));
  }
  return rep;
}

}  // namespace reclaim::app
