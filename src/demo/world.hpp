#pragma once
// Places (internal to the demo module): province outlines, a point-in-province locator,
// communes with coordinates and their villages; random points inside a province, denser towards
// the border where a kind of contamination lies.
#include <array>
#include <initializer_list>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/gazetteer.hpp"
#include "demo/rng.hpp"
#include "geo/overlay.hpp"

namespace reclaim::demo::detail {

/// The line a kind of contamination clusters along: none, the Thai border of the K5 belt, the
/// Lao and Vietnamese borders.
enum class Bias { kNone = 0, kThaiBorder = 1, kEastBorder = 2 };

struct Commune {
  geo::Point at;
  std::vector<const core::AdminUnit*> villages;
};

struct Province {
  std::string code;
  long region = -1;  ///< index in the locator
  geo::Envelope box;
  std::vector<const core::AdminUnit*> villages;
  std::vector<Commune> communes;
  std::array<double, 3> min_bias_km = {0, 0, 0};  ///< nearest distance to each bias line
};

/// Provinces with their outlines, communes and villages; random points inside a province.
class World {
 public:
  World(const core::Gazetteer& gaz, const std::vector<core::AdminBoundary>& boundaries);

  /// Index of a province usable for demo data (outline and villages), or nullopt.
  std::optional<size_t> find(const std::string& code) const;
  const Province& province(size_t i) const { return provinces_[i]; }
  bool inside(geo::Point p, size_t prov) const {
    return locator_.locate(p) == provinces_[prov].region;
  }

  /// A random point inside province `prov`, denser towards the bias line (if any).
  std::optional<geo::Point> sample_point(Rng& rng, size_t prov, Bias bias, double scale_km) const;

  /// A village of the province near `at`: a village of the nearest commune (by its centre) if
  /// one lies within 20 km, else any village of the province.
  const core::AdminUnit* village_near(Rng& rng, size_t prov, geo::Point at) const;

  const core::Gazetteer& gazetteer() const { return gaz_; }

 private:
  std::vector<geo::Geometry> collect(const std::vector<core::AdminBoundary>& boundaries);

  const core::Gazetteer& gaz_;
  std::vector<Province> provinces_;  // filled by collect() before locator_ is built
  geo::RegionLocator locator_;
  std::unordered_map<std::string, size_t> index_;
};

/// Weighted list of provinces for a kind of contamination.
struct ProvinceWeights {
  std::vector<size_t> provinces;
  std::vector<double> weights;
  size_t pick(Rng& rng) const { return provinces[rng.weighted(weights)]; }
};

/// The listed provinces (code, weight) that the world can use, in list order.
ProvinceWeights make_weights(const World& w,
                             std::initializer_list<std::pair<const char*, double>> list);

}  // namespace reclaim::demo::detail
