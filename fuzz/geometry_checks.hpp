#pragma once
// What every geometry target does with a geometry it could parse: the round trips through our
// writers must read back to the same bytes, then validity (GEOS), areas (GeographicLib) and,
// for a valid geometry, the overlay operations imports and status use.
#include <cstdlib>
#include <vector>

#include "geo/geodesic.hpp"
#include "geo/geometry.hpp"
#include "geo/overlay.hpp"
#include "geo/validity.hpp"
#include "geo/wkb.hpp"

namespace reclaim::fuzz {

inline void exercise_geometry(const geo::Geometry& g) {
  const std::vector<uint8_t> wkb = geo::to_wkb(g);
  auto back = geo::from_wkb(wkb.data(), wkb.size());
  if (!back || geo::to_wkb(*back) != wkb) std::abort();  // our own output must read back
  const std::vector<uint8_t> blob = geo::to_gpkg_blob(g);
  auto from_blob = geo::from_gpkg_blob(blob.data(), blob.size());
  if (!from_blob || geo::to_wkb(*from_blob) != wkb) std::abort();
  (void)geo::to_wkt(g);
  if (g.empty()) return;
  (void)geo::envelope(g);
  (void)geo::area_m2(g);
  if (!geo::validate(g)) return;
  const std::vector<const geo::Geometry*> both{&g, &*back};
  (void)geo::union_area_m2(both);
  (void)geo::find_overlaps(both);
  (void)geo::intersection_area_m2(g, *back);
  (void)geo::interior_point(g);
  (void)geo::clip_to_box(g, geo::Envelope{103.0, 11.0, 105.0, 13.0});
}

}  // namespace reclaim::fuzz
