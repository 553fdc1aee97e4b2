#include "core/mine_free.hpp"

#include "core/entities.hpp"
#include "core/hazard_status.hpp"

namespace reclaim::core {

std::map<std::string, AreaStatus> mine_free_status(const Gazetteer& gaz,
                                                  const std::vector<Record>& hazards,
                                                  const std::set<std::string>& contamination) {
  const EntitySchema& hs = schema(entity::kHazards);
  std::map<std::string, AreaStatus> out;
  for (const auto& h : hazards) {
    if (!contamination.empty() && !contamination.count(get_text(hs, h, "contamination"))) continue;
    const bool active = is_active_status(get_text(hs, h, "status"));
    // walk from the village up to the province
    const AdminUnit* u = gaz.find(get_text(hs, h, "village_code"));
    if (!u) u = gaz.find(get_text(hs, h, "province_code"));
    while (u) {
      AreaStatus& a = out[u->code];
      a.code = u->code;
      a.level = u->level;
      ++a.hazards_recorded;
      if (active) ++a.hazards_active;
      u = u->parent_code.empty() ? nullptr : gaz.find(u->parent_code);
    }
  }
  return out;
}

}  // namespace reclaim::core
