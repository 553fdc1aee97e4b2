#pragma once
// Problem responses (RFC 9457 application/problem+json) with the stable codes of docs/api.md,
// and the log line every 500 leaves. Beast-free, like message.hpp.
#include <functional>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "http/message.hpp"

namespace reclaim::http {

/// What a problem response is: its HTTP status and the stable `code` a client branches on
/// (the tables of docs/api.md). An error code of the application's table (common/error.cpp)
/// converts to its status and name; the HTTP-level kinds that are not application errors are
/// the constants below.
struct ProblemKind {
  int status = 500;
  std::string_view code = "internal";

  constexpr ProblemKind(int s, std::string_view c) noexcept : status(s), code(c) {}
  // NOLINTNEXTLINE(google-explicit-constructor): the table's codes are problems as they stand
  ProblemKind(ErrorCode c) noexcept : status(http_status_for(c)), code(error_code_name(c)) {}
};
inline constexpr ProblemKind kBadRequest{400, "bad_request"};  ///< malformed request or parameter
inline constexpr ProblemKind kMethodNotAllowed{405, "method_not_allowed"};
inline constexpr ProblemKind kContentTooLarge{413, "content_too_large"};
inline constexpr ProblemKind kTooManyRequests{429, "too_many_requests"};  ///< with Retry-After
inline constexpr ProblemKind kHeadersTooLarge{431, "headers_too_large"};
/// The server is busy (its expensive-read queue is full) or stopping; with Retry-After.
inline constexpr ProblemKind kUnavailable{503, "unavailable"};

/// An RFC 9457 problem response (application/problem+json): `type` is
/// "urn:reclaim:problem:<code>", `title` the status's reason phrase, and `code` the stable code.
Response problem(ProblemKind kind, std::string_view detail, std::string_view instance,
                 std::string_view request_id, const std::vector<FieldError>& errors = {});

/// Receives one line (no trailing newline) per internal error.
using ErrorLog = std::function<void(std::string_view line)>;

/// Writes the line of a 500 to `log` (standard error when empty): the request id, method and
/// path (never the query, which may hold personal data) and `what`. Never throws.
void log_internal_error(const ErrorLog& log, const Request& req, std::string_view what) noexcept;

}  // namespace reclaim::http
