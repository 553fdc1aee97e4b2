#include "auth/authenticator.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "auth/crypto.hpp"
#include "core/entities.hpp"

namespace reclaim::auth {
namespace {

constexpr std::string_view kSessionKeyMeta = "auth_session_key";
constexpr int kCommitRetries = 3;

const core::EntitySchema& users_schema() { return core::schema(core::entity::kUsers); }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool iequals_prefix(std::string_view s, std::string_view prefix) noexcept {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

/// The principal of an enabled user record, or nullopt (disabled, unknown role).
std::optional<Principal> principal_of(const core::Record& u) {
  const auto& us = users_schema();
  if (core::get_int(us, u, "disabled") != 0) return std::nullopt;
  auto role = parse_role(core::get_text(us, u, "role"));
  if (!role || *role == Role::kPublic) return std::nullopt;
  return Principal{u.id(), *role, core::get_text(us, u, "org"), false,
                   core::get_text(us, u, "province_code")};
}

bool locked_at(const core::Record& u, int64_t now) {
  auto until = parse_iso_utc(core::get_text(users_schema(), u, "locked_until"));
  return until && now < *until;
}

}  // namespace

Authenticator::Authenticator(storage::Store& store, AuthOptions options)
    : store_(store), opt_(std::move(options)), clock_(or_system(opt_.clock)) {}
Authenticator::~Authenticator() = default;

Result<std::string> Authenticator::session_key_locked() {
  if (!key_.empty()) return key_;
  auto stored = store_.meta(kSessionKeyMeta);
  if (!stored) return fail(stored.error());
  if (*stored) {
    auto k = base64url_decode(**stored);
    if (!k || k->size() != kSessionKeyBytes)
      return fail(ErrorCode::kInternal, "the stored session key is malformed");
    key_ = *k;
    return key_;
  }
  // First use: create the server secret. Read it back so that two processes racing here end up
  // with the same key (the last writer's).
  if (auto r = store_.set_meta(kSessionKeyMeta, base64url_encode(random_bytes(kSessionKeyBytes)));
      !r)
    return fail(r.error());
  auto again = store_.meta(kSessionKeyMeta);
  if (!again) return fail(again.error());
  auto k = *again ? base64url_decode(**again) : std::nullopt;
  if (!k || k->size() != kSessionKeyBytes)
    return fail(ErrorCode::kInternal, "the session key could not be created");
  key_ = *k;
  return key_;
}

Result<std::optional<core::Record>> Authenticator::user_locked(const std::string& login,
                                                                bool fresh, int64_t now) {
  if (!fresh && opt_.user_cache_s > 0) {
    // Another process (the CLI: user disable, user token, passwd) or connection may have
    // changed users since: a new data generation of the store drops every cached record, so
    // the next request sees the change (one cheap PRAGMA data_version / counter lookup).
    auto g = store_.generation();
    if (!g || *g != users_generation_) {
      users_.clear();
      users_generation_ = g ? *g : -1;
    }
    auto it = users_.find(login);
    if (it != users_.end() && now - it->second.fetched_at < opt_.user_cache_s)
      return it->second.record;
  }
  auto r = store_.get(users_schema(), login);
  if (!r) return fail(r.error());
  if (opt_.user_cache_s > 0) {
    if (users_.size() > 10000) users_.clear();
    users_[login] = CachedUser{*r, now};
  }
  return std::move(*r);
}

bool Authenticator::take_ip_token_locked(const std::string& ip, int64_t now,
                                         int64_t& retry_after) {
  if (ip_buckets_.size() > 100000) {  // forget clients whose buckets have refilled
    std::erase_if(ip_buckets_, [&](const auto& kv) {
      return kv.second.tokens + double(now - kv.second.at) * opt_.ip_refill_per_s >=
             opt_.ip_burst;
    });
  }
  auto [it, inserted] = ip_buckets_.try_emplace(ip, Bucket{opt_.ip_burst, now});
  Bucket& b = it->second;
  b.tokens = std::min(opt_.ip_burst, b.tokens + double(now - b.at) * opt_.ip_refill_per_s);
  b.at = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  retry_after = opt_.ip_refill_per_s > 0
                    ? static_cast<int64_t>(std::ceil((1 - b.tokens) / opt_.ip_refill_per_s))
                    : 3600;
  return false;
}

void Authenticator::refund_ip_token_locked(const std::string& ip) {
  auto it = ip_buckets_.find(ip);
  if (it != ip_buckets_.end()) it->second.tokens = std::min(opt_.ip_burst, it->second.tokens + 1);
}

void Authenticator::record_failure_locked(const std::string& login, std::string_view client_ip,
                                          int64_t now) {
  const auto& us = users_schema();
  for (int attempt = 0; attempt < kCommitRetries; ++attempt) {
    auto rec = user_locked(login, true, now);
    if (!rec || !*rec) return;
    core::Record u = std::move(**rec);
    int64_t n = core::get_int(us, u, "failed_logins");
    if (!core::get_text(us, u, "locked_until").empty() && !locked_at(u, now)) {
      n = 0;  // the previous lock has run out: count afresh
      core::set(us, u, "locked_until", core::Value{});
    }
    ++n;
    core::set(us, u, "failed_logins", n);
    std::string reason = "login failed from " + std::string(client_ip);
    if (n >= opt_.max_failed_logins) {
      std::string until = iso_utc(now + opt_.lockout_s);
      core::set(us, u, "locked_until", until);
      reason += "; locked until " + until + " after " + std::to_string(n) + " failures";
    }
    storage::ChangeSet cs{{"reclaim-auth", "", reason},
                          {{storage::ChangeOp::kUpdate, &us, std::move(u), "login"}}};
    auto r = store_.commit(cs);
    users_.erase(login);
    if (r || r.error().code != ErrorCode::kConflict) return;
  }
}

void Authenticator::record_success_locked(const std::string& login) {
  const auto& us = users_schema();
  const int64_t now = clock_();
  for (int attempt = 0; attempt < kCommitRetries; ++attempt) {
    auto rec = user_locked(login, true, now);
    if (!rec || !*rec) return;
    core::Record u = std::move(**rec);
    if (core::get_int(us, u, "failed_logins") == 0 &&
        core::get_text(us, u, "locked_until").empty())
      return;
    core::set(us, u, "failed_logins", int64_t{0});
    core::set(us, u, "locked_until", core::Value{});
    storage::ChangeSet cs{{"reclaim-auth", "", "login succeeded: failure count reset"},
                          {{storage::ChangeOp::kUpdate, &us, std::move(u), "login"}}};
    auto r = store_.commit(cs);
    users_.erase(login);
    if (r || r.error().code != ErrorCode::kConflict) return;
  }
}

LoginResult Authenticator::login(std::string_view user, std::string_view password,
                                 std::string_view client_ip) {
  const int64_t now = clock_();
  const std::string login(trim(user));
  const std::string ip(client_ip);
  const LoginError bad{LoginFailure::kBadCredentials, std::string(kLoginFailedMessage), 0, {}};
  std::optional<core::Record> rec;
  {
    std::lock_guard lock(mu_);
    int64_t retry = 0;
    if (!take_ip_token_locked(ip, now, retry))
      return tl::unexpected(LoginError{
          LoginFailure::kRateLimited,
          "too many login attempts from this address: try again in " + std::to_string(retry) +
              " s",
          retry,
          {}});
    auto r = user_locked(login, true, now);
    if (!r) return tl::unexpected(LoginError{LoginFailure::kUnavailable,
                                             "login is unavailable: " + r.error().message, 0,
                                             r.error()});
    rec = std::move(*r);
  }
  const auto& us = users_schema();
  std::optional<Principal> who = rec ? principal_of(*rec) : std::nullopt;
  const std::string hash = rec ? core::get_text(us, *rec, "password_hash") : std::string();
  if (!who || hash.empty() || locked_at(*rec, now)) {
    dummy_password_verification(password);  // same time whatever the reason
    return tl::unexpected(bad);
  }
  if (!verify_password(hash, password)) {
    std::lock_guard lock(mu_);
    record_failure_locked(login, client_ip, now);
    return tl::unexpected(bad);
  }
  std::lock_guard lock(mu_);
  record_success_locked(login);
  refund_ip_token_locked(ip);
  auto key = session_key_locked();
  if (!key)
    return tl::unexpected(LoginError{LoginFailure::kUnavailable,
                                     "login is unavailable: " + key.error().message, 0,
                                     key.error()});
  SessionClaims c{who->user, who->role, who->org, now, now + opt_.session_ttl_s,
                  base64url_encode(random_bytes(16))};
  return Session{sign_session(c, *key), csrf_token(c.nonce, *key), *who, c.expires_unix};
}

std::string_view Authenticator::session_from_cookie(std::string_view cookie_header) noexcept {
  while (!cookie_header.empty()) {
    size_t semi = cookie_header.find(';');
    std::string_view part = trim(cookie_header.substr(0, semi));
    cookie_header = semi == std::string_view::npos ? std::string_view{}
                                                    : cookie_header.substr(semi + 1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && trim(part.substr(0, eq)) == kSessionCookie)
      return trim(part.substr(eq + 1));
  }
  return {};
}

Principal Authenticator::resolve(std::string_view cookie_header,
                                 std::string_view authorization_header) {
  return resolve_request(cookie_header, authorization_header).principal;
}

Resolution Authenticator::resolve_request(std::string_view cookie_header,
                                          std::string_view authorization_header) {
  const int64_t now = clock_();
  Resolution res;
  const auto& us = users_schema();
  std::string_view authz = trim(authorization_header);
  if (!authz.empty()) {
    res.state = CredentialState::kInvalid;
    if (!iequals_prefix(authz, "Bearer ")) return res;
    std::string_view token = trim(authz.substr(7));
    auto login = api_token_login(token);
    if (!login) return res;
    const std::string digest = sha256_hex(token);  // outside the lock: every worker hashes
    std::lock_guard lock(mu_);
    auto rec = user_locked(*login, false, now);
    if (!rec || !*rec) return res;
    auto who = principal_of(**rec);
    const std::string stored = core::get_text(us, **rec, "api_token_hash");
    if (!who || stored.empty() || !constant_time_equal(digest, stored)) return res;
    who->via_api_token = true;
    res.principal = *who;
    res.state = CredentialState::kValid;
    return res;
  }
  std::string_view token = session_from_cookie(cookie_header);
  if (token.empty()) return res;
  res.state = CredentialState::kInvalid;
  std::lock_guard lock(mu_);
  auto key = session_key_locked();
  if (!key) return res;
  VerifiedSession v = verify_session(token, *key, now);
  if (v.check == TokenCheck::kExpired) {
    res.state = CredentialState::kExpired;
    return res;
  }
  if (v.check != TokenCheck::kValid) return res;
  if (auto it = revoked_.find(v.claims.nonce); it != revoked_.end()) return res;
  auto rec = user_locked(v.claims.user, false, now);
  if (!rec || !*rec) return res;
  auto who = principal_of(**rec);
  if (!who) return res;
  res.principal = *who;
  res.state = CredentialState::kValid;
  res.needs_csrf = true;
  res.csrf = csrf_token(v.claims.nonce, *key);
  res.expires_unix = v.claims.expires_unix;
  return res;
}

bool Authenticator::check_csrf(const Resolution& r, std::string_view csrf_header) const noexcept {
  if (r.state != CredentialState::kValid) return false;
  if (!r.needs_csrf) return true;
  return !r.csrf.empty() && constant_time_equal(r.csrf, trim(csrf_header));
}

void Authenticator::logout(std::string_view cookie_header) {
  std::string_view token = session_from_cookie(cookie_header);
  if (token.empty()) return;
  const int64_t now = clock_();
  std::lock_guard lock(mu_);
  auto key = session_key_locked();
  if (!key) return;
  VerifiedSession v = verify_session(token, *key, now);
  if (v.check != TokenCheck::kValid) return;
  std::erase_if(revoked_, [&](const auto& kv) { return kv.second <= now; });
  revoked_[v.claims.nonce] = v.claims.expires_unix;
}

std::string Authenticator::session_cookie(const Session& s) const {
  const int64_t max_age = std::max<int64_t>(0, s.expires_unix - clock_());
  return std::string(kSessionCookie) + "=" + s.token +
         "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + std::to_string(max_age) +
         (opt_.secure_cookie ? "; Secure" : "");
}

std::string Authenticator::expired_cookie() const {
  return std::string(kSessionCookie) + "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0" +
         (opt_.secure_cookie ? "; Secure" : "");
}

void Authenticator::forget_user(std::string_view login) {
  std::lock_guard lock(mu_);
  users_.erase(std::string(login));
}

}  // namespace reclaim::auth
