#include "app/backup_file.hpp"

#include <sodium.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace reclaim::app {
namespace {

constexpr std::string_view kMagic("RCLMBAK\x1a", 8);
constexpr uint8_t kVersion = 1;
constexpr uint8_t kContentGpkg = 1, kContentPg = 2;
constexpr uint8_t kKeyFile = 1, kPassphrase = 2;
constexpr size_t kChunk = 64 * 1024;  // plain bytes per chunk
constexpr size_t kABytes = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr size_t kStreamHeader = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
// Bounds a header may ask for (an altered header must not make us allocate 100 GB).
constexpr uint64_t kMaxOpslimit = 16;
constexpr uint64_t kMaxMemlimit = uint64_t{1} << 30;

static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES == kBackupKeyBytes);
static_assert(crypto_pwhash_SALTBYTES == 16);
static_assert(kStreamHeader == 24);
static_assert(48 + kStreamHeader == kBackupHeaderBytes);

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
  });
}

void put_u64(unsigned char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
uint64_t get_u64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

/// The raw key in `file`: 32 bytes, or 64 hex digits (surrounding white space ignored).
Result<std::array<unsigned char, kBackupKeyBytes>> load_key_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorCode::kNotFound, "cannot read the key file " + file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::array<unsigned char, kBackupKeyBytes> key{};
  if (text.size() == kBackupKeyBytes) {
    std::memcpy(key.data(), text.data(), key.size());
    sodium_memzero(text.data(), text.size());
    return key;
  }
  const size_t b = text.find_first_not_of(" \t\r\n");
  const size_t e = text.find_last_not_of(" \t\r\n");
  const std::string hex = b == std::string::npos ? "" : text.substr(b, e - b + 1);
  size_t got = 0;
  const bool ok = hex.size() == 2 * kBackupKeyBytes &&
                  sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, &got,
                                 nullptr) == 0 &&
                  got == kBackupKeyBytes;
  sodium_memzero(text.data(), text.size());
  if (!ok)
    return fail(ErrorCode::kInvalidArgument,
                "key file " + file + ": must hold exactly 32 bytes or 64 hex digits (make one "
                                     "with: head -c 32 /dev/urandom > " + file + ")");
  return key;
}

/// The key for `header` (72 bytes; the salt and limits in it) from `secret`.
Result<std::array<unsigned char, kBackupKeyBytes>> derive_key(const unsigned char* header,
                                                              const BackupSecret& secret,
                                                              const std::string& file) {
  if (header[10] == kKeyFile) {
    if (secret.key_file.empty())
      return fail(ErrorCode::kInvalidArgument,
                  file + " was encrypted with a key file: give --key-file");
    return load_key_file(secret.key_file);
  }
  if (secret.passphrase.empty())
    return fail(ErrorCode::kInvalidArgument,
                file + " was encrypted with a passphrase: give --passphrase-file or set "
                       "RECLAIM_BACKUP_PASSPHRASE");
  const uint64_t ops = get_u64(header + 32), mem = get_u64(header + 40);
  if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > kMaxOpslimit || mem < crypto_pwhash_MEMLIMIT_MIN ||
      mem > kMaxMemlimit)
    return fail(ErrorCode::kInvalidArgument,
                file + " has an altered header (Argon2id limits out of range)");
  std::array<unsigned char, kBackupKeyBytes> key{};
  if (crypto_pwhash(key.data(), key.size(), secret.passphrase.data(), secret.passphrase.size(),
                    header + 16, ops, static_cast<size_t>(mem),
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    return fail(ErrorCode::kIo, "out of memory deriving the key from the passphrase");
  return key;
}

struct File {
  std::FILE* f = nullptr;
  File() = default;
  explicit File(std::FILE* file) : f(file) {}
  File(File&& o) noexcept : f(o.f) { o.f = nullptr; }
  File& operator=(File&&) = delete;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File() {
    if (f != nullptr) std::fclose(f);
  }
};

}  // namespace

bool is_encrypted_backup(std::string_view first_bytes) noexcept {
  return first_bytes.starts_with(kMagic);
}

