#include "geo/validity.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "geo/engine/geos.hpp"

namespace reclaim::geo {

namespace {

/// A spike: the boundary turns back on itself by more than 180 - kSpikeAngleDeg degrees.
constexpr double kSpikeAngleDeg = 0.5;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string coords(Point p) { return "(" + num(p.lon) + ", " + num(p.lat) + ")"; }

bool inside(const Envelope& e, Point p) {
  return p.lon >= e.min_lon && p.lon <= e.max_lon && p.lat >= e.min_lat && p.lat <= e.max_lat;
}

bool same_extent(const Envelope& a, const Envelope& b) {
  return a.min_lon == b.min_lon && a.min_lat == b.min_lat && a.max_lon == b.max_lon &&
         a.max_lat == b.max_lat;
}

std::string extent_name(const Envelope& e) {
  if (same_extent(e, kCambodiaExtent)) return "Cambodia";
  return "the extent [" + num(e.min_lon) + ", " + num(e.min_lat) + ", " + num(e.max_lon) + ", " +
         num(e.max_lat) + "]";
}

/// Where a vertex is, in words: "vertex 3 of ring 0" (+ " of polygon 2" in a multipolygon).
struct Where {
  size_t polygon = 0;
  size_t ring = 0;
  bool multi = false;

  std::string ring_name() const {
    std::string s = "ring " + std::to_string(ring);
    if (multi) s += " of polygon " + std::to_string(polygon);
    return s;
  }
  std::string vertex(size_t i) const {
    return "vertex " + std::to_string(i) + " of " + ring_name();
  }
};

Result<void> invalid(std::string message) {
  return fail(ErrorCode::kInvalidArgument, std::move(message));
}

/// Finite, in range, not swapped, inside the extent. `at` is e.g. "vertex 0 of ring 0".
Result<void> check_coordinate(Point p, const std::string& at, const Envelope& extent) {
  if (!std::isfinite(p.lon) || !std::isfinite(p.lat)) {
    return invalid("coordinate is not a finite number at " + at + ": lon=" + num(p.lon) +
                   " lat=" + num(p.lat));
  }
  const bool in_range = p.lat >= -90 && p.lat <= 90 && p.lon >= -180 && p.lon <= 180;
  const bool in_extent = inside(extent, p);
  if (!in_extent && inside(extent, Point{p.lat, p.lon})) {
    return invalid("coordinates look swapped (lat/lon): " + at + " reads lon=" + num(p.lon) +
                   " lat=" + num(p.lat));
  }
  if (!in_range) {
    if (p.lat < -90 || p.lat > 90) {
      return invalid("latitude " + num(p.lat) + " out of range at " + at);
    }
    return invalid("longitude " + num(p.lon) + " out of range at " + at);
  }
  if (!in_extent) {
    return invalid(at + " " + coords(p) + " is outside " + extent_name(extent));
  }
  return {};
}

/// Local planar vector from a to b in metres-like units (longitude scaled by cos(latitude)).
struct Vec {
  double x = 0, y = 0;
};
Vec local(Point a, Point b) {
  const double k = std::cos(a.lat * std::numbers::pi / 180.0);
  return Vec{(b.lon - a.lon) * k, b.lat - a.lat};
}

/// Angle in degrees at vertex v between the edges to prev and next.
double angle_deg(Point prev, Point v, Point next) {
  const Vec a = local(v, prev);
  const Vec b = local(v, next);
  const double cross = a.x * b.y - a.y * b.x;
  const double dot = a.x * b.x + a.y * b.y;
  return std::fabs(std::atan2(cross, dot)) * 180.0 / std::numbers::pi;
}

/// Distance from p to segment ab, in degrees (planar; only used to name the nearest vertex/edge).
double segment_distance(Point p, Point a, Point b) {
  const double dx = b.lon - a.lon;
  const double dy = b.lat - a.lat;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((p.lon - a.lon) * dx + (p.lat - a.lat) * dy) / len2 : 0;
  t = std::fmax(0, std::fmin(1, t));
  const double ex = a.lon + t * dx - p.lon;
  const double ey = a.lat + t * dy - p.lat;
  return std::sqrt(ex * ex + ey * ey);
}

/// One edge of the geometry: segment `edge` (vertex edge to edge + 1) of a ring.
struct Edge {
  Where where;
  size_t edge = 0;
};

/// Turns a GEOS validity reason and location into a message naming the nearest ring and vertex,
/// and for a crossing, the two edges that cross there.
std::string describe_geos_problem(const Geometry& g, const std::string& reason, Point at) {
  const bool multi = g.polygons.size() > 1;
  Where best{0, 0, multi};
  size_t best_vertex = 0;
  double best_d = std::numeric_limits<double>::infinity();
  std::vector<Edge> through;  // edges passing through the location
  const double tol = 1e-9 * (1 + std::fabs(at.lon) + std::fabs(at.lat));
  for (size_t pi = 0; pi < g.polygons.size(); ++pi) {
    const auto& rings = g.polygons[pi].rings;
    for (size_t ri = 0; ri < rings.size(); ++ri) {
      const Ring& r = rings[ri];
      for (size_t vi = 0; vi + 1 < r.size(); ++vi) {  // the closing vertex is vertex 0 again
        const double d = std::hypot(r[vi].lon - at.lon, r[vi].lat - at.lat);
        if (d < best_d) {
          best_d = d;
          best = Where{pi, ri, multi};
          best_vertex = vi;
        }
        if (segment_distance(at, r[vi], r[vi + 1]) <= tol) {
          through.push_back(Edge{Where{pi, ri, multi}, vi});
        }
      }
    }
  }
  const Point v = g.polygons[best.polygon].rings[best.ring][best_vertex];
  // "near vertex 2 (x, y)" after a ring's name; "near vertex 2 of ring 0 of polygon 1 (x, y)"
  // where the message names more than one ring.
  const std::string near =
      " near vertex " + std::to_string(best_vertex) + " " + coords(v) + ", at " + coords(at);
  const std::string near_full =
      " near " + best.vertex(best_vertex) + " " + coords(v) + ", at " + coords(at);
  auto edge_name = [](const Edge& e) {
    return "edge " + std::to_string(e.edge) + "-" + std::to_string(e.edge + 1);
  };
  const bool crossing = reason == "Self-intersection" || reason == "Ring Self-intersection";
  if (crossing && through.size() == 2) {
    const Edge& a = through[0];
    const Edge& b = through[1];
    if (a.where.polygon != b.where.polygon) {
      return "polygon " + std::to_string(a.where.polygon) + " and polygon " +
             std::to_string(b.where.polygon) + " overlap" + near_full + ": " + edge_name(a) +
             " of " + a.where.ring_name() + " crosses " + edge_name(b) + " of " +
             b.where.ring_name();
    }
    if (a.where.ring != b.where.ring) {
      return a.where.ring_name() + " and ring " + std::to_string(b.where.ring) + " cross" +
             near_full + ": " + edge_name(a) + " of ring " + std::to_string(a.where.ring) +
             " crosses " + edge_name(b) + " of ring " + std::to_string(b.where.ring);
    }
    return best.ring_name() + " self-intersects" + near + ": " + edge_name(a) + " crosses " +
           edge_name(b);
  }
  if (crossing) return best.ring_name() + " self-intersects" + near;
  std::string lower = reason;
  if (!lower.empty()) {
    lower[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[0])));
  }
  return best.ring_name() + " is invalid (" + lower + ")" + near;
}

