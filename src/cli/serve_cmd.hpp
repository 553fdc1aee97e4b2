#pragma once
// `reclaim serve` (see serve_cmd.cpp).
#include <string>

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
  bool secure_cookies = false;  ///< session cookies get `Secure` (behind a TLS proxy)
};

/// Serves until SIGTERM/SIGINT; returns the exit code.
int run_serve(const ServeArgs& args);

}  // namespace reclaim::cli
