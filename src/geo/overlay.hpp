#pragma once
// Overlap detection and overlap-aware (union) areas, on GEOS, with geodesic areas.
#include <cstddef>
#include <memory>
#include <vector>

#include "geo/geometry.hpp"

namespace reclaim::geo {

/// Geodesic area (m²) of the union of the polygonal geometries: overlapping parts count once.
/// Points and empty geometries are ignored. Uses GEOS cascaded union, grouped spatially so that
/// 100k polygons take seconds.
double union_area_m2(const std::vector<const Geometry*>& geoms);

struct OverlapPair {
  size_t a = 0, b = 0;    ///< indexes into the input
  double overlap_m2 = 0;  ///< geodesic area of the intersection
};

/// All pairs of polygonal geometries whose interiors overlap (touching edges do not count).
std::vector<OverlapPair> find_overlaps(const std::vector<const Geometry*>& geoms);

/// Geodesic area (m²) of the intersection of two polygonal geometries; 0 when they do not
/// overlap or either is a point or empty. Invalid inputs are repaired (GEOS MakeValid) first.
/// With the two areas this gives the union (a + b - i) and the symmetric difference (a + b - 2i),
/// which the workflow uses to find near-identical hazard polygons.
double intersection_area_m2(const Geometry& a, const Geometry& b);

/// Whether the geometry and the closed box have a point in common (OGC "intersects": touching
/// the box's edge counts; a box inside a hole does not). Exact, on GEOS; the envelope test is
/// only the prefilter. False for an empty geometry. Invalid polygons are tested as stored.
bool intersects_box(const Geometry& g, const Envelope& box);

/// A static R-tree (GEOS STRtree) over envelopes; query returns indexes.
class SpatialIndex {
 public:
  explicit SpatialIndex(const std::vector<Envelope>& boxes);
  ~SpatialIndex();
  SpatialIndex(SpatialIndex&&) noexcept;
  SpatialIndex& operator=(SpatialIndex&&) noexcept;
  std::vector<size_t> query(const Envelope& box) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Point-in-polygon lookups against a fixed set of regions (e.g. the 25 provinces), with
/// prepared GEOS geometries. Thread-compatible (not thread-safe).
class RegionLocator {
 public:
  explicit RegionLocator(const std::vector<Geometry>& regions);
  ~RegionLocator();
  RegionLocator(RegionLocator&&) noexcept;
  RegionLocator& operator=(RegionLocator&&) noexcept;
  /// Index of the region containing p, or -1.
  long locate(Point p) const;
  /// Distance in metres from p to region i (0 when inside). Approximate (planar degrees scaled
  /// at the point's latitude), good to a few percent at Cambodia's latitudes.
  double distance_m(Point p, size_t i) const;
  size_t size() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A representative point inside a geometry (GEOS PointOnSurface); the point itself for points.
Point interior_point(const Geometry& g);

/// The part of `g` inside the axis-aligned `box` (GEOS ClipByRect), in the same coordinates.
/// The clip is planar: pass projected coordinates (e.g. vector-tile units) to make it exact in
/// that projection; `Point::lon`/`lat` are then simply x/y. A point is kept when inside or on the
/// box. Polygons keep their polygonal parts only (slivers that degenerate to lines or points on
/// the box edge are dropped); one surviving polygon is a kPolygon, several a kMultiPolygon. An
/// invalid polygon that GEOS cannot clip is repaired (MakeValid) and clipped again.
/// Returns an empty geometry (kNone) when nothing remains or GEOS fails even after repair.
Geometry clip_to_box(const Geometry& g, const Envelope& box);

}  // namespace reclaim::geo
