// A zipped Shapefile (.zip holding .shp/.shx/.dbf/.prj) through GDAL's /vsizip/ over /vsimem and
// our mapping layer: exchange::read_file, then core::parse_record of every row.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  reclaim::fuzz::import_bytes(data, size, ".zip");
  return 0;
}
