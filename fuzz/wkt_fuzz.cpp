// WKT as typed in CSV/XLSX geometry columns and workflow payloads: geo::from_wkt.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "geometry_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto g = reclaim::geo::from_wkt(text);
  if (!g) return 0;
  reclaim::fuzz::exercise_geometry(*g);
  // Our WKT must read back to the same geometry.
  auto again = reclaim::geo::from_wkt(reclaim::geo::to_wkt(*g));
  if (!again) std::abort();
  return 0;
}
