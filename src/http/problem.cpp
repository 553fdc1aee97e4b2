// RFC 9457 problem responses and the log line of a 500 (see problem.hpp).
#include "http/problem.hpp"

#include <cstdio>
#include <string>

#include "http/json.hpp"

namespace reclaim::http {

namespace {
/// The reason phrase of a status a problem is answered with (RFC 9110).
std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}
}  // namespace

Response problem(ProblemKind kind, std::string_view detail, std::string_view instance,
                 std::string_view request_id, const std::vector<FieldError>& errors) {
  Response r;
  r.status = kind.status;
  r.content_type = "application/problem+json";
  JsonWriter w(r.body);
  w.begin_object()
      .key("type").str("urn:reclaim:problem:" + std::string(kind.code))
      .key("code").str(kind.code)
      .key("title").str(reason_phrase(kind.status))
      .key("status").num(int64_t{kind.status})
      .key("detail").str(detail)
      .key("instance").str(instance)
      .key("request_id").str(request_id)
      .key("errors").begin_array();
  for (const auto& e : errors)
    w.begin_object().key("record").str(e.record).key("field").str(e.field).key("message").str(e.message).end_object();
  w.end_array().end_object();
  return r;
}

void log_internal_error(const ErrorLog& log, const Request& req, std::string_view what) noexcept {
  try {
    const std::string_view path = req.target.substr(0, req.target.find('?'));
    std::string line = "request " + req.request_id + " " + std::string(req.method) + " " +
                       std::string(path) + ": 500 internal error: " + std::string(what);
    if (log) {
      log(line);
    } else {
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), stderr);
    }
  } catch (...) {
    std::fputs("reclaim: a 500 could not be logged\n", stderr);
  }
}

}  // namespace reclaim::http
