#include "workflow/boundary.hpp"

#include "core/entities.hpp"

namespace reclaim::workflow {
namespace {

std::string raw_value(const core::RawRecord& raw, std::string_view field) {
  for (const auto& [name, value] : raw.fields)
    if (name == field) return value;
  return "";
}

/// One record's organisation, or "" (no such record, or it belongs to none).
Result<std::string> organisation_of(storage::Store& store, std::string_view entity,
                                    const std::string& id) {
  if (id.empty()) return std::string();
  const auto& s = core::schema(entity);
  auto r = store.get(s, id);
  if (!r) return fail(r.error());
  return *r ? record_organisation(s, **r) : std::string();
}

}  // namespace

std::string record_organisation(const core::EntitySchema& s, const core::Record& r) {
  if (s.name == core::entity::kHazards) {
    std::string assigned = core::get_text(s, r, "assigned_org");
    return assigned.empty() ? core::get_text(s, r, "recording_org") : assigned;
  }
  if (s.name == core::entity::kActivities || s.name == core::entity::kEoreSessions ||
      s.name == core::entity::kQmVisits)
    return core::get_text(s, r, "org");
  return "";
}

Result<Routing> route_report(storage::Store& store, const auth::Principal& who,
                             const core::EntitySchema& s, const std::string& action,
                             const std::string& target_id, const std::vector<RawPart>& parts) {
  if (who.role != auth::Role::kOperatorDataOfficer || who.org.empty())
    return Routing{kNationalVerification,
                   std::string("reported by a ") + auth::role_name(who.role) +
                       ": verified by the national data managers"};
  const std::string& org = who.org;
  auto national = [&](const std::string& why) {
    return Routing{kNationalVerification,
                   why + ", not " + org + ": verified by the national data managers"};
  };
  auto check = [&](const std::string& what, const std::string& owner) -> std::optional<Routing> {
    if (!owner.empty() && owner != org) return national(what + " belongs to " + owner);
    return std::nullopt;
  };

  if (action == "update") {
    auto owner = organisation_of(store, s.name, target_id);
    if (!owner) return fail(owner.error());
    if (owner->empty())
      return national(s.singular + " " + target_id + " belongs to no organisation");
    if (auto r = check(s.singular + " " + target_id, *owner)) return *r;
  }
  if (!parts.empty()) {
    const core::RawRecord& raw = parts.front().raw;
    if (s.name == core::entity::kHazards) {
      for (const char* f : {"assigned_org", "recording_org"})
        if (auto r = check("the report's " + std::string(f), raw_value(raw, f))) return *r;
    } else if (s.name == core::entity::kActivities || s.name == core::entity::kEoreSessions) {
      if (auto r = check("the reported work (org)", raw_value(raw, "org"))) return *r;
    }
    if (s.name == core::entity::kActivities || s.name == core::entity::kEoFinds) {
      const std::string hid = raw_value(raw, "hazard_id");
      auto owner = organisation_of(store, core::entity::kHazards, hid);
      if (!owner) return fail(owner.error());
      if (auto r = check("hazard " + hid, *owner)) return *r;
    }
    if (s.name == core::entity::kEoFinds) {
      const std::string aid = raw_value(raw, "activity_id");
      auto owner = organisation_of(store, core::entity::kActivities, aid);
      if (!owner) return fail(owner.error());
      if (auto r = check("activity " + aid, *owner)) return *r;
    }
  }
  return Routing{org, "about " + org + "'s own work: verified by another " + org +
                          " data officer"};
}

}  // namespace reclaim::workflow
