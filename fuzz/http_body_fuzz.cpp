// JSON request bodies with the field lists of every route that reads one (login, user add,
// password change, logout; submissions and their verify/reject/approve actions):
// http::detail::json_body. Byte 0 picks the route's field list and byte 1 the Content-Type.
// Every answer must be a valid problem+json (4xx) or an object holding only the listed fields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/routes.hpp"
#include "http_support.hpp"

namespace {
using reclaim::http::detail::BodyField;
using T = BodyField::Type;

std::optional<nlohmann::json> parse(const reclaim::http::detail::Ctx& c, uint8_t which,
                                    reclaim::http::Response& err) {
  using reclaim::http::detail::json_body;
  switch (which % 7) {
    case 0: return json_body(c, {{"user", T::kString, true}, {"password", T::kString, true}}, err);
    case 1:
      return json_body(c,
                       {{"id", T::kString, true}, {"role", T::kString, true},
                        {"org", T::kString, false}, {"password", T::kString, true},
                        {"display_name", T::kString, false}},
                       err);
    case 2: return json_body(c, {{"password", T::kString, true}}, err);
    case 3: return json_body(c, {}, err, true);
    case 4:
      return json_body(c,
                       {{"entity", T::kString, true}, {"action", T::kString, false},
                        {"target_id", T::kString, false},
                        {"date_of_information", T::kString, true},
                        {"payload", T::kObject, true}},
                       err);
    case 5:
      return json_body(c, {{"comment", T::kString, true}, {"expected_version", T::kInteger, false}},
                       err);
    default:
      return json_body(c,
                       {{"comment", T::kString, false}, {"duplicates_reviewed", T::kBoolean, false},
                        {"update_target", T::kString, false},
                        {"expected_version", T::kInteger, false}},
                       err, true);
  }
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)reclaim::fuzz::http_fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static constexpr std::string_view kTypes[] = {"application/json", "application/json; charset=utf-8",
                                                "application/problem+json", "text/plain", ""};
  reclaim::http::Request req;
  req.method = "POST";
  req.target = "/api/fuzz";
  req.content_type = kTypes[data[1] % 5];
  req.body = std::string_view(reinterpret_cast<const char*>(data + 2), size - 2);
  req.request_id = "fuzz";
  auto& f = reclaim::fuzz::http_fixture();
  reclaim::http::detail::Ctx c{req, *f.app, {}, {}, "/api/fuzz", {},
                               "http://fuzz.example.org", nullptr, {}};
  reclaim::http::Response err;
  auto j = parse(c, data[0], err);
  if (j) {
    if (!j->is_object()) std::abort();
    (void)j->dump();  // a value we accepted must serialise (valid UTF-8 strings)
  } else {
    if (err.status < 400 || err.status >= 500) std::abort();
    // the problem body is valid JSON, whatever bytes the request held
    if (nlohmann::json::parse(err.bytes(), nullptr, false).is_discarded()) std::abort();
  }
  return 0;
}
