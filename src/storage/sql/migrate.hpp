#pragma once
// Migration bookkeeping shared by the adapters: which steps to run, in which order, and the
// refusal of a database newer than the binary. The adapters run each step's SQL themselves.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "storage/migration_steps.hpp"

namespace reclaim::storage::sql {

/// The highest version of `steps` (0 for none): an adapter's latest_schema_version().
int latest_version(const std::vector<MigrationStep>& steps) noexcept;

/// kFailedPrecondition: "<where>: database schema version 9 is newer than this Reclaim (7);
/// upgrade Reclaim".
Error newer_schema(std::string_view where, int version, int latest);

/// Runs every step after `current` in version order: run(step), then record(step, at) with one
/// timestamp for them all. Stops at the first failure (the caller's transaction rolls back).
Result<void> apply_steps(
    const std::vector<MigrationStep>& steps, int current,
    const std::function<Result<void>(const MigrationStep&)>& run,
    const std::function<Result<void>(const MigrationStep&, const std::string& at)>& record);

}  // namespace reclaim::storage::sql
