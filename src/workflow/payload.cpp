#include "workflow/payload.hpp"

#include <nlohmann/json.hpp>

#include "core/entities.hpp"
#include "geo/wkb.hpp"

namespace reclaim::workflow {
namespace {

using nlohmann::json;

void to_raw(const core::EntitySchema& s, const json& obj, const std::string& where, RawPart& out,
            std::vector<FieldError>& errors) {
  out.schema = &s;
  out.raw.source = where;
  if (!obj.is_object()) {
    errors.push_back({where, s.singular, "must be a JSON object"});
    return;
  }
  for (const auto& [key, v] : obj.items()) {
    if (key == "geometry") {
      if (v.is_null()) continue;
      if (!v.is_string()) {
        out.raw.geometry_error = "must be WKT text";
        continue;
      }
      auto g = geo::from_wkt(v.get<std::string>());
      if (!g) out.raw.geometry_error = g.error().message;
      else out.raw.geometry = std::move(*g);
      continue;
    }
    if (key == "version") continue;  // a record read back from the API carries its version
    const int idx = s.index_of(key);
    if (idx < 0) {
      errors.push_back({where, key, "unknown field for " + s.name});
      continue;
    }
    if (s.fields[static_cast<size_t>(idx)].secret) {
      errors.push_back({where, key, "cannot be set by a report"});
      continue;
    }
    if (v.is_null()) continue;
    if (v.is_string()) out.raw.fields.emplace_back(key, v.get<std::string>());
    else if (v.is_boolean()) out.raw.fields.emplace_back(key, v.get<bool>() ? "true" : "false");
    else if (v.is_number()) out.raw.fields.emplace_back(key, v.dump());
    else errors.push_back({where, key, "must be text, a number or a boolean"});
  }
}

}  // namespace

Result<std::vector<RawPart>> payload_to_raw(const core::EntitySchema& entity,
                                            const std::string& payload_json) {
  json j = json::parse(payload_json, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(Error{ErrorCode::kInvalidArgument,
                      entity.singular + " report: the payload is not a JSON object",
                      {{"payload", "payload", "not a JSON object"}}});
  std::vector<RawPart> parts;
  std::vector<FieldError> errors;
  const bool combined = entity.name == core::entity::kAccidents && j.contains("accident");
  if (combined) {
    for (const auto& [key, v] : j.items())
      if (key != "accident" && key != "casualties")
        errors.push_back({"payload", key, "unknown field (expected accident and casualties)"});
    parts.emplace_back();
    to_raw(entity, j["accident"], "payload accident", parts.back(), errors);
    if (j.contains("casualties")) {
      const json& cas = j["casualties"];
      if (!cas.is_array()) {
        errors.push_back({"payload", "casualties", "must be a list"});
      } else {
        const auto& cs = core::schema(core::entity::kCasualties);
        for (size_t i = 0; i < cas.size(); ++i) {
          parts.emplace_back();
          to_raw(cs, cas[i], "payload casualty " + std::to_string(i + 1), parts.back(), errors);
        }
      }
    }
  } else {
    parts.emplace_back();
    to_raw(entity, j, "payload", parts.back(), errors);
  }
  if (!errors.empty()) {
    std::string msg = entity.singular + " report: ";
    for (size_t i = 0; i < errors.size(); ++i)
      msg += (i ? "; " : "") + errors[i].record + ": " + errors[i].field + " " + errors[i].message;
    return fail(Error{ErrorCode::kInvalidArgument, msg, std::move(errors)});
  }
  return parts;
}

}  // namespace reclaim::workflow
