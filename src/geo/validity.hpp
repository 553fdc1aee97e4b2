#pragma once
// Checks a geometry at entry. A bad geometry is rejected with a message that names the ring and
// the vertex; it is never repaired silently.
#include <string>

#include "common/error.hpp"
#include "geo/geometry.hpp"

namespace reclaim::geo {

/// Cambodia's extent with a margin, for the quick "outside the country" and "lat/lon swapped"
/// tests when no boundary polygons are loaded.
inline constexpr Envelope kCambodiaExtent{102.2, 9.8, 107.7, 14.8};

/// Validates `g` (rings closed, >= 4 points, no repeated consecutive vertices, no spikes,
/// simple — no self-intersection — and valid by GEOS's rules; coordinates in range, not swapped,
/// inside `extent`). Messages are relative ("ring 0 self-intersects near vertex 7 (103.1, 13.2)");
/// the caller prefixes the record id.
/// Errors: kInvalidArgument.
Result<void> validate(const Geometry& g, const Envelope& extent = kCambodiaExtent);

}  // namespace reclaim::geo
