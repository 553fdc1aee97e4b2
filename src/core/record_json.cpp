#include "core/record_json.hpp"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/validate.hpp"

#include "geo/wkb.hpp"

namespace reclaim::core {

namespace {
// History rows are written for every change of every record, so this is on the import hot path:
// a direct writer is ~5x faster than building an nlohmann tree and dumping it. Output is compact
// JSON, keys in schema order. Invalid UTF-8 (records are checked at entry, so only by accident)
// is replaced by U+FFFD rather than producing invalid JSON.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20) {
      static const char* kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
    } else if (c < 0x80) {
      size_t j = i;
      while (j < n && p[j] >= 0x20 && p[j] < 0x80 && p[j] != '"' && p[j] != '\\') ++j;
      out.append(s.data() + i, j - i);
      i = j;
    } else {
      size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      if (len == 0 || i + len > n || !is_valid_utf8(s.substr(i, len))) {
        out += "\xEF\xBF\xBD";
        ++i;
      } else {
        out.append(s.data() + i, len);
        i += len;
      }
    }
  }
  out += '"';
}
void append_key(std::string& out, std::string_view key) {
  if (out.size() > 1) out += ',';
  append_json_string(out, key);
  out += ':';
}
void append_double(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, r.ptr);
}
}  // namespace

std::string record_to_json(const EntitySchema& s, const Record& r) {
  std::string out = "{";
  out.reserve(256);
  for (size_t i = 0; i < s.fields.size() && i < r.values.size(); ++i) {
    const Value& v = r.values[i];
    append_key(out, s.fields[i].name);
    if (std::holds_alternative<std::monostate>(v)) {
      out += "null";
    } else if (s.fields[i].secret) {
      out += "\"***\"";
    } else if (const auto* n = std::get_if<int64_t>(&v)) {
      out += std::to_string(*n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      append_double(out, *d);
    } else {
      append_json_string(out, std::get<std::string>(v));
    }
  }
  if (s.geometry != GeometryKind::kNone) {
    append_key(out, "geometry");
    if (r.geometry.empty()) {
      out += "null";
    } else {
      append_json_string(out, geo::to_wkt(r.geometry));
    }
  }
  append_key(out, "version");
  out += std::to_string(r.version);
  out += '}';
  return out;
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
