// An uploaded .xlsx through GDAL (from /vsimem) and our mapping layer: exchange::read_file, then
// core::parse_record of every row for the entity the first byte picks.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  reclaim::fuzz::import_bytes(data, size, ".xlsx");
  return 0;
}
