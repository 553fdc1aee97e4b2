#pragma once
// A plain-socket HTTP/1.1 client for the in-process server tests: one request per connection
// (Connection: close), the reply read to EOF.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace reclaim::http::test_client {

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names (the last of repeated ones)
  std::vector<std::string> set_cookies;        // every Set-Cookie
  std::string body;
  nlohmann::json js() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

/// Sends `raw` to 127.0.0.1:port from the local address `source` ("" = any; Linux answers
/// every 127.0.0.0/8 address on loopback, so "127.0.0.7" is a different client). With
/// `timeout_s`, a reply that does not come within that many seconds gives status 0 (a test
/// fails instead of hanging).
inline Reply send_raw(uint16_t port, const std::string& raw, const std::string& source = "",
                      int timeout_s = 0) {
  Reply r;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (timeout_s > 0) {
    timeval tv{};
    tv.tv_sec = timeout_s;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  if (!source.empty()) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_port = 0;
    if (::inet_pton(AF_INET, source.c_str(), &from.sin_addr) != 1 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
      ::close(fd);
      return r;
    }
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return r;
  }
  size_t off = 0;
  while (off < raw.size()) {
    const ssize_t n = ::send(fd, raw.data() + off, raw.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  std::string in;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t head_end = in.find("\r\n\r\n");
  if (head_end == std::string::npos || in.size() < 12) return r;
  r.status = std::stoi(in.substr(9, 3));
  size_t pos = in.find("\r\n") + 2;
  while (pos < head_end) {
    const size_t eol = in.find("\r\n", pos);
    const std::string line = in.substr(pos, eol - pos);
    const size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (name == "set-cookie") r.set_cookies.push_back(value);
    r.headers[name] = value;
    pos = eol + 2;
  }
  r.body = in.substr(head_end + 4);
  return r;
}

/// Who calls: a browser session (cookie + CSRF token), an API token, or nobody.
struct Caller {
  std::string cookie;  ///< "reclaim_session=…"
  std::string csrf;    ///< sent as X-CSRF-Token on writes when set
  std::string token;   ///< sent as Authorization: Bearer
};

inline Reply request(uint16_t port, const std::string& method, const std::string& target,
                     const Caller& who = {}, const std::string& body = "",
                     const std::string& extra_headers = "",
                     const std::string& content_type = "application/json") {
  std::string raw = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                    std::to_string(port) + "\r\nConnection: close\r\n";
  if (!who.cookie.empty()) raw += "Cookie: " + who.cookie + "\r\n";
  if (!who.token.empty()) raw += "Authorization: Bearer " + who.token + "\r\n";
  const bool write = method != "GET" && method != "HEAD";
  if (write && !who.csrf.empty()) raw += "X-CSRF-Token: " + who.csrf + "\r\n";
  if (!body.empty() && !content_type.empty()) raw += "Content-Type: " + content_type + "\r\n";
  if (write || !body.empty()) raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  raw += extra_headers + "\r\n" + body;
  return send_raw(port, raw);
}

}  // namespace reclaim::http::test_client
