// Logins, sessions, CSRF, API tokens and lockout against a real (temporary) GeoPackage store,
// with a hand-moved clock.
#include "auth/authenticator.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>

#include "auth/crypto.hpp"
#include "core/entities.hpp"

namespace reclaim::auth {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kT0 = 1751271300;  // 2025-06-30T08:15:00Z
constexpr const char* kPassword = "mekong-river-2025";

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    path_ = fs::temp_directory_path() /
            ("reclaim_auth_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + ".gpkg");
    fs::remove(path_);
    auto s = storage::open_store(path_.string());
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    add_user("dara", "operator_data_officer", "CMAC");
    add_user("sophea", "national_data_manager", "");
  }
  void TearDown() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_.string() + suffix);
  }

  void add_user(const std::string& login, const std::string& role, const std::string& org) {
    const auto& us = core::schema(core::entity::kUsers);
    core::Record r = core::make_record(us);
    core::set(us, r, "id", login);
    core::set(us, r, "role", role);
    if (!org.empty()) core::set(us, r, "org", org);
    core::set(us, r, "password_hash", *hash_password(kPassword));
    core::set(us, r, "disabled", int64_t{0});
    core::set(us, r, "failed_logins", int64_t{0});
    ASSERT_TRUE(store_->commit({{"test", "", "user added"},
                                {{storage::ChangeOp::kInsert, &us, std::move(r), "test"}}}));
  }
  core::Record user(const std::string& login) { return **store_->get(users(), login); }
  void update_user(core::Record r) {
    ASSERT_TRUE(store_->commit({{"test", "", "changed"},
                                {{storage::ChangeOp::kUpdate, &users(), std::move(r), "test"}}}));
  }
  static const core::EntitySchema& users() { return core::schema(core::entity::kUsers); }

  std::unique_ptr<Authenticator> make(AuthOptions o = {}) {
    o.clock = [this] { return now_; };
    o.user_cache_s = 0;
    return std::make_unique<Authenticator>(*store_, o);
  }
  static std::string cookie(const Session& s) { return "lang=km; reclaim_session=" + s.token; }

  fs::path path_;
  std::unique_ptr<storage::Store> store_;
  int64_t now_ = kT0;
};

TEST_F(AuthenticatorTest, LoginIssuesASessionThatResolves) {
  auto a = make();
  auto s = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->principal.user, "dara");
  EXPECT_EQ(s->principal.role, Role::kOperatorDataOfficer);
  EXPECT_EQ(s->principal.org, "CMAC");
  EXPECT_EQ(s->expires_unix, kT0 + 8 * 3600);
  Resolution r = a->resolve_request(cookie(*s), "");
  EXPECT_EQ(r.state, CredentialState::kValid);
  EXPECT_EQ(r.principal.user, "dara");
  EXPECT_FALSE(r.principal.via_api_token);
  EXPECT_TRUE(r.needs_csrf);
  EXPECT_EQ(a->resolve(cookie(*s), "").role, Role::kOperatorDataOfficer);
}

TEST_F(AuthenticatorTest, NoCredentialsIsPublic) {
  auto a = make();
  Resolution r = a->resolve_request("", "");
  EXPECT_EQ(r.state, CredentialState::kNone);
  EXPECT_EQ(r.principal.role, Role::kPublic);
  EXPECT_FALSE(r.principal.authenticated());
}

TEST_F(AuthenticatorTest, WrongPasswordAndUnknownUserLookTheSame) {
  auto a = make();
  auto wrong = a->login("dara", "not-the-password", "10.0.0.1");
  auto unknown = a->login("nobody", "not-the-password", "10.0.0.1");
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().kind, LoginFailure::kBadCredentials);
  EXPECT_EQ(unknown.error().kind, LoginFailure::kBadCredentials);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  EXPECT_EQ(core::get_int(users(), user("dara"), "failed_logins"), 1);
}

TEST_F(AuthenticatorTest, FiveFailuresLockTheAccountForFifteenMinutes) {
  auto a = make();
  for (int i = 0; i < 5; ++i) {
    auto r = a->login("dara", "wrong-password-" + std::to_string(i), "10.0.0.1");
    ASSERT_FALSE(r);
    now_ += 10;
  }
  EXPECT_FALSE(core::get_text(users(), user("dara"), "locked_until").empty());
  auto locked = a->login("dara", kPassword, "10.0.0.1");  // the right password, but locked
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().message, std::string(kLoginFailedMessage));
  now_ += 14 * 60;
  EXPECT_FALSE(a->login("dara", kPassword, "10.0.0.1"));
  now_ += 2 * 60;  // past the 15-minute window
  auto ok = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(core::get_int(users(), user("dara"), "failed_logins"), 0);
  EXPECT_TRUE(core::get_text(users(), user("dara"), "locked_until").empty());
  // every failure and the lock are in the user's history, the hash only as ***
  auto h = store_->history(users(), "dara");
  ASSERT_TRUE(h);
  bool saw_lock = false;
  for (const auto& e : *h) {
    saw_lock = saw_lock || e.reason.find("locked until") != std::string::npos;
    EXPECT_EQ(e.after_json.find("$argon2id"), std::string::npos);
  }
  EXPECT_TRUE(saw_lock);
}

