#include "cli/backup_cmd.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <utility>

#include "app/backup.hpp"
#include "cli/database.hpp"
#include "storage/db_files.hpp"
#include "common/error.hpp"
#include "storage/open/open.hpp"

namespace reclaim::cli {
namespace {

struct Args {
  std::string to, from, key_file, passphrase_file;
  bool encrypt = false, force = false;
};

int report(const Error& e) {
  std::cerr << "reclaim: error: " << e.message << "\n";
  return exit_code_for(e.code);
}

int usage(const std::string& message) {
  std::cerr << "reclaim: " << message << "\n";
  return kExitUsage;
}

/// The secret the options name: a key file, a passphrase file (its first line) or
/// RECLAIM_BACKUP_PASSPHRASE. Errors: kNotFound (unreadable passphrase file).
Result<app::BackupSecret> secret_from(const Args& a) {
  app::BackupSecret s;
  s.key_file = a.key_file;
  if (!a.passphrase_file.empty()) {
    std::ifstream in(a.passphrase_file, std::ios::binary);
    if (!in) return fail(ErrorCode::kNotFound, "cannot read the passphrase file " + a.passphrase_file);
    std::getline(in, s.passphrase);
    if (!s.passphrase.empty() && s.passphrase.back() == '\r') s.passphrase.pop_back();
    if (s.passphrase.empty())
      return fail(ErrorCode::kInvalidArgument,
                  "passphrase file " + a.passphrase_file + ": its first line is empty");
  } else if (a.key_file.empty()) {
    if (const char* env = std::getenv("RECLAIM_BACKUP_PASSPHRASE")) s.passphrase = env;
  }
  return s;
}

std::string size_text(uint64_t bytes) {
  const double mb = static_cast<double>(bytes) / (1024.0 * 1024.0);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", mb);
  return buf;
}

}  // namespace

std::function<std::optional<int>()> register_backup_commands(CLI::App& app, const std::string& db) {
  auto a = std::make_shared<Args>();
  CLI::App* bk = app.add_subcommand(
      "backup",
      "write a consistent copy of the whole database (--db) to a new file while it is in use: "
      "SQLite's online backup for a GeoPackage, pg_dump -Fc for PostgreSQL");
  bk->add_option("--to", a->to, "the backup file to create (never overwritten)")->required();
  bk->add_flag("--encrypt", a->encrypt,
               "encrypt it (libsodium secretstream): the key from --key-file, --passphrase-file "
               "or RECLAIM_BACKUP_PASSPHRASE");
  CLI::App* rs = app.add_subcommand(
      "restore",
      "replace the database (--db, same back end, used by no server) with a backup; refuses a "
      "database that holds data unless --force");
  rs->add_option("--from", a->from, "the backup file (plain or encrypted)")->required();
  rs->add_flag("--force", a->force, "replace a database that already holds data");
  for (CLI::App* c : {bk, rs}) {
    auto* kf = c->add_option("--key-file", a->key_file, "file of 32 random bytes (or 64 hex digits)");
    auto* pf = c->add_option("--passphrase-file", a->passphrase_file,
                             "file whose first line is the passphrase (at least 10 characters)");
    kf->excludes(pf);
  }
  return [bk, rs, a, &db]() -> std::optional<int> {
    if (!bk->parsed() && !rs->parsed()) return std::nullopt;
    const bool has_secret_option = !a->key_file.empty() || !a->passphrase_file.empty();
    if (bk->parsed() && has_secret_option && !a->encrypt)
      return usage("backup: --key-file and --passphrase-file need --encrypt");
    for (const auto& [what, path] : {std::pair<const char*, const std::string*>{"--to", &a->to},
                                     {"--from", &a->from},
                                     {"--key-file", &a->key_file},
                                     {"--passphrase-file", &a->passphrase_file}}) {
      if (auto g = storage::refuse_database_path(*path, db, what); !g) return report(g.error());
    }
    auto secret = secret_from(*a);
    if (!secret) return report(secret.error());
    if (bk->parsed()) {
      if (auto r = check_database(db, DbMode::kMustExist); !r) return report(r.error());
      if (a->encrypt && secret->empty())
        return usage("backup --encrypt needs --key-file, --passphrase-file or "
                     "RECLAIM_BACKUP_PASSPHRASE");
      if (!a->encrypt) *secret = {};
      auto r = app::backup_database(db, a->to, *secret);
      if (!r) return report(r.error());
      std::cout << "backed up " << storage::display_location(db) << " (" << storage::backup_kind_name(r->kind) << ") to "
                << a->to << ": " << size_text(r->bytes)
                << (r->encrypted ? ", encrypted" : ", not encrypted") << "\n";
      return 0;
    }
    auto r = app::restore_database(a->from, db, *secret, storage::RestoreOptions{a->force});
    if (!r) return report(r.error());
    std::cout << "restored " << a->from << " (" << storage::backup_kind_name(r->kind)
              << (r->encrypted ? ", encrypted" : "") << ") into " << storage::display_location(db)
              << "; it has no live sessions\n";
    return 0;
  };
}

}  // namespace reclaim::cli
