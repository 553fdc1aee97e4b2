#pragma once
// The encrypted backup file (libsodium; only backup_file.cpp includes sodium.h). Layout, all
// integers little-endian:
//
//   offset size  field
//        0    8  magic "RCLMBAK\x1a"
//        8    1  format version (1)
//        9    1  content: 1 = GeoPackage (SQLite file), 2 = PostgreSQL (pg_dump -Fc archive)
//       10    1  key source: 1 = key file (32 raw bytes), 2 = passphrase (Argon2id)
//       11    5  reserved, zero
//       16   16  Argon2id salt (crypto_pwhash_SALTBYTES; zero for a key file)
//       32    8  Argon2id opslimit (0 for a key file)
//       40    8  Argon2id memlimit in bytes (0 for a key file)
//       48   24  crypto_secretstream_xchacha20poly1305 header
//       72  ...  the stream: the plain backup in chunks of 64 KiB, each sealed with 17 more bytes;
//                the last one, tagged FINAL, holds the rest (1 byte to 64 KiB; nothing for an
//                empty backup)
//
// The first 72 bytes are the additional data of the first chunk, so an altered header fails
// like an altered chunk. A wrong key or passphrase, a changed byte anywhere, a truncated file
// (no FINAL chunk) or bytes after the FINAL chunk are all refused.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "storage/backup.hpp"

namespace reclaim::app {

inline constexpr size_t kBackupKeyBytes = 32;
inline constexpr size_t kBackupHeaderBytes = 72;
inline constexpr size_t kMinBackupPassphraseChars = 10;

/// Where the key of an encrypted backup comes from. At most one is set.
struct BackupSecret {
  std::string key_file;    ///< a file of 32 random bytes (or 64 hex digits)
  std::string passphrase;  ///< the passphrase itself
  bool empty() const noexcept { return key_file.empty() && passphrase.empty(); }
};

/// Does `first_bytes` (the start of a file) begin with the encrypted backup's magic?
bool is_encrypted_backup(std::string_view first_bytes) noexcept;

/// What the header of an encrypted backup says.
struct EncryptedHeader {
  storage::BackupKind content = storage::BackupKind::kGeoPackage;
  bool passphrase = false;  ///< key from a passphrase (else from a key file)
};
/// Errors: kInvalidArgument (not an encrypted backup of a version this binary reads).
Result<EncryptedHeader> read_encrypted_header(std::string_view header_bytes,
                                              const std::string& file);

/// Encrypts a stream into a file: write() the plain backup in pieces, then finish().
class BackupEncryptor {
 public:
  /// Derives or loads the key (Argon2id, OPSLIMIT/MEMLIMIT_MODERATE, a fresh salt, for a
  /// passphrase) and writes the header to `out_path` (an existing private file, truncated).
  /// Errors: kInvalidArgument (unreadable or malformed key file, passphrase too short), kIo.
  static Result<BackupEncryptor> create(const std::string& out_path, storage::BackupKind content,
                                        const BackupSecret& secret);
  BackupEncryptor(BackupEncryptor&&) noexcept;
  BackupEncryptor& operator=(BackupEncryptor&&) = delete;
  ~BackupEncryptor();
  Result<void> write(std::string_view plain);
  /// Writes the FINAL chunk, flushes and fsyncs. Errors: kIo.
  Result<void> finish();
  uint64_t bytes_written() const noexcept;

 private:
  struct State;
  explicit BackupEncryptor(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

/// Decrypts and authenticates the whole of `in_path` into `out_path` (an existing private file,
/// truncated). On any error `out_path` holds nothing usable and the caller removes it.
/// Errors: kInvalidArgument (wrong key or passphrase, altered, truncated or not an encrypted
/// backup; the message says which and, for a damaged chunk, at which byte), kIo.
Result<EncryptedHeader> decrypt_backup(const std::string& in_path, const std::string& out_path,
                                       const BackupSecret& secret);

}  // namespace reclaim::app
