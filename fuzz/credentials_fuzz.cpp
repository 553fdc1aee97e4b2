// Session cookies and API tokens: the Cookie and Authorization headers through
// auth::Authenticator::resolve_request against a store holding a real user with a real API token
// and session, and the token parsers beneath it (session_from_cookie, verify_session,
// base64url_decode, api_token_login), and CSRF checks. Input: "COOKIE\nAUTHORIZATION\nCSRF".
// A forged credential must never resolve to a signed-in user.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "auth/authenticator.hpp"
#include "auth/crypto.hpp"
#include "core/entities.hpp"
#include "fuzz_support.hpp"
#include "storage/open/open.hpp"
#include "storage/store.hpp"

namespace {
using namespace reclaim;
constexpr const char* kPassword = "mekong-river-2025";

struct Fixture {
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<auth::Authenticator> authn;
  std::string session_token;  ///< a genuine session of "dara"
  std::string api_token;      ///< a genuine API token of "dara"
};

Fixture& fixture() {
  static Fixture* f = [] {
    auto* out = new Fixture;
    auto s = storage::open_store(fuzz::scratch_dir() + "/auth.gpkg");
    if (!s) std::abort();
    out->store = std::move(*s);
    const auto& us = core::schema(core::entity::kUsers);
    core::Record r = core::make_record(us);
    core::set(us, r, "id", std::string("dara"));
    core::set(us, r, "role", std::string("operator_data_officer"));
    core::set(us, r, "org", std::string("CMAC"));
    core::set(us, r, "password_hash", *auth::hash_password(kPassword));
    core::set(us, r, "disabled", int64_t{0});
    core::set(us, r, "failed_logins", int64_t{0});
    const auto token = auth::new_api_token("dara");
    core::set(us, r, "api_token_hash", token.hash_hex);
    if (!out->store->commit({{"fuzz", "", "user added"},
                             {{storage::ChangeOp::kInsert, &us, std::move(r), "fuzz"}}}))
      std::abort();
    out->api_token = token.token;
    out->authn = std::make_unique<auth::Authenticator>(*out->store);
    auto session = out->authn->login("dara", kPassword, "192.0.2.1");
    if (!session) std::abort();
    out->session_token = session->token;
    return out;
  }();
  return *f;
}

std::string_view take_line(std::string_view& s) {
  const size_t nl = s.find('\n');
  std::string_view line = s.substr(0, nl);
  s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
  return line;
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& f = fixture();
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view cookie = take_line(rest);
  const std::string_view authz = take_line(rest);
  const std::string_view csrf = rest;

  auth::Resolution r = f.authn->resolve_request(cookie, authz);
  if (r.state == auth::CredentialState::kValid) {
    // Only the genuine credentials sign anyone in.
    const std::string_view sess = auth::Authenticator::session_from_cookie(cookie);
    const bool genuine = authz.find(f.api_token) != std::string_view::npos ||
                         sess == f.session_token;
    if (!genuine || r.principal.user != "dara") std::abort();
  } else if (r.principal.authenticated()) {
    std::abort();
  }
  (void)f.authn->check_csrf(r, csrf);

  // The parsers beneath, on each part.
  for (std::string_view part : {cookie, authz, csrf}) {
    (void)auth::base64url_decode(part);
    (void)auth::api_token_login(part);
    const std::string key(auth::kSessionKeyBytes, 'k');
    auto v = auth::verify_session(part, key, 1751271300);
    if (v.check == auth::TokenCheck::kValid || v.check == auth::TokenCheck::kExpired) {
      // a MAC under a key nobody has can only come from sign_session itself
      if (auth::sign_session(v.claims, key) != part) std::abort();
    }
  }
  return 0;
}
