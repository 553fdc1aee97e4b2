// The encrypted backup file (app/backup_file.hpp): round trips at the chunk boundaries, and every
// kind of damage refused. Inputs are random bytes; the expected output is the input itself.
#include "app/backup_file.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include <unistd.h>

namespace reclaim::app {
namespace {

namespace fs = std::filesystem;
constexpr size_t kChunk = 64 * 1024;
constexpr size_t kSealed = kChunk + 17;

class BackupFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("reclaim_backup_file_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    key_.key_file = path("key");
    write(key_.key_file, random_bytes(32, 1));
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string random_bytes(size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xff);
    return s;
  }
  static void write(const std::string& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
  }
  static std::string read(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  /// Encrypts `plain` (written in uneven pieces) into `out`.
  void encrypt(const std::string& plain, const std::string& out, const BackupSecret& secret) {
    auto enc = BackupEncryptor::create(out, storage::BackupKind::kGeoPackage, secret);
    ASSERT_TRUE(enc) << enc.error().message;
    for (size_t at = 0; at < plain.size();) {
      const size_t n = std::min<size_t>(plain.size() - at, 7001 + at % 50000);
      ASSERT_TRUE(enc->write(std::string_view(plain).substr(at, n)));
      at += n;
    }
    ASSERT_TRUE(enc->finish());
  }
  Result<EncryptedHeader> decrypt(const std::string& in, const BackupSecret& secret) {
    return decrypt_backup(in, path("out"), secret);
  }

  fs::path dir_;
  BackupSecret key_;
};

TEST_F(BackupFileTest, RoundTripsAtEveryChunkBoundary) {
  for (size_t n : {size_t{0}, size_t{1}, kChunk - 1, kChunk, kChunk + 1, 3 * kChunk,
                   3 * kChunk + 12345}) {
    const std::string plain = random_bytes(n, static_cast<unsigned>(n));
    encrypt(plain, path("enc"), key_);
    // header + one sealed chunk per started 64 KiB (one empty chunk for an empty backup)
    const size_t chunks = n == 0 ? 1 : (n + kChunk - 1) / kChunk;
    EXPECT_EQ(fs::file_size(path("enc")), kBackupHeaderBytes + n + chunks * 17) << n;
    auto h = decrypt(path("enc"), key_);
    ASSERT_TRUE(h) << n << ": " << h.error().message;
    EXPECT_EQ(h->content, storage::BackupKind::kGeoPackage);
    EXPECT_FALSE(h->passphrase);
    EXPECT_EQ(read(path("out")), plain) << n;
  }
}

TEST_F(BackupFileTest, PassphraseRoundTripsAndAWrongOneIsRefused) {
  const std::string plain = random_bytes(100000, 7);
  BackupSecret pass;
  pass.passphrase = "ស្រែ​គ្មាន​មីន 2030";  // Khmer counts by characters
  encrypt(plain, path("enc"), pass);
  auto h = decrypt(path("enc"), pass);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_TRUE(h->passphrase);
  EXPECT_EQ(read(path("out")), plain);
  BackupSecret wrong;
  wrong.passphrase = "ស្រែ​គ្មាន​មីន 2031";
  auto bad = decrypt(path("enc"), wrong);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("wrong key or passphrase"), std::string::npos);
  auto with_key = decrypt(path("enc"), key_);
  ASSERT_FALSE(with_key);
  EXPECT_NE(with_key.error().message.find("passphrase"), std::string::npos);
}

TEST_F(BackupFileTest, RefusesAShortPassphraseAndAMalformedKeyFile) {
  BackupSecret pass;
  pass.passphrase = "short";
  auto r = BackupEncryptor::create(path("enc"), storage::BackupKind::kPostgres, pass);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("at least 10 characters"), std::string::npos);
  BackupSecret key;
  key.key_file = path("badkey");
  write(key.key_file, random_bytes(31, 3));
  auto k = BackupEncryptor::create(path("enc"), storage::BackupKind::kPostgres, key);
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(k.error().message.find("32 bytes or 64 hex digits"), std::string::npos);
}

TEST_F(BackupFileTest, EveryAlteredByteIsRefused) {
  const std::string plain = random_bytes(2 * kChunk + 500, 11);
  encrypt(plain, path("enc"), key_);
  const std::string sealed = read(path("enc"));
  // magic, version, content, key kind, reserved, salt, limits, stream header, first chunk,
  // second chunk, the FINAL chunk's last byte
  for (size_t at : {size_t{0}, size_t{8}, size_t{9}, size_t{12}, size_t{20}, size_t{35},
                    size_t{44}, size_t{60}, kBackupHeaderBytes + 5, kBackupHeaderBytes + kSealed + 9,
                    sealed.size() - 1}) {
    std::string altered = sealed;
    altered[at] = static_cast<char>(altered[at] ^ 0x20);
    write(path("altered"), altered);
    auto r = decrypt(path("altered"), key_);
    EXPECT_FALSE(r) << "byte " << at << " altered but accepted";
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << at;
    }
  }
}

TEST_F(BackupFileTest, TruncatedOrExtendedFilesAreRefused) {
  const std::string plain = random_bytes(2 * kChunk + 500, 13);
  encrypt(plain, path("enc"), key_);
  const std::string sealed = read(path("enc"));
  for (size_t len : {size_t{0}, size_t{40}, kBackupHeaderBytes, kBackupHeaderBytes + kSealed,
                     kBackupHeaderBytes + 2 * kSealed, sealed.size() - 1}) {
    write(path("cut"), sealed.substr(0, len));
    auto r = decrypt(path("cut"), key_);
    EXPECT_FALSE(r) << "cut at " << len << " but accepted";
  }
  write(path("long"), sealed + "x");
  auto r = decrypt(path("long"), key_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  // after a full-size FINAL chunk the extra bytes are read apart
  encrypt(random_bytes(kChunk, 17), path("full"), key_);
  write(path("full_long"), read(path("full")) + "x");
  auto full = decrypt(path("full_long"), key_);
  ASSERT_FALSE(full);
  EXPECT_NE(full.error().message.find("follow its final chunk"), std::string::npos);
}

}  // namespace
}  // namespace reclaim::app
