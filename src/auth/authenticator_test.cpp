// Logins, server-side sessions, CSRF, API tokens, lockout and known devices against a real
// (temporary) GeoPackage store and key file, with a hand-moved clock.
#include "auth/authenticator.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "auth/crypto.hpp"
#include "core/entities.hpp"
#include "storage/open/open.hpp"

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
    for (const char* suffix : {"", "-wal", "-shm", ".key"}) fs::remove(path_.string() + suffix);
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

  std::string key_path() const { return path_.string() + ".key"; }
  /// An Authenticator as a server has it: the key file beside the database.
  std::unique_ptr<Authenticator> make(AuthOptions o = {}) {
    o.clock = [this] { return now_; };
    o.user_cache_s = 0;
    auto k = SessionKey::open(key_path());
    EXPECT_TRUE(k) << k.error().message;
    if (k) o.key = *k;
    return std::make_unique<Authenticator>(*store_, o);
  }
  std::string key_bytes() {
    auto k = SessionKey::open(key_path(), false);
    return k ? *(*k)->current() : std::string();
  }
  static std::string cookie(const Session& s) { return "lang=km; reclaim_session=" + s.token; }
  static std::string device(const Session& s) { return "reclaim_device=" + s.device_token; }

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
  EXPECT_EQ(s->expires_unix, kT0 + 12 * 3600);  // the server's cap, from sign-in
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

TEST_F(AuthenticatorTest, AnIdleSessionEndsAfterTwoHoursAndIsFlaggedForA401) {
  auto a = make();
  auto s = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(s);
  now_ += 2 * 3600 - 1;
  EXPECT_EQ(a->resolve_request(cookie(*s), "").state, CredentialState::kValid);
  now_ += 2 * 3600;  // two hours after the last request
  Resolution r = a->resolve_request(cookie(*s), "");
  EXPECT_TRUE(r.session_expired());
  EXPECT_FALSE(r.principal.authenticated());
  EXPECT_TRUE(a->resolve_request(cookie(*s), "").session_expired());  // and stays so
}

TEST_F(AuthenticatorTest, ASessionEndsTwelveHoursAfterSignInHoweverBusy) {
  auto a = make();
  auto s = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->expires_unix, kT0 + 12 * 3600);
  for (int h = 1; h < 12; ++h) {
    now_ = kT0 + h * 3600;
    ASSERT_EQ(a->resolve_request(cookie(*s), "").state, CredentialState::kValid) << h << " h";
  }
  now_ = kT0 + 12 * 3600;
  EXPECT_TRUE(a->resolve_request(cookie(*s), "").session_expired());
}

TEST_F(AuthenticatorTest, AForgedCookieWithAFarFutureExpiryIsRefused) {
  auto a = make();
  auto s = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(s);
  const std::string key = key_bytes();
  ASSERT_EQ(key.size(), kSessionKeyBytes);
  // Even with the key file: a session the store does not hold, in the old claims form and in
  // the new one, with an expiry ten years away.
  const int64_t ten_years = now_ + 10 * 365 * 86400;
  const std::string claims =
      sign_session({"dara", Role::kAdministrator, "", now_, ten_years, "AAAAAAAAAAAAAAAAAAAAAA"},
                   key);
  EXPECT_EQ(a->resolve_request("reclaim_session=" + claims, "").state, CredentialState::kInvalid);
  const std::string unknown = sign_tagged("session", base64url_encode(random_bytes(16)), key);
  EXPECT_EQ(a->resolve_request("reclaim_session=" + unknown, "").state, CredentialState::kInvalid);
  // A genuine session whose stored end were moved far away still ends 12 h after sign-in.
  ASSERT_TRUE(store_->delete_session(s->id_hash));
  storage::SessionRow row{s->id_hash, "dara", now_, now_, ten_years, "", ""};
  ASSERT_TRUE(store_->insert_session(row));
  now_ += 12 * 3600;
  for (int64_t t = kT0; t < now_; t += 3600) {  // keep it busy: not idle
    const int64_t saved = now_;
    now_ = t;
    (void)a->resolve_request(cookie(*s), "");
    now_ = saved;
  }
  EXPECT_NE(a->resolve_request(cookie(*s), "").state, CredentialState::kValid);
}

TEST_F(AuthenticatorTest, TheDatabaseHoldsNeitherTheKeyNorAUsableSessionId) {
  auto a = make();
  auto s = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(s);
  EXPECT_FALSE(store_->meta("auth_session_key").value().has_value());
  auto meta = store_->meta_entries();
  ASSERT_TRUE(meta);
  const std::string key = key_bytes();
  for (const auto& [k, v] : *meta) {
    EXPECT_EQ(v.find(base64url_encode(key)), std::string::npos) << k;
  }
  auto row = store_->find_session(s->id_hash);
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->user, "dara");
  EXPECT_EQ(s->token.find(s->id_hash), std::string::npos);  // the cookie is not the stored id
  // What a thief of the database has: the stored id. As a cookie (or signed with a made-up
  // key) it is nobody.
  EXPECT_EQ(a->resolve_request("reclaim_session=" + s->id_hash, "").state,
            CredentialState::kInvalid);
  const std::string thief_key = random_bytes(kSessionKeyBytes);
  EXPECT_EQ(a->resolve_request("reclaim_session=" + sign_tagged("session", s->id_hash, thief_key),
                               "")
                .state,
            CredentialState::kInvalid);
}

