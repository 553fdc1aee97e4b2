#include "auth/authenticator.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "auth/crypto.hpp"
#include "core/entities.hpp"

namespace reclaim::auth {
namespace {

constexpr int kCommitRetries = 3;
constexpr size_t kMaxDeviceText = 200;  ///< characters of User-Agent kept with a session

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
    : store_(store),
      opt_(std::move(options)),
      clock_(or_system(opt_.clock)),
      key_(opt_.key ? opt_.key : SessionKey::ephemeral()) {}
Authenticator::~Authenticator() = default;

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

bool Authenticator::take_ip_token_locked(const std::string& key, int64_t now,
                                         int64_t& retry_after) {
  if (ip_buckets_.size() > 100000) {  // forget clients whose buckets have refilled
    std::erase_if(ip_buckets_, [&](const auto& kv) {
      return kv.second.tokens + double(now - kv.second.at) * opt_.ip_refill_per_s >=
             opt_.ip_burst;
    });
  }
  auto [it, inserted] = ip_buckets_.try_emplace(key, Bucket{opt_.ip_burst, now});
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

void Authenticator::refund_ip_token_locked(const std::string& key) {
  auto it = ip_buckets_.find(key);
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

std::string Authenticator::trusted_device_locked(std::string_view cookie_header,
                                                 const std::string& login,
                                                 const std::string& key, int64_t now) {
  std::string_view token = cookie_value(cookie_header, kDeviceCookie);
  if (token.empty()) return {};
  auto payload = verify_tagged("device", token, key);
  if (!payload) return {};
  // login|nonce|issued
  const size_t a = payload->find('|');
  const size_t b = a == std::string::npos ? a : payload->find('|', a + 1);
  if (b == std::string::npos || payload->substr(0, a) != login) return {};
  const std::string nonce = payload->substr(a + 1, b - a - 1);
  auto issued = parse_iso_utc(payload->substr(b + 1));
  if (nonce.empty() || !issued || now >= *issued + opt_.device_ttl_s) return {};
  if (auto it = device_failures_.find(nonce); it != device_failures_.end()) {
    if (now - it->second.since >= opt_.lockout_s) {
      device_failures_.erase(it);
    } else if (it->second.count >= opt_.max_failed_logins) {
      return {};  // this device guessed too often: the ordinary limits apply to it again
    }
  }
  return nonce;
}

LoginResult Authenticator::login(std::string_view user, std::string_view password,
                                 std::string_view client_ip) {
  LoginAttempt a;
  a.user = user;
  a.password = password;
  a.client_ip = client_ip;
  return login(a);
}

LoginResult Authenticator::login(const LoginAttempt& at) {
  const int64_t now = clock_();
  const std::string login(trim(at.user));
  const std::string limit_key(at.limit_key.empty() ? at.client_ip : at.limit_key);
  const LoginError bad{LoginFailure::kBadCredentials, std::string(kLoginFailedMessage), 0, {}};
  auto unavailable = [](const Error& e) {
    return tl::unexpected(
        LoginError{LoginFailure::kUnavailable, "login is unavailable: " + e.message, 0, e});
  };
  auto key = key_->current();
  if (!key) return unavailable(key.error());
  std::optional<core::Record> rec;
  std::string device;  // the nonce of a known-good device of this login
  {
    std::lock_guard lock(mu_);
    device = trusted_device_locked(at.cookie, login, *key, now);
    int64_t retry = 0;
    if (device.empty() && !take_ip_token_locked(limit_key, now, retry))
      return tl::unexpected(LoginError{
          LoginFailure::kRateLimited,
          "too many login attempts from this network: try again in " + std::to_string(retry) +
              " s",
          retry,
          {}});
    auto r = user_locked(login, true, now);
    if (!r) return unavailable(r.error());
    rec = std::move(*r);
  }
  const auto& us = users_schema();
  std::optional<Principal> who = rec ? principal_of(*rec) : std::nullopt;
  const std::string hash = rec ? core::get_text(us, *rec, "password_hash") : std::string();
  // A lock stops guesses from unknown devices; the right password from a known one still works.
  if (!who || hash.empty() || (device.empty() && locked_at(*rec, now))) {
    dummy_password_verification(at.password);  // same time whatever the reason
    return tl::unexpected(bad);
  }
  if (!verify_password(hash, at.password)) {
    std::lock_guard lock(mu_);
    if (!device.empty()) {
      auto& f = device_failures_[device];
      if (f.count == 0) f.since = now;
      ++f.count;
      if (device_failures_.size() > 100000) device_failures_.clear();
    }
    record_failure_locked(login, at.client_ip, now);
    return tl::unexpected(bad);
  }
  std::lock_guard lock(mu_);
  record_success_locked(login);
  if (device.empty()) refund_ip_token_locked(limit_key);
  device_failures_.erase(device);
  if (now - swept_at_ >= 600) {  // now and then, drop the rows of ended sessions
    swept_at_ = now;
    (void)store_.delete_stale_sessions(now, now - opt_.session_idle_s);
  }
  const std::string nonce = base64url_encode(random_bytes(16));
  Session s;
  s.token = sign_tagged("session", nonce, *key);
  s.csrf = csrf_token(nonce, *key);
  s.principal = *who;
  s.expires_unix = now + opt_.session_ttl_s;
  s.id_hash = sha256_hex(nonce);
  storage::SessionRow row{s.id_hash,
                          login,
                          now,
                          now,
                          s.expires_unix,
                          std::string(at.user_agent.substr(0, kMaxDeviceText)),
                          std::string(at.client_ip)};
  if (auto r = store_.insert_session(row); !r) return unavailable(r.error());
  // Disabled or changed while the password was checked: that ended the user's sessions, so
  // this one must not outlive it.
  auto again = user_locked(login, true, now);
  std::optional<Principal> still =
      again && *again ? principal_of(**again) : std::optional<Principal>{};
  if (!still || still->role != who->role) {
    (void)store_.delete_session(s.id_hash);
    return tl::unexpected(bad);
  }
  const std::string device_nonce = device.empty() ? base64url_encode(random_bytes(16)) : device;
  s.device_token = sign_tagged("device", login + "|" + device_nonce + "|" + iso_utc(now), *key);
  return s;
}

std::string_view Authenticator::cookie_value(std::string_view cookie_header,
                                             std::string_view name) noexcept {
  while (!cookie_header.empty()) {
    size_t semi = cookie_header.find(';');
    std::string_view part = trim(cookie_header.substr(0, semi));
    cookie_header = semi == std::string_view::npos ? std::string_view{}
                                                    : cookie_header.substr(semi + 1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && trim(part.substr(0, eq)) == name)
      return trim(part.substr(eq + 1));
  }
  return {};
}

std::string_view Authenticator::session_from_cookie(std::string_view cookie_header) noexcept {
  return cookie_value(cookie_header, kSessionCookie);
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
  auto key = key_->current();
  if (!key) return res;  // no key, no session (fail closed)
  auto nonce = verify_tagged("session", token, *key);
  if (!nonce || nonce->empty()) return res;  // tampered, or signed with another (old) key
  const std::string id = sha256_hex(*nonce);
  std::lock_guard lock(mu_);
  auto row = store_.find_session(id);
  if (!row || !*row) return res;  // ended (logout, revoke, reset …) or never existed
  const storage::SessionRow& sr = **row;
  // The server's limits, whatever the cookie said: absolute from sign-in, and idle.
  const int64_t ends = std::min(sr.expires_unix, sr.created_unix + opt_.session_ttl_s);
  if (now >= ends || now >= sr.last_seen_unix + opt_.session_idle_s) {
    res.state = CredentialState::kExpired;  // the row goes at the next sweep (login)
    return res;
  }
  auto rec = user_locked(sr.user, false, now);
  if (!rec || !*rec) return res;
  auto who = principal_of(**rec);
  if (!who) return res;
  if (now - sr.last_seen_unix >= opt_.touch_every_s) (void)store_.touch_session(id, now);
  res.principal = *who;
  res.state = CredentialState::kValid;
  res.needs_csrf = true;
  res.csrf = csrf_token(*nonce, *key);
  res.expires_unix = std::min(ends, std::max(now, sr.last_seen_unix) + opt_.session_idle_s);
  res.session_id = id;
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
  auto key = key_->current();
  if (!key) return;
  auto nonce = verify_tagged("session", token, *key);
  if (!nonce) return;
  std::lock_guard lock(mu_);
  (void)store_.delete_session(sha256_hex(*nonce));
}

std::string Authenticator::session_cookie(const Session& s) const {
  const int64_t max_age = std::max<int64_t>(0, s.expires_unix - clock_());
  return std::string(kSessionCookie) + "=" + s.token +
         "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + std::to_string(max_age) +
         (opt_.secure_cookie ? "; Secure" : "");
}

std::string Authenticator::device_cookie(const Session& s) const {
  return std::string(kDeviceCookie) + "=" + s.device_token +
         "; HttpOnly; SameSite=Strict; Path=/api/login; Max-Age=" +
         std::to_string(opt_.device_ttl_s) + (opt_.secure_cookie ? "; Secure" : "");
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
