#pragma once
// Errors are values across module boundaries (see docs/architecture.md).
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace reclaim {

/// The error codes of the whole system. Each maps to one CLI exit code and one HTTP status in
/// exactly one table (error.cpp), repeated in docs/api.md.
enum class ErrorCode {
  kInvalidArgument,     ///< malformed user input (a field, a geometry, a file): exit 3, HTTP 422
  kNotFound,            ///< a referenced record or file does not exist: exit 4, HTTP 404
  kAlreadyExists,       ///< duplicate id: exit 3, HTTP 409
  kFailedPrecondition,  ///< valid input that breaks a domain rule (e.g. remaining < 0): exit 3, 409
  kConflict,            ///< stale version / concurrent update: exit 5, HTTP 409
  kUnauthenticated,     ///< no valid session or token (or it expired): exit 7, HTTP 401
  kPermissionDenied,    ///< the role may not do this: exit 7, HTTP 403
  kUnsupported,         ///< format or feature not supported: exit 3, HTTP 415
  kIo,                  ///< file system / database I/O: exit 6, HTTP 503
  kInternal,            ///< a bug: exit 70, HTTP 500
};

/// One problem with one field of one record.
struct FieldError {
  std::string record;  ///< record id, or "row 12" when the id itself is missing
  std::string field;
  std::string message;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;               ///< names the record and the field
  std::vector<FieldError> details;  ///< all field-level problems, for --errors-json

  Error() = default;
  Error(ErrorCode c, std::string m) : code(c), message(std::move(m)) {}
  Error(ErrorCode c, std::string m, std::vector<FieldError> d)
      : code(c), message(std::move(m)), details(std::move(d)) {}
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}
inline tl::unexpected<Error> fail(Error e) { return tl::unexpected<Error>(std::move(e)); }

/// Stable snake_case name of a code ("invalid_argument"), used in JSON and problem types.
const char* error_code_name(ErrorCode code) noexcept;
/// CLI exit code for an error code (documented in README and docs/api.md).
int exit_code_for(ErrorCode code) noexcept;
/// HTTP status for an error code.
int http_status_for(ErrorCode code) noexcept;

/// Exit codes that are not errors of the table above.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;

}  // namespace reclaim
