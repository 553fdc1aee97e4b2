// app::Application: its parts work over the one store it was given (what one part writes, the
// file holds for a second, independent connection), and the clock it is given reaches them.
#include "app/application.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "storage/open/open.hpp"

namespace reclaim::app {
namespace {

namespace fs = std::filesystem;

class ApplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    path_ = fs::temp_directory_path() /
            ("reclaim_app_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + ".gpkg");
    remove_files();
  }
  void TearDown() override { remove_files(); }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm", ".key"}) fs::remove(path_.string() + suffix);
  }
  std::unique_ptr<Application> open(auth::Clock clock = {}) {
    auto s = storage::open_store(path_.string());
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::make_unique<Application>(std::move(*s), std::move(clock)) : nullptr;
  }
  fs::path path_;
};

TEST_F(ApplicationTest, ItsAccountsAndServiceShareTheStoreItWasGiven) {
  auto app = open();
  ASSERT_NE(app, nullptr);
  const auth::Principal admin = local_admin("root");
  auto u =
      app->accounts().add(admin, {"sokha", auth::Role::kAnalyst, "", "Sokha", "tonle-sap-lake-9"});
  ASSERT_TRUE(u) << u.error().message;
  auto hazards = app->service().count("hazards");
  ASSERT_TRUE(hazards) << hazards.error().message;
  EXPECT_EQ(*hazards, 0);
  auto inbox = app->workflow().inbox(admin);
  EXPECT_TRUE(inbox) << inbox.error().message;
  app.reset();  // closes the store: the parts are gone with it

  auto again = open();
  ASSERT_NE(again, nullptr);
  auto list = again->accounts().list(admin);
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].login, "sokha");
}

TEST_F(ApplicationTest, TheClockItIsGivenDatesTheAccountsChanges) {
  auto app = open([] { return int64_t{1'750'000'000}; });  // 2025-06-15T15:06:40Z
  ASSERT_NE(app, nullptr);
  const auth::Principal admin = local_admin("root");
  auto u =
      app->accounts().add(admin, {"sokha", auth::Role::kAnalyst, "", "Sokha", "tonle-sap-lake-9"});
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->created_at, auth::iso_utc(1'750'000'000));
}

}  // namespace
}  // namespace reclaim::app
