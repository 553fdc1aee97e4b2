#pragma once
// Roles and what each may do. One table (policy.cpp), tested route × role in tests/http.
#include <optional>
#include <string>
#include <string_view>

namespace reclaim::auth {

enum class Role {
  kPublic,               ///< anonymous: aggregated figures and released land only
  kAnalyst,              ///< reads everything, including casualty details
  kOperatorDataOfficer,  ///< submits and verifies its own organisation's reports
  kNationalDataManager,  ///< approves or rejects reports; reads everything
  kAdministrator,        ///< everything, including accounts and publishing
};

enum class Action {
  kReadPublic,       ///< aggregated figures (small counts suppressed), released land, public layers
  kReadRecords,      ///< every non-personal record, including uncleared hazard polygons
  kReadPersonal,     ///< casualty names, contacts, exact residence (every read is logged)
  kSubmit,           ///< submit a field report
  kVerify,           ///< verify a submitted report (own organisation's, for operators)
  kApprove,          ///< approve or reject a verified report
  kManageUsers,      ///< add, disable, change roles and passwords
  kPublish,          ///< publish uncleared hazard polygons to the public
};

struct Principal {
  std::string user;  ///< "" when anonymous
  Role role = Role::kPublic;
  std::string org;  ///< organisation code (operator data officers)
  bool via_api_token = false;
  bool authenticated() const noexcept { return !user.empty(); }
};

/// The role table.
bool allowed(Role role, Action action) noexcept;
inline bool allowed(const Principal& p, Action a) noexcept { return allowed(p.role, a); }

/// May `p` approve a report that `submitter` submitted? National data managers may not approve
/// their own submissions (four eyes); administrators may.
bool may_approve_own(Role role) noexcept;

const char* role_name(Role r) noexcept;  ///< "national_data_manager", …
std::optional<Role> parse_role(std::string_view s) noexcept;

}  // namespace reclaim::auth
