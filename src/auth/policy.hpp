#pragma once
// Roles and what each may do. One table (policy.cpp), tested route × role in tests/http.
#include <optional>
#include <string>
#include <string_view>

namespace reclaim::auth {

enum class Role {
  kPublic,               ///< anonymous: aggregated figures and released land only
  kAnalyst,              ///< reads everything, including casualty details
  kOperatorDataOfficer,  ///< submits; verifies its organisation's reports (never its own)
  kNationalDataManager,  ///< verifies reports routed nationally; approves or rejects; reads all
  kAdministrator,        ///< everything, including accounts and publishing (never four eyes)
  kProvincialPlanner,    ///< MAPU/PMAC: every non-personal record of one province; submits
                         ///< community requests (hazard reports of its province)
  kDonor,                ///< the public view plus the funding records of its organisation
};

/// Every role, in the order of the role tables (docs/api.md, the HTTP role matrix).
inline constexpr Role kAllRoles[] = {Role::kPublic,
                                     Role::kAnalyst,
                                     Role::kOperatorDataOfficer,
                                     Role::kNationalDataManager,
                                     Role::kAdministrator,
                                     Role::kProvincialPlanner,
                                     Role::kDonor};

enum class Action {
  kReadPublic,       ///< aggregated figures (small counts suppressed), released land, public layers
  kReadRecords,      ///< every non-personal record, including uncleared hazard polygons
                     ///< (provincial planners: of their province only)
  kReadPersonal,     ///< casualty names, contacts, exact residence (every read is logged)
  kSubmit,           ///< submit a field report
  kVerify,           ///< verify a submitted report (operators: routed to their organisation;
                     ///< managers: routed nationally)
  kApprove,          ///< approve or reject a verified report
  kManageUsers,      ///< add, disable, change roles and passwords
  kPublish,          ///< publish uncleared hazard polygons to the public
};

struct Principal {
  std::string user;  ///< "" when anonymous
  Role role = Role::kPublic;
  std::string org;  ///< organisation code (operator data officers, donors)
  bool via_api_token = false;
  std::string province = {};  ///< 2-digit province code (provincial planners)
  bool authenticated() const noexcept { return !user.empty(); }
};

/// The role table.
bool allowed(Role role, Action action) noexcept;
inline bool allowed(const Principal& p, Action a) noexcept { return allowed(p.role, a); }


const char* role_name(Role r) noexcept;  ///< "national_data_manager", …
std::optional<Role> parse_role(std::string_view s) noexcept;

}  // namespace reclaim::auth
