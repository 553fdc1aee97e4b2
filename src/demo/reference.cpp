// Phase 1, the reference figures: remaining area by contamination and casualties by year, from
// the caller's tables (data/reference/*.csv read by exchange::read_file).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>

#include "demo/generator.hpp"

namespace reclaim::demo::detail {
namespace {

/// Casualties recorded 1979 to the end of 2024 (docs/domain.md, data/README.md); not a column.
constexpr double kRecordedCasualties1979To2024 = 65086;

std::optional<double> parse_number(const std::string& t) {
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

/// The value of a field of a row, or nullptr when the row has none (an empty cell).
const std::string* field(const core::RawRecord& row, std::string_view name) {
  for (const auto& [k, v] : row.fields)
    if (k == name) return &v;
  return nullptr;
}

/// kInvalidArgument "FILE row N: WHAT".
tl::unexpected<Error> row_fail(const ReferenceTable& t, const core::RawRecord& row,
                               const std::string& what) {
  return fail(ErrorCode::kInvalidArgument, t.name + " " + row.source + ": " + what);
}

/// A required number of a row: kInvalidArgument naming the row and field when it is missing
/// or not a number (or negative, with `non_negative`).
Result<double> number(const ReferenceTable& t, const core::RawRecord& row, std::string_view name,
                      bool non_negative) {
  const std::string* text = field(row, name);
  if (text == nullptr) return row_fail(t, row, "no " + std::string(name));
  auto v = parse_number(*text);
  if (!v || (non_negative && *v < 0))
    return row_fail(t, row,
                    std::string(name) + " '" + *text + "' is not a " +
                        (non_negative ? "number of 0 or more" : "number"));
  return *v;
}

}  // namespace

Result<Reference> parse_reference(const ReferenceTable& contamination,
                                  const ReferenceTable& casualties) {
  Reference ref;
  bool have[3] = {false, false, false};
  for (const auto& row : contamination.rows) {
    const std::string* kind = field(row, "contamination");
    if (kind == nullptr) return row_fail(contamination, row, "no contamination");
    auto v = number(contamination, row, "remaining_km2", true);
    if (!v) return fail(v.error());
    if (*kind == "landmines") {
      ref.landmines_m2 = *v * kM2PerKm2;
      have[0] = true;
    } else if (*kind == "cluster_munitions") {
      ref.cmr_m2 = *v * kM2PerKm2;
      have[1] = true;
    } else if (*kind == "other_erw") {
      ref.erw_m2 = *v * kM2PerKm2;
      have[2] = true;
    }
  }
  if (!have[0] || !have[1] || !have[2])
    return fail(ErrorCode::kInvalidArgument,
                contamination.name + ": needs rows landmines, cluster_munitions and other_erw");

  for (const auto& row : casualties.rows) {
    auto yv = number(casualties, row, "year", false);
    if (!yv) return fail(yv.error());
    auto tv = number(casualties, row, "total", true);
    if (!tv) return fail(tv.error());
    YearFigures f;
    f.total = static_cast<int>(std::lround(*tv));
    if (const std::string* k = field(row, "killed"))
      if (auto kv = parse_number(*k)) f.killed = static_cast<int>(std::lround(*kv));
    if (const std::string* k = field(row, "injured"))
      if (auto kv = parse_number(*k)) f.injured = static_cast<int>(std::lround(*kv));
    ref.casualties[static_cast<int>(std::lround(*yv))] = f;
  }
  if (ref.casualties.empty())
    return fail(ErrorCode::kInvalidArgument, casualties.name + ": no years listed");
  return ref;
}

/// Casualties per year 1979–2024: the listed years as given, log-linear between listed years,
/// rising geometrically to the first listed year (the 1996 peak) so that the whole period sums
/// to the recorded total.
std::map<int, YearFigures> casualty_years(const Reference& ref) {
  std::map<int, YearFigures> out;
  const auto& known = ref.casualties;
  for (int y = kFirstCasualtyYear; y <= kLastCasualtyYear; ++y) {
    auto it = known.find(y);
    if (it != known.end()) {
      out[y] = it->second;
      continue;
    }
    auto hi = known.upper_bound(y);
    if (hi == known.begin() || hi == known.end()) continue;  // before the first / after the last
    auto lo = std::prev(hi);
    double t = static_cast<double>(y - lo->first) / static_cast<double>(hi->first - lo->first);
    double a = std::max(1, lo->second.total), b = std::max(1, hi->second.total);
    out[y].total =
        static_cast<int>(std::lround(std::exp(std::log(a) + t * (std::log(b) - std::log(a)))));
  }
  int first = known.begin()->first;
  int last = known.rbegin()->first;
  for (int y = last + 1; y <= kLastCasualtyYear; ++y) out[y].total = known.rbegin()->second.total;
  if (first > kFirstCasualtyYear) {
    double have = 0;
    for (const auto& [y, f] : out) have += f.total;
    double need = kRecordedCasualties1979To2024 - have;
    double peak = std::max(1, known.begin()->second.total);
    int n = first - kFirstCasualtyYear;
    auto sum_for = [&](double r) {
      double s = 0, p = peak;
      for (int k = 1; k <= n; ++k) s += (p *= r);
      return s;
    };
    double lo = 0.05, hi = 1.0;
    if (need <= sum_for(lo)) {
      hi = lo;
    } else if (need < sum_for(hi)) {
      for (int i = 0; i < 60; ++i) {
        double mid = 0.5 * (lo + hi);
        (sum_for(mid) < need ? lo : hi) = mid;
      }
    }
    double p = peak;
    for (int y = first - 1; y >= kFirstCasualtyYear; --y) {
      p *= hi;
      out[y].total = static_cast<int>(std::lround(p));
    }
  }
  return out;
}

}  // namespace reclaim::demo::detail
