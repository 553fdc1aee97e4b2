// WKB (ISO, 2D) as stored in GeoPackage blobs and sent by PostGIS: geo::from_wkb.
#include <cstddef>
#include <cstdint>

#include "geometry_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto g = reclaim::geo::from_wkb(data, size);
  if (g) reclaim::fuzz::exercise_geometry(*g);
  return 0;
}
