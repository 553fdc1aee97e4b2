// reclaim — the command line. The composition root: opens the store, builds the facade, and maps
// errors to exit codes (the table in common/error.cpp). One function per subcommand below.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app/application.hpp"
#include "cli/backup_cmd.hpp"
#include "cli/counted.hpp"
#include "cli/database.hpp"
#include "cli/key_cmd.hpp"
#include "cli/user_cmd.hpp"
#include "cli/migrate_cmd.hpp"
#include "cli/serve_cmd.hpp"
#include "common/date.hpp"
#include "common/plural.hpp"
#include "exchange/exchange.hpp"
#include "storage/db_files.hpp"
#include "storage/store.hpp"

#ifndef RECLAIM_DEFAULT_DATA_DIR
#define RECLAIM_DEFAULT_DATA_DIR "data"
#endif

namespace {

using reclaim::Error;
using reclaim::Result;
using reclaim::cli::counted;

int report(const Error& e) {
  std::cerr << "reclaim: error: " << e.message << "\n";
  size_t shown = 0;
  for (const auto& d : e.details) {
    if (e.details.size() == 1 && e.message.find(d.message) != std::string::npos) break;
    if (++shown > 20) {
      std::cerr << "  … and " << e.details.size() - 20 << " more (use --errors-json FILE)\n";
      break;
    }
    std::cerr << "  " << d.record << ": " << d.field << " " << d.message << "\n";
  }
  return reclaim::exit_code_for(e.code);
}

void write_errors_json(const std::string& path, const std::vector<reclaim::FieldError>& errors) {
  if (path.empty()) return;
  nlohmann::json j = nlohmann::json::array();
  for (const auto& e : errors)
    j.push_back({{"record", e.record}, {"field", e.field}, {"message", e.message}});
  std::ofstream(path) << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

std::string os_user() {
  const char* u = std::getenv("USER");
  return u ? u : "unknown";
}

/// The format `export` writes: --format when given, else the one the output's extension names
/// (exchange::output_format). nullopt after printing the usage error: an unknown --format, an
/// extension that names another format, or no --format and no known extension.
std::optional<std::string> export_format(const std::string& flag, const std::string& out) {
  std::optional<reclaim::exchange::Format> given;
  if (!flag.empty()) {
    auto f = reclaim::exchange::parse_format(flag);
    if (!f) {
      std::cerr << "reclaim: export: --format: " << f.error().message << "\n";
      return std::nullopt;
    }
    given = *f;
  }
  auto f = reclaim::exchange::output_format(out, given);
  if (!f) {
    std::cerr << "reclaim: export: " << f.error().message
              << (given ? "" : "; or give --format") << "\n";
    return std::nullopt;
  }
  return reclaim::exchange::format_name(*f);
}

struct Globals {
  std::string db = "reclaim.gpkg";
  std::string data_dir;
  std::string db_read;  ///< a read-only replica for the read-only commands ("" = --db)
};

}  // namespace

int main(int argc, char** argv) try {
  CLI::App cli{"Reclaim — national mine action information management (IMAS)", "reclaim"};
  cli.require_subcommand(1);
  Globals g;
  const char* env_data = std::getenv("RECLAIM_DATA_DIR");
  g.data_dir = env_data ? env_data : RECLAIM_DEFAULT_DATA_DIR;
  cli.add_option("--db", g.db, "database: a GeoPackage file (default ./reclaim.gpkg) or postgresql://user@host:port/db");
  cli.add_option("--db-read", g.db_read, "read-only replica (postgresql://…) for status, export and reads");
  auto run_migrate = reclaim::cli::register_migrate_command(cli);
  auto run_backup = reclaim::cli::register_backup_commands(cli, g.db);  // backup, restore
  auto run_key = reclaim::cli::register_key_command(cli, g.db);         // key rotate
  cli.add_option("--data-dir", g.data_dir, "gazetteer and boundaries folder")
      ->capture_default_str();

  // init
  auto* init = cli.add_subcommand("init", "create the database and load the gazetteer");

  // import / validate share their options
  struct ImportArgs {
    std::string entity, file, errors_json, map_file, layer;
    std::vector<std::string> maps;
    bool skip_invalid = false;
  } ia;
  auto add_import_opts = [&](CLI::App* c) {
    c->add_option("entity", ia.entity, "hazards, activities, casualties, …")->required();
    c->add_option("file", ia.file, "GeoPackage, GeoJSON, Shapefile (.shp/.zip), KML, CSV, XLSX")
        ->required();
    c->add_option("--map", ia.maps, "rename a column: old=new (repeatable)");
    c->add_option("--map-file", ia.map_file, "file of old=new lines");
    c->add_option("--layer", ia.layer, "layer to read from a multi-layer file");
    c->add_option("--errors-json", ia.errors_json, "write every problem as JSON to this file");
  };
  auto* imp = cli.add_subcommand("import", "import records from a file (all or nothing)");
  add_import_opts(imp);
  imp->add_flag("--skip-invalid", ia.skip_invalid, "import the valid records, report the rest");
  auto* val = cli.add_subcommand("validate", "check a file without importing it (dry run)");
  add_import_opts(val);

  // export
  std::string ex_entity, ex_format, ex_out;
  auto* exp = cli.add_subcommand("export", "write every record of an entity to a file");
  exp->add_option("entity", ex_entity)->required();
  exp->add_option("--format", ex_format,
                  "gpkg|geojson|csv|xlsx|shp|kml (default: the output's extension; .zip is a "
                  "zipped Shapefile)");
  exp->add_option("-o,--output", ex_out, "output file")->required();

  // status
  bool st_json = false;
  std::string st_as_of;
  auto* edc = cli.add_subcommand(
      "edits", "list direct edits: changes made in the database by other programs (QGIS, "
               "sqlite3, psql), recorded by triggers but never validated, newest first");
  bool ed_json = false;
  int64_t ed_limit = 100;
  edc->add_flag("--json", ed_json, "one JSON object {items: [...]}");
  edc->add_option("--limit", ed_limit, "at most this many")->capture_default_str()->check(
      CLI::Range(int64_t{1}, int64_t{1000000}));
  auto* stc = cli.add_subcommand("status", "national and provincial status");
  stc->add_flag("--json", st_json, "machine-readable output");
  stc->add_option("--as-of", st_as_of, "as known on this date (YYYY-MM-DD)");

  // demo
  uint64_t seed = 1;
  int scale = 1;
  auto* dem = cli.add_subcommand("demo", "create a realistic synthetic Cambodia in a new database");
  dem->add_option("--seed", seed)->capture_default_str();
  dem->add_option("--scale", scale, "multiply hazards/activities (50 ≈ 100k hazards)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();

  // serve
  reclaim::cli::ServeArgs sa;
#ifdef RECLAIM_DEFAULT_STATIC_DIR
  sa.default_static_dir = RECLAIM_DEFAULT_STATIC_DIR;
#endif
  auto* srv = cli.add_subcommand("serve", "serve the API, OGC API – Features, tiles and web UI");
  srv->add_option("--listen", sa.listen, "HOST:PORT")->capture_default_str();
  srv->add_option("--static", sa.static_dir, "web UI folder (default <repo>/web/dist)");
  srv->add_option("--threads", sa.threads, "I/O threads (cheap requests: tiles, lists, records)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  srv->add_option("--cache-mb", sa.cache_mb,
                  "response cache for tiles, OGC item pages and API lists, MiB (0 = off; "
                  "other processes' commits show within 100 ms)")
      ->check(CLI::Range(0, 65536))
      ->capture_default_str();
  srv->add_option("--key-file", sa.key_file,
                  "session signing key file, created (mode 0600) on first start; shared by "
                  "servers behind a proxy (default: RECLAIM_KEY_FILE, else <db>.key beside a "
                  "GeoPackage; required for PostgreSQL)");
  srv->add_flag("--secure-cookies", sa.secure_cookies,
                "mark session cookies Secure (when served behind a TLS reverse proxy)");
  srv->add_option("--trusted-proxy", sa.trusted_proxies,
                  "a reverse proxy (ADDR or ADDR/BITS; repeatable or comma-separated) whose "
                  "X-Forwarded-For names the client; others' X-Forwarded-For is ignored");
  srv->add_option("--public-url", sa.public_url,
                  "base of absolute links (OGC API, TileJSON, OpenAPI), e.g. "
                  "https://mine-action.example.org/reclaim (default http://<listen address>)");
  srv->add_option("--heavy-workers", sa.heavy_workers,
                  "threads for status, as-of status and uncached OGC item pages (never the I/O "
                  "threads); one is kept for signed-in users")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  srv->add_option("--heavy-per-client", sa.heavy_per_client,
                  "such requests one client (address, IPv6 /64 or user) may have queued or "
                  "running; more: 429 with Retry-After")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  srv->add_option("--heavy-queue", sa.heavy_queue,
                  "such requests queued or running in all; more: 503 with Retry-After")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();

  auto users = reclaim::cli::register_user_commands(cli);  // user add|passwd|disable|role|…

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = cli.exit(e);
    return rc == 0 ? 0 : reclaim::kExitUsage;
  }

  std::string export_format_name;
  if (*exp) {
    auto f = export_format(ex_format, ex_out);
    if (!f) return reclaim::kExitUsage;
    export_format_name = *f;
  }
  if (auto rc = run_migrate()) return *rc;
  if (auto rc = run_backup()) return *rc;
  if (auto rc = run_key()) return *rc;
  if (*srv) {
    sa.db = g.db;
    sa.db_read = g.db_read;
    sa.key_file = reclaim::cli::configured_key_file(sa.key_file);
    return reclaim::cli::run_serve(sa);
  }
  // Only init and demo create the database; every other command needs it to exist.
  using reclaim::cli::DbMode;
  const auto mode = *init || *dem ? DbMode::kCreate : DbMode::kMustExist;
  auto application = reclaim::cli::open_application(g.db, g.db_read, mode);
  if (!application) return report(application.error());
  if (users->parsed()) return users->run((*application)->accounts());
  reclaim::app::Service& s = (*application)->service();

  if (*init) {
    if (auto r = s.init(g.data_dir); !r) return report(r.error());
    std::cout << "initialised " << g.db << ": gazetteer, boundaries and device library loaded\n";
    return 0;
  }
  // Nothing but SQLite may open the database's files (storage/db_files.hpp).
  auto guard = [&](const std::string& path, const char* what) {
    return reclaim::storage::refuse_database_path(path, g.db, what);
  };
  if (*imp || *val) {
    for (const auto& [path, what] : {std::pair<const std::string*, const char*>{&ia.file, "import file"},
                                     {&ia.map_file, "--map-file"},
                                     {&ia.errors_json, "--errors-json"}}) {
      if (auto r = guard(*path, what); !r) return report(r.error());
    }
    reclaim::app::ImportOptions o;
    o.skip_invalid = ia.skip_invalid;
    o.dry_run = val->parsed();
    o.user = os_user();
    o.layer = ia.layer;
    if (!ia.map_file.empty()) {
      auto m = reclaim::exchange::read_mapping_file(ia.map_file);
      if (!m) return report(m.error());
      o.column_map = *m;
    }
    for (const auto& m : ia.maps) {
      auto eq = m.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
        std::cerr << "reclaim: --map expects old=new, got '" << m << "'\n";
        return reclaim::kExitUsage;
      }
      o.column_map[m.substr(0, eq)] = m.substr(eq + 1);
    }
    auto r = s.import_file(ia.entity, ia.file, o);
    if (!r) {
      write_errors_json(ia.errors_json, r.error().details);
      return report(r.error());
    }
    write_errors_json(ia.errors_json, r->errors);
    for (size_t i = 0; i < r->errors.size() && i < 20; ++i)
      std::cerr << "  skipped " << r->errors[i].record << ": " << r->errors[i].field << " "
                << r->errors[i].message << "\n";
    std::cout << (val->parsed() ? "valid: " : "imported ") << r->accepted << " of "
              << counted(r->read, r->entity) << (val->parsed() ? " would be imported" : "")
              << " from " << r->file;
    if (r->rejected) std::cout << " (" << r->rejected << " rejected)";
    if (r->hazards_updated)
      std::cout << "; " << counted(r->hazards_updated, reclaim::core::entity::kHazards)
                << " updated";
    std::cout << "\n";
    return 0;
  }
  if (*exp) {
    if (auto r = guard(ex_out, "export file"); !r) return report(r.error());
    auto r = s.export_file(ex_entity, export_format_name, ex_out);
    if (!r) return report(r.error());
    std::cout << "exported " << counted(*r, ex_entity) << " to " << ex_out << "\n";
    return 0;
  }
  if (*edc) {
    reclaim::app::Visibility vis;  // the operator of the machine: everything
    vis.all_records = vis.personal = true;
    vis.user = os_user();
    auto r = s.direct_edits(ed_limit, vis);
    if (!r) return report(r.error());
    if (ed_json) {
      nlohmann::json items = nlohmann::json::array();
      for (const auto& e : *r) {
        auto parse = [](const std::string& t) {
          auto j = nlohmann::json::parse(t, nullptr, false);
          return t.empty() || j.is_discarded() ? nlohmann::json() : j;
        };
        items.push_back({{"seq", e.seq}, {"entity", e.entity}, {"id", e.record_id},
                         {"op", e.op}, {"at", e.at}, {"reason", e.reason},
                         {"before", parse(e.before_json)}, {"after", parse(e.after_json)}});
      }
      std::cout << nlohmann::json{{"items", items}}.dump(2) << "\n";
      return 0;
    }
    if (r->empty()) {
      std::cout << "no direct edits: every change went through Reclaim\n";
      return 0;
    }
    std::cout << reclaim::plural(static_cast<int64_t>(r->size()), "direct edit")
              << " (made outside Reclaim, not validated; review them), newest first:\n";
    for (const auto& e : *r)
      std::cout << "  #" << e.seq << " " << e.at << " " << e.op << " " << e.entity << " "
                << e.record_id << "\n";
    return 0;
  }
  if (*stc) {
    std::optional<reclaim::Date> as_of;
    if (!st_as_of.empty()) {
      auto d = reclaim::parse_date(st_as_of);
      if (!d) {
        std::cerr << "reclaim: --as-of: " << d.error().message << "\n";
        return reclaim::kExitUsage;
      }
      as_of = *d;
    }
    auto st = s.status(as_of);
    if (!st) return report(st.error());
    std::cout << (st_json ? reclaim::analysis::status_to_json(*st) + "\n"
                          : reclaim::analysis::status_to_text(*st));
    return 0;
  }
  if (*dem) {
    if (auto r = s.init(g.data_dir); !r) return report(r.error());
    auto r = s.demo(seed, scale, g.data_dir);
    if (!r) return report(r.error());
    std::cout << "demo database " << g.db << " (seed " << seed << ", scale " << scale << "):";
    for (const auto& [e, n] : r->counts) std::cout << " " << counted(n, e) << ";";
    std::cout << "\n";
    return 0;
  }
  return reclaim::kExitUsage;
} catch (const std::exception& e) {
  std::cerr << "reclaim: internal error: " << e.what() << "\n";
  return reclaim::exit_code_for(reclaim::ErrorCode::kInternal);
}
