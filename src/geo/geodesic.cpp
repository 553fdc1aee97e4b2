#include "geo/geodesic.hpp"

#include <GeographicLib/Geodesic.hpp>
#include <GeographicLib/PolygonArea.hpp>
#include <cmath>

namespace reclaim::geo {

namespace {
const GeographicLib::Geodesic& wgs84() noexcept { return GeographicLib::Geodesic::WGS84(); }
}  // namespace

double ring_area_m2(const Ring& ring) noexcept {
  size_t n = ring.size();
  if (n > 1 && ring.front() == ring.back()) --n;  // PolygonArea wants no closing vertex
  if (n < 3) return 0;
  GeographicLib::PolygonArea poly(wgs84(), false);
  for (size_t i = 0; i < n; ++i) poly.AddPoint(ring[i].lat, ring[i].lon);  // latitude first
  double perimeter_m = 0;
  double area_m2 = 0;
  // sign=true: a clockwise ring gives a negative area rather than "the rest of the earth".
  poly.Compute(false, true, perimeter_m, area_m2);
  return std::fabs(area_m2);
}

double polygon_area_m2(const Polygon& p) noexcept {
  if (p.rings.empty()) return 0;
  double area = ring_area_m2(p.rings[0]);
  for (size_t i = 1; i < p.rings.size(); ++i) area -= ring_area_m2(p.rings[i]);
  return area;
}

double area_m2(const Geometry& g) noexcept {
  if (g.type != GeometryType::kPolygon && g.type != GeometryType::kMultiPolygon) return 0;
  double area = 0;
  for (const Polygon& p : g.polygons) area += polygon_area_m2(p);
  return area;
}

double distance_m(Point a, Point b) noexcept {
  double s12 = 0;
  wgs84().Inverse(a.lat, a.lon, b.lat, b.lon, s12);
  return s12;
}

Point destination(Point from, double azimuth_deg, double distance_m) noexcept {
  double lat = 0;
  double lon = 0;
  wgs84().Direct(from.lat, from.lon, azimuth_deg, distance_m, lat, lon);
  return Point{lon, lat};
}

}  // namespace reclaim::geo
