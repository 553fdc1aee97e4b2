#pragma once
// The cryptographic primitives of accounts and sessions, on libsodium (the only file that
// includes sodium.h is crypto.cpp):
//   passwords   Argon2id (crypto_pwhash_str, OPSLIMIT/MEMLIMIT_INTERACTIVE)
//   sessions    server-side (Store sessions table); the cookie is sign_tagged("session", nonce):
//               the nonce names the session, the MAC (HMAC-SHA512-256, crypto_auth) proves the
//               key file's key made it. (sign_session: the older stateless claims form.)
//   devices     sign_tagged("device", login|nonce): a browser where the login succeeded
//   CSRF        HMAC of the session nonce under the same key, echoed in X-CSRF-Token
//   API tokens  "<login>.<base64url(32 random bytes)>", stored as SHA-256 hex, compared in
//               constant time
// Thread rules: every function is thread-safe.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/policy.hpp"
#include "common/error.hpp"

namespace reclaim::auth {

inline constexpr size_t kMinPasswordLength = 10;   ///< characters (UTF-8 code points)
inline constexpr size_t kMaxPasswordBytes = 1024;  ///< longer input is refused (hashing cost)
inline constexpr size_t kSessionKeyBytes = 32;     ///< crypto_auth_KEYBYTES

/// Errors: kInvalidArgument ("password: must have at least 10 characters", …).
Result<void> check_password_policy(std::string_view password);
/// An Argon2id hash string (with its salt and parameters) after checking the policy.
/// Errors: kInvalidArgument (policy), kInternal (out of memory).
Result<std::string> hash_password(std::string_view password);
/// True if `password` matches `stored_hash`. False for an empty or malformed hash.
bool verify_password(std::string_view stored_hash, std::string_view password) noexcept;
/// Spends the same time as a real verification, for logins of unknown users.
void dummy_password_verification(std::string_view password) noexcept;

std::string random_bytes(size_t n);
std::string base64url_encode(std::string_view bytes);  ///< no padding
std::optional<std::string> base64url_decode(std::string_view text);
std::string sha256_hex(std::string_view data);
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

/// What a session token says.
struct SessionClaims {
  std::string user;
  Role role = Role::kPublic;
  std::string org;
  int64_t issued_unix = 0;
  int64_t expires_unix = 0;
  std::string nonce;  ///< base64url of 16 random bytes: names the session (CSRF, logout)
};

/// `key` must be kSessionKeyBytes long. user and org must not contain '|' (accounts refuse it).
std::string sign_session(const SessionClaims& claims, std::string_view key);

enum class TokenCheck { kValid, kMalformed, kBadSignature, kExpired };
struct VerifiedSession {
  TokenCheck check = TokenCheck::kMalformed;
  SessionClaims claims;  ///< filled for kValid and kExpired
};
/// Verifies the MAC first, then the expiry against `now_unix`.
VerifiedSession verify_session(std::string_view token, std::string_view key, int64_t now_unix);

/// A value and its MAC for a purpose ("session", "device"): base64url(payload) + "." +
/// base64url(HMAC(purpose + "|" + payload)). The purpose separates the uses of one key.
std::string sign_tagged(std::string_view purpose, std::string_view payload, std::string_view key);
/// The payload of a token sign_tagged made for `purpose` under `key`, or nullopt (malformed,
/// other purpose, other key, tampered). At most 4096 characters are considered.
std::optional<std::string> verify_tagged(std::string_view purpose, std::string_view token,
                                         std::string_view key);

/// The CSRF token of a session: base64url(HMAC("csrf|" + nonce)).
std::string csrf_token(std::string_view nonce, std::string_view key);

struct ApiToken {
  std::string token;     ///< shown once to the user
  std::string hash_hex;  ///< stored in users.api_token_hash
};
ApiToken new_api_token(std::string_view login);
/// The login an API token names, or nullopt if it is not of the API token form.
std::optional<std::string> api_token_login(std::string_view token);

}  // namespace reclaim::auth
