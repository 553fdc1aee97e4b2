#pragma once
// The hazard status lifecycle (IMAS 07.11): the one home of the status names, of which statuses
// count as released land, and of the allowed transitions. Everything that reads or writes a
// hazard's `status` goes through these instead of spelling the names.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace reclaim::core {

enum class HazardStatus { kOpen, kWorkedOn, kClosed, kHandedOver };

/// Every status, in lifecycle order; kHazardStatusNames[i] is the name of kHazardStatuses[i].
inline constexpr std::array<HazardStatus, 4> kHazardStatuses = {
    HazardStatus::kOpen, HazardStatus::kWorkedOn, HazardStatus::kClosed,
    HazardStatus::kHandedOver};
/// The stored names: the allowed values of the hazards schema's `status` field.
inline constexpr std::array<std::string_view, 4> kHazardStatusNames = {"open", "worked_on",
                                                                       "closed", "handed_over"};

/// "open" | "worked_on" | "closed" | "handed_over".  Errors: kInvalidArgument naming the text.
Result<HazardStatus> parse_status(std::string_view s);
const char* status_name(HazardStatus s) noexcept;

/// Released land: the hazard is closed (nothing remains) or handed over to its users. Its
/// remaining area is zero, the public may see it, and it counts as no longer active.
constexpr bool is_released(HazardStatus s) noexcept {
  return s == HazardStatus::kClosed || s == HazardStatus::kHandedOver;
}
/// A stored status text that names an active (open or worked on) hazard; false for a released
/// or unknown status (an empty status left by a direct edit is not active).
bool is_active_status(std::string_view status) noexcept;
/// The stored names of the released statuses (a storage condition on `status`).
std::vector<std::string> released_status_names();

/// Allowed: open→worked_on, open→closed (cancelled whole), worked_on→closed, closed→handed_over,
/// and closed/handed_over→open when residual contamination reopens the land. Same → same is a
/// no-op. Errors: kFailedPrecondition naming both states.
Result<void> check_transition(HazardStatus from, HazardStatus to);

}  // namespace reclaim::core
