// Sign-in and accounts: POST /api/login, POST /api/logout, GET /api/me, /api/users (administrator).
// Sessions and API tokens are the Authenticator's; account changes go through app::Accounts on
// the thread's store, after which the Authenticator forgets its cached copy of the user.
#include "app/accounts.hpp"
#include "auth/clock.hpp"
#include "http/client_address.hpp"
#include "http/json.hpp"
#include "http/routes.hpp"

namespace reclaim::http::detail {
namespace {

using Type = BodyField::Type;

bool is_get(const Ctx& c) { return c.req.method == "GET" || c.req.method == "HEAD"; }

Response no_accounts(const Ctx& c) {
  return problem(c, ErrorCode::kNotFound, "accounts are not enabled on this server");
}

void write_user(JsonWriter& w, const app::UserInfo& u) {
  w.begin_object()
      .key("id").str(u.login)
      .key("display_name").str(u.display_name)
      .key("role").str(auth::role_name(u.role))
      .key("org").str(u.org)
      .key("province").str(u.province)
      .key("disabled").boolean(u.disabled)
      .key("failed_logins").num(u.failed_logins)
      .key("locked_until").str(u.locked_until)
      .key("created_at").str(u.created_at)
      .key("has_password").boolean(u.has_password)
      .key("has_api_token").boolean(u.has_api_token)
      .end_object();
}

Response no_store(Response r) {
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response login(Ctx& c) {
  if (c.req.method != "POST") return method_not_allowed(c, "POST");
  if (c.authn == nullptr) return no_accounts(c);
  Response err;
  auto body = json_body(c, {{"user", Type::kString, true}, {"password", Type::kString, true}}, err);
  if (!body) return err;
  const std::string user = (*body)["user"].get<std::string>();
  const std::string password = (*body)["password"].get<std::string>();
  const std::string limit_key = login_limit_key(c.req.client_ip);
  auth::LoginAttempt attempt;
  attempt.user = user;
  attempt.password = password;
  attempt.client_ip = c.req.client_ip;
  attempt.limit_key = limit_key;
  attempt.cookie = c.req.cookie;
  attempt.user_agent = c.req.user_agent;
  auto s = c.authn->login(attempt);
  if (!s) {
    const auth::LoginError& e = s.error();
    switch (e.kind) {
      case auth::LoginFailure::kRateLimited: {
        Response r = problem(c, kTooManyRequests, e.message);
        r.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(1, e.retry_after_s)));
        return r;
      }
      case auth::LoginFailure::kUnavailable:
        return problem(c, ErrorCode::kIo, "the account database is unavailable, try again");
      case auth::LoginFailure::kBadCredentials:
        break;
    }
    return problem(c, ErrorCode::kUnauthenticated, auth::kLoginFailedMessage);
  }
  Response r;
  JsonWriter w(r.body);
  w.begin_object()
      .key("user").str(s->principal.user)
      .key("role").str(auth::role_name(s->principal.role))
      .key("org").str(s->principal.org)
      .key("province").str(s->principal.province)
      .key("csrf_token").str(s->csrf)
      .key("expires").str(auth::iso_utc(s->expires_unix))
      .end_object();
  r.headers.emplace_back("Set-Cookie", c.authn->session_cookie(*s));
  r.headers.emplace_back("Set-Cookie", c.authn->device_cookie(*s));
  return no_store(std::move(r));
}

Response logout(Ctx& c) {
  if (c.req.method != "POST") return method_not_allowed(c, "POST");
  if (c.authn == nullptr) return no_accounts(c);
  c.authn->logout(c.req.cookie);
  Response r;
  r.status = 204;
  r.headers.emplace_back("Set-Cookie", c.authn->expired_cookie());
  return no_store(std::move(r));
}

Response me(Ctx& c) {
  if (!is_get(c)) return method_not_allowed(c, "GET, HEAD");
  if (auto deny = require_signed_in(c)) return *deny;
  Response r;
  JsonWriter w(r.body);
  w.begin_object()
      .key("user").str(c.who.user)
      .key("role").str(auth::role_name(c.who.role))
      .key("org").str(c.who.org)
      .key("province").str(c.who.province)
      .key("via_api_token").boolean(c.who.via_api_token);
  if (c.res.needs_csrf) {
    // Same-origin only (no CORS): lets the web UI recover its CSRF token after a reload.
    w.key("csrf_token").str(c.res.csrf).key("expires").str(auth::iso_utc(c.res.expires_unix));
  }
  w.key("may").begin_object();
  for (auto [name, a] : {std::pair{"read_records", auth::Action::kReadRecords},
                         std::pair{"read_personal", auth::Action::kReadPersonal},
                         std::pair{"submit", auth::Action::kSubmit},
                         std::pair{"verify", auth::Action::kVerify},
                         std::pair{"approve", auth::Action::kApprove},
                         std::pair{"manage_users", auth::Action::kManageUsers}})
    w.key(name).boolean(auth::allowed(c.who, a));
  w.end_object().end_object();
  return no_store(std::move(r));
}

Response user_info(const Ctx& c, app::Accounts& accounts, const std::string& id, int status) {
  auto u = accounts.find(c.who, id);
  if (!u) return from_error(c, u.error());
  if (!*u) return problem(c, ErrorCode::kNotFound, "no user '" + id + "'");
  Response r;
  r.status = status;
  JsonWriter w(r.body);
  write_user(w, **u);
  return no_store(std::move(r));
}

Response users(Ctx& c, const std::vector<std::string_view>& seg) {
  if (auto deny = require_signed_in(c)) return *deny;
  const bool manager = auth::allowed(c.who, auth::Action::kManageUsers);
  app::Accounts& accounts = c.app.accounts();
  auto forbidden = [&] {
    return problem(c, ErrorCode::kPermissionDenied, "only an administrator may manage user accounts");
  };
  if (seg.size() == 2) {
    if (!manager) return forbidden();
    if (is_get(c)) {
      if (!c.params.empty()) return bad_param(c, c.params.front().first, "unknown parameter");
      auto list = accounts.list(c.who);
      if (!list) return from_error(c, list.error());
      Response r;
      JsonWriter w(r.body);
      w.begin_object().key("items").begin_array();
      for (const auto& u : *list) write_user(w, u);
      w.end_array().end_object();
      return no_store(std::move(r));
    }
    if (c.req.method != "POST") return method_not_allowed(c, "GET, HEAD, POST");
    Response err;
    auto body = json_body(c,
                          {{"id", Type::kString, true},
                           {"role", Type::kString, true},
                           {"org", Type::kString, false},
                           {"province", Type::kString, false},
                           {"password", Type::kString, true},
                           {"display_name", Type::kString, false}},
                          err);
    if (!body) return err;
    app::NewUser nu;
    nu.login = (*body)["id"].get<std::string>();
    const std::string role = (*body)["role"].get<std::string>();
    const auto r = auth::parse_role(role);
    if (!r || *r == auth::Role::kPublic)
      return problem(c, ErrorCode::kInvalidArgument, "unknown role '" + role + "'",
                     {FieldError{"body", "role",
                                 "administrator, national_data_manager, operator_data_officer, "
                                 "analyst, provincial_planner or donor"}});
    nu.role = *r;
    nu.org = body->value("org", std::string());
    nu.province = body->value("province", std::string());
    nu.display_name = body->value("display_name", std::string());
    nu.password = (*body)["password"].get<std::string>();
    auto added = accounts.add(c.who, nu);
    if (!added) {
      Error e = added.error();
      if (e.code == ErrorCode::kNotFound) {  // the organisation or the province
        e.code = ErrorCode::kInvalidArgument;
        if (e.details.empty()) e.details.push_back({"body", "org", e.message});
      }
      return from_error(c, e);
    }
    if (c.authn != nullptr) c.authn->forget_user(nu.login);
    Response out;
    out.status = 201;
    JsonWriter w(out.body);
    write_user(w, *added);
    out.headers.emplace_back("Location", "/api/users/" + nu.login);
    return no_store(std::move(out));
  }
  const std::string id(seg[2]);
  const bool self = id == c.who.user;
  if (seg.size() == 3) {
    if (!is_get(c)) return method_not_allowed(c, "GET, HEAD");
    if (!manager && !self) return forbidden();
    return user_info(c, accounts, id, 200);
  }
  if (seg.size() != 4) return problem(c, ErrorCode::kNotFound, "no such resource");
  const std::string_view action = seg[3];
  if (action != "disable" && action != "enable" && action != "password" && action != "token" &&
      action != "role" && action != "revoke" && action != "unlock")
    return problem(c, ErrorCode::kNotFound, "no such resource");
  if (c.req.method != "POST") return method_not_allowed(c, "POST");
  // A signed-in user may change their own password and issue their own API token.
  if (!manager && !(self && (action == "password" || action == "token"))) return forbidden();
  Response err;
  if (action == "password") {
    auto body = json_body(c, {{"password", Type::kString, true}}, err);
    if (!body) return err;
    // Own password: the other sessions end, this one stays.
    auto r = accounts.set_password(c.who, id, (*body)["password"].get<std::string>(),
                                   self ? c.res.session_id : std::string());
    if (!r) return from_error(c, r.error());
    if (c.authn != nullptr) c.authn->forget_user(id);
    Response out;
    out.status = 204;
    return out;
  }
  if (action == "role") {
    auto body = json_body(c, {{"role", Type::kString, true}}, err);
    if (!body) return err;
    const std::string role = (*body)["role"].get<std::string>();
    const auto parsed = auth::parse_role(role);
    if (!parsed || *parsed == auth::Role::kPublic)
      return problem(c, ErrorCode::kInvalidArgument, "unknown role '" + role + "'",
                     {FieldError{"body", "role",
                                 "administrator, national_data_manager, operator_data_officer "
                                 "or analyst"}});
    auto r = accounts.set_role(c.who, id, *parsed);
    if (!r) return from_error(c, r.error());
    if (c.authn != nullptr) c.authn->forget_user(id);
    return user_info(c, accounts, id, 200);
  }
  if (!json_body(c, {}, err, true)) return err;
  if (action == "revoke") {
    auto n = accounts.revoke(c.who, id);
    if (!n) return from_error(c, n.error());
    if (c.authn != nullptr) c.authn->forget_user(id);
    Response out;
    JsonWriter w(out.body);
    w.begin_object().key("id").str(id).key("sessions_ended").num(*n).key("api_token_revoked")
        .boolean(true).end_object();
    return no_store(std::move(out));
  }
  if (action == "unlock") {
    auto r = accounts.unlock(c.who, id);
    if (!r) return from_error(c, r.error());
    if (c.authn != nullptr) c.authn->forget_user(id);
    return user_info(c, accounts, id, 200);
  }
  if (action == "token") {
    auto t = accounts.issue_api_token(c.who, id);
    if (!t) return from_error(c, t.error());
    if (c.authn != nullptr) c.authn->forget_user(id);
    Response out;
    JsonWriter w(out.body);
    w.begin_object()
        .key("id").str(id)
        .key("token").str(*t)
        .key("note").str("shown once; send it as `Authorization: Bearer <token>`")
        .end_object();
    return no_store(std::move(out));
  }
  auto r = action == "disable" ? accounts.disable(c.who, id) : accounts.enable(c.who, id);
  if (!r) return from_error(c, r.error());
  if (c.authn != nullptr) c.authn->forget_user(id);
  return user_info(c, accounts, id, 200);
}

}  // namespace

Response handle_accounts(Ctx& c, const std::vector<std::string_view>& seg) {
  if (seg[1] == "users") return users(c, seg);
  if (seg.size() != 2) return problem(c, ErrorCode::kNotFound, "no such resource");
  if (!c.params.empty()) return bad_param(c, c.params.front().first, "unknown parameter");
  if (seg[1] == "login") return login(c);
  if (seg[1] == "logout") return logout(c);
  return me(c);
}

}  // namespace reclaim::http::detail