Result<EncryptedHeader> read_encrypted_header(std::string_view h, const std::string& file) {
  if (h.size() < kBackupHeaderBytes || !is_encrypted_backup(h))
    return fail(ErrorCode::kInvalidArgument, file + " is not an encrypted Reclaim backup");
  const auto* u = reinterpret_cast<const unsigned char*>(h.data());
  if (u[8] != kVersion)
    return fail(ErrorCode::kInvalidArgument,
                file + " is an encrypted backup of format version " + std::to_string(u[8]) +
                    "; this Reclaim reads version " + std::to_string(kVersion));
  if ((u[9] != kContentGpkg && u[9] != kContentPg) || (u[10] != kKeyFile && u[10] != kPassphrase))
    return fail(ErrorCode::kInvalidArgument, file + " has an altered header");
  EncryptedHeader out;
  out.content = u[9] == kContentPg ? storage::BackupKind::kPostgres : storage::BackupKind::kGeoPackage;
  out.passphrase = u[10] == kPassphrase;
  return out;
}

struct BackupEncryptor::State {
  File out;
  std::string path;
  crypto_secretstream_xchacha20poly1305_state st{};
  std::array<unsigned char, kBackupHeaderBytes> header{};
  bool first = true;
  std::string pending;  // plain bytes not yet sealed
  std::vector<unsigned char> cipher = std::vector<unsigned char>(kChunk + kABytes);
  uint64_t written = 0;
  ~State() {
    sodium_memzero(&st, sizeof st);
    if (!pending.empty()) sodium_memzero(pending.data(), pending.size());
  }

  Result<void> put(const unsigned char* p, size_t n) {
    if (std::fwrite(p, 1, n, out.f) != n)
      return fail(ErrorCode::kIo, "cannot write " + path + ": " + std::strerror(errno));
    written += n;
    return {};
  }
  Result<void> seal(const char* plain, size_t n, unsigned char tag) {
    unsigned long long clen = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &st, cipher.data(), &clen, reinterpret_cast<const unsigned char*>(plain), n,
        first ? header.data() : nullptr, first ? header.size() : 0, tag);
    first = false;
    return put(cipher.data(), static_cast<size_t>(clen));
  }
};

BackupEncryptor::BackupEncryptor(std::unique_ptr<State> s) : s_(std::move(s)) {}
BackupEncryptor::BackupEncryptor(BackupEncryptor&&) noexcept = default;
BackupEncryptor::~BackupEncryptor() = default;
uint64_t BackupEncryptor::bytes_written() const noexcept { return s_->written; }

Result<BackupEncryptor> BackupEncryptor::create(const std::string& out_path,
                                                storage::BackupKind content,
                                                const BackupSecret& secret) {
  ensure_sodium();
  auto s = std::make_unique<State>();
  s->path = out_path;
  auto& h = s->header;
  std::memcpy(h.data(), kMagic.data(), kMagic.size());
  h[8] = kVersion;
  h[9] = content == storage::BackupKind::kPostgres ? kContentPg : kContentGpkg;
  std::array<unsigned char, kBackupKeyBytes> key{};
  if (!secret.key_file.empty()) {
    h[10] = kKeyFile;
    auto k = load_key_file(secret.key_file);
    if (!k) return fail(k.error());
    key = *k;
  } else {
    size_t chars = 0;
    for (unsigned char c : secret.passphrase)
      if ((c & 0xC0) != 0x80) ++chars;
    if (chars < kMinBackupPassphraseChars)
      return fail(ErrorCode::kInvalidArgument,
                  "backup passphrase: must have at least " +
                      std::to_string(kMinBackupPassphraseChars) + " characters");
    h[10] = kPassphrase;
    randombytes_buf(h.data() + 16, crypto_pwhash_SALTBYTES);
    put_u64(h.data() + 32, crypto_pwhash_OPSLIMIT_MODERATE);
    put_u64(h.data() + 40, crypto_pwhash_MEMLIMIT_MODERATE);
    auto k = derive_key(h.data(), secret, out_path);
    if (!k) return fail(k.error());
    key = *k;
  }
  crypto_secretstream_xchacha20poly1305_init_push(&s->st, h.data() + 48, key.data());
  sodium_memzero(key.data(), key.size());
  s->out.f = std::fopen(out_path.c_str(), "wb");
  if (s->out.f == nullptr)
    return fail(ErrorCode::kIo, "cannot write " + out_path + ": " + std::strerror(errno));
  if (auto r = s->put(h.data(), h.size()); !r) return fail(r.error());
  return BackupEncryptor(std::move(s));
}

