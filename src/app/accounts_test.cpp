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
#include "storage/open/open.hpp"

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
    for (const char* suffix : {"", "-wal", "-shm", ".key"}) fs::remove(path_.string() + suffix);
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
  EXPECT_EQ((*h)[1].reason, "password reset: sessions and API token ended");
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

// Ending sessions: every way an administrator or the user ends them, seen by every server
// (each Authenticator has its own store connection, as `reclaim serve` processes do).
class EndingSessionsTest : public AccountsTest {
 protected:
  void SetUp() override {
    AccountsTest::SetUp();
    ASSERT_TRUE(accounts_->add(admin_, {"dara", auth::Role::kOperatorDataOfficer, "CMAC", "", kPassword}));
    ASSERT_TRUE(accounts_->add(admin_, {"kim", auth::Role::kAnalyst, "", "", kPassword}));
    for (int i = 0; i < 2; ++i) {  // two servers on one file and one key file
      auto st = storage::open_store(path_.string());
      ASSERT_TRUE(st) << st.error().message;
      server_stores_.push_back(std::move(*st));
      auth::AuthOptions o;
      auto key = auth::SessionKey::open(path_.string() + ".key");
      ASSERT_TRUE(key) << key.error().message;
      o.key = *key;
      servers_.push_back(std::make_unique<auth::Authenticator>(*server_stores_.back(), o));
    }
  }
  void TearDown() override {
    servers_.clear();
    server_stores_.clear();
    AccountsTest::TearDown();
  }
  /// Signs `login` in on server `i`; returns its Cookie header.
  std::string sign_in(const std::string& login, size_t i = 0) {
    auto s = servers_[i]->login(login, kPassword, "10.0.0.1");
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? "reclaim_session=" + s->token : "";
  }
  /// Who the cookie (or bearer token) is on server i.
  std::string who(const std::string& cookie, size_t i = 0) {
    return servers_[i]->resolve(cookie, "").user;
  }
  std::string who_token(const std::string& token, size_t i = 0) {
    return servers_[i]->resolve("", "Bearer " + token).user;
  }
  std::string session_id(const std::string& cookie) {
    return servers_[0]->resolve_request(cookie, "").session_id;
  }

  std::vector<std::unique_ptr<storage::Store>> server_stores_;
  std::vector<std::unique_ptr<auth::Authenticator>> servers_;
};

TEST_F(EndingSessionsTest, AnAdministratorsPasswordResetEndsEverySessionAndTheApiToken) {
  const std::string c1 = sign_in("dara", 0), c2 = sign_in("dara", 1), other = sign_in("kim");
  auto token = accounts_->issue_api_token(admin_, "dara");
  ASSERT_TRUE(token);
  ASSERT_EQ(who(c1, 1), "dara");
  ASSERT_EQ(who_token(*token, 1), "dara");
  ASSERT_TRUE(accounts_->set_password(admin_, "dara", "a-brand-new-password"));
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(who(c1, i), "") << "server " << i;
    EXPECT_EQ(who(c2, i), "") << "server " << i;
    EXPECT_EQ(who_token(*token, i), "") << "server " << i;
  }
  EXPECT_EQ(who(other), "kim");  // other users are not affected
  EXPECT_FALSE(accounts_->find(admin_, "dara").value()->has_api_token);
}

TEST_F(EndingSessionsTest, ChangingOnesOwnPasswordEndsOnlyTheOtherSessions) {
  const std::string here = sign_in("dara", 0), elsewhere = sign_in("dara", 1);
  auto token = accounts_->issue_api_token(admin_, "dara");
  ASSERT_TRUE(token);
  const auth::Principal dara{"dara", auth::Role::kOperatorDataOfficer, "CMAC", false};
  ASSERT_TRUE(accounts_->set_password(dara, "dara", "my-own-new-password", session_id(here)));
  EXPECT_EQ(who(here, 1), "dara");
  EXPECT_EQ(who(elsewhere, 0), "");
  EXPECT_EQ(who(elsewhere, 1), "");
  EXPECT_EQ(who_token(*token), "dara");  // the user's own change keeps their API token
}

