#include "auth/crypto.hpp"

#include <sodium.h>

#include <array>
#include <charconv>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace reclaim::auth {
namespace {

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
  });
}

const unsigned char* bytes(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

size_t utf8_length(std::string_view s) noexcept {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string mac(std::string_view message, std::string_view key) {
  std::array<unsigned char, crypto_auth_BYTES> out{};
  crypto_auth(out.data(), bytes(message), message.size(), bytes(key));
  return std::string(reinterpret_cast<const char*>(out.data()), out.size());
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

std::optional<int64_t> to_int(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

constexpr std::string_view kSessionVersion = "s1";

}  // namespace

Result<void> check_password_policy(std::string_view password) {
  if (password.size() > kMaxPasswordBytes)
    return fail(ErrorCode::kInvalidArgument,
                "password: must be at most " + std::to_string(kMaxPasswordBytes) + " bytes");
  if (utf8_length(password) < kMinPasswordLength)
    return fail(ErrorCode::kInvalidArgument, "password: must have at least " +
                                                 std::to_string(kMinPasswordLength) +
                                                 " characters");
  return {};
}

Result<std::string> hash_password(std::string_view password) {
  if (auto ok = check_password_policy(password); !ok) return fail(ok.error());
  ensure_sodium();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return fail(ErrorCode::kInternal, "password hashing ran out of memory");
  return std::string(out.data());
}

bool verify_password(std::string_view stored_hash, std::string_view password) noexcept {
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES ||
      password.size() > kMaxPasswordBytes)
    return false;
  try {
    ensure_sodium();
  } catch (...) {
    return false;
  }
  std::array<char, crypto_pwhash_STRBYTES> h{};
  stored_hash.copy(h.data(), stored_hash.size());
  return crypto_pwhash_str_verify(h.data(), password.data(), password.size()) == 0;
}

void dummy_password_verification(std::string_view password) noexcept {
  static const std::string kDummy = [] {
    auto h = hash_password("reclaim-dummy-password");
    return h ? *h : std::string();
  }();
  (void)verify_password(kDummy, password);
}

std::string random_bytes(size_t n) {
  ensure_sodium();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::string base64url_encode(std::string_view in) {
  ensure_sodium();
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(in.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes(in), in.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  // Only the 64 characters of the alphabet reach libsodium: its decoder is fed no bytes >= 0x80
  // or other characters from a cookie or header (a guard the fuzzing notes in fuzz/README.md).
  for (const char ch : text) {
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
    if (!ok) return std::nullopt;
  }
  ensure_sodium();
  std::string out(text.size() * 3 / 4 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

std::string sha256_hex(std::string_view data) {
  ensure_sodium();
  std::array<unsigned char, crypto_hash_sha256_BYTES> h{};
  crypto_hash_sha256(h.data(), bytes(data), data.size());
  std::string hex(h.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), h.data(), h.size());
  hex.resize(h.size() * 2);
  return hex;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string sign_session(const SessionClaims& c, std::string_view key) {
  std::string payload = std::string(kSessionVersion) + "|" + c.user + "|" + role_name(c.role) +
                        "|" + c.org + "|" + std::to_string(c.issued_unix) + "|" +
                        std::to_string(c.expires_unix) + "|" + c.nonce;
  return base64url_encode(payload) + "." + base64url_encode(mac(payload, key));
}

VerifiedSession verify_session(std::string_view token, std::string_view key, int64_t now_unix) {
  VerifiedSession v;
  if (key.size() != crypto_auth_KEYBYTES || token.size() > 4096) return v;
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos) return v;
  auto payload = base64url_decode(token.substr(0, dot));
  auto tag = base64url_decode(token.substr(dot + 1));
  if (!payload || !tag) return v;
  if (tag->size() != crypto_auth_BYTES ||
      crypto_auth_verify(bytes(*tag), bytes(*payload), payload->size(), bytes(key)) != 0) {
    v.check = TokenCheck::kBadSignature;
    return v;
  }
  auto parts = split(*payload, '|');
  if (parts.size() != 7 || parts[0] != kSessionVersion) return v;
  auto role = parse_role(parts[2]);
  auto issued = to_int(parts[4]);
  auto expires = to_int(parts[5]);
  if (!role || !issued || !expires || parts[1].empty() || parts[6].empty()) return v;
  v.claims = SessionClaims{std::string(parts[1]), *role,     std::string(parts[3]),
                           *issued,               *expires, std::string(parts[6])};
  v.check = now_unix >= *expires ? TokenCheck::kExpired : TokenCheck::kValid;
  return v;
}

std::string csrf_token(std::string_view nonce, std::string_view key) {
  return base64url_encode(mac("csrf|" + std::string(nonce), key));
}

ApiToken new_api_token(std::string_view login) {
  ApiToken t;
  t.token = std::string(login) + "." + base64url_encode(random_bytes(32));
  t.hash_hex = sha256_hex(t.token);
  return t;
}

std::optional<std::string> api_token_login(std::string_view token) {
  const size_t dot = token.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || token.size() - dot - 1 != 43)
    return std::nullopt;  // 32 bytes are 43 base64url characters
  return std::string(token.substr(0, dot));
}

}  // namespace reclaim::auth
