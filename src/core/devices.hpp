#pragma once
// The device library, seeded with the explosive ordnance found in Cambodia.
#include <string>
#include <vector>

#include "core/record.hpp"

namespace reclaim::core {

struct DeviceInfo {
  std::string model;
  std::string category;  ///< ap_blast | ap_fragmentation | at | submunition | uxo | axo | ied
  std::string description;
  std::string origin;
};

/// Devices commonly recorded in Cambodia (Landmine Monitor, CMAC/HALO reports).
const std::vector<DeviceInfo>& cambodia_devices();
/// The same as records of the "devices" entity.
std::vector<Record> device_records();

}  // namespace reclaim::core
