#include "app/accounts.hpp"

#include <cctype>

#include "auth/crypto.hpp"
#include "core/entities.hpp"

namespace reclaim::app {
namespace {

const core::EntitySchema& us() { return core::schema(core::entity::kUsers); }

Result<void> check_login(const std::string& login) {
  bool ok = login.size() >= 2 && login.size() <= 64 &&
            std::isalnum(static_cast<unsigned char>(login[0]));
  for (char c : login)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                c == '-');
  if (!ok)
    return fail(Error{ErrorCode::kInvalidArgument,
                      "login '" + login +
                          "': use 2–64 lower-case letters, digits, '.', '_' or '-', starting "
                          "with a letter or digit",
                      {{login, "login", "invalid login"}}});
  return {};
}

UserInfo info_of(const core::Record& r) {
  const auto& s = us();
  UserInfo u;
  u.login = r.id();
  u.display_name = core::get_text(s, r, "display_name");
  u.role = auth::parse_role(core::get_text(s, r, "role")).value_or(auth::Role::kPublic);
  u.org = core::get_text(s, r, "org");
  u.province = core::get_text(s, r, "province_code");
  u.disabled = core::get_int(s, r, "disabled") != 0;
  u.failed_logins = core::get_int(s, r, "failed_logins");
  u.locked_until = core::get_text(s, r, "locked_until");
  u.created_at = core::get_text(s, r, "created_at");
  u.has_password = !core::get_text(s, r, "password_hash").empty();
  u.has_api_token = !core::get_text(s, r, "api_token_hash").empty();
  return u;
}

/// A provincial planner reads one province: it must name one of the gazetteer; other roles
/// have none (they read nationally or by organisation).
Result<void> check_province(storage::Store& store, const NewUser& nu) {
  const bool planner = nu.role == auth::Role::kProvincialPlanner;
  if (nu.province.empty()) {
    if (!planner) return {};
    return fail(Error{ErrorCode::kInvalidArgument,
                      "user '" + nu.login + "': a provincial planner needs --province",
                      {{nu.login, "province", "is missing (required for provincial planners)"}}});
  }
  if (!planner)
    return fail(Error{ErrorCode::kInvalidArgument,
                      "user '" + nu.login + "': only provincial planners have a province (role " +
                          auth::role_name(nu.role) + ")",
                      {{nu.login, "province", "applies to provincial planners only"}}});
  auto units = store.admin_units();
  if (!units) return fail(units.error());
  for (const auto& u : *units)
    if (u.level == core::AdminLevel::kProvince && u.code == nu.province) return {};
  return fail(Error{ErrorCode::kNotFound,
                    "user '" + nu.login + "': unknown province '" + nu.province +
                        "' (a 2-digit gazetteer province code)",
                    {{nu.login, "province", "unknown province '" + nu.province + "'"}}});
}

Result<void> require_manager(const auth::Principal& actor, const std::string& what) {
  if (!auth::allowed(actor, auth::Action::kManageUsers))
    return fail(ErrorCode::kPermissionDenied,
                std::string(auth::role_name(actor.role)) + " '" + actor.user + "' may not " +
                    what + ": only administrators manage accounts");
  return {};
}

Result<void> require_self_or_manager(const auth::Principal& actor, const std::string& login,
                                     const std::string& what) {
  if (actor.authenticated() && actor.user == login) return {};
  return require_manager(actor, what);
}

}  // namespace

auth::Principal local_admin(const std::string& os_user) {
  return auth::Principal{"cli:" + os_user, auth::Role::kAdministrator, "", false};
}

Accounts::Accounts(storage::Store& store, auth::Clock clock)
    : store_(store), clock_(auth::or_system(std::move(clock))) {}

Result<core::Record> Accounts::load(const std::string& login) {
  auto r = store_.get(us(), login);
  if (!r) return fail(r.error());
  if (!*r) return fail(ErrorCode::kNotFound, "user '" + login + "' does not exist");
  return std::move(**r);
}

Result<void> Accounts::save(const auth::Principal& actor, core::Record user,
                            const std::string& why) {
  storage::ChangeSet cs{{actor.user, "", why},
                        {{storage::ChangeOp::kUpdate, &us(), std::move(user), "accounts"}}};
  return store_.commit(cs);
}

Result<int64_t> Accounts::save_and_end_sessions(const auth::Principal& actor, core::Record user,
                                                const std::string& why, bool clear_token,
                                                const std::string& keep) {
  const std::string login = user.id();
  if (clear_token) core::set(us(), user, "api_token_hash", core::Value{});
  if (auto c = save(actor, std::move(user), why); !c) return fail(c.error());
  return store_.delete_user_sessions(login, keep);
}