TEST_F(EndingSessionsTest, DisableEndsEverythingAndReEnablingRevivesNothing) {
  const std::string c = sign_in("dara");
  auto token = accounts_->issue_api_token(admin_, "dara");
  ASSERT_TRUE(token);
  ASSERT_TRUE(accounts_->disable(admin_, "dara"));
  EXPECT_EQ(who(c, 0), "");
  EXPECT_EQ(who_token(*token, 1), "");
  ASSERT_TRUE(accounts_->enable(admin_, "dara"));
  EXPECT_EQ(who(c, 0), "");
  EXPECT_EQ(who(c, 1), "");
  EXPECT_EQ(who_token(*token, 0), "");
  EXPECT_EQ(who(sign_in("dara", 1), 0), "dara");  // signing in again works
}

TEST_F(EndingSessionsTest, ARoleChangeEndsSessionsAndTokenAndTheNewRoleApplies) {
  const std::string c = sign_in("kim");
  auto token = accounts_->issue_api_token(admin_, "kim");
  ASSERT_TRUE(token);
  ASSERT_TRUE(accounts_->set_role(admin_, "kim", auth::Role::kNationalDataManager));
  EXPECT_EQ(who(c, 1), "");
  EXPECT_EQ(who_token(*token, 0), "");
  const std::string again = sign_in("kim", 1);
  EXPECT_EQ(servers_[0]->resolve(again, "").role, auth::Role::kNationalDataManager);
  // An operator data officer needs an organisation; kim has none.
  auto no_org = accounts_->set_role(admin_, "kim", auth::Role::kOperatorDataOfficer);
  ASSERT_FALSE(no_org);
  EXPECT_EQ(no_org.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(who(again, 0), "kim");  // a refused change ends nothing
  // A provincial planner needs a province, a donor an organisation: kim has neither.
  for (auth::Role role : {auth::Role::kProvincialPlanner, auth::Role::kDonor}) {
    auto refused = accounts_->set_role(admin_, "kim", role);
    ASSERT_FALSE(refused) << auth::role_name(role);
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument) << refused.error().message;
  }
  EXPECT_EQ(who(again, 0), "kim");
  const auth::Principal kim{"kim", auth::Role::kNationalDataManager, "", false};
  EXPECT_EQ(accounts_->set_role(kim, "kim", auth::Role::kAdministrator).error().code,
            ErrorCode::kPermissionDenied);
}

TEST_F(EndingSessionsTest, RevokeEndsEverySessionAndTheTokenOnEveryServer) {
  const std::string a = sign_in("dara", 0), b = sign_in("dara", 1), c = sign_in("dara", 1);
  auto token = accounts_->issue_api_token(admin_, "dara");
  ASSERT_TRUE(token);
  auto n = accounts_->revoke(admin_, "dara");
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 3);
  for (const auto& ck : {a, b, c})
    for (size_t i = 0; i < 2; ++i) EXPECT_EQ(who(ck, i), "");
  EXPECT_EQ(who_token(*token, 1), "");
  auto h = store_->history(core::schema(core::entity::kUsers), "dara");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->back().reason, "sessions and API token revoked");
  EXPECT_EQ(accounts_->revoke(admin_, "ghost").error().code, ErrorCode::kNotFound);
}

TEST_F(EndingSessionsTest, UnlockIsTheAdministratorsRecoveryFromALockout) {
  for (int i = 0; i < 5; ++i) (void)servers_[0]->login("dara", "wrong-" + std::to_string(i), "10.0.0.9");
  EXPECT_FALSE(accounts_->find(admin_, "dara").value()->locked_until.empty());
  EXPECT_FALSE(servers_[1]->login("dara", kPassword, "10.0.0.1"));  // locked everywhere
  ASSERT_TRUE(accounts_->unlock(admin_, "dara"));
  auto u = accounts_->find(admin_, "dara").value();
  EXPECT_TRUE(u->locked_until.empty());
  EXPECT_EQ(u->failed_logins, 0);
  EXPECT_TRUE(servers_[1]->login("dara", kPassword, "10.0.0.1"));
}

}  // namespace
}  // namespace reclaim::app
