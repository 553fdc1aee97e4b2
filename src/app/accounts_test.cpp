// Accounts through the facade: every change in the history with hashes as ***, the password
// policy, operator officers need a known organisation, only administrators manage accounts,
// API tokens work with the Authenticator and stop when the user is disabled.
#include "app/accounts.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "auth/authenticator.hpp"
#include "core/entities.hpp"

namespace reclaim::app {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* kPassword = "tonle-sap-lake-9";

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    path_ = fs::temp_directory_path() /
            ("reclaim_acct_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + ".gpkg");
    remove_files();
    auto s = storage::open_store(path_.string());
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    const auto& os = core::schema(core::entity::kOrganisations);
    core::Record org = core::make_record(os);
    core::set(os, org, "id", std::string("CMAC"));
    core::set(os, org, "name", std::string("Cambodian Mine Action Centre"));
    core::set(os, org, "type", std::string("operator"));
    ASSERT_TRUE(store_->commit({{"test", "", "orgs"},
                                {{storage::ChangeOp::kInsert, &os, std::move(org), "test"}}}));
    accounts_ = std::make_unique<Accounts>(*store_);
  }
  void TearDown() override {
    accounts_.reset();
    store_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_.string() + suffix);
  }

  fs::path path_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Accounts> accounts_;
  const auth::Principal admin_ = local_admin("root");
};

TEST_F(AccountsTest, AddListPasswdDisableAreInTheHistoryWithoutHashes) {
  auto u = accounts_->add(admin_, {"dara", auth::Role::kOperatorDataOfficer, "CMAC", "Dara", kPassword});
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_TRUE(u->has_password);
  ASSERT_TRUE(accounts_->set_password(admin_, "dara", "another-long-password"));
  ASSERT_TRUE(accounts_->disable(admin_, "dara"));
  auto all = accounts_->list(admin_);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].login, "dara");
  EXPECT_TRUE((*all)[0].disabled);
  auto h = store_->history(core::schema(core::entity::kUsers), "dara");
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[0].user, "cli:root");
  EXPECT_EQ((*h)[1].reason, "password changed");
  for (const auto& e : *h) {
    EXPECT_EQ(e.after_json.find("argon2"), std::string::npos);
    EXPECT_THAT(e.after_json, HasSubstr(R"("password_hash":"***")"));
  }
}

TEST_F(AccountsTest, BadInputIsRefused) {
  EXPECT_EQ(accounts_->add(admin_, {"dara", auth::Role::kAnalyst, "", "", "short"}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(accounts_->add(admin_, {"Bad Login", auth::Role::kAnalyst, "", "", kPassword})
                .error().code,
            ErrorCode::kInvalidArgument);
  auto no_org = accounts_->add(admin_, {"kim", auth::Role::kOperatorDataOfficer, "", "", kPassword});
  ASSERT_FALSE(no_org);
  EXPECT_THAT(no_org.error().message, HasSubstr("--org"));
  EXPECT_EQ(accounts_->add(admin_, {"kim", auth::Role::kOperatorDataOfficer, "NOPE", "", kPassword})
                .error().code,
            ErrorCode::kNotFound);
  ASSERT_TRUE(accounts_->add(admin_, {"kim", auth::Role::kAnalyst, "", "", kPassword}));
  EXPECT_EQ(accounts_->add(admin_, {"kim", auth::Role::kAnalyst, "", "", kPassword}).error().code,
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(accounts_->disable(admin_, "ghost").error().code, ErrorCode::kNotFound);
}

TEST_F(AccountsTest, OnlyAdministratorsManageAccounts) {
  ASSERT_TRUE(accounts_->add(admin_, {"sophea", auth::Role::kNationalDataManager, "", "", kPassword}));
  const auth::Principal sophea{"sophea", auth::Role::kNationalDataManager, "", false};
  EXPECT_FALSE(accounts_->add(sophea, {"x1", auth::Role::kAnalyst, "", "", kPassword}));
  EXPECT_FALSE(accounts_->list(sophea));
  EXPECT_FALSE(accounts_->disable(sophea, "sophea"));
  EXPECT_TRUE(accounts_->set_password(sophea, "sophea", "my-own-new-password"));  // own password
  EXPECT_FALSE(accounts_->add(auth::Principal{}, {"x2", auth::Role::kAnalyst, "", "", kPassword}));
}

TEST_F(AccountsTest, AnApiTokenWorksOnceIssuedAndStopsWhenTheUserIsDisabled) {
  ASSERT_TRUE(accounts_->add(admin_, {"bot", auth::Role::kAnalyst, "", "", kPassword}));
  auto t = accounts_->issue_api_token(admin_, "bot");
  ASSERT_TRUE(t);
  auth::AuthOptions o;
  o.user_cache_s = 0;
  auth::Authenticator a(*store_, o);
  EXPECT_EQ(a.resolve("", "Bearer " + *t).user, "bot");
  auto again = accounts_->issue_api_token(admin_, "bot");  // replaces the first
  EXPECT_FALSE(a.resolve("", "Bearer " + *t).authenticated());
  EXPECT_TRUE(a.resolve("", "Bearer " + *again).authenticated());
  ASSERT_TRUE(accounts_->disable(admin_, "bot"));
  EXPECT_FALSE(a.resolve("", "Bearer " + *again).authenticated());
  auto h = store_->history(core::schema(core::entity::kUsers), "bot");
  for (const auto& e : *h) EXPECT_EQ(e.after_json.find(again->substr(4)), std::string::npos);
}

}  // namespace
}  // namespace reclaim::app