TEST_F(AuthenticatorTest, RotatingTheKeyFileEndsEverySession) {
  auto a = make();
  auto s = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(s);
  ASSERT_EQ(a->resolve_request(cookie(*s), "").state, CredentialState::kValid);
  ASSERT_TRUE(SessionKey::rotate(key_path()));
  // Poll generously: the file is re-checked every SessionKey::kRecheckMs.
  CredentialState st = CredentialState::kValid;
  for (int i = 0; i < 100 && st == CredentialState::kValid; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    st = a->resolve_request(cookie(*s), "").state;
  }
  EXPECT_EQ(st, CredentialState::kInvalid);
  auto again = a->login("dara", kPassword, "10.0.0.1");  // signing in again works
  ASSERT_TRUE(again);
  EXPECT_EQ(a->resolve_request(cookie(*again), "").state, CredentialState::kValid);
}

TEST_F(AuthenticatorTest, AKnownDeviceSignsInWithTheRightPasswordDespiteLockAndNetworkLimit) {
  AuthOptions o;
  o.ip_burst = 8;
  o.ip_refill_per_s = 1.0 / 3600;
  auto a = make(o);
  auto first = a->login("dara", kPassword, "192.0.2.10");
  ASSERT_TRUE(first);
  ASSERT_FALSE(first->device_token.empty());
  // An attacker on the same /24 locks the account and exhausts the network's attempts.
  for (int i = 0; i < 7; ++i)
    (void)a->login(LoginAttempt{"dara", "guess-" + std::to_string(i), "192.0.2.66",
                                "192.0.2.0/24", "", ""});
  EXPECT_FALSE(core::get_text(users(), user("dara"), "locked_until").empty());
  auto limited = a->login(LoginAttempt{"dara", kPassword, "192.0.2.10", "192.0.2.0/24", "", ""});
  ASSERT_FALSE(limited);  // without the device cookie: refused
  // With it: the right password works …
  const std::string dev = device(*first);
  auto ok = a->login(LoginAttempt{"dara", kPassword, "192.0.2.10", "192.0.2.0/24", dev, ""});
  ASSERT_TRUE(ok) << ok.error().message;
  // … but not a wrong one, and not for another account.
  EXPECT_FALSE(a->login(LoginAttempt{"dara", "wrong-wrong", "192.0.2.10", "192.0.2.0/24", dev, ""}));
  for (int i = 0; i < 7; ++i)
    (void)a->login(LoginAttempt{"sophea", "guess-" + std::to_string(i), "192.0.2.66",
                                "192.0.2.0/24", "", ""});
  EXPECT_FALSE(
      a->login(LoginAttempt{"sophea", kPassword, "192.0.2.10", "192.0.2.0/24", dev, ""}));
}

TEST_F(AuthenticatorTest, ADeviceCookieThatGuessesTooOftenIsNoLongerTrusted) {
  auto a = make();
  auto first = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(first);
  const std::string dev = device(*first);
  for (int i = 0; i < 5; ++i)
    EXPECT_FALSE(a->login(LoginAttempt{"dara", "guess-" + std::to_string(i), "10.0.0.1", "", dev, ""}));
  // The account is locked, and this device has used up its own allowance.
  EXPECT_FALSE(a->login(LoginAttempt{"dara", kPassword, "10.0.0.1", "", dev, ""}));
  now_ += 16 * 60;
  EXPECT_TRUE(a->login(LoginAttempt{"dara", kPassword, "10.0.0.1", "", dev, ""}));
}

TEST_F(AuthenticatorTest, ThePerNetworkLimitCountsTheCallersKey) {
  AuthOptions o;
  o.ip_burst = 3;
  o.ip_refill_per_s = 1.0 / 60;
  auto a = make(o);
  // Many loopback addresses, one key: 127.0.0.0/8 (the caller, http::login_limit_key, maps them).
  for (int i = 0; i < 3; ++i)
    (void)a->login(LoginAttempt{"nobody", "x", "127.0.0." + std::to_string(i + 2), "127.0.0.0/8",
                                "", ""});
  auto limited = a->login(LoginAttempt{"dara", kPassword, "127.9.9.9", "127.0.0.0/8", "", ""});
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().kind, LoginFailure::kRateLimited);
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

TEST_F(AuthenticatorTest, ServersSharingTheDatabaseAndKeyFileAgreeOnSessions) {
  auto a = make();
  auto s = a->login("dara", kPassword, "10.0.0.1");
  ASSERT_TRUE(s);
  auto b = make();  // another server process on the same database and key file
  EXPECT_EQ(b->resolve(cookie(*s), "").user, "dara");
  b->logout(cookie(*s));  // logout there ends it here too
  EXPECT_EQ(a->resolve_request(cookie(*s), "").state, CredentialState::kInvalid);
  // A restarted server (a new Authenticator) does not bring it back.
  EXPECT_EQ(make()->resolve_request(cookie(*s), "").state, CredentialState::kInvalid);
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
  const std::string d = a->device_cookie(*s);
  EXPECT_TRUE(d.starts_with("reclaim_device=" + s->device_token +
                            "; HttpOnly; SameSite=Strict; Path=/api/login; Max-Age="))
      << d;
  EXPECT_EQ(make()->session_cookie(*s).find("Secure"), std::string::npos);
}

}  // namespace
}  // namespace reclaim::auth