TEST_F(AuthenticatorTest, TooManyAttemptsFromOneAddressAreRateLimited) {
  AuthOptions o;
  o.ip_burst = 3;
  o.ip_refill_per_s = 1.0 / 60;
  auto a = make(o);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(a->login("user" + std::to_string(i), "x", "10.9.9.9"));
  auto limited = a->login("dara", kPassword, "10.9.9.9");
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().kind, LoginFailure::kRateLimited);
  EXPECT_GT(limited.error().retry_after_s, 0);
  EXPECT_TRUE(a->login("dara", kPassword, "10.0.0.2"));  // another address is not affected
  now_ += 61;
  EXPECT_TRUE(a->login("dara", kPassword, "10.9.9.9"));
}

TEST_F(AuthenticatorTest, ADisabledUserCannotLogInAndItsSessionsAndTokensStop) {
  auto a = make();
  auto s = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(s);
  ApiToken t = new_api_token("dara");
  core::Record u = user("dara");
  core::set(users(), u, "api_token_hash", t.hash_hex);
  update_user(u);
  EXPECT_TRUE(a->resolve("", "Bearer " + t.token).authenticated());
  u = user("dara");
  core::set(users(), u, "disabled", int64_t{1});
  update_user(u);
  EXPECT_FALSE(a->login("dara", kPassword, "10.0.0.1"));
  Resolution r = a->resolve_request(cookie(*s), "");
  EXPECT_EQ(r.state, CredentialState::kInvalid);
  EXPECT_FALSE(r.principal.authenticated());
  EXPECT_FALSE(a->resolve("", "Bearer " + t.token).authenticated());
}

TEST_F(AuthenticatorTest, ATamperedCookieIsPublic) {
  auto a = make();
  auto s = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(s);
  std::string t = s->token;
  t[t.size() / 3] = t[t.size() / 3] == 'x' ? 'y' : 'x';
  Resolution r = a->resolve_request("reclaim_session=" + t, "");
  EXPECT_EQ(r.state, CredentialState::kInvalid);
  EXPECT_EQ(r.principal.role, Role::kPublic);
}

TEST_F(AuthenticatorTest, AnExpiredSessionIsFlaggedForA401) {
  auto a = make();
  auto s = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(s);
  now_ += 8 * 3600 - 1;
  EXPECT_EQ(a->resolve_request(cookie(*s), "").state, CredentialState::kValid);
  now_ += 1;
  Resolution r = a->resolve_request(cookie(*s), "");
  EXPECT_TRUE(r.session_expired());
  EXPECT_FALSE(r.principal.authenticated());
}

TEST_F(AuthenticatorTest, BrowserWritesNeedTheSessionsCsrfToken) {
  auto a = make();
  auto s = a->login("dara", kPassword, "10.0.0.1");
  auto other = a->login("sophea", kPassword, "10.0.0.1");
  ASSERT_TRUE(s && other);
  Resolution r = a->resolve_request(cookie(*s), "");
  EXPECT_TRUE(a->check_csrf(r, s->csrf));
  EXPECT_FALSE(a->check_csrf(r, ""));
  EXPECT_FALSE(a->check_csrf(r, other->csrf));  // another session's token
  EXPECT_FALSE(a->check_csrf(a->resolve_request("", ""), ""));
}

TEST_F(AuthenticatorTest, ApiTokensRoundTripAndNeedNoCsrf) {
  auto a = make();
  ApiToken t = new_api_token("sophea");
  core::Record u = user("sophea");
  core::set(users(), u, "api_token_hash", t.hash_hex);
  update_user(u);
  Resolution r = a->resolve_request("", "Bearer " + t.token);
  ASSERT_EQ(r.state, CredentialState::kValid);
  EXPECT_EQ(r.principal.user, "sophea");
  EXPECT_EQ(r.principal.role, Role::kNationalDataManager);
  EXPECT_TRUE(r.principal.via_api_token);
  EXPECT_TRUE(a->check_csrf(r, ""));
  ApiToken wrong = new_api_token("sophea");
  EXPECT_EQ(a->resolve_request("", "Bearer " + wrong.token).state, CredentialState::kInvalid);
  EXPECT_EQ(a->resolve_request("", "Basic c29waGVhOng=").state, CredentialState::kInvalid);
}

TEST_F(AuthenticatorTest, LogoutEndsTheSession) {
  auto a = make();
  auto s = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(s);
  a->logout(cookie(*s));
  EXPECT_EQ(a->resolve_request(cookie(*s), "").state, CredentialState::kInvalid);
}

TEST_F(AuthenticatorTest, TheServerSecretIsSharedThroughTheStore) {
  auto a = make();
  auto s = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(s);
  auto b = make();  // another server process on the same database
  EXPECT_EQ(b->resolve(cookie(*s), "").user, "dara");
}

TEST_F(AuthenticatorTest, CookieAttributes) {
  AuthOptions o;
  o.secure_cookie = true;
  auto a = make(o);
  auto s = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(s);
  const std::string c = a->session_cookie(*s);
  EXPECT_TRUE(c.starts_with("reclaim_session=" + s->token + "; HttpOnly; SameSite=Strict; Path=/"))
      << c;
  EXPECT_NE(c.find("; Secure"), std::string::npos);
  EXPECT_NE(a->expired_cookie().find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(make()->session_cookie(*s).find("Secure"), std::string::npos);
}

}  // namespace
}  // namespace reclaim::auth
