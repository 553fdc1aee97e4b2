// Whole requests through the Router: the method, the target (path and query string: bbox,
// datetime, filters, sort, limit/offset, cursors), Content-Type, If-Match and the JSON body
// (workflow submissions and actions, record routes), as the principal the first byte picks.
// Input: byte 0 = principal, then "METHOD TARGET\nCONTENT-TYPE\nIF-MATCH\nBODY".
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http_support.hpp"

namespace {
std::string_view take_line(std::string_view& s) {
  const size_t nl = s.find('\n');
  std::string_view line = s.substr(0, nl);
  s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
  return line;
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)reclaim::fuzz::http_fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string_view first = take_line(rest);
  const size_t sp = first.find(' ');
  reclaim::http::Request req;
  req.method = first.substr(0, sp);
  req.target = sp == std::string_view::npos ? std::string_view("/") : first.substr(sp + 1);
  req.content_type = take_line(rest);
  req.if_match = take_line(rest);
  req.body = rest;
  req.host = "fuzz.example.org";
  req.client_ip = "192.0.2.1";
  req.request_id = "fuzz";
  reclaim::fuzz::answer(req, reclaim::fuzz::principal_of(data[0]));
  return 0;
}
