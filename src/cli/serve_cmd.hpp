#pragma once
// `reclaim serve` (see serve_cmd.cpp).
#include <string>
#include <vector>

#include "common/error.hpp"

namespace reclaim::cli {

struct ServeArgs {
  std::string db;
  std::string db_read;  ///< a read-only replica (postgresql://…) for the read routes; "" = db
  std::string listen = "127.0.0.1:8080";
  std::string static_dir;          ///< "" = default_static_dir if it exists
  std::string default_static_dir;  ///< <repo>/web/dist
  int threads = 2;
  int cache_mb = 64;  ///< response cache budget (tiles, item pages, lists); 0 = none
  std::string key_file;  ///< session key file; "" = <db>.key (GeoPackage only)
  bool secure_cookies = false;  ///< session cookies get `Secure` (behind a TLS proxy)
  /// Reverse proxies whose X-Forwarded-For names the client (addresses or networks; repeatable,
  /// or comma-separated). Empty: the socket peer is the client.
  std::vector<std::string> trusted_proxies;
  std::string public_url;  ///< base of absolute links; "" = http://<listen address>
  int heavy_workers = 2;     ///< threads for status, as-of status and OGC item pages
  int heavy_per_client = 2;  ///< such requests one client may have queued or running (429 beyond)
  int heavy_queue = 64;      ///< such requests queued or running in all (503 beyond)
};

/// Serves until SIGTERM/SIGINT; returns the exit code.
int run_serve(const ServeArgs& args);

}  // namespace reclaim::cli
