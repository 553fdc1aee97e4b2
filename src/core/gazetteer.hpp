#pragma once
// Cambodia's administrative units (NCDD gazetteer): provinces (2-digit codes), districts (4),
// communes (6), villages (8). Codes are not consecutive: never derive one by counting.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "geo/geometry.hpp"

namespace reclaim::core {

enum class AdminLevel { kProvince = 1, kDistrict = 2, kCommune = 3, kVillage = 4 };

struct AdminUnit {
  std::string code;
  std::string parent_code;  ///< "" for provinces
  AdminLevel level = AdminLevel::kProvince;
  std::string name_latin;
  std::string name_km;  ///< Khmer, UTF-8
  std::optional<double> lat, lon;
};

/// An outline of an admin unit (provinces from geoBoundaries/OSM, ODbL).
struct AdminBoundary {
  std::string code;
  AdminLevel level = AdminLevel::kProvince;
  geo::Geometry geometry;
};

class Gazetteer {
 public:
  Gazetteer() = default;
  explicit Gazetteer(std::vector<AdminUnit> units);

  const AdminUnit* find(std::string_view code) const;
  const AdminUnit* province(std::string_view code) const;  ///< only if it is a province
  const AdminUnit* village(std::string_view code) const;   ///< only if it is a village
  /// The province code a unit of any level belongs to (its first two digits, checked), or "".
  std::string province_of(std::string_view code) const;
  std::vector<const AdminUnit*> children(std::string_view code) const;
  std::vector<const AdminUnit*> at_level(AdminLevel level) const;
  const std::vector<AdminUnit>& units() const noexcept { return units_; }
  size_t size() const noexcept { return units_.size(); }
  bool empty() const noexcept { return units_.empty(); }

 private:
  std::vector<AdminUnit> units_;
  std::unordered_map<std::string, size_t> by_code_;
  std::unordered_map<std::string, std::vector<size_t>> children_;
};

}  // namespace reclaim::core
