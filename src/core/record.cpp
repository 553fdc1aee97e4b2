#include "core/record.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace reclaim::core {

int EntitySchema::index_of(std::string_view field) const noexcept {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == field) return static_cast<int>(i);
  return -1;
}

const std::string& Record::id() const {
  static const std::string kEmpty;
  if (values.empty()) return kEmpty;
  if (const auto* s = std::get_if<std::string>(&values.front())) return *s;
  return kEmpty;
}

Record make_record(const EntitySchema& s) {
  Record r;
  r.values.resize(s.fields.size());
  return r;
}

namespace {
size_t checked_index(const EntitySchema& s, std::string_view field) {
  int i = s.index_of(field);
  if (i < 0) throw std::out_of_range(s.name + " has no field " + std::string(field));
  return static_cast<size_t>(i);
}
}  // namespace

const Value& get(const EntitySchema& s, const Record& r, std::string_view field) {
  return r.values.at(checked_index(s, field));
}
void set(const EntitySchema& s, Record& r, std::string_view field, Value v) {
  size_t i = checked_index(s, field);
  if (r.values.size() < s.fields.size()) r.values.resize(s.fields.size());
  r.values[i] = std::move(v);
}
std::string get_text(const EntitySchema& s, const Record& r, std::string_view field) {
  return to_text(get(s, r, field));
}
double get_real(const EntitySchema& s, const Record& r, std::string_view field, double dflt) {
  const Value& v = get(s, r, field);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  return dflt;
}
int64_t get_int(const EntitySchema& s, const Record& r, std::string_view field, int64_t dflt) {
  const Value& v = get(s, r, field);
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(std::llround(*d));
  return dflt;
}
std::optional<Date> get_date(const EntitySchema& s, const Record& r, std::string_view field) {
  const Value& v = get(s, r, field);
  if (const auto* t = std::get_if<std::string>(&v)) {
    if (auto d = parse_date(*t)) return *d;
  }
  return std::nullopt;
}

std::string to_text(const Value& v) {
  if (const auto* t = std::get_if<std::string>(&v)) return *t;
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    // Shortest text that reads back as the same double. Plain decimals for every magnitude a
    // record holds (areas up to 10,000 km², coordinates, money): "%g" wrote 12,500 m² as
    // "1.25e+04". Exponents only for the extremes.
    char buf[64];
    const double a = std::fabs(*d);
    const auto fmt = (a == 0 || (a >= 1e-5 && a < 1e16)) ? std::chars_format::fixed
                                                         : std::chars_format::general;
    const auto res = std::to_chars(buf, buf + sizeof buf, *d, fmt);
    return std::string(buf, res.ptr);
  }
  return {};
}

}  // namespace reclaim::core
