#include "storage/sql/migrate.hpp"

#include "common/date.hpp"

namespace reclaim::storage::sql {

int latest_version(const std::vector<MigrationStep>& steps) noexcept {
  return steps.empty() ? 0 : steps.back().version;
}

Error newer_schema(std::string_view where, int version, int latest) {
  return Error{ErrorCode::kFailedPrecondition,
               std::string(where) + ": database schema version " + std::to_string(version) +
                   " is newer than this Reclaim (" + std::to_string(latest) +
                   "); upgrade Reclaim"};
}

Result<void> apply_steps(
    const std::vector<MigrationStep>& steps, int current,
    const std::function<Result<void>(const MigrationStep&)>& run,
    const std::function<Result<void>(const MigrationStep&, const std::string& at)>& record) {
  const std::string now = utc_now();
  for (const MigrationStep& step : steps) {
    if (step.version <= current) continue;
    if (auto r = run(step); !r) return r;
    if (auto r = record(step, now); !r) return r;
  }
  return {};
}

}  // namespace reclaim::storage::sql