Result<UserInfo> Accounts::add(const auth::Principal& actor, const NewUser& nu) {
  if (auto ok = require_manager(actor, "add users"); !ok) return fail(ok.error());
  if (auto ok = check_login(nu.login); !ok) return fail(ok.error());
  if (nu.role == auth::Role::kPublic)
    return fail(ErrorCode::kInvalidArgument,
                "user '" + nu.login + "': role public is for anonymous callers, not accounts");
  if (nu.role == auth::Role::kOperatorDataOfficer && nu.org.empty())
    return fail(Error{ErrorCode::kInvalidArgument,
                      "user '" + nu.login + "': an operator data officer needs --org",
                      {{nu.login, "org", "is missing (required for operator data officers)"}}});
  if (nu.role == auth::Role::kDonor && nu.org.empty())
    return fail(Error{ErrorCode::kInvalidArgument,
                      "user '" + nu.login + "': a donor needs --organisation (the donor's code)",
                      {{nu.login, "org", "is missing (required for donors)"}}});
  if (auto ok = check_province(store_, nu); !ok) return fail(ok.error());
  if (nu.org.find('|') != std::string::npos)
    return fail(ErrorCode::kInvalidArgument, "org '" + nu.org + "' is not an organisation code");
  if (!nu.org.empty()) {
    auto org = store_.get(core::schema(core::entity::kOrganisations), nu.org);
    if (!org) return fail(org.error());
    if (!*org)
      return fail(Error{ErrorCode::kNotFound,
                        "user '" + nu.login + "': unknown organisation '" + nu.org + "'",
                        {{nu.login, "org", "unknown organisation '" + nu.org + "'"}}});
  }
  auto hash = auth::hash_password(nu.password);
  if (!hash) return fail(hash.error());
  const auto& s = us();
  core::Record r = core::make_record(s);
  core::set(s, r, "id", nu.login);
  if (!nu.display_name.empty()) core::set(s, r, "display_name", nu.display_name);
  core::set(s, r, "role", std::string(auth::role_name(nu.role)));
  if (!nu.org.empty()) core::set(s, r, "org", nu.org);
  if (!nu.province.empty()) core::set(s, r, "province_code", nu.province);
  core::set(s, r, "password_hash", *hash);
  core::set(s, r, "disabled", int64_t{0});
  core::set(s, r, "failed_logins", int64_t{0});
  core::set(s, r, "created_at", auth::iso_utc(clock_()));
  UserInfo info = info_of(r);
  storage::ChangeSet cs{{actor.user, "", "user added"},
                        {{storage::ChangeOp::kInsert, &s, std::move(r), "accounts"}}};
  if (auto c = store_.commit(cs); !c) {
    if (c.error().code == ErrorCode::kAlreadyExists)
      return fail(ErrorCode::kAlreadyExists, "user '" + nu.login + "' already exists");
    return fail(c.error());
  }
  return info;
}

Result<void> Accounts::set_password(const auth::Principal& actor, const std::string& login,
                                    const std::string& password,
                                    const std::string& keep_session) {
  if (auto ok = require_self_or_manager(actor, login, "change other users' passwords"); !ok)
    return ok;
  auto hash = auth::hash_password(password);
  if (!hash) return fail(hash.error());
  auto r = load(login);
  if (!r) return fail(r.error());
  core::set(us(), *r, "password_hash", *hash);
  core::set(us(), *r, "failed_logins", int64_t{0});
  core::set(us(), *r, "locked_until", core::Value{});
  const bool own = actor.authenticated() && actor.user == login;
  auto e = own ? save_and_end_sessions(actor, std::move(*r), "password changed", false,
                                       keep_session)
               : save_and_end_sessions(actor, std::move(*r),
                                       "password reset: sessions and API token ended", true);
  if (!e) return fail(e.error());
  return {};
}

Result<void> Accounts::disable(const auth::Principal& actor, const std::string& login) {
  if (auto ok = require_manager(actor, "disable users"); !ok) return ok;
  auto r = load(login);
  if (!r) return fail(r.error());
  core::set(us(), *r, "disabled", int64_t{1});
  auto e = save_and_end_sessions(actor, std::move(*r),
                                 "user disabled: sessions and API token ended", true);
  if (!e) return fail(e.error());
  return {};
}

Result<void> Accounts::enable(const auth::Principal& actor, const std::string& login) {
  if (auto ok = require_manager(actor, "enable users"); !ok) return ok;
  auto r = load(login);
  if (!r) return fail(r.error());
  core::set(us(), *r, "disabled", int64_t{0});
  core::set(us(), *r, "failed_logins", int64_t{0});
  core::set(us(), *r, "locked_until", core::Value{});
  return save(actor, std::move(*r), "user enabled");
}

