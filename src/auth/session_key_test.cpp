// The key file: created 0600 on first need, shared, refused when open to others, rotated
// atomically and noticed by a running SessionKey.
#include "auth/session_key.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "auth/crypto.hpp"

namespace reclaim::auth {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class SessionKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = fs::temp_directory_path() /
           ("reclaim_key_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "national.gpkg.key").string(); }
  fs::path dir_;
};

TEST_F(SessionKeyTest, TheDefaultPathIsBesideAGeoPackageAndPostgresNeedsOne) {
  EXPECT_EQ(*key_file_path("/data/national.gpkg", ""), "/data/national.gpkg.key");
  EXPECT_EQ(*key_file_path("/data/national.gpkg", "/etc/reclaim/key"), "/etc/reclaim/key");
  EXPECT_EQ(*key_file_path("postgresql://u@db/reclaim", "/etc/reclaim/key"), "/etc/reclaim/key");
  for (const char* url : {"postgresql://u@db/reclaim", "postgres://db/x"}) {
    auto r = key_file_path(url, "");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(r.error().message, HasSubstr("--key-file"));
    EXPECT_THAT(r.error().message, HasSubstr("RECLAIM_KEY_FILE"));
  }
}

TEST_F(SessionKeyTest, CreatedPrivateOnFirstNeedAndSharedAfterwards) {
  auto missing = SessionKey::open(path(), false);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto a = SessionKey::open(path());
  ASSERT_TRUE(a) << a.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto b = SessionKey::open(path());
  ASSERT_TRUE(b);
  auto ka = (*a)->current();
  auto kb = (*b)->current();
  ASSERT_TRUE(ka && kb);
  EXPECT_EQ(ka->size(), kSessionKeyBytes);
  EXPECT_EQ(*ka, *kb);
  EXPECT_NE(*ka, *SessionKey::ephemeral()->current());
  for (const auto& e : fs::directory_iterator(dir_))  // no temporary file left behind
    EXPECT_EQ(e.path().filename().string(), "national.gpkg.key");
}

TEST_F(SessionKeyTest, ManyProcessesStartingAtOnceAgreeOnOneKey) {
  std::vector<std::thread> ts;
  std::vector<std::string> keys(8);
  for (size_t i = 0; i < keys.size(); ++i)
    ts.emplace_back([&, i] {
      auto k = SessionKey::open(path());
      if (k) keys[i] = *(*k)->current();
    });
  for (auto& t : ts) t.join();
  for (const auto& k : keys) EXPECT_EQ(k, keys[0]);
  EXPECT_EQ(keys[0].size(), kSessionKeyBytes);
}

TEST_F(SessionKeyTest, AFileOpenToOthersOrNotAKeyIsRefused) {
  ASSERT_TRUE(SessionKey::open(path()));
  fs::permissions(path(), fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  auto open = SessionKey::open(path());
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(open.error().message, HasSubstr("chmod 600"));
  fs::permissions(path(), fs::perms::owner_read | fs::perms::owner_write);
  std::ofstream(path(), std::ios::trunc) << "not a key\n";
  auto bad = SessionKey::open(path());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(bad.error().message, HasSubstr(path()));
}

TEST_F(SessionKeyTest, RotationReplacesTheKeyAtomicallyAndRunningHoldersNotice) {
  auto a = SessionKey::open(path());
  ASSERT_TRUE(a);
  const std::string before = *(*a)->current();
  const uint64_t gen = (*a)->generation();
  ASSERT_TRUE(SessionKey::rotate(path()));
  struct stat st {};
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string now = before;
  for (int i = 0; i < 100 && now == before; ++i) {  // within kRecheckMs; poll generously
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    now = *(*a)->current();
  }
  EXPECT_NE(now, before);
  EXPECT_EQ(now.size(), kSessionKeyBytes);
  EXPECT_GT((*a)->generation(), gen);
  EXPECT_EQ(*(*SessionKey::open(path(), false))->current(), now);
}

}  // namespace
}  // namespace reclaim::auth
