// A record as JSON (history rows, submission payloads stored in the database, a copied or edited
// GeoPackage): core::record_from_json, and what it gives must write and read back the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/record_json.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto& s = reclaim::fuzz::schema_of(data[0]);
  const std::string json(reinterpret_cast<const char*>(data + 1), size - 1);
  auto r = reclaim::core::record_from_json(s, json);
  if (!r) return 0;
  const std::string out = reclaim::core::record_to_json(s, *r);
  auto back = reclaim::core::record_from_json(s, out);
  if (!back || reclaim::core::record_to_json(s, *back) != out) std::abort();
  return 0;
}