Result<void> Accounts::set_role(const auth::Principal& actor, const std::string& login,
                                auth::Role role) {
  if (auto ok = require_manager(actor, "change roles"); !ok) return ok;
  if (role == auth::Role::kPublic)
    return fail(Error{ErrorCode::kInvalidArgument,
                      "user '" + login + "': role public is for anonymous callers, not accounts",
                      {{login, "role", "not a role for accounts"}}});
  auto r = load(login);
  if (!r) return fail(r.error());
  if (role == auth::Role::kOperatorDataOfficer && core::get_text(us(), *r, "org").empty())
    return fail(Error{ErrorCode::kInvalidArgument,
                      "user '" + login + "': an operator data officer needs an organisation",
                      {{login, "org", "is missing (required for operator data officers)"}}});
  if (role == auth::Role::kDonor && core::get_text(us(), *r, "org").empty())
    return fail(Error{ErrorCode::kInvalidArgument,
                      "user '" + login + "': a donor needs an organisation (the donor's code)",
                      {{login, "org", "is missing (required for donors)"}}});
  if (role == auth::Role::kProvincialPlanner) {
    NewUser nu;
    nu.login = login;
    nu.role = role;
    nu.province = core::get_text(us(), *r, "province_code");
    if (auto ok = check_province(store_, nu); !ok) return fail(ok.error());
  } else {
    core::set(us(), *r, "province_code", core::Value{});  // only planners have a province
  }
  const std::string before = core::get_text(us(), *r, "role");
  core::set(us(), *r, "role", std::string(auth::role_name(role)));
  auto e = save_and_end_sessions(actor, std::move(*r),
                                 "role changed from " + before + " to " + auth::role_name(role) +
                                     ": sessions and API token ended",
                                 true);
  if (!e) return fail(e.error());
  return {};
}

Result<int64_t> Accounts::revoke(const auth::Principal& actor, const std::string& login) {
  if (auto ok = require_manager(actor, "revoke sessions"); !ok) return fail(ok.error());
  auto r = load(login);
  if (!r) return fail(r.error());
  return save_and_end_sessions(actor, std::move(*r), "sessions and API token revoked", true);
}

Result<void> Accounts::unlock(const auth::Principal& actor, const std::string& login) {
  if (auto ok = require_manager(actor, "unlock users"); !ok) return ok;
  auto r = load(login);
  if (!r) return fail(r.error());
  core::set(us(), *r, "failed_logins", int64_t{0});
  core::set(us(), *r, "locked_until", core::Value{});
  return save(actor, std::move(*r), "lockout cleared");
}

Result<std::vector<UserInfo>> Accounts::list(const auth::Principal& actor) {
  if (auto ok = require_manager(actor, "list users"); !ok) return fail(ok.error());
  std::vector<UserInfo> out;
  auto r = store_.scan(us(), [&](core::Record&& rec) {
    out.push_back(info_of(rec));
    return true;
  });
  if (!r) return fail(r.error());
  return out;
}

Result<std::optional<UserInfo>> Accounts::find(const auth::Principal& actor,
                                               const std::string& login) {
  if (auto ok = require_self_or_manager(actor, login, "read other users' accounts"); !ok)
    return fail(ok.error());
  auto r = store_.get(us(), login);
  if (!r) return fail(r.error());
  if (!*r) return std::optional<UserInfo>{};
  return std::optional<UserInfo>{info_of(**r)};
}

Result<std::string> Accounts::issue_api_token(const auth::Principal& actor,
                                              const std::string& login) {
  if (auto ok = require_self_or_manager(actor, login, "issue API tokens for other users"); !ok)
    return fail(ok.error());
  auto r = load(login);
  if (!r) return fail(r.error());
  auth::ApiToken t = auth::new_api_token(login);
  core::set(us(), *r, "api_token_hash", t.hash_hex);
  if (auto c = save(actor, std::move(*r), "API token issued"); !c) return fail(c.error());
  return t.token;
}

Result<void> Accounts::revoke_api_token(const auth::Principal& actor, const std::string& login) {
  if (auto ok = require_self_or_manager(actor, login, "revoke other users' API tokens"); !ok)
    return ok;
  auto r = load(login);
  if (!r) return fail(r.error());
  core::set(us(), *r, "api_token_hash", core::Value{});
  return save(actor, std::move(*r), "API token revoked");
}

}  // namespace reclaim::app
