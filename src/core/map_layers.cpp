#include "core/map_layers.hpp"

#include "core/entities.hpp"

namespace reclaim::core {

const std::vector<MapLayer>& map_layers() {
  static const std::vector<MapLayer> kLayers = {
      {entity::kHazards, "Hazardous areas", "Suspected and confirmed hazardous areas (SHA/CHA)",
       {"id", "hazard_type", "contamination", "status", "province_code", "remaining_m2"}},
      {entity::kActivities, "Land release activities", "Survey and clearance activities",
       {"activity_id", "hazard_id", "type", "org", "end_date", "cleared_m2"}},
      {entity::kEoFinds, "Explosive ordnance finds", "Items found and destroyed",
       {"id", "category", "count", "date"}},
      {entity::kAccidents, "Accidents", "Mine/ERW accidents (no personal data)",
       {"id", "date", "province_code", "device_category"}},
      {kAdminBoundariesLayer, "Administrative boundaries", "Province outlines", {"code", "level"}},
  };
  return kLayers;
}

const MapLayer* find_map_layer(std::string_view id) noexcept {
  for (const auto& l : map_layers())
    if (l.id == id) return &l;
  return nullptr;
}

}  // namespace reclaim::core
