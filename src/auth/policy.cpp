#include "auth/policy.hpp"

namespace reclaim::auth {

bool allowed(Role role, Action a) noexcept {
  switch (role) {
    case Role::kAdministrator:
      return true;
    case Role::kNationalDataManager:
      return a == Action::kReadPublic || a == Action::kReadRecords ||
             a == Action::kReadPersonal || a == Action::kSubmit || a == Action::kVerify ||
             a == Action::kApprove;
    case Role::kAnalyst:
      return a == Action::kReadPublic || a == Action::kReadRecords || a == Action::kReadPersonal;
    case Role::kOperatorDataOfficer:
      return a == Action::kReadPublic || a == Action::kReadRecords || a == Action::kSubmit ||
             a == Action::kVerify;
    case Role::kProvincialPlanner:
      return a == Action::kReadPublic || a == Action::kReadRecords || a == Action::kSubmit;
    case Role::kDonor:
      return a == Action::kReadPublic;
    case Role::kPublic:
      return a == Action::kReadPublic;
  }
  return false;
}

const char* role_name(Role r) noexcept {
  switch (r) {
    case Role::kPublic: return "public";
    case Role::kAnalyst: return "analyst";
    case Role::kOperatorDataOfficer: return "operator_data_officer";
    case Role::kNationalDataManager: return "national_data_manager";
    case Role::kAdministrator: return "administrator";
    case Role::kProvincialPlanner: return "provincial_planner";
    case Role::kDonor: return "donor";
  }
  return "public";
}

std::optional<Role> parse_role(std::string_view s) noexcept {
  for (Role r : kAllRoles)
    if (s == role_name(r)) return r;
  return std::nullopt;
}

}  // namespace reclaim::auth
