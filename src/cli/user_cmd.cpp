#include "cli/user_cmd.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "app/accounts.hpp"
#include "auth/clock.hpp"
#include "auth/policy.hpp"
#include "common/error.hpp"
#include "common/plural.hpp"

namespace reclaim::cli {
namespace {

int report(const Error& e) {
  std::cerr << "reclaim: error: " << e.message << "\n";
  return exit_code_for(e.code);
}

std::string os_user() {
  const char* u = std::getenv("USER");
  return u ? u : "unknown";
}

class UserCommandsImpl final : public UserCommands {
 public:
  explicit UserCommandsImpl(CLI::App& cli) {
    user_ = cli.add_subcommand(
        "user", "user accounts: add, passwd, disable, enable, role, revoke, unlock, list, token");
    user_->require_subcommand(1);
    add_ = user_->add_subcommand("add", "add an account (password from stdin or RECLAIM_PASSWORD)");
    add_->add_option("login", login_, "login name (a-z 0-9 . _ -)")->required();
    add_->add_option("--role", role_,
                     "administrator | national_data_manager | operator_data_officer | analyst "
                     "| provincial_planner | donor")
        ->required();
    add_->add_option("--organisation,--org", org_,
                     "organisation code (required for operator data officers and donors)");
    add_->add_option("--province", province_,
                     "2-digit province code (required for provincial planners)");
    add_->add_option("--name", name_, "display name");
    add_->add_flag("--password-stdin", stdin_, "read the password from the first line of stdin");
    passwd_ = user_->add_subcommand(
        "passwd", "set a new password (and clear any lockout); ends the user's sessions and API token");
    passwd_->add_option("login", login_)->required();
    passwd_->add_flag("--password-stdin", stdin_, "read the password from the first line of stdin");
    disable_ = user_->add_subcommand("disable", "disable an account: its sessions and API token end");
    disable_->add_option("login", login_)->required();
    enable_ = user_->add_subcommand("enable", "enable a disabled account (no old session revives)");
    enable_->add_option("login", login_)->required();
    role_cmd_ = user_->add_subcommand("role", "change an account's role: its sessions and API token end");
    role_cmd_->add_option("login", login_)->required();
    role_cmd_->add_option("role", role_,
                          "administrator | national_data_manager | operator_data_officer | analyst "
                          "| provincial_planner | donor")
        ->required();
    revoke_ = user_->add_subcommand("revoke", "end every session and the API token of an account, "
                                              "on every server");
    revoke_->add_option("login", login_)->required();
    unlock_ = user_->add_subcommand("unlock", "clear the lockout after failed logins");
    unlock_->add_option("login", login_)->required();
    list_ = user_->add_subcommand("list", "list the accounts (never their hashes)");
    token_ = user_->add_subcommand("token", "issue a new API token (printed once)");
    token_->add_option("login", login_)->required();
  }

  bool parsed() const override { return user_->parsed(); }

