// A field report's JSON payload (POST /api/submissions): workflow::payload_to_raw, then
// core::parse_record of each part, for the entity the first byte picks.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "workflow/payload.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto& s = reclaim::fuzz::schema_of(data[0]);
  const std::string json(reinterpret_cast<const char*>(data + 1), size - 1);
  auto parts = reclaim::workflow::payload_to_raw(s, json);
  if (!parts) return 0;
  const auto& ctx = reclaim::fuzz::validation().ctx;
  for (const auto& p : *parts) (void)reclaim::core::parse_record(*p.schema, p.raw, ctx);
  return 0;
}
