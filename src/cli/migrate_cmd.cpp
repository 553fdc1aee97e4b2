#include "cli/migrate_cmd.hpp"

#include <iostream>
#include <memory>
#include <string>

#include "app/migrate.hpp"
#include "cli/counted.hpp"
#include "storage/db_files.hpp"
#include "common/error.hpp"
#include "common/plural.hpp"

namespace reclaim::cli {

std::function<std::optional<int>()> register_migrate_command(CLI::App& app) {
  struct Args {
    std::string from, to;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "migrate",
      "copy a whole database (records with versions, history, gazetteer, settings) into a new, "
      "empty one: GeoPackage <-> PostgreSQL");
  cmd->add_option("--from", args->from, "source: a GeoPackage file or postgresql://…")->required();
  cmd->add_option("--to", args->to,
                  "target: a new GeoPackage file or an empty postgresql://… database")
      ->required();
  return [cmd, args]() -> std::optional<int> {
    if (!cmd->parsed()) return std::nullopt;
    if (auto g = storage::refuse_database_path(args->to, args->from, "--to"); !g) {
      std::cerr << "reclaim: error: " << g.error().message << "\n";
      return exit_code_for(g.error().code);
    }
    auto r = app::migrate_database(args->from, args->to);
    if (!r) {
      std::cerr << "reclaim: error: " << r.error().message << "\n";
      return exit_code_for(r.error().code);
    }
    int64_t records = 0;
    for (const auto& [entity, n] : r->records) records += n;
    std::cout << "migrated " << args->from << " -> " << args->to << ": "
              << plural(records, "record") << " (";
    bool first = true;
    for (const auto& [entity, n] : r->records) {
      if (n == 0) continue;
      std::cout << (first ? "" : ", ") << counted(n, entity);
      first = false;
    }
    std::cout << "), " << plural(r->history, "history entry") << ", "
              << plural(static_cast<int64_t>(r->admin_units), "admin unit") << ", "
              << plural(static_cast<int64_t>(r->boundaries), "boundary") << ", "
              << plural(static_cast<int64_t>(r->settings), "setting") << "\n";
    return 0;
  };
}

}  // namespace reclaim::cli
