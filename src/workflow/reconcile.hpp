#pragma once
// Reconciliation of an approved report with the national record: duplicate candidates, the
// date-of-information rule, and reference checks. Shared by the workflow and (later) import.
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/date.hpp"
#include "common/error.hpp"
#include "core/record.hpp"
#include "storage/store.hpp"

namespace reclaim::workflow {

/// An existing record that may be the same thing as a record of the report.
struct DuplicateCandidate {
  std::string entity;         ///< "hazards", "casualties"
  std::string id;             ///< the existing record
  std::string report_record;  ///< which record of the report: "hazard KH-HZ-9", "casualty C-3"
  std::string reason;         ///< "polygons near-identical: intersection/union 0.96, …"
};

/// Near-identical polygons: the geodesic area of the symmetric difference is under 5 % of each
/// polygon's area, or intersection/union is over 0.9.
inline constexpr double kMaxSymmetricDifferenceShare = 0.05;
inline constexpr double kMinIntersectionOverUnion = 0.9;
bool near_identical(const geo::Geometry& a, const geo::Geometry& b, std::string* why = nullptr);

/// Hazards (other than the report's own id) whose polygon is near-identical to `hazard`'s.
Result<std::vector<DuplicateCandidate>> hazard_duplicates(storage::Store& store,
                                                          const core::Record& hazard);
/// Casualties (other than the report's own id) with the same sex, age within ±1 year, the same
/// date and the same village: probably the same person counted twice.
Result<std::vector<DuplicateCandidate>> casualty_duplicates(storage::Store& store,
                                                            const core::Record& casualty);

/// "information of 2025-03-01": written into the history reason of every change an approved
/// report makes, so later reports can tell what the record already knew.
std::string information_tag(Date d);
/// The latest date the record's current state is known to be true as of: the newest
/// information_tag in its history, or its own date fields (date_recorded, date, end_date,
/// last_activity_date), whichever is later. nullopt if neither says.
Result<std::optional<Date>> known_information_date(storage::Store& store,
                                                   const core::EntitySchema& s,
                                                   const core::Record& r);

/// Reference fields of `r` that name no existing record. `pending` holds (entity, id) pairs
/// created by the same change set, which count as existing.
Result<std::vector<FieldError>> missing_references(
    storage::Store& store, const core::EntitySchema& s, const core::Record& r,
    const std::string& record_name,
    const std::set<std::pair<std::string, std::string>>& pending = {});

}  // namespace reclaim::workflow
