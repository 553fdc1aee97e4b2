#pragma once
// A small streaming JSON writer (appends to one string, no DOM: the hot paths — item pages and
// features — allocate only the output) and GeoJSON geometry.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/record.hpp"
#include "geo/geometry.hpp"

namespace reclaim::http {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& str(std::string_view v);
  JsonWriter& num(int64_t v);
  JsonWriter& num(double v);  ///< non-finite numbers are written as null
  JsonWriter& boolean(bool v);
  JsonWriter& null();
  /// A record value as its field type says (kBool as true/false; dates and enums as strings).
  JsonWriter& value(const core::Value& v, core::FieldType type);
  /// GeoJSON geometry (or null).
  JsonWriter& geometry(const geo::Geometry& g);
  /// Already-serialised JSON.
  JsonWriter& raw(std::string_view json);

 private:
  void sep();
  std::string& out_;
  static constexpr int kMaxDepth = 64;
  bool first_[kMaxDepth] = {};
  int depth_ = 0;
  bool after_key_ = false;
};

/// Appends s as a JSON string literal (quotes included). The output is always valid UTF-8:
/// each byte of `s` that does not start a well-formed UTF-8 sequence (a stray continuation
/// byte, a truncated, overlong or surrogate sequence, a byte above U+10FFFF) is written as
/// U+FFFD, so text echoed from a request (paths, parameters, field names) never breaks JSON.
void append_json_string(std::string& out, std::string_view s);
/// The length of the well-formed UTF-8 sequence at s[i] (1 to 4), or 0 if there is none.
size_t utf8_sequence_length(std::string_view s, size_t i) noexcept;

}  // namespace reclaim::http
