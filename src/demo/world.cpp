// Places: the world the demo draws its points and villages from (see world.hpp).
#include "demo/world.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace reclaim::demo::detail {
namespace {

using core::AdminUnit;

/// The Thai border of the K5 belt (lon, lat), from Koh Kong's coast to the Emerald Triangle.
constexpr std::array<geo::Point, 18> kThaiBorder = {{
    {102.91, 11.64},
    {102.78, 11.95},
    {102.72, 12.25},
    {102.55, 12.55},
    {102.48, 12.85},
    {102.38, 13.05},
    {102.35, 13.30},
    {102.42, 13.55},
    {102.55, 13.67},
    {102.72, 13.90},
    {102.90, 14.15},
    {103.20, 14.30},
    {103.60, 14.40},
    {104.00, 14.35},
    {104.40, 14.37},
    {104.70, 14.40},
    {105.00, 14.35},
    {105.20, 14.35},
}};
/// The Lao and Vietnamese borders (the most heavily bombed land).
constexpr std::array<geo::Point, 14> kEastBorder = {{
    {105.20, 14.35},
    {105.60, 14.20},
    {106.00, 14.30},
    {106.50, 14.45},
    {107.00, 14.50},
    {107.50, 14.60},
    {107.50, 14.00},
    {107.55, 13.50},
    {107.60, 13.00},
    {107.50, 12.50},
    {107.35, 12.20},
    {106.80, 11.95},
    {106.20, 11.70},
    {105.90, 11.30},
}};

template <size_t N>
double distance_to_line_km(geo::Point p, const std::array<geo::Point, N>& line) {
  constexpr double kx = 111.32 * 0.976;  // km per degree of longitude at ~12.5°N
  constexpr double ky = 110.6;
  double best = 1e300;
  for (size_t i = 0; i + 1 < N; ++i) {
    double ax = line[i].lon * kx, ay = line[i].lat * ky;
    double bx = line[i + 1].lon * kx, by = line[i + 1].lat * ky;
    double px = p.lon * kx, py = p.lat * ky;
    double dx = bx - ax, dy = by - ay;
    double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? std::clamp(((px - ax) * dx + (py - ay) * dy) / len2, 0.0, 1.0) : 0.0;
    double ex = ax + t * dx - px, ey = ay + t * dy - py;
    best = std::min(best, ex * ex + ey * ey);
  }
  return std::sqrt(best);
}

double bias_distance_km(geo::Point p, Bias b) {
  switch (b) {
    case Bias::kThaiBorder:
      return distance_to_line_km(p, kThaiBorder);
    case Bias::kEastBorder:
      return distance_to_line_km(p, kEastBorder);
    case Bias::kNone:
      break;
  }
  return 0;
}

}  // namespace

World::World(const core::Gazetteer& gaz, const std::vector<core::AdminBoundary>& boundaries)
    : gaz_(gaz), locator_(collect(boundaries)) {
  std::unordered_map<std::string, size_t> by_code;
  for (size_t i = 0; i < provinces_.size(); ++i) by_code[provinces_[i].code] = i;
  for (const AdminUnit* c : gaz.at_level(core::AdminLevel::kCommune)) {
    auto it = by_code.find(gaz.province_of(c->code));
    if (it == by_code.end() || !c->lat || !c->lon) continue;
    Commune com{geo::Point{*c->lon, *c->lat}, {}};
    for (const AdminUnit* v : gaz.children(c->code))
      if (v->level == core::AdminLevel::kVillage) com.villages.push_back(v);
    if (!com.villages.empty()) provinces_[it->second].communes.push_back(std::move(com));
  }
  for (const AdminUnit* v : gaz.at_level(core::AdminLevel::kVillage)) {
    auto it = by_code.find(gaz.province_of(v->code));
    if (it != by_code.end()) provinces_[it->second].villages.push_back(v);
  }
  for (auto& p : provinces_) {
    // Nearest distance from the province to each bias line, on a coarse grid of inner points.
    p.min_bias_km = {0, 1e300, 1e300};
    for (int i = 0; i <= 40; ++i)
      for (int j = 0; j <= 40; ++j) {
        geo::Point q{p.box.min_lon + (p.box.max_lon - p.box.min_lon) * i / 40.0,
                     p.box.min_lat + (p.box.max_lat - p.box.min_lat) * j / 40.0};
        if (locator_.locate(q) != p.region) continue;
        for (int b = 1; b <= 2; ++b)
          p.min_bias_km[static_cast<size_t>(b)] = std::min(
              p.min_bias_km[static_cast<size_t>(b)], bias_distance_km(q, static_cast<Bias>(b)));
      }
    for (size_t b = 1; b <= 2; ++b)
      if (p.min_bias_km[b] > 1e299) p.min_bias_km[b] = 0;
  }
  for (size_t i = 0; i < provinces_.size(); ++i) index_[provinces_[i].code] = i;
}

std::optional<size_t> World::find(const std::string& code) const {
  auto it = index_.find(code);
  if (it == index_.end() || provinces_[it->second].villages.empty()) return std::nullopt;
  return it->second;
}

std::optional<geo::Point> World::sample_point(Rng& rng, size_t prov, Bias bias,
                                              double scale_km) const {
  const Province& p = provinces_[prov];
  const double floor_accept = bias == Bias::kThaiBorder ? 0.04 : 0.12;
  for (int attempt = 0; attempt < 3000; ++attempt) {
    geo::Point c{rng.uniform(p.box.min_lon, p.box.max_lon),
                 rng.uniform(p.box.min_lat, p.box.max_lat)};
    if (bias != Bias::kNone && attempt < 2000) {
      double d = bias_distance_km(c, bias) - p.min_bias_km[static_cast<size_t>(bias)];
      double accept = std::max(floor_accept, std::exp(-std::max(0.0, d) / scale_km));
      if (!rng.chance(accept)) continue;
    }
    if (locator_.locate(c) == p.region) return c;
  }
  return std::nullopt;
}

const AdminUnit* World::village_near(Rng& rng, size_t prov, geo::Point at) const {
  const Province& p = provinces_[prov];
  const Commune* best = nullptr;
  double best_d = 1e300;
  const double kx = std::cos(at.lat * std::numbers::pi / 180.0);
  for (const Commune& c : p.communes) {
    double dx = (c.at.lon - at.lon) * kx, dy = c.at.lat - at.lat;
    double d = dx * dx + dy * dy;
    if (d < best_d) {
      best_d = d;
      best = &c;
    }
  }
  const double kMaxDeg = 20.0 / 111.0;
  if (best && best_d < kMaxDeg * kMaxDeg) return rng.pick(best->villages);
  return rng.pick(p.villages);
}

std::vector<geo::Geometry> World::collect(const std::vector<core::AdminBoundary>& boundaries) {
  std::vector<geo::Geometry> geoms;
  for (const auto& b : boundaries) {
    if (b.level != core::AdminLevel::kProvince || b.geometry.empty()) continue;
    if (!gaz_.province(b.code)) continue;
    Province p;
    p.code = b.code;
    p.region = static_cast<long>(geoms.size());
    p.box = geo::envelope(b.geometry);
    provinces_.push_back(std::move(p));
    geoms.push_back(b.geometry);
  }
  return geoms;
}

ProvinceWeights make_weights(const World& w,
                             std::initializer_list<std::pair<const char*, double>> list) {
  ProvinceWeights out;
  for (const auto& [code, weight] : list)
    if (auto i = w.find(code)) {
      out.provinces.push_back(*i);
      out.weights.push_back(weight);
    }
  return out;
}

}  // namespace reclaim::demo::detail
