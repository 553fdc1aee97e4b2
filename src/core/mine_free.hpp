#pragma once
// Mine-free status: a village, district or province is mine-free when no open or worked-on
// hazard of the chosen contamination types lies in it.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/gazetteer.hpp"
#include "core/record.hpp"

namespace reclaim::core {

struct AreaStatus {
  std::string code;
  AdminLevel level = AdminLevel::kProvince;
  int hazards_recorded = 0;  ///< hazards of the chosen types ever recorded in the unit
  int hazards_active = 0;    ///< of which open or worked on
  bool mine_free() const noexcept { return hazards_active == 0; }
};

/// Per admin unit (province, district, commune, village) that has had at least one hazard of
/// the chosen contamination types (empty set = all types). Units never affected are mine-free
/// and not listed. Keyed by code.
std::map<std::string, AreaStatus> mine_free_status(const Gazetteer& gaz,
                                                  const std::vector<Record>& hazards,
                                                  const std::set<std::string>& contamination);

}  // namespace reclaim::core
