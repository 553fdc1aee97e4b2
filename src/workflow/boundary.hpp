#pragma once
// Organisation boundaries: whose data officers verify a report. Pure rules plus the record
// look-ups they need.
//
// An operator data officer reports on its own organisation's work and on the hazards assigned
// to it; such a report is verified by another data officer of the same organisation. A report
// about another organisation's record (or a national record that belongs to no organisation)
// goes to the national data managers instead, never to the officer's own organisation. Reports
// by national data managers, administrators and provincial planners are verified nationally.
//
//   hazard       its organisation is assigned_org, or recording_org when that is empty
//   activity     org (and its hazard's organisation, when the hazard has one)
//   EORE session org
//   EO find      its activity's and its hazard's organisations
//   accident, casualty, assistance: a new one is the reporting organisation's work; an update
//                changes a national record, so it is verified nationally
#include <optional>
#include <string>
#include <vector>

#include "auth/policy.hpp"
#include "common/error.hpp"
#include "core/record.hpp"
#include "storage/store.hpp"
#include "workflow/payload.hpp"

namespace reclaim::workflow {

/// The verify_by of a report verified by the national data managers.
inline constexpr const char* kNationalVerification = "national";

struct Routing {
  std::string verify_by;  ///< an organisation code, or kNationalVerification
  std::string reason;     ///< why, for the submission's history ("hazard X is assigned to HALO")
};

/// The organisation a record belongs to ("" when none): see the table above.
std::string record_organisation(const core::EntitySchema& s, const core::Record& r);

/// Who verifies `parts` (the report's raw records, main record first) submitted by `who` as
/// `action` of `target_id`. Reads the target and the records the report refers to.
/// Errors: the store's.
Result<Routing> route_report(storage::Store& store, const auth::Principal& who,
                             const core::EntitySchema& s, const std::string& action,
                             const std::string& target_id, const std::vector<RawPart>& parts);

}  // namespace reclaim::workflow
