// `reclaim serve`: builds the server (one store connection per worker thread) and runs it until
// SIGTERM/SIGINT.
#include "cli/serve_cmd.hpp"

#include <filesystem>
#include <iostream>

#include "auth/session_key.hpp"
#include "cli/database.hpp"
#include "http/server.hpp"
#include "storage/store.hpp"

namespace reclaim::cli {

int run_serve(const ServeArgs& a) {
  http::ServerOptions o;
  const auto colon = a.listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    std::cerr << "reclaim: --listen expects HOST:PORT, got '" << a.listen << "'\n";
    return kExitUsage;
  }
  o.host = a.listen.substr(0, colon);
  if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']')
    o.host = o.host.substr(1, o.host.size() - 2);
  try {
    const int port = std::stoi(a.listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    o.port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    std::cerr << "reclaim: --listen: bad port in '" << a.listen << "'\n";
    return kExitUsage;
  }
  o.threads = a.threads;
  o.trusted_proxies = a.trusted_proxies;
  o.router.public_url = a.public_url;
  o.heavy.workers = a.heavy_workers;
  o.heavy.per_client = static_cast<size_t>(a.heavy_per_client);
  o.heavy.max_pending = static_cast<size_t>(a.heavy_queue);
  o.router.cache_bytes = static_cast<size_t>(a.cache_mb) * 1024 * 1024;
  o.handle_signals = true;
  o.router.static_dir = a.static_dir;
  if (o.router.static_dir.empty() && std::filesystem::is_directory(a.default_static_dir))
    o.router.static_dir = a.default_static_dir;

  const std::string db = a.db;
  const std::string db_read = a.db_read;
  // Each worker: its own Application, with its own connection to the primary (writes, access
  // log) and, with --db-read, its own connection to the replica for every read route.
  http::ApplicationFactory factory = [db, db_read]() -> Result<std::unique_ptr<app::Application>> {
    return open_application(db, db_read, DbMode::kMustExist);
  };
  // Accounts: the Authenticator must be the only user of its store (authenticator.hpp), so it
  // gets a connection of its own, opened before and closed after the server's.
  // The session signing key: a file, never the database (a copy of it signs nobody in).
  // serve never creates a database: a mistyped --db would serve an empty one.
  if (auto r = check_database(db, DbMode::kMustExist); !r) {
    std::cerr << "reclaim: error: " << r.error().message << "\n";
    return exit_code_for(r.error().code);
  }
  auto key_path = auth::key_file_path(db, a.key_file);
  if (!key_path) {
    std::cerr << "reclaim: error: " << key_path.error().message << "\n";
    return kExitUsage;
  }
  auto key = auth::SessionKey::open(*key_path);
  if (!key) {
    std::cerr << "reclaim: error: " << key.error().message << "\n";
    return exit_code_for(key.error().code);
  }
  auto auth_store = open_database(db, DbMode::kMustExist);
  if (!auth_store) {
    std::cerr << "reclaim: error: " << auth_store.error().message << "\n";
    return exit_code_for(auth_store.error().code);
  }
  auth::AuthOptions ao;
  ao.secure_cookie = a.secure_cookies;
  ao.key = *key;
  auto authenticator = std::make_shared<auth::Authenticator>(**auth_store, ao);
  http::Server server(o, factory, authenticator);
  if (auto r = server.start(); !r) {
    std::cerr << "reclaim: error: " << r.error().message << "\n";
    return r.error().code == ErrorCode::kInvalidArgument ? kExitUsage
                                                         : exit_code_for(r.error().code);
  }
  std::cout << "reclaim: serving " << db << " on http://" << a.listen.substr(0, colon) << ":"
            << server.port() << "/ (API /api, OGC API /ogc, tiles /tiles"
            << (o.router.static_dir.empty() ? "" : ", web UI /") << "; sign in: POST /api/login"
            << (a.secure_cookies ? ", Secure cookies" : "")
            << (a.public_url.empty() ? "" : "; links: " + a.public_url)
            << (a.trusted_proxies.empty() ? "" : "; behind a trusted proxy")
            << "); Ctrl-C stops" << std::endl;
  server.wait();
  std::cout << "reclaim: stopped" << std::endl;
  return 0;
}

}  // namespace reclaim::cli
