#include "core/hazard_status.hpp"

namespace reclaim::core {

Result<HazardStatus> parse_status(std::string_view s) {
  for (size_t i = 0; i < kHazardStatuses.size(); ++i)
    if (kHazardStatusNames[i] == s) return kHazardStatuses[i];
  return fail(ErrorCode::kInvalidArgument, "unknown hazard status '" + std::string(s) + "'");
}

const char* status_name(HazardStatus s) noexcept {
  for (size_t i = 0; i < kHazardStatuses.size(); ++i)
    if (kHazardStatuses[i] == s) return kHazardStatusNames[i].data();
  return "?";
}

bool is_active_status(std::string_view status) noexcept {
  auto s = parse_status(status);
  return s.has_value() && !is_released(*s);
}

std::vector<std::string> released_status_names() {
  std::vector<std::string> out;
  for (size_t i = 0; i < kHazardStatuses.size(); ++i)
    if (is_released(kHazardStatuses[i])) out.emplace_back(kHazardStatusNames[i]);
  return out;
}

Result<void> check_transition(HazardStatus from, HazardStatus to) {
  using S = HazardStatus;
  if (from == to) return {};
  bool ok = (from == S::kOpen && (to == S::kWorkedOn || to == S::kClosed)) ||
            (from == S::kWorkedOn && to == S::kClosed) ||
            (is_released(from) && to == S::kOpen) ||
            (from == S::kClosed && to == S::kHandedOver);
  if (!ok)
    return fail(ErrorCode::kFailedPrecondition, std::string("a hazard cannot go from ") +
                                                    status_name(from) + " to " + status_name(to));
  return {};
}

}  // namespace reclaim::core
