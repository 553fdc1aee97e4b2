#include "core/devices.hpp"

#include "core/entities.hpp"

namespace reclaim::core {

const std::vector<DeviceInfo>& cambodia_devices() {
  static const std::vector<DeviceInfo> kDevices = {
      {"PMN", "ap_blast", "AP blast mine, pressure-operated", "USSR"},
      {"PMN-2", "ap_blast", "AP blast mine, pressure-operated", "USSR"},
      {"Type 72A", "ap_blast", "AP blast mine, minimum metal", "China"},
      {"Type 72B", "ap_blast", "AP blast mine, anti-handling", "China"},
      {"PMD-6", "ap_blast", "AP blast mine, wooden box", "USSR"},
      {"M14", "ap_blast", "AP blast mine, minimum metal", "USA"},
      {"MD-82B", "ap_blast", "AP blast mine", "Viet Nam"},
      {"POMZ-2", "ap_fragmentation", "AP stake fragmentation mine, tripwire", "USSR"},
      {"POMZ-2M", "ap_fragmentation", "AP stake fragmentation mine, tripwire", "USSR"},
      {"Type 59", "ap_fragmentation", "AP stake fragmentation mine", "China"},
      {"M16", "ap_fragmentation", "AP bounding fragmentation mine", "USA"},
      {"M18 Claymore", "ap_fragmentation", "AP directional fragmentation mine", "USA"},
      {"MBV-78", "ap_fragmentation", "AP fragmentation mine", "Viet Nam"},
      {"OZM-4", "ap_fragmentation", "AP bounding fragmentation mine", "USSR"},
      {"TM-46", "at", "AT blast mine", "USSR"},
      {"TM-57", "at", "AT blast mine", "USSR"},
      {"TM-62", "at", "AT blast mine", "USSR"},
      {"Type 69", "at", "AT mine", "China"},
      {"M15", "at", "AT blast mine", "USA"},
      {"BLU-24", "submunition", "cluster bomblet (orange)", "USA"},
      {"BLU-26", "submunition", "cluster bomblet (guava)", "USA"},
      {"BLU-36", "submunition", "cluster bomblet", "USA"},
      {"BLU-61", "submunition", "cluster bomblet", "USA"},
      {"M42", "submunition", "DPICM submunition", "USA"},
      {"60mm mortar", "uxo", "mortar projectile", "various"},
      {"82mm mortar", "uxo", "mortar projectile", "USSR/China"},
      {"105mm artillery", "uxo", "artillery projectile", "USA"},
      {"155mm artillery", "uxo", "artillery projectile", "USA"},
      {"B40 rocket", "uxo", "RPG-2 rocket", "USSR/China"},
      {"Grenade", "uxo", "hand grenade", "various"},
      {"Aircraft bomb", "uxo", "general-purpose bomb (Mk 82 etc.)", "USA"},
      {"Abandoned ordnance", "axo", "abandoned explosive ordnance cache", "various"},
  };
  return kDevices;
}

std::vector<Record> device_records() {
  const EntitySchema& s = schema(entity::kDevices);
  std::vector<Record> out;
  for (const auto& d : cambodia_devices()) {
    Record r = make_record(s);
    set(s, r, "id", d.model);
    set(s, r, "category", d.category);
    set(s, r, "description", d.description);
    set(s, r, "origin", d.origin);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace reclaim::core
