#pragma once
// Who is calling: logins, session cookies, API tokens, CSRF, and login rate limiting.
//
// The HTTP server needs only PrincipalResolver::resolve; the login/logout routes and browser
// writes use the richer Authenticator methods:
//
//   POST /login   -> login(user, password, client_ip)
//                    ok:  Set-Cookie: session_cookie(session); body {csrf: session.csrf}
//                    kBadCredentials -> 401 (message is generic), kRateLimited -> 429 with
//                    Retry-After: retry_after_s, kUnavailable -> 503
//   POST /logout  -> logout(cookie_header); Set-Cookie: expired_cookie()
//   any request   -> resolve_request(cookie, authorization)
//                    state kExpired -> 401 "session expired" (+ expired_cookie())
//   browser write -> check_csrf(resolution, X-CSRF-Token header) else 403
//
// Thread rules: every method is thread-safe (one internal mutex guards the store and the in-memory
// state; Argon2 verification runs outside it). The Authenticator must be the only user of the
// Store it is given: open a separate store (storage::open_store) for it in the server.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <tl/expected.hpp>

#include "auth/clock.hpp"
#include "auth/policy.hpp"
#include "common/error.hpp"
#include "storage/store.hpp"

namespace reclaim::auth {

/// The minimal interface the HTTP server calls on every request.
class PrincipalResolver {
 public:
  virtual ~PrincipalResolver() = default;
  /// The caller named by the request's Cookie and Authorization headers (either may be empty);
  /// Principal{} (public) when neither carries a valid session or API token.
  virtual Principal resolve(std::string_view cookie_header,
                            std::string_view authorization_header) = 0;
};

inline constexpr std::string_view kSessionCookie = "reclaim_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";
/// The one message for every failed login: it does not say whether the user exists, is
/// disabled or is locked.
inline constexpr std::string_view kLoginFailedMessage =
    "login failed: unknown user or wrong password, or too many failed attempts (try again in "
    "15 minutes)";

struct AuthOptions {
  int64_t session_ttl_s = 8 * 3600;
  int max_failed_logins = 5;             ///< failures in a row that lock the account
  int64_t lockout_s = 15 * 60;           ///< how long the lock lasts
  double ip_burst = 20;                  ///< login attempts a client IP may make at once
  double ip_refill_per_s = 20.0 / 60.0;  ///< … and regains this many per second
  /// How long a resolved user record is trusted (0: re-read always); any commit to the
  /// database (by any process) drops the cached records before the next request.
  int64_t user_cache_s = 5;
  bool secure_cookie = false;  ///< add `Secure` (set when served behind TLS)
  Clock clock;                 ///< UNIX seconds; the system clock when empty
};

struct Session {
  std::string token;  ///< the cookie value
  std::string csrf;   ///< what browser writes echo in X-CSRF-Token
  Principal principal;
  int64_t expires_unix = 0;
};

enum class LoginFailure {
  kBadCredentials,  ///< unknown user, wrong password, disabled or locked: one generic message
  kRateLimited,     ///< this client IP made too many attempts: retry after retry_after_s
  kUnavailable,     ///< the store failed (cause)
};
struct LoginError {
  LoginFailure kind = LoginFailure::kBadCredentials;
  std::string message;
  int64_t retry_after_s = 0;
  Error cause;
};
using LoginResult = tl::expected<Session, LoginError>;

enum class CredentialState {
  kNone,     ///< no session cookie, no Authorization header
  kValid,    ///< principal is the user
  kExpired,  ///< a genuine session that has expired: answer 401 "session expired"
  kInvalid,  ///< tampered, unknown, revoked (logout) or the user is disabled / gone
};

struct Resolution {
  Principal principal;  ///< public unless state == kValid
  CredentialState state = CredentialState::kNone;
  bool needs_csrf = false;  ///< a cookie session: browser writes must carry X-CSRF-Token
  std::string csrf;         ///< the expected X-CSRF-Token (cookie sessions)
  int64_t expires_unix = 0;
  bool session_expired() const noexcept { return state == CredentialState::kExpired; }
};

class Authenticator final : public PrincipalResolver {
 public:
  explicit Authenticator(storage::Store& store, AuthOptions options = {});
  ~Authenticator() override;

  /// Checks the password (Argon2id) and issues a session. Every failure for an existing user
  /// counts toward the lockout (users.failed_logins / locked_until, written through
  /// Store::commit so it is in the user's history); a success resets the count.
  LoginResult login(std::string_view user, std::string_view password,
                    std::string_view client_ip);

  Principal resolve(std::string_view cookie_header,
                    std::string_view authorization_header) override;
  /// Bearer API token in Authorization (wins when present), else the session cookie. The user
  /// record is checked on every call (cached for options.user_cache_s): a disabled user's
  /// sessions and tokens stop working, a changed role applies at once.
  Resolution resolve_request(std::string_view cookie_header,
                             std::string_view authorization_header);

  /// True if a write may proceed: API-token callers need no CSRF token; cookie sessions must
  /// send the session's token. Constant-time comparison.
  bool check_csrf(const Resolution& r, std::string_view csrf_header) const noexcept;

  /// Ends the session in the cookie (remembered in memory until it would have expired).
  void logout(std::string_view cookie_header);

  /// Set-Cookie values: `reclaim_session=…; HttpOnly; SameSite=Strict; Path=/; Max-Age=…`
  /// (+ `; Secure` behind TLS), and one that deletes the cookie.
  std::string session_cookie(const Session& s) const;
  std::string expired_cookie() const;

  /// Drops a cached user record (after disabling or changing a user in this process).
  void forget_user(std::string_view login);

  /// The session token of a cookie header ("" if none).
  static std::string_view session_from_cookie(std::string_view cookie_header) noexcept;

 private:
  struct CachedUser {
    std::optional<core::Record> record;
    int64_t fetched_at = 0;
  };
  Result<std::string> session_key_locked();
  /// The user record (nullopt if there is none); `fresh` bypasses the cache.
  Result<std::optional<core::Record>> user_locked(const std::string& login, bool fresh,
                                                  int64_t now);
  bool take_ip_token_locked(const std::string& ip, int64_t now, int64_t& retry_after);
  void refund_ip_token_locked(const std::string& ip);
  void record_failure_locked(const std::string& login, std::string_view client_ip, int64_t now);
  void record_success_locked(const std::string& login);

  storage::Store& store_;
  AuthOptions opt_;
  Clock clock_;
  mutable std::mutex mu_;
  std::string key_;
  std::unordered_map<std::string, CachedUser> users_;
  int64_t users_generation_ = -1;  ///< store_.generation() when users_ was last valid
  struct Bucket {
    double tokens = 0;
    int64_t at = 0;
  };
  std::unordered_map<std::string, Bucket> ip_buckets_;
  std::map<std::string, int64_t> revoked_;  ///< session nonce -> expiry
};

}  // namespace reclaim::auth
