// The primitives: Argon2id passwords, signed session tokens (tamper, expiry), CSRF, API tokens.
#include "auth/crypto.hpp"

#include <gtest/gtest.h>

#include "auth/clock.hpp"

namespace reclaim::auth {
namespace {

const std::string kKey(kSessionKeyBytes, 'k');

TEST(Password, HashVerifiesAndWrongPasswordDoesNot) {
  auto h = hash_password("correct horse battery");
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_TRUE(h->starts_with("$argon2id$"));
  EXPECT_TRUE(verify_password(*h, "correct horse battery"));
  EXPECT_FALSE(verify_password(*h, "correct horse batterx"));
  EXPECT_FALSE(verify_password("", "correct horse battery"));
  EXPECT_FALSE(verify_password("not a hash", "correct horse battery"));
}

TEST(Password, PolicyNeedsTenCharactersCountingCodePoints) {
  EXPECT_FALSE(check_password_policy("short"));
  EXPECT_FALSE(hash_password("123456789"));
  EXPECT_TRUE(check_password_policy("1234567890"));
  EXPECT_FALSE(check_password_policy("ខ្មែរខ្មែ"));  // 27 bytes but 9 code points
  EXPECT_TRUE(check_password_policy("ក្រសួងការពារជាតិ"));
  EXPECT_FALSE(check_password_policy(std::string(kMaxPasswordBytes + 1, 'a')));
}

TEST(SessionToken, RoundTrips) {
  SessionClaims c{"dara", Role::kOperatorDataOfficer, "CMAC", 1000, 1000 + 8 * 3600, "nonce1"};
  auto v = verify_session(sign_session(c, kKey), kKey, 2000);
  ASSERT_EQ(v.check, TokenCheck::kValid);
  EXPECT_EQ(v.claims.user, "dara");
  EXPECT_EQ(v.claims.role, Role::kOperatorDataOfficer);
  EXPECT_EQ(v.claims.org, "CMAC");
  EXPECT_EQ(v.claims.expires_unix, 1000 + 8 * 3600);
}

TEST(SessionToken, TamperingIsDetected) {
  SessionClaims c{"dara", Role::kOperatorDataOfficer, "CMAC", 1000, 99999, "n"};
  const std::string t = sign_session(c, kKey);
  // a forged payload claiming administrator, with the original MAC
  SessionClaims forged = c;
  forged.role = Role::kAdministrator;
  const std::string f = sign_session(forged, kKey);
  const std::string spliced = f.substr(0, f.find('.')) + t.substr(t.find('.'));
  EXPECT_EQ(verify_session(spliced, kKey, 2000).check, TokenCheck::kBadSignature);
  std::string flipped = t;
  flipped[3] = flipped[3] == 'A' ? 'B' : 'A';
  EXPECT_NE(verify_session(flipped, kKey, 2000).check, TokenCheck::kValid);
  EXPECT_EQ(verify_session(t, std::string(kSessionKeyBytes, 'x'), 2000).check,
            TokenCheck::kBadSignature);
  EXPECT_EQ(verify_session("garbage", kKey, 2000).check, TokenCheck::kMalformed);
}

TEST(SessionToken, ExpiresAfterItsLifetime) {
  SessionClaims c{"dara", Role::kAnalyst, "", 1000, 1000 + 8 * 3600, "n"};
  const std::string t = sign_session(c, kKey);
  EXPECT_EQ(verify_session(t, kKey, 1000 + 8 * 3600 - 1).check, TokenCheck::kValid);
  EXPECT_EQ(verify_session(t, kKey, 1000 + 8 * 3600).check, TokenCheck::kExpired);
}

TEST(Csrf, DependsOnTheSessionNonce) {
  EXPECT_EQ(csrf_token("a", kKey), csrf_token("a", kKey));
  EXPECT_NE(csrf_token("a", kKey), csrf_token("b", kKey));
}

TEST(ApiToken, NamesItsLoginAndHashes) {
  ApiToken t = new_api_token("script.bot");
  EXPECT_EQ(api_token_login(t.token), "script.bot");
  EXPECT_EQ(sha256_hex(t.token), t.hash_hex);
  EXPECT_EQ(t.hash_hex.size(), 64u);
  EXPECT_NE(new_api_token("script.bot").token, t.token);
  EXPECT_FALSE(api_token_login("no-dot"));
}

TEST(Base64Url, RoundTripsBinary) {
  const std::string bin("\x00\xff\x10 ?>", 6);
  auto back = base64url_decode(base64url_encode(bin));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, bin);
  EXPECT_FALSE(base64url_decode("a+b/"));
}

// The guard of fuzz/README.md: a byte outside the base64url alphabet (bytes >= 0x80 from a
// cookie or an Authorization header included) is refused before libsodium sees it, at any
// position; every character of the alphabet still decodes.
TEST(Base64Url, RefusesEveryByteOutsideTheAlphabet) {
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int b = 0; b < 256; ++b) {
    const char ch = static_cast<char>(b);
    if (alphabet.find(ch) != std::string::npos) continue;
    for (size_t at = 0; at <= 4; ++at) {
      std::string text = "QUJD";  // "ABC"
      text.insert(at, 1, ch);
      EXPECT_FALSE(base64url_decode(text)) << "byte " << b << " at " << at;
    }
  }
  for (size_t i = 0; i + 4 <= alphabet.size(); i += 4) {
    auto d = base64url_decode(alphabet.substr(i, 4));
    ASSERT_TRUE(d) << alphabet.substr(i, 4);
    EXPECT_EQ(base64url_encode(*d), alphabet.substr(i, 4));
  }
}

TEST(Clock, IsoUtcRoundTrips) {
  EXPECT_EQ(iso_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso_utc(1751271300), "2025-06-30T08:15:00Z");
  EXPECT_EQ(parse_iso_utc("2025-06-30T08:15:00Z"), 1751271300);
  EXPECT_FALSE(parse_iso_utc("2025-06-30"));
}

}  // namespace
}  // namespace reclaim::auth
