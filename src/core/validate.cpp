#include "core/validate.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <thread>

#include "core/entities.hpp"
#include "core/hazard_status.hpp"
#include "geo/geodesic.hpp"
#include "geo/overlay.hpp"
#include "geo/validity.hpp"

namespace reclaim::core {

bool is_valid_utf8(std::string_view s) noexcept {
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    unsigned c = p[i];
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size() || (p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

// ---------------------------------------------------------------- ProvinceLocator
ProvinceLocator::ProvinceLocator(const std::vector<AdminBoundary>& provinces) {
  std::vector<geo::Geometry> geoms;
  for (const auto& b : provinces) {
    if (b.level != AdminLevel::kProvince || b.geometry.empty()) continue;
    geoms.push_back(b.geometry);
    codes_.push_back(b.code);
  }
  locator_ = std::make_unique<geo::RegionLocator>(geoms);
}
ProvinceLocator::~ProvinceLocator() = default;
ProvinceLocator::ProvinceLocator(ProvinceLocator&&) noexcept = default;

std::string ProvinceLocator::locate(geo::Point p) const {
  long i = locator_->locate(p);
  return i < 0 ? std::string() : codes_[static_cast<size_t>(i)];
}
double ProvinceLocator::distance_m(geo::Point p, const std::string& code) const {
  for (size_t i = 0; i < codes_.size(); ++i)
    if (codes_[i] == code) return locator_->distance_m(p, i);
  return std::numeric_limits<double>::infinity();
}

// ---------------------------------------------------------------- parse_record
namespace {

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}
std::string normalise_token(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '-') c = '_';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}
std::string fmt_num(double v) { return to_text(Value{v}); }

struct Collector {
  const std::string& record;
  std::vector<FieldError> errors;
  void add(const std::string& field, std::string msg) {
    errors.push_back(FieldError{record, field, std::move(msg)});
  }
};

bool parse_real(const std::string& t, double& out) {
  if (t.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size() && errno == 0 && std::isfinite(out);
}

std::string pad_code(const std::string& t, size_t width) {
  bool digits = !t.empty() && std::all_of(t.begin(), t.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  if (digits && t.size() < width) return std::string(width - t.size(), '0') + t;
  return t;
}

std::string unit_label(const AdminUnit* u) {
  return u ? u->code + " (" + u->name_latin + ")" : std::string();
}

void check_field(const FieldDef& f, const std::string& text, Value& out, Collector& c,
                 const ValidationContext& ctx) {
  auto range = [&](double v) {
    if (v < f.min) {
      c.add(f.name, fmt_num(v) + " is below the minimum " + fmt_num(f.min));
      return false;
    }
    if (v > f.max) {
      c.add(f.name, fmt_num(v) + " is above the maximum " + fmt_num(f.max));
      return false;
    }
    return true;
  };
  switch (f.type) {
    case FieldType::kText:
    case FieldType::kReference:
      if (text.size() > 10000) {
        c.add(f.name, "text longer than 10000 bytes");
        return;
      }
      out = text;
      return;
    case FieldType::kInteger: {
      double v = 0;
      if (!parse_real(text, v) || v != std::floor(v) || std::fabs(v) > 9e15) {
        c.add(f.name, "'" + text + "' is not a whole number");
        return;
      }
      if (range(v)) out = static_cast<int64_t>(v);
      return;
    }
    case FieldType::kReal: {
      double v = 0;
      if (!parse_real(text, v)) {
        c.add(f.name, "'" + text + "' is not a number");
        return;
      }
      if (range(v)) out = v;
      return;
    }
    case FieldType::kDate: {
      auto d = parse_date(text);
      if (!d) {
        c.add(f.name, d.error().message);
        return;
      }
      if (*d > ctx.today) {
        c.add(f.name, d->iso() + " is in the future (today is " + ctx.today.iso() + ")");
        return;
      }
      out = d->iso();
      return;
    }
    case FieldType::kEnum: {
      std::string n = normalise_token(text);
      for (const auto& a : f.allowed)
        if (normalise_token(a) == n) {
          out = a;
          return;
        }
      std::string list;
      for (const auto& a : f.allowed) list += (list.empty() ? "" : "|") + a;
      c.add(f.name, "'" + text + "' is not one of " + list);
      return;
    }
    case FieldType::kBool: {
      std::string n = normalise_token(text);
      if (n == "1" || n == "true" || n == "yes" || n == "y") {
        out = int64_t{1};
      } else if (n == "0" || n == "false" || n == "no" || n == "n") {
        out = int64_t{0};
      } else {
        c.add(f.name, "'" + text + "' is not true/false");
      }
      return;
    }
    case FieldType::kProvinceCode: {
      std::string code = pad_code(text, 2);
      if (ctx.gazetteer && !ctx.gazetteer->province(code)) {
        c.add(f.name, "unknown province code '" + text + "'");
        return;
      }
      out = code;
      return;
    }
    case FieldType::kVillageCode: {
      std::string code = pad_code(text, 8);
      if (ctx.gazetteer && !ctx.gazetteer->village(code)) {
        c.add(f.name, "unknown village code '" + text + "'");
        return;
      }
      out = code;
      return;
    }
  }
}

double value_or0(const EntitySchema& s, const Record& r, std::string_view f) {
  return get_real(s, r, f, 0.0);
}

void entity_rules(const EntitySchema& s, Record& r, Collector& c) {
  if (s.name == entity::kHazards) {
    double area = get_real(s, r, "estimated_area_m2", -1);
    if (area < 0 && !r.geometry.empty()) {
      area = geo::area_m2(r.geometry);
      set(s, r, "estimated_area_m2", area);
    }
    if (area == 0) c.add("estimated_area_m2", "must be greater than 0");
    if (std::holds_alternative<std::monostate>(get(s, r, "status")))
      set(s, r, "status", std::string(status_name(HazardStatus::kOpen)));
    set(s, r, "cancelled_m2", 0.0);
    set(s, r, "reduced_m2", 0.0);
    set(s, r, "cleared_m2", 0.0);
    auto st = parse_status(get_text(s, r, "status"));
    set(s, r, "remaining_m2", st && is_released(*st) ? 0.0 : std::max(area, 0.0));
  } else if (s.name == entity::kActivities) {
    auto start = get_date(s, r, "start_date");
    auto end = get_date(s, r, "end_date");
    if (start && end && *end < *start)
      c.add("end_date", end->iso() + " is before start_date " + start->iso());
    std::string type = get_text(s, r, "type");
    double cancelled = value_or0(s, r, "cancelled_m2");
    double reduced = value_or0(s, r, "reduced_m2");
    double cleared = value_or0(s, r, "cleared_m2");
    auto forbid = [&](const char* field, double v, const char* why) {
      if (v > 0) c.add(field, std::string("a ") + type + " " + why);
    };
    if (type == "non_technical_survey") {
      forbid("reduced_m2", reduced, "cannot reduce land (technical survey does)");
      forbid("cleared_m2", cleared, "cannot clear land (clearance does)");
    } else if (type == "technical_survey") {
      forbid("cleared_m2", cleared, "cannot clear land (clearance does)");
    } else if (type == "clearance" || type == "battle_area_clearance") {
      forbid("cancelled_m2", cancelled, "cannot cancel land (non-technical survey does)");
    } else if (type == "eod_spot_task" || type == "post_clearance_inspection") {
      forbid("cancelled_m2", cancelled, "releases no land");
      forbid("reduced_m2", reduced, "releases no land");
      forbid("cleared_m2", cleared, "releases no land");
    }
  } else if (s.name == entity::kEoFinds) {
    if (get_text(s, r, "activity_id").empty() && get_text(s, r, "hazard_id").empty() &&
        r.geometry.empty() && get_text(s, r, "village_code").empty())
      c.add("activity_id", "an EO find needs an activity, a hazard, a village or a location");
  }
}

}  // namespace

Result<Record> parse_record(const EntitySchema& s, const RawRecord& raw,
                            const ValidationContext& ctx) {
  Record r = make_record(s);
  // Find the id first so every message can name the record.
  std::string rec_name = raw.source;
  for (const auto& [k, v] : raw.fields)
    if (k == s.id_field().name && !trim(v).empty() && is_valid_utf8(v))
      rec_name = s.singular + " " + trim(v) + " (" + raw.source + ")";
  Collector c{rec_name, {}};

  std::vector<bool> seen(s.fields.size(), false);
  for (const auto& [name, value] : raw.fields) {
    int idx = s.index_of(name);
    if (idx < 0) continue;  // unknown columns are checked once per file by the caller
    const FieldDef& f = s.fields[static_cast<size_t>(idx)];
    if (f.derived) continue;  // computed by Reclaim, never taken from a file
    seen[static_cast<size_t>(idx)] = true;
    if (!is_valid_utf8(value)) {
      c.add(f.name, "text is not valid UTF-8 (save the file as UTF-8)");
      continue;
    }
    std::string t = trim(value);
    if (t.empty()) continue;
    check_field(f, t, r.values[static_cast<size_t>(idx)], c, ctx);
  }
  for (size_t i = 0; i < s.fields.size(); ++i) {
    const FieldDef& f = s.fields[i];
    if (f.required && std::holds_alternative<std::monostate>(r.values[i])) {
      bool had_error = std::any_of(c.errors.begin(), c.errors.end(),
                                   [&](const FieldError& e) { return e.field == f.name; });
      if (!had_error) c.add(f.name, seen[i] ? "is empty but required" : "is missing (required)");
    }
  }

  // village must lie in the named province
  int pi = s.index_of("province_code"), vi = s.index_of("village_code");
  if (pi >= 0 && vi >= 0 && ctx.gazetteer) {
    const auto* p = std::get_if<std::string>(&r.values[static_cast<size_t>(pi)]);
    const auto* v = std::get_if<std::string>(&r.values[static_cast<size_t>(vi)]);
    if (p && v) {
      std::string vp = ctx.gazetteer->province_of(*v);
      if (vp != *p)
        c.add("village_code", "village " + unit_label(ctx.gazetteer->find(*v)) +
                                  " is in province " + unit_label(ctx.gazetteer->find(vp)) +
                                  ", not in " + unit_label(ctx.gazetteer->find(*p)));
    }
  }

  // geometry
  if (s.geometry == GeometryKind::kNone) {
    // A geometry (or an unreadable one) given to an entity that has none would be dropped
    // without a word: refused like an unknown column (found by fuzzing, fuzz/README.md).
    if (!raw.geometry.empty() || !raw.geometry_error.empty())
      c.add("geometry", "is not a field of a " + s.singular + " (it has no geometry)");
  } else {
    if (!raw.geometry_error.empty()) {
      c.add("geometry", raw.geometry_error);
    } else if (raw.geometry.empty()) {
      if (s.geometry_required) c.add("geometry", "is missing (a " + s.singular + " needs one)");
    } else {
      bool want_point = s.geometry == GeometryKind::kPoint;
      bool is_point = raw.geometry.type == geo::GeometryType::kPoint;
      if (want_point != is_point) {
        c.add("geometry", std::string("must be a ") + (want_point ? "point" : "polygon"));
      } else if (auto ok = geo::validate(raw.geometry); !ok) {
        c.add("geometry", ok.error().message);
      } else {
        r.geometry = raw.geometry;
        if (ctx.provinces && pi >= 0) {
          const auto* p = std::get_if<std::string>(&r.values[static_cast<size_t>(pi)]);
          geo::Point at = geo::interior_point(r.geometry);
          std::string found = ctx.provinces->locate(at);
          if (p && found != *p && ctx.provinces->distance_m(at, *p) > ctx.province_tolerance_m) {
            if (found.empty()) {
              c.add("geometry", "lies outside Cambodia's provinces (at " +
                                    fmt_num(at.lon) + ", " + fmt_num(at.lat) + ")");
            } else {
              c.add("geometry",
                    "lies in province " +
                        unit_label(ctx.gazetteer ? ctx.gazetteer->find(found) : nullptr) +
                        ", not in province " + *p + " named by province_code");
            }
          }
        }
      }
    }
  }

  if (c.errors.empty()) entity_rules(s, r, c);
  if (!c.errors.empty()) {
    std::string msg = rec_name + ": ";
    for (size_t i = 0; i < c.errors.size(); ++i)
      msg += (i ? "; " : "") + c.errors[i].field + " " + c.errors[i].message;
    return fail(Error{ErrorCode::kInvalidArgument, msg, std::move(c.errors)});
  }
  return r;
}

std::vector<Result<Record>> parse_records(const EntitySchema& s, const std::vector<RawRecord>& raws,
                                          const ValidationContext& ctx,
                                          const std::vector<AdminBoundary>& provinces,
                                          unsigned threads) {
  std::vector<std::optional<Result<Record>>> slots(raws.size());
  threads = std::max(1u, std::min(threads, static_cast<unsigned>(raws.size() / 256 + 1)));
  auto work = [&](unsigned t, const ValidationContext& c) {
    for (size_t i = t; i < raws.size(); i += threads) slots[i].emplace(parse_record(s, raws[i], c));
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::unique_ptr<ProvinceLocator> own;
      ValidationContext c = ctx;
      if (ctx.provinces) {
        own = std::make_unique<ProvinceLocator>(provinces);
        c.provinces = own.get();
      }
      work(t, c);
    });
  }
  work(0, ctx);
  for (auto& th : pool) th.join();
  std::vector<Result<Record>> out;
  out.reserve(raws.size());
  for (auto& r : slots) out.push_back(std::move(*r));
  return out;
}

}  // namespace reclaim::core
