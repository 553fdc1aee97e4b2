#pragma once
// Hazard placement (internal to the demo module, phase 4): star-shaped outlines inside their
// province, kept apart by an occupancy grid except for a share placed deliberately over a
// neighbour, and sized so that the areas hit calibration targets.
#include <cmath>
#include <cstdint>
#include <map>
#include <numbers>
#include <unordered_map>
#include <utility>
#include <vector>

#include "demo/generator.hpp"

namespace reclaim::demo::detail {

/// Circles of placed hazards on a coarse grid, to avoid accidental overlaps.
class OccupancyGrid {
 public:
  bool conflicts(geo::Point c, double r_m) const {
    bool hit = false;
    visit(c, r_m, [&](int64_t key) {
      auto it = cells_.find(key);
      if (hit || it == cells_.end()) return;
      for (uint32_t i : it->second) {
        const auto& [o, orr] = items_[i];
        if (approx_m(c, o) < r_m + orr) {
          hit = true;
          return;
        }
      }
    });
    return hit;
  }
  void add(geo::Point c, double r_m) {
    auto id = static_cast<uint32_t>(items_.size());
    items_.emplace_back(c, r_m);
    visit(c, r_m, [&](int64_t key) { cells_[key].push_back(id); });
  }

 private:
  static constexpr double kCellDeg = 0.02;
  static double approx_m(geo::Point a, geo::Point b) {
    double dx = (a.lon - b.lon) * 111320.0 * std::cos(a.lat * std::numbers::pi / 180.0);
    double dy = (a.lat - b.lat) * 110600.0;
    return std::sqrt(dx * dx + dy * dy);
  }
  /// Calls f for every cell the circle's bounding box touches.
  template <typename F>
  static void visit(geo::Point c, double r_m, F&& f) {
    double dlon = r_m / (111320.0 * std::cos(c.lat * std::numbers::pi / 180.0));
    double dlat = r_m / 110600.0;
    auto x0 = static_cast<int64_t>(std::floor((c.lon - dlon) / kCellDeg));
    auto x1 = static_cast<int64_t>(std::floor((c.lon + dlon) / kCellDeg));
    auto y0 = static_cast<int64_t>(std::floor((c.lat - dlat) / kCellDeg));
    auto y1 = static_cast<int64_t>(std::floor((c.lat + dlat) / kCellDeg));
    for (int64_t x = x0; x <= x1; ++x)
      for (int64_t y = y0; y <= y1; ++y) f(x * 100000 + y);
  }
  std::unordered_map<int64_t, std::vector<uint32_t>> cells_;
  std::vector<std::pair<geo::Point, double>> items_;
};

/// The hazards placed so far by (province, group): the candidates for a deliberate overlap.
using PlacedIndex = std::map<std::pair<size_t, int>, std::vector<size_t>>;

/// Places hazards [begin, end), adjusting the per-group multipliers until the weighted areas
/// hit the targets (hazards that must shrink to fit their province are compensated by the
/// others). The grid and placed lists are extended with the final placement.
void place_calibrated(const World& world, uint64_t seed, uint64_t stream,
                      std::vector<HazardPlan>& plans, size_t begin, size_t end,
                      const std::vector<double>& target, OccupancyGrid& grid, PlacedIndex& placed);

}  // namespace reclaim::demo::detail