Result<void> BackupEncryptor::write(std::string_view plain) {
  s_->pending.append(plain);
  size_t at = 0;
  while (s_->pending.size() - at > kChunk) {  // keep 1..kChunk bytes back for the FINAL chunk
    if (auto r = s_->seal(s_->pending.data() + at, kChunk, 0); !r) return r;
    at += kChunk;
  }
  sodium_memzero(s_->pending.data(), at);
  s_->pending.erase(0, at);
  return {};
}

Result<void> BackupEncryptor::finish() {
  if (auto r = s_->seal(s_->pending.data(), s_->pending.size(),
                        crypto_secretstream_xchacha20poly1305_TAG_FINAL);
      !r)
    return r;
  sodium_memzero(s_->pending.data(), s_->pending.size());
  s_->pending.clear();
  if (std::fflush(s_->out.f) != 0 || ::fsync(::fileno(s_->out.f)) != 0)
    return fail(ErrorCode::kIo, "cannot write " + s_->path + ": " + std::strerror(errno));
  return {};
}

Result<EncryptedHeader> decrypt_backup(const std::string& in_path, const std::string& out_path,
                                       const BackupSecret& secret) {
  ensure_sodium();
  File in(std::fopen(in_path.c_str(), "rb"));
  if (in.f == nullptr)
    return fail(ErrorCode::kNotFound, "cannot read " + in_path + ": " + std::strerror(errno));
  std::array<unsigned char, kBackupHeaderBytes> h{};
  const size_t got_header = std::fread(h.data(), 1, h.size(), in.f);
  const std::string_view hv(reinterpret_cast<const char*>(h.data()), got_header);
  auto header = read_encrypted_header(hv, in_path);
  if (!header) return fail(header.error());
  auto key = derive_key(h.data(), secret, in_path);
  if (!key) return fail(key.error());
  crypto_secretstream_xchacha20poly1305_state st;
  const int init = crypto_secretstream_xchacha20poly1305_init_pull(&st, h.data() + 48, key->data());
  sodium_memzero(key->data(), key->size());
  if (init != 0) return fail(ErrorCode::kInvalidArgument, in_path + " has an altered header");

  File out(std::fopen(out_path.c_str(), "wb"));
  if (out.f == nullptr)
    return fail(ErrorCode::kIo, "cannot write " + out_path + ": " + std::strerror(errno));
  std::vector<unsigned char> cipher(kChunk + kABytes), plain(kChunk);
  uint64_t offset = kBackupHeaderBytes;
  bool first = true;
  for (;;) {
    const size_t n = std::fread(cipher.data(), 1, cipher.size(), in.f);
    if (std::ferror(in.f)) return fail(ErrorCode::kIo, "cannot read " + in_path);
    if (n == 0)
      return fail(ErrorCode::kInvalidArgument,
                  in_path + " is truncated: it ends at byte " + std::to_string(offset) +
                      " before its final chunk");
    unsigned long long plen = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&st, plain.data(), &plen, &tag, cipher.data(),
                                                   n, first ? h.data() : nullptr,
                                                   first ? h.size() : 0) != 0) {
      sodium_memzero(&st, sizeof st);
      if (first)
        return fail(ErrorCode::kInvalidArgument,
                    "cannot decrypt " + in_path +
                        ": wrong key or passphrase, or the file was altered");
      return fail(ErrorCode::kInvalidArgument,
                  in_path + " was altered or truncated: the chunk at byte " +
                      std::to_string(offset) + " does not authenticate");
    }
    first = false;
    offset += n;
    const bool wrote = std::fwrite(plain.data(), 1, plen, out.f) == plen;
    sodium_memzero(plain.data(), plain.size());
    if (!wrote) return fail(ErrorCode::kIo, "cannot write " + out_path + ": " + std::strerror(errno));
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      sodium_memzero(&st, sizeof st);
      if (std::fgetc(in.f) != EOF)
        return fail(ErrorCode::kInvalidArgument,
                    in_path + " was altered: bytes follow its final chunk at byte " +
                        std::to_string(offset));
      break;
    }
    if (n < cipher.size())
      return fail(ErrorCode::kInvalidArgument,
                  in_path + " is truncated: it ends at byte " + std::to_string(offset) +
                      " before its final chunk");
  }
  if (std::fflush(out.f) != 0)
    return fail(ErrorCode::kIo, "cannot write " + out_path + ": " + std::strerror(errno));
  return *header;
}

}  // namespace reclaim::app