  int run(app::Accounts& accounts) override {
    const auth::Principal me = app::local_admin(os_user());
    if (add_->parsed()) {
      auto role = auth::parse_role(role_);
      if (!role || *role == auth::Role::kPublic) {
        std::cerr << "reclaim: --role must be administrator, national_data_manager, "
                     "operator_data_officer, analyst, provincial_planner or donor, not '"
                  << role_ << "'\n";
        return kExitUsage;
      }
      std::string pw;
      if (!read_password(pw)) return kExitUsage;
      auto r = accounts.add(me, {login_, *role, org_, name_, pw, province_});
      if (!r) return report(r.error());
      std::cout << "added " << auth::role_name(*role) << " " << login_
                << (org_.empty() ? "" : " (" + org_ + ")")
                << (province_.empty() ? "" : " (province " + province_ + ")") << "\n";
      return 0;
    }
    if (passwd_->parsed()) {
      std::string pw;
      if (!read_password(pw)) return kExitUsage;
      if (auto r = accounts.set_password(me, login_, pw); !r) return report(r.error());
      std::cout << "password changed for " << login_ << "\n";
      return 0;
    }
    if (disable_->parsed() || enable_->parsed()) {
      const bool off = disable_->parsed();
      auto r = off ? accounts.disable(me, login_) : accounts.enable(me, login_);
      if (!r) return report(r.error());
      std::cout << (off ? "disabled " : "enabled ") << login_ << "\n";
      return 0;
    }
    if (role_cmd_->parsed()) {
      auto role = auth::parse_role(role_);
      if (!role || *role == auth::Role::kPublic) {
        std::cerr << "reclaim: role must be administrator, national_data_manager, "
                     "operator_data_officer or analyst, not '" << role_ << "'\n";
        return kExitUsage;
      }
      if (auto r = accounts.set_role(me, login_, *role); !r) return report(r.error());
      std::cout << login_ << " is now " << auth::role_name(*role)
                << "; their sessions and API token have ended\n";
      return 0;
    }
    if (revoke_->parsed()) {
      auto n = accounts.revoke(me, login_);
      if (!n) return report(n.error());
      std::cout << "ended " << plural(*n, "session") << " and the API token of "
                << login_ << "\n";
      return 0;
    }
    if (unlock_->parsed()) {
      if (auto r = accounts.unlock(me, login_); !r) return report(r.error());
      std::cout << "unlocked " << login_ << "\n";
      return 0;
    }
    if (list_->parsed()) {
      auto users = accounts.list(me);
      if (!users) return report(users.error());
      std::printf("%-24s %-22s %-10s %-9s %-5s %s\n", "login", "role", "org", "state", "token",
                  "created");
      for (const auto& u : *users) {
        const auto until = auth::parse_iso_utc(u.locked_until);
        const char* state =
            u.disabled ? "disabled" : (until && *until > auth::system_now() ? "locked" : "active");
        const std::string scope = !u.org.empty()        ? u.org
                                  : !u.province.empty() ? "prov " + u.province
                                                        : "-";
        std::printf("%-24s %-22s %-10s %-9s %-5s %s\n", u.login.c_str(), auth::role_name(u.role),
                    scope.c_str(), state, u.has_api_token ? "yes" : "no", u.created_at.c_str());
      }
      return 0;
    }
    if (token_->parsed()) {
      auto t = accounts.issue_api_token(me, login_);
      if (!t) return report(t.error());
      std::cerr << "API token for " << login_
                << " (shown once; send it as `Authorization: Bearer <token>`):\n";
      std::cout << *t << "\n";
      return 0;
    }
    return kExitUsage;
  }

 private:
  bool read_password(std::string& out) {
    if (stdin_) {
      if (!std::getline(std::cin, out)) {
        std::cerr << "reclaim: --password-stdin: no password on stdin\n";
        return false;
      }
      while (!out.empty() && (out.back() == '\r' || out.back() == '\n')) out.pop_back();
      return true;
    }
    if (const char* env = std::getenv("RECLAIM_PASSWORD"); env && *env) {
      out = env;
      return true;
    }
    std::cerr << "reclaim: give the password on stdin (--password-stdin) or in RECLAIM_PASSWORD "
                 "(never on the command line)\n";
    return false;
  }

  CLI::App* user_ = nullptr;
  CLI::App *add_ = nullptr, *passwd_ = nullptr, *disable_ = nullptr, *enable_ = nullptr,
           *list_ = nullptr, *token_ = nullptr, *role_cmd_ = nullptr, *revoke_ = nullptr,
           *unlock_ = nullptr;
  std::string login_, role_, org_, province_, name_;
  bool stdin_ = false;
};

}  // namespace

std::unique_ptr<UserCommands> register_user_commands(CLI::App& cli) {
  return std::make_unique<UserCommandsImpl>(cli);
}

}  // namespace reclaim::cli
