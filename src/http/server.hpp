#pragma once
// `reclaim serve`: an asynchronous HTTP/1.1 server (Boost.Beast/Asio, kept out of this header)
// with keep-alive, read timeouts, header and body limits, and graceful shutdown: stop() (or
// SIGTERM/SIGINT with handle_signals) stops accepting, lets in-flight requests finish, closes
// idle connections and returns from wait().
//
// Each I/O thread gets its own app::Application (its own store connection: SQLite WAL lets the
// readers run side by side), made by the factory when the server starts. Expensive reads
// (status, as-of status, OGC item pages the cache does not hold) never run on the I/O threads:
// they go to a HeavyPool (heavy_pool.hpp) whose workers have Applications of their own, with a
// per-client limit (429 + Retry-After) and a bound on the queue (503 + Retry-After).
//
// The client address (login limits, the per-client limit) is the socket peer, or what
// X-Forwarded-For says when the peer is a configured trusted proxy (client_address.hpp).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/application.hpp"
#include "auth/authenticator.hpp"
#include "common/error.hpp"
#include "http/heavy_pool.hpp"
#include "http/router.hpp"

namespace reclaim::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  ///< 0 = any free port (see Server::port())
  int threads = 2;  ///< I/O threads
  RouterOptions router;  ///< router.public_url "" = "http://<host>:<bound port>"
  HeavyPoolOptions heavy;  ///< the expensive-read workers and their limits
  /// Peers whose X-Forwarded-For is believed: addresses or networks ("10.0.0.0/8"), each entry
  /// also a comma-separated list (TrustedProxies::parse). Empty: the socket peer is the client.
  std::vector<std::string> trusted_proxies;
  size_t max_header_bytes = 16 * 1024;    ///< larger headers: 431
  size_t max_body_bytes = 1024 * 1024;    ///< larger bodies: 413
  std::chrono::milliseconds read_timeout{15000};  ///< a request (or an idle keep-alive gap)
  bool handle_signals = false;  ///< stop on SIGTERM / SIGINT
};

/// Opens one worker's Application (its own store connection).
using ApplicationFactory = std::function<Result<std::unique_ptr<app::Application>>()>;

class Server {
 public:
  Server(ServerOptions options, ApplicationFactory factory,
         std::shared_ptr<auth::PrincipalResolver> resolver);
  ~Server();  ///< stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Opens one Application per I/O thread and per heavy worker, binds and starts serving.
  /// Errors: kInvalidArgument (a trusted proxy, the host or the public URL); from the factory
  /// (kIo, …); kIo when the address cannot be bound.
  Result<void> start();
  /// The bound port (after start()).
  uint16_t port() const noexcept;
  /// Graceful stop; safe from any thread, also from a signal handler's callback.
  void stop();
  /// Blocks until the server has stopped and every thread has finished.
  void wait();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace reclaim::http
