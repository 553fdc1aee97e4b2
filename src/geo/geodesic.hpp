#pragma once
// Geodesic measurements on the WGS84 ellipsoid (GeographicLib). These agree with PostGIS
// ST_Area(geography) / ST_Length(geography) to well under 0.01 %.
#include "geo/geometry.hpp"

namespace reclaim::geo {

/// Area of a ring in m² (absolute value; orientation ignored). Closing vertex optional.
double ring_area_m2(const Ring& ring) noexcept;
/// Exterior minus holes, m².
double polygon_area_m2(const Polygon& p) noexcept;
/// Sum over polygons (no overlap handling: a valid multipolygon has none), m². 0 for a point.
double area_m2(const Geometry& g) noexcept;
/// Geodesic distance between two points in metres.
double distance_m(Point a, Point b) noexcept;
/// The point at distance_m from `from` along azimuth_deg (clockwise from north).
Point destination(Point from, double azimuth_deg, double distance_m) noexcept;

}  // namespace reclaim::geo
