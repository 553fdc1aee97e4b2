#include "common/error.hpp"

namespace reclaim {
namespace {
struct Row {
  ErrorCode code;
  const char* name;
  int exit_code;
  int http_status;
};
// THE table. docs/api.md repeats it; keep them equal.
constexpr Row kTable[] = {
    {ErrorCode::kInvalidArgument, "invalid_argument", 3, 422},
    {ErrorCode::kNotFound, "not_found", 4, 404},
    {ErrorCode::kAlreadyExists, "already_exists", 3, 409},
    {ErrorCode::kFailedPrecondition, "failed_precondition", 3, 409},
    {ErrorCode::kConflict, "conflict", 5, 409},
    {ErrorCode::kUnauthenticated, "unauthenticated", 7, 401},
    {ErrorCode::kPermissionDenied, "permission_denied", 7, 403},
    {ErrorCode::kUnsupported, "unsupported", 3, 415},
    {ErrorCode::kIo, "io", 6, 503},
    {ErrorCode::kInternal, "internal", 70, 500},
};
const Row& row(ErrorCode c) noexcept {
  for (const auto& r : kTable)
    if (r.code == c) return r;
  return kTable[sizeof(kTable) / sizeof(kTable[0]) - 1];
}
}  // namespace

const char* error_code_name(ErrorCode code) noexcept { return row(code).name; }
int exit_code_for(ErrorCode code) noexcept { return row(code).exit_code; }
int http_status_for(ErrorCode code) noexcept { return row(code).http_status; }

}  // namespace reclaim
