#pragma once
// The routes: /api (JSON API), /ogc (OGC API – Features), /tiles (vector tiles) and the static
// web UI. Parses requests, applies the role table (auth/policy.hpp) and calls only
// app::Application. Beast-free (see message.hpp): the server converts messages, the routes never
// see sockets.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "app/application.hpp"
#include "auth/authenticator.hpp"
#include "auth/policy.hpp"
#include "http/message.hpp"
#include "http/problem.hpp"
#include "http/response_cache.hpp"

namespace reclaim::http {
namespace detail {
struct Ctx;
}

/// Every request is anonymous (the public role). For servers without accounts, and tests.
class AnonymousResolver final : public auth::PrincipalResolver {
 public:
  auth::Principal resolve(std::string_view, std::string_view) override { return {}; }
};

/// Every request is the given principal (tests).
class FixedResolver final : public auth::PrincipalResolver {
 public:
  explicit FixedResolver(auth::Principal p) : p_(std::move(p)) {}
  auth::Principal resolve(std::string_view, std::string_view) override { return p_; }

 private:
  auth::Principal p_;
};

struct RouterOptions {
  std::string static_dir;  ///< the web UI's files, served at /; "" = none
  /// Byte budget of the response cache (tiles, OGC item pages, API lists; see
  /// response_cache.hpp); 0 = no cache.
  size_t cache_bytes = 0;
  /// How often each worker checks the database's data generation: the longest a commit made
  /// by another process (or connection) can stay unseen by cached responses.
  /// 0 (the default): checked before every cacheable request, so the next answer after a
  /// commit elsewhere already reflects it (PRAGMA data_version costs microseconds).
  std::chrono::milliseconds cache_poll{0};
  /// The base of every absolute link (OGC API links, TileJSON tile URLs, the OpenAPI server):
  /// scheme, host, port and an optional path prefix, no trailing slash
  /// ("https://mine-action.example.org/reclaim"). The request's Host header is never used.
  /// `reclaim serve --public-url`; the server sets "http://<listen address>" when empty.
  std::string public_url;
  /// Where the line of each 500 goes ("request <id> <method> <path>: 500 internal error:
  /// <exception or error text>", the id being the one the answer gives): the server's log.
  /// Called from any server thread, so it must be thread-safe; empty: standard error.
  ErrorLog error_log;
};

/// Filled by Router::handle when it left an expensive read to the caller's worker pool.
struct Deferral {
  bool deferred = false;
  /// Whom the per-client limit counts it under: "user:<id>" for a signed-in caller, else
  /// "addr:" + client_limit_key(client address) (client_address.hpp).
  std::string client_key;
};

class Router {
 public:
  /// The resolver must be thread-safe (it is called from every server thread). When it is an
  /// auth::Authenticator, the login/logout/users routes are served, expired sessions are
  /// answered 401 and cookie-authenticated writes must carry X-CSRF-Token.
  Router(RouterOptions options, std::shared_ptr<auth::PrincipalResolver> resolver);

  /// Answers one request with the caller's Application. Never throws: a bug becomes a 500
  /// problem carrying only the request id. `app` is used by this thread only.
  /// With `defer`, an expensive read (GET/HEAD of /api/status with or without as_of, and of
  /// /ogc/collections/{id}/items) that the response cache cannot answer is not run: the answer
  /// is an empty Response, defer->deferred is set, and the caller runs the request again without
  /// `defer` on a worker (the server's HeavyPool). Everything else is answered as without it.
  Response handle(const Request& req, app::Application& app,
                  Deferral* defer = nullptr) const noexcept;
  /// The response cache (disabled when RouterOptions::cache_bytes is 0).
  ResponseCache& cache() const noexcept { return *cache_; }

 private:
  Response route(const Request& req, app::Application& app, Deferral* defer) const;
  Response dispatch(detail::Ctx& c, const std::vector<std::string_view>& seg) const;
  RouterOptions opt_;
  std::shared_ptr<ResponseCache> cache_;
  std::shared_ptr<auth::PrincipalResolver> resolver_;
  /// The resolver when it is the real Authenticator (sessions, CSRF, login routes), else null.
  auth::Authenticator* authn_ = nullptr;
};

/// Checks a public base URL (`serve --public-url`): http:// or https://, a host (name, IPv4 or
/// [IPv6]) with an optional port, an optional path; no user info, query, fragment, spaces or
/// control characters. Returns it without trailing slashes.
/// Errors: kInvalidArgument naming the URL and what is wrong with it.
Result<std::string> parse_public_url(std::string_view url);

/// Headers every response carries (security headers), as (name, value).
const std::vector<std::pair<std::string_view, std::string_view>>& standard_headers();

}  // namespace reclaim::http
