#include "geo/geometry.hpp"

#include <algorithm>

namespace reclaim::geo {

Envelope envelope(const Geometry& g) noexcept {
  if (g.type == GeometryType::kPoint) {
    return Envelope{g.point.lon, g.point.lat, g.point.lon, g.point.lat};
  }
  Envelope e{};
  bool first = true;
  for (const Polygon& p : g.polygons) {
    for (const Ring& r : p.rings) {
      for (const Point& v : r) {
        if (first) {
          e = Envelope{v.lon, v.lat, v.lon, v.lat};
          first = false;
          continue;
        }
        e.min_lon = std::min(e.min_lon, v.lon);
        e.min_lat = std::min(e.min_lat, v.lat);
        e.max_lon = std::max(e.max_lon, v.lon);
        e.max_lat = std::max(e.max_lat, v.lat);
      }
    }
  }
  return e;
}

}  // namespace reclaim::geo
