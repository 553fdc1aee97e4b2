#pragma once
// The server's view of one HTTP exchange, free of Beast types so that routes (and their tests)
// compile fast. server.cpp converts to and from Beast messages.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace reclaim::http {

struct Request {
  std::string_view method;  ///< "GET", "HEAD", …
  std::string_view target;  ///< raw request target: path and query, still percent-encoded
  std::string_view host;    ///< Host header ("" if none)
  std::string_view cookie;  ///< Cookie header
  std::string_view authorization;
  std::string_view if_none_match;
  std::string_view if_match;      ///< expected version of a workflow action ("3" or "\"3\"")
  std::string_view content_type;  ///< Content-Type of the body
  std::string_view csrf_token;    ///< X-CSRF-Token (browser writes)
  std::string_view user_agent;    ///< User-Agent (kept with a new session)
  std::string_view body;          ///< the request body ("" if none)
  std::string client_ip;          ///< the peer address (login rate limiting)
  std::string request_id;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers
  /// When set, the body (and `body` is empty): a cached response's bytes, sent without a copy.
  std::shared_ptr<const std::string> shared_body;
  const std::string& bytes() const noexcept { return shared_body ? *shared_body : body; }
};

}  // namespace reclaim::http
