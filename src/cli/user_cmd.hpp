#pragma once
// `reclaim user add|passwd|disable|enable|role|revoke|unlock|list|token`: account administration
// from the shell.
// The CLI acts as a local administrator (app::local_admin); passwords come from stdin
// (--password-stdin) or the environment variable RECLAIM_PASSWORD, never from argv.
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "app/accounts.hpp"

namespace reclaim::cli {

class UserCommands {
 public:
  virtual ~UserCommands() = default;
  /// True if the command line named a `user` subcommand.
  virtual bool parsed() const = 0;
  /// Runs it with the application's accounts; returns the process exit code.
  virtual int run(app::Accounts& accounts) = 0;
};

/// Adds the `user` subcommand tree to `cli`. Call before cli.parse().
std::unique_ptr<UserCommands> register_user_commands(CLI::App& cli);

}  // namespace reclaim::cli
