#include "core/record_json.hpp"

#include <nlohmann/json.hpp>

#include "geo/wkb.hpp"

namespace reclaim::core {

std::string record_to_json(const EntitySchema& s, const Record& r) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (size_t i = 0; i < s.fields.size() && i < r.values.size(); ++i) {
    const Value& v = r.values[i];
    const std::string& name = s.fields[i].name;
    if (s.fields[i].secret) {
      j[name] = std::holds_alternative<std::monostate>(v) ? nlohmann::ordered_json(nullptr)
                                                          : nlohmann::ordered_json("***");
      continue;
    }
    if (std::holds_alternative<std::monostate>(v)) {
      j[name] = nullptr;
    } else if (const auto* n = std::get_if<int64_t>(&v)) {
      j[name] = *n;
    } else if (const auto* d = std::get_if<double>(&v)) {
      j[name] = *d;
    } else {
      j[name] = std::get<std::string>(v);
    }
  }
  if (s.geometry != GeometryKind::kNone) {
    j["geometry"] = r.geometry.empty() ? nlohmann::ordered_json(nullptr)
                                       : nlohmann::ordered_json(geo::to_wkt(r.geometry));
  }
  j["version"] = r.version;
  // Invalid UTF-8 would throw in dump(); records are checked at entry, but history must never
  // fail, so replace rather than throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<Record> record_from_json(const EntitySchema& s, const std::string& json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(ErrorCode::kInvalidArgument, s.singular + ": not a JSON object");
  Record r = make_record(s);
  for (size_t i = 0; i < s.fields.size(); ++i) {
    const FieldDef& f = s.fields[i];
    if (f.secret) continue;  // never taken from JSON
    auto it = j.find(f.name);
    if (it == j.end() || it->is_null()) continue;
    switch (f.type) {
      case FieldType::kInteger:
      case FieldType::kBool:
        if (!it->is_number_integer() && !it->is_boolean())
          return fail(ErrorCode::kInvalidArgument, f.name + ": expected an integer");
        r.values[i] = it->is_boolean() ? int64_t{it->get<bool>() ? 1 : 0} : it->get<int64_t>();
        break;
      case FieldType::kReal:
        if (!it->is_number())
          return fail(ErrorCode::kInvalidArgument, f.name + ": expected a number");
        r.values[i] = it->get<double>();
        break;
      default:
        if (!it->is_string())
          return fail(ErrorCode::kInvalidArgument, f.name + ": expected text");
        r.values[i] = it->get<std::string>();
    }
  }
  if (auto g = j.find("geometry"); g != j.end() && g->is_string()) {
    auto geom = geo::from_wkt(g->get<std::string>());
    if (!geom) return fail(ErrorCode::kInvalidArgument, "geometry: " + geom.error().message);
    r.geometry = std::move(*geom);
  }
  if (auto v = j.find("version"); v != j.end() && v->is_number_integer())
    r.version = v->get<int64_t>();
  return r;
}

}  // namespace reclaim::core
