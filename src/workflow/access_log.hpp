#pragma once
// Personal data (casualty names, contacts, exact residence): who may see it, and a log entry
// (who, when, entity, record, purpose) for every read that returns it.
#include <optional>
#include <string>

#include "auth/clock.hpp"
#include "auth/policy.hpp"
#include "common/error.hpp"
#include "core/record.hpp"
#include "storage/store.hpp"

namespace reclaim::workflow {

/// True if the record has a non-empty personal field.
bool has_personal_values(const core::EntitySchema& s, const core::Record& r);
/// Blanks the personal fields.
void redact_personal(const core::EntitySchema& s, core::Record& r);

/// Writes one access_log entry through Store::commit. Errors: those of the store.
Result<void> log_personal_access(storage::Store& store, const auth::Principal& who,
                                 const std::string& entity, const std::string& record_id,
                                 const std::string& purpose, const auth::Clock& clock);

/// Reads a record for `who`: without auth::Action::kReadRecords → kFailedPrecondition; personal
/// fields are blanked unless who may read personal data (auth::Action::kReadPersonal), in which
/// case the read is logged first (no log, no data: a failed log write fails the read).
/// Internal entities are refused (kInvalidArgument).
Result<std::optional<core::Record>> read_record(storage::Store& store, const auth::Principal& who,
                                                const core::EntitySchema& s,
                                                const std::string& id, const std::string& purpose,
                                                const auth::Clock& clock);

}  // namespace reclaim::workflow
