#include "cli/key_cmd.hpp"

#include <cstdlib>
#include <iostream>
#include <memory>

#include "auth/session_key.hpp"
#include "cli/database.hpp"
#include "common/error.hpp"

namespace reclaim::cli {

std::string configured_key_file(const std::string& option) {
  if (!option.empty()) return option;
  const char* env = std::getenv("RECLAIM_KEY_FILE");
  return env != nullptr ? env : "";
}

std::function<std::optional<int>()> register_key_command(CLI::App& app, const std::string& db) {
  auto key_file = std::make_shared<std::string>();
  auto* key = app.add_subcommand("key", "the session signing key file (never in the database)");
  key->require_subcommand(1);
  auto* rotate = key->add_subcommand(
      "rotate",
      "write a new session key: running servers pick it up within a second and every session "
      "ends (everybody signs in again)");
  rotate->add_option("--key-file", *key_file,
                     "key file (default: RECLAIM_KEY_FILE, else <db>.key beside a GeoPackage)");
  return [rotate, key_file, &db]() -> std::optional<int> {
    if (!rotate->parsed()) return std::nullopt;
    const std::string configured = configured_key_file(*key_file);
    // The default key file is <db>.key: a mistyped --db would start a key for no database.
    if (configured.empty()) {
      if (auto r = check_database(db, DbMode::kMustExist); !r) {
        std::cerr << "reclaim: error: " << r.error().message << "\n";
        return exit_code_for(r.error().code);
      }
    }
    auto path = auth::key_file_path(db, configured);
    if (!path) {
      std::cerr << "reclaim: error: " << path.error().message << "\n";
      return kExitUsage;
    }
    if (auto r = auth::SessionKey::rotate(*path); !r) {
      std::cerr << "reclaim: error: " << r.error().message << "\n";
      return exit_code_for(r.error().code);
    }
    std::cout << "new session key in " << *path
              << ": every session has ended; servers using it notice within a second\n";
    return 0;
  };
}

}  // namespace reclaim::cli
