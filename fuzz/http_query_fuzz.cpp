// Query strings of the read routes (bbox, bbox-crs, datetime, as_of, filters, sort, limit,
// offset, cursor, f): a GET of one of the paths below (byte 1 picks it) with the rest of the
// input as the query, as the principal byte 0 picks.
#include <cstddef>
#include <cstdint>
#include <string>

#include "http_support.hpp"

namespace {
constexpr const char* kPaths[] = {
    "/api/status", "/api/hazards", "/api/activities", "/api/accidents", "/api/casualties",
    "/api/eo_finds", "/api/assistance", "/api/hazards/KH-HZ-000001",
    "/api/hazards/KH-HZ-000001/history", "/ogc/collections", "/ogc/collections/hazards",
    "/ogc/collections/hazards/items", "/ogc/collections/accidents/items",
    "/ogc/collections/provinces/items", "/ogc/collections/hazards/items/KH-HZ-000001",
    "/tiles/tiles.json", "/tiles/hazards/8/201/121.mvt", "/api/submissions", "/api/inbox",
    "/api/openapi.json", "/ogc/conformance", "/ogc"};
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)reclaim::fuzz::http_fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string target = std::string(kPaths[data[1] % (sizeof kPaths / sizeof kPaths[0])]) +
                             "?" + std::string(reinterpret_cast<const char*>(data + 2), size - 2);
  reclaim::http::Request req;
  req.method = "GET";
  req.target = target;
  req.host = "fuzz.example.org";
  req.client_ip = "192.0.2.1";
  req.request_id = "fuzz";
  reclaim::fuzz::answer(req, reclaim::fuzz::principal_of(data[0]));
  return 0;
}
