#include "http/json.hpp"

#include <charconv>
#include <cmath>

namespace reclaim::http {

size_t utf8_sequence_length(std::string_view s, size_t i) noexcept {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto cont = [&](size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (i + 1 >= s.size()) return 0;
    const unsigned char c1 = b(i + 1);
    const bool ok1 = c == 0xE0 ? (c1 >= 0xA0 && c1 <= 0xBF)    // no overlong forms
                     : c == 0xED ? (c1 >= 0x80 && c1 <= 0x9F)  // no surrogates
                                 : (c1 & 0xC0) == 0x80;
    return ok1 && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (i + 1 >= s.size()) return 0;
    const unsigned char c1 = b(i + 1);
    const bool ok1 = c == 0xF0 ? (c1 >= 0x90 && c1 <= 0xBF)    // no overlong forms
                     : c == 0xF4 ? (c1 >= 0x80 && c1 <= 0x8F)  // not above U+10FFFF
                                 : (c1 & 0xC0) == 0x80;
    return ok1 && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80) {
      const size_t n = utf8_sequence_length(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER for a byte that is not UTF-8
      } else {
        out.append(s.data() + i, n);
        i += n - 1;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '<': out += "\\u003c"; break;  // never "</script>" in an inlined document
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void JsonWriter::sep() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ > 0) {
    if (!first_[depth_ - 1]) out_ += ',';
    first_[depth_ - 1] = false;
  }
}
JsonWriter& JsonWriter::begin_object() {
  sep();
  out_ += '{';
  if (depth_ < kMaxDepth) first_[depth_++] = true;
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  if (depth_ > 0) --depth_;
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  sep();
  out_ += '[';
  if (depth_ < kMaxDepth) first_[depth_++] = true;
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  if (depth_ > 0) --depth_;
  return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
  sep();
  append_json_string(out_, k);
  out_ += ':';
  after_key_ = true;
  return *this;
}
JsonWriter& JsonWriter::str(std::string_view v) {
  sep();
  append_json_string(out_, v);
  return *this;
}
JsonWriter& JsonWriter::num(int64_t v) {
  sep();
  char b[24];
  auto r = std::to_chars(b, b + sizeof b, v);
  out_.append(b, r.ptr);
  return *this;
}
JsonWriter& JsonWriter::num(double v) {
  sep();
  if (!std::isfinite(v)) {
    out_ += "null";
    return *this;
  }
  char b[32];
  auto r = std::to_chars(b, b + sizeof b, v);
  out_.append(b, r.ptr);
  return *this;
}
JsonWriter& JsonWriter::boolean(bool v) {
  sep();
  out_ += v ? "true" : "false";
  return *this;
}
JsonWriter& JsonWriter::null() {
  sep();
  out_ += "null";
  return *this;
}
JsonWriter& JsonWriter::raw(std::string_view json) {
  sep();
  out_ += json;
  return *this;
}

JsonWriter& JsonWriter::value(const core::Value& v, core::FieldType type) {
  if (const auto* i = std::get_if<int64_t>(&v)) {
    if (type == core::FieldType::kBool) return boolean(*i != 0);
    return num(*i);
  }
  if (const auto* d = std::get_if<double>(&v)) return num(*d);
  if (const auto* s = std::get_if<std::string>(&v)) return str(*s);
  return null();
}

namespace {
void ring(JsonWriter& w, const geo::Ring& r) {
  w.begin_array();
  for (const auto& p : r) w.begin_array().num(p.lon).num(p.lat).end_array();
  w.end_array();
}
void polygon(JsonWriter& w, const geo::Polygon& p) {
  w.begin_array();
  for (const auto& r : p.rings) ring(w, r);
  w.end_array();
}
}  // namespace

JsonWriter& JsonWriter::geometry(const geo::Geometry& g) {
  switch (g.type) {
    case geo::GeometryType::kNone:
      return null();
    case geo::GeometryType::kPoint:
      begin_object().key("type").str("Point").key("coordinates");
      begin_array().num(g.point.lon).num(g.point.lat).end_array();
      return end_object();
    case geo::GeometryType::kPolygon:
      begin_object().key("type").str("Polygon").key("coordinates");
      if (g.polygons.empty()) {
        begin_array().end_array();
      } else {
        polygon(*this, g.polygons.front());
      }
      return end_object();
    case geo::GeometryType::kMultiPolygon:
      begin_object().key("type").str("MultiPolygon").key("coordinates").begin_array();
      for (const auto& p : g.polygons) polygon(*this, p);
      end_array();
      return end_object();
  }
  return null();
}

}  // namespace reclaim::http
