// Phase 4, hazard placement (see placement.hpp).
#include "demo/placement.hpp"

#include <algorithm>
#include <stdexcept>

#include "geo/geodesic.hpp"

namespace reclaim::demo::detail {
namespace {

constexpr double kOverlapShare = 0.04;  ///< hazards placed deliberately over a neighbour

Shape make_shape(Rng& rng) {
  Shape s;
  s.n = rng.irange(6, 14);
  const double step = 360.0 / s.n;
  const double rot = rng.uniform(0, 360);
  for (int k = 0; k < s.n; ++k) {
    s.az[static_cast<size_t>(k)] = rot + step * (k + rng.uniform(-0.3, 0.3));
    s.r[static_cast<size_t>(k)] = rng.uniform(0.7, 1.3);
  }
  // Smooth the radii a little so neighbouring vertices never make a spike.
  std::array<double, 14> smooth{};
  for (int k = 0; k < s.n; ++k) {
    auto i = static_cast<size_t>(k);
    auto prev = static_cast<size_t>((k + s.n - 1) % s.n), next = static_cast<size_t>((k + 1) % s.n);
    smooth[i] = 0.6 * s.r[i] + 0.2 * (s.r[prev] + s.r[next]);
  }
  s.r = smooth;
  double area = 0, min_r = 1e300, max_r = 0, max_gap = 0;
  for (int k = 0; k < s.n; ++k) {
    auto i = static_cast<size_t>(k), j = static_cast<size_t>((k + 1) % s.n);
    double gap = s.az[j] - s.az[i];
    if (gap <= 0) gap += 360;
    area += 0.5 * s.r[i] * s.r[j] * std::sin(gap * std::numbers::pi / 180.0);
    min_r = std::min(min_r, s.r[i]);
    max_r = std::max(max_r, s.r[i]);
    max_gap = std::max(max_gap, gap);
  }
  s.unit_area = area;
  s.min_r = min_r * std::cos(0.5 * max_gap * std::numbers::pi / 180.0);
  s.max_r = max_r;
  return s;
}

geo::Ring shape_ring(const Shape& s, geo::Point centre, double scale_m) {
  geo::Ring ring;
  ring.reserve(static_cast<size_t>(s.n) + 1);
  // Azimuths run clockwise; walk them backwards so the exterior ring is counter-clockwise.
  for (int k = s.n - 1; k >= 0; --k)
    ring.push_back(geo::destination(centre, s.az[static_cast<size_t>(k)],
                                    scale_m * s.r[static_cast<size_t>(k)]));
  ring.push_back(ring.front());
  return ring;
}

/// Places hazards [begin, end) with area = mult[cal_group] * unit_area, inside their province.
class Placer {
 public:
  Placer(const World& world, uint64_t seed, uint64_t stream)
      : world_(world), seed_(seed), stream_(stream) {}

  void place(std::vector<HazardPlan>& plans, size_t begin, size_t end,
             const std::vector<double>& mult, OccupancyGrid& grid, PlacedIndex& placed) const {
    for (size_t i = begin; i < end; ++i) {
      HazardPlan& h = plans[i];
      Rng rng(stream_seed(seed_, stream_, i));
      h.shape = make_shape(rng);
      double want = std::max(400.0, mult[h.cal_group] * h.unit_area);
      double scale = std::sqrt(want / h.shape.unit_area);
      bool done = false;
      auto key = std::make_pair(h.province, static_cast<int>(h.group));
      if (rng.chance(kOverlapShare)) {
        auto it = placed.find(key);
        if (it != placed.end() && !it->second.empty()) {
          const HazardPlan& o = plans[rng.pick(it->second)];
          double d = rng.uniform(0.3, 0.8) * (o.scale_m * o.shape.min_r + scale * h.shape.min_r);
          geo::Point c = geo::destination(o.centre, rng.uniform(0, 360), d);
          done = try_at(h, c, scale, nullptr);
        }
      }
      for (int attempt = 0; !done && attempt < 20; ++attempt) {
        auto c = world_.sample_point(rng, h.province, bias_for(h.group), bias_scale_km(h.group));
        if (!c) break;
        // The first tries avoid other hazards; then any place in the province will do (at large
        // scales the land is full); then the hazard shrinks until it fits the province.
        if (attempt >= 6) scale *= 0.75;
        done = try_at(h, *c, scale, attempt < 3 ? &grid : nullptr);
      }
      for (int attempt = 0; !done && attempt < 200; ++attempt) {  // tiny fallback
        auto c = world_.sample_point(rng, h.province, Bias::kNone, 1);
        if (c) done = try_at(h, *c, 30.0, nullptr);
      }
      if (!done)
        throw std::runtime_error("demo: cannot place a hazard in province " +
                                 world_.province(h.province).code);
      grid.add(h.centre, h.scale_m * h.shape.max_r);
      placed[key].push_back(i);
    }
  }

 private:
  bool try_at(HazardPlan& h, geo::Point c, double scale, const OccupancyGrid* grid) const {
    if (grid && grid->conflicts(c, scale * h.shape.max_r)) return false;
    geo::Ring ring = shape_ring(h.shape, c, scale);
    for (size_t k = 0; k + 1 < ring.size(); ++k)
      if (!world_.inside(ring[k], h.province)) return false;
    h.centre = c;
    h.scale_m = scale;
    h.geometry = geo::Geometry{};
    h.geometry.type = geo::GeometryType::kPolygon;
    h.geometry.polygons.push_back(geo::Polygon{{std::move(ring)}});
    h.area_m2 = geo::area_m2(h.geometry);
    return true;
  }

  const World& world_;
  uint64_t seed_, stream_;
};

}  // namespace

void place_calibrated(const World& world, uint64_t seed, uint64_t stream,
                      std::vector<HazardPlan>& plans, size_t begin, size_t end,
                      const std::vector<double>& target, OccupancyGrid& grid, PlacedIndex& placed) {
  std::vector<double> unit(target.size(), 0.0);
  for (size_t i = begin; i < end; ++i)
    unit[plans[i].cal_group] += plans[i].weight * plans[i].unit_area;
  std::vector<double> mult(target.size(), 1.0);
  for (size_t g = 0; g < target.size(); ++g)
    if (unit[g] > 0) mult[g] = target[g] / unit[g];
  Placer placer(world, seed, stream);
  const OccupancyGrid base_grid = grid;
  const auto base_placed = placed;
  for (int pass = 0; pass < 6; ++pass) {
    grid = base_grid;
    placed = base_placed;
    placer.place(plans, begin, end, mult, grid, placed);
    std::vector<double> got(target.size(), 0.0);
    for (size_t i = begin; i < end; ++i)
      got[plans[i].cal_group] += plans[i].weight * plans[i].area_m2;
    bool ok = true;
    for (size_t g = 0; g < target.size(); ++g) {
      if (got[g] <= 0 || target[g] <= 0) continue;
      double ratio = target[g] / got[g];
      if (std::fabs(ratio - 1) > 0.004) ok = false;
      mult[g] *= ratio;
    }
    if (ok) break;
  }
}

}  // namespace reclaim::demo::detail
