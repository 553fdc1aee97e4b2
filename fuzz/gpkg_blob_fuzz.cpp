// GeoPackage geometry blobs (a file edited in QGIS, a copied database): geo::from_gpkg_blob.
#include <cstddef>
#include <cstdint>

#include "geometry_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto g = reclaim::geo::from_gpkg_blob(data, size);
  if (g) reclaim::fuzz::exercise_geometry(*g);
  return 0;
}
