// An uploaded .geojson through GDAL (from /vsimem) and our mapping layer: exchange::read_file, then
// core::parse_record of every row for the entity the first byte picks.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"

// The gazetteer and boundaries are loaded before the first input (under ASan this takes longer
// than libFuzzer's per-input timeout).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)reclaim::fuzz::validation();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  reclaim::fuzz::import_bytes(data, size, ".geojson");
  return 0;
}
