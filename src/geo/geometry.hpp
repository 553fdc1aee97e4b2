#pragma once
// Geometry value types. Coordinates are WGS84 (EPSG:4326) longitude, latitude in degrees.
// Rings are stored closed (first vertex == last vertex) once validated.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace reclaim::geo {

struct Point {
  double lon = 0;
  double lat = 0;
  bool operator==(const Point&) const = default;
};

using Ring = std::vector<Point>;

/// A polygon: rings[0] is the exterior, the rest are holes.
struct Polygon {
  std::vector<Ring> rings;
  bool operator==(const Polygon&) const = default;
};

enum class GeometryType { kNone, kPoint, kPolygon, kMultiPolygon };

/// A record's geometry: a point, or one or more polygons (a polygon is a multipolygon of one,
/// but the type says which it was when read, so it is written back the same way).
struct Geometry {
  GeometryType type = GeometryType::kNone;
  Point point;                    ///< when type == kPoint
  std::vector<Polygon> polygons;  ///< when type is kPolygon (exactly one) or kMultiPolygon
  bool empty() const noexcept { return type == GeometryType::kNone; }
  bool operator==(const Geometry&) const = default;
};

struct Envelope {
  double min_lon = 0, min_lat = 0, max_lon = 0, max_lat = 0;
  bool intersects(const Envelope& o) const noexcept {
    return min_lon <= o.max_lon && o.min_lon <= max_lon && min_lat <= o.max_lat &&
           o.min_lat <= max_lat;
  }
};

/// Bounding box of a geometry (a point gives a degenerate box). Undefined for kNone.
Envelope envelope(const Geometry& g) noexcept;

}  // namespace reclaim::geo
