#pragma once
// User accounts: add, change password, disable/enable, role, revoke, unlock, list, API tokens.
// Every change goes through Store::commit, so it is in the user's history (hashes appear there
// as ***). Nothing here ever returns a password or token hash.
//
// Ending sessions: sessions are rows in the store (auth/authenticator.hpp), so deleting them
// here ends them on every server at once. A password reset by someone else, disable, a role
// change and revoke end ALL of the user's sessions and clear their API token; a user changing
// their own password ends their other sessions (keep_session spares the current one).
// Re-enabling revives nothing: what disable ended stays ended.
//
// Authorisation: the actor needs auth::Action::kManageUsers, except that a signed-in user may
// change their own password and issue their own API token. The CLI acts as a local
// administrator (local_admin()).
// Thread rules: like the Store it is given, one thread at a time.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/clock.hpp"
#include "auth/policy.hpp"
#include "common/error.hpp"
#include "storage/store.hpp"

namespace reclaim::app {

struct UserInfo {
  std::string login, display_name;
  auth::Role role = auth::Role::kPublic;
  std::string org;
  std::string province;  ///< provincial planners
  bool disabled = false;
  int64_t failed_logins = 0;
  std::string locked_until, created_at;
  bool has_password = false, has_api_token = false;
};

struct NewUser {
  std::string login;  ///< 2–64 of a-z 0-9 . _ -, starting with a letter or digit
  auth::Role role = auth::Role::kAnalyst;
  std::string org;  ///< required for operator data officers and donors: an organisations id
  std::string display_name;
  std::string password;  ///< auth::check_password_policy
  std::string province = {};  ///< required for provincial planners: a 2-digit gazetteer province
};

/// The principal the CLI acts as (the OS user, with the administrator role).
auth::Principal local_admin(const std::string& os_user);

class Accounts {
 public:
  explicit Accounts(storage::Store& store, auth::Clock clock = {});

  /// Errors: kInvalidArgument (login, role, org, province or password; a province for a role
  /// other than provincial planner), kAlreadyExists, kNotFound (org, province),
  /// kPermissionDenied (actor may not manage users).
  Result<UserInfo> add(const auth::Principal& actor, const NewUser& user);
  /// Sets a new password and clears any lockout. Ends the user's sessions (all of them and the
  /// API token when the actor is someone else; the others but `keep_session` — a session id
  /// hash — when the user changes their own).
  /// Errors: kInvalidArgument (policy), kNotFound, kFailedPrecondition, kConflict.
  Result<void> set_password(const auth::Principal& actor, const std::string& login,
                            const std::string& password, const std::string& keep_session = "");
  /// A disabled user cannot log in; their sessions end and their API token is cleared.
  Result<void> disable(const auth::Principal& actor, const std::string& login);
  Result<void> enable(const auth::Principal& actor, const std::string& login);
  /// A new role (an operator data officer needs an organisation); ends the user's sessions and
  /// clears their API token. Errors: kInvalidArgument (role, missing org), kNotFound,
  /// kFailedPrecondition.
  Result<void> set_role(const auth::Principal& actor, const std::string& login, auth::Role role);
  /// Ends every session of the user and clears their API token; returns how many sessions
  /// ended. Errors: kNotFound, kFailedPrecondition.
  Result<int64_t> revoke(const auth::Principal& actor, const std::string& login);
  /// Clears the lockout (failed logins, locked_until): the administrator's recovery path.
  /// Errors: kNotFound, kFailedPrecondition.
  Result<void> unlock(const auth::Principal& actor, const std::string& login);
  /// Every user, by login.
  Result<std::vector<UserInfo>> list(const auth::Principal& actor);
  Result<std::optional<UserInfo>> find(const auth::Principal& actor, const std::string& login);
  /// A new API token (replacing any previous one). The token is returned once; only its
  /// SHA-256 is stored.
  Result<std::string> issue_api_token(const auth::Principal& actor, const std::string& login);
  Result<void> revoke_api_token(const auth::Principal& actor, const std::string& login);

 private:
  Result<core::Record> load(const std::string& login);
  Result<void> save(const auth::Principal& actor, core::Record user, const std::string& why);
  /// Saves `user` with its API token cleared, then deletes its sessions (but `keep`).
  Result<int64_t> save_and_end_sessions(const auth::Principal& actor, core::Record user,
                                        const std::string& why, bool clear_token,
                                        const std::string& keep = "");

  storage::Store& store_;
  auth::Clock clock_;
};

}  // namespace reclaim::app
