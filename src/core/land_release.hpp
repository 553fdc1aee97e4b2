#pragma once
// Land release arithmetic (IMAS 07.11); the status lifecycle is in hazard_status.hpp.
//   released  = cancelled + reduced + cleared
//   remaining = baseline (estimated_area_m2) - released, never below zero: a report that would
//   make it negative is rejected, not clipped.
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "core/hazard_status.hpp"
#include "core/record.hpp"

namespace reclaim::core {

/// Rounding slack for the "never below zero" rule: m² figures come from field reports with
/// decimals; a remainder within this of zero is zero.
inline constexpr double kAreaToleranceM2 = 0.5;

/// Applies an activity report to its hazard: adds its cancelled/reduced/cleared m² to the
/// hazard's totals, recomputes remaining_m2, sets last_activity_date, and moves the status
/// (open → worked_on; → closed when nothing remains). Both records use the built-in schemas.
/// Errors: kFailedPrecondition if the release would take remaining below zero ("activity A
/// releases 5,000 m² but hazard H has only 3,200 m² remaining"), or the hazard is closed or
/// handed over and the activity releases land; kInvalidArgument if the activity is for another
/// hazard.
Result<void> apply_activity(Record& hazard, const Record& activity);

/// The field of an activity (built-in schema) that a land-release error of apply_activity is
/// reported under: the one of cancelled_m2, reduced_m2 and cleared_m2 that releases the most
/// (the first of them on a tie; cleared_m2 when the activity releases nothing).
const char* release_field(const Record& activity);

/// remaining_m2 of a hazard record.
double remaining_m2(const Record& hazard);

}  // namespace reclaim::core