Result<void> validate_polygons(const Geometry& g, const Envelope& extent) {
  if (g.polygons.empty()) return invalid("geometry is empty");
  if (g.type == GeometryType::kPolygon && g.polygons.size() != 1) {
    return invalid("a POLYGON must have exactly one polygon, found " +
                   std::to_string(g.polygons.size()));
  }
  const bool multi = g.polygons.size() > 1;
  auto for_each_ring = [&](auto&& check) -> Result<void> {
    for (size_t pi = 0; pi < g.polygons.size(); ++pi) {
      const auto& rings = g.polygons[pi].rings;
      for (size_t ri = 0; ri < rings.size(); ++ri) {
        if (auto r = check(rings[ri], Where{pi, ri, multi}); !r) return r;
      }
    }
    return {};
  };

  for (size_t pi = 0; pi < g.polygons.size(); ++pi) {
    const auto& rings = g.polygons[pi].rings;
    if (rings.empty()) {
      return invalid(multi ? "geometry is empty: polygon " + std::to_string(pi) + " has no rings"
                           : "geometry is empty");
    }
    for (size_t ri = 0; ri < rings.size(); ++ri) {
      if (rings[ri].empty()) {
        return invalid("geometry is empty: " + Where{pi, ri, multi}.ring_name() +
                       " has no vertices");
      }
    }
  }
  // 1-3: coordinates finite, in range, not swapped, inside the extent.
  if (auto r = for_each_ring([&](const Ring& ring, const Where& w) -> Result<void> {
        for (size_t i = 0; i < ring.size(); ++i) {
          if (auto c = check_coordinate(ring[i], w.vertex(i), extent); !c) return c;
        }
        return {};
      });
      !r) {
    return r;
  }
  // 4. closed.
  if (auto r = for_each_ring([&](const Ring& ring, const Where& w) -> Result<void> {
        if (!(ring.front() == ring.back())) {
          return invalid(w.ring_name() + " is not closed: first vertex " + coords(ring.front()) +
                         " != last vertex " + coords(ring.back()));
        }
        return {};
      });
      !r) {
    return r;
  }
  // 5. at least 4 points (a triangle plus the closing vertex).
  if (auto r = for_each_ring([&](const Ring& ring, const Where& w) -> Result<void> {
        if (ring.size() < 4) {
          return invalid(w.ring_name() + " has " + std::to_string(ring.size()) +
                         " points; a closed ring needs at least 4 (3 corners + the closing "
                         "vertex)");
        }
        return {};
      });
      !r) {
    return r;
  }
  // 6. repeated consecutive vertices.
  if (auto r = for_each_ring([&](const Ring& ring, const Where& w) -> Result<void> {
        for (size_t i = 1; i < ring.size(); ++i) {
          if (ring[i] == ring[i - 1]) {
            return invalid(w.ring_name() + " repeats a vertex: " + w.vertex(i) + " " +
                           coords(ring[i]) + " equals vertex " + std::to_string(i - 1));
          }
        }
        return {};
      });
      !r) {
    return r;
  }
  // 7. spikes: the boundary goes out to a vertex and comes straight back.
  if (auto r = for_each_ring([&](const Ring& ring, const Where& w) -> Result<void> {
        const size_t m = ring.size() - 1;  // distinct vertices (closed ring)
        for (size_t i = 0; i < m; ++i) {
          const Point prev = ring[(i + m - 1) % m];
          const Point next = ring[(i + 1) % m];
          if (prev == next || angle_deg(prev, ring[i], next) < kSpikeAngleDeg) {
            return invalid(w.ring_name() + " has a spike at vertex " + std::to_string(i) + " " +
                           coords(ring[i]) +
                           ": the boundary goes out to it and comes straight back");
          }
        }
        return {};
      });
      !r) {
    return r;
  }
  // 8. GEOS: self-intersection, holes outside the shell, nested shells, disconnected interior.
  engine::GeosContext& ctx = engine::GeosContext::for_this_thread();
  ctx.clear_error();
  engine::GeomPtr geom = engine::make_geometry(ctx, g);
  if (!geom) return invalid("GEOS refused the geometry: " + ctx.last_error());
  char* reason_raw = nullptr;
  GEOSGeometry* location_raw = nullptr;
  const char valid = GEOSisValidDetail_r(ctx.get(), geom.get(), 0, &reason_raw, &location_raw);
  engine::GeosString reason(reason_raw, engine::GeosFree{ctx.get()});
  engine::GeomPtr location = engine::own(ctx, location_raw);
  if (valid == 1) return {};
  if (valid != 0) return invalid("GEOS could not check the geometry: " + ctx.last_error());
  const std::string why = reason ? reason.get() : "invalid geometry";
  double x = 0;
  double y = 0;
  if (location && GEOSGeomGetX_r(ctx.get(), location.get(), &x) == 1 &&
      GEOSGeomGetY_r(ctx.get(), location.get(), &y) == 1) {
    return invalid(describe_geos_problem(g, why, Point{x, y}));
  }
  return invalid("geometry is invalid: " + why);
}

}  // namespace

Result<void> validate(const Geometry& g, const Envelope& extent) {
  switch (g.type) {
    case GeometryType::kNone:
      return invalid("geometry is empty");
    case GeometryType::kPoint:
      return check_coordinate(g.point, "the point", extent);
    case GeometryType::kPolygon:
    case GeometryType::kMultiPolygon:
      return validate_polygons(g, extent);
  }
  return invalid("unknown geometry type");
}

}  // namespace reclaim::geo
