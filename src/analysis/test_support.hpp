#pragma once
// The independent reader of the disclosure tests (not part of the library): what a reader can
// work out from published cells — the exact integer bounds of each hidden cell over every
// integer table that agrees with them — by an exhaustive constraint search with the relations'
// arithmetic. It shares no code with analysis/disclosure.cpp (no LP).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/status.hpp"

namespace reclaim::analysis::testing {

/// What a reader has: the published counts (std::nullopt where hidden) and the relations.
struct Reader {
  std::vector<std::optional<int64_t>> seen;
  std::vector<std::pair<size_t, std::vector<size_t>>> sums;  // total, parts
};

struct Range {
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  [[nodiscard]] int64_t width() const { return hi - lo; }
};

/// The reader's integer bounds of every cell: over all integer tables with cells in [0, cap]
/// that agree with the published cells and the relations, the min and the max of each cell. A
/// small constraint solver (bounds propagation on each relation, domain splitting), searched by
/// bisection on each bound — no LP. Cutting the cells at `cap` can only narrow a range, so a
/// width found here is one the reader cannot beat.
class IntegerReader {
 public:
  IntegerReader(Reader r, int64_t cap) : r_(std::move(r)), cap_(cap) {}

  std::vector<Range> run() {
    Dom d(r_.seen.size());
    for (size_t i = 0; i < d.size(); ++i)
      d[i] = r_.seen[i] ? std::pair{*r_.seen[i], *r_.seen[i]} : std::pair{int64_t{0}, cap_};
    std::vector<Range> out(d.size());
    consistent = feasible(d);
    if (!consistent) return out;
    for (size_t i = 0; i < d.size(); ++i) {
      if (r_.seen[i]) {
        out[i] = Range{*r_.seen[i], *r_.seen[i]};
        continue;
      }
      int64_t lo = 0, hi = cap_;  // smallest m with a table where cell i ≤ m
      while (lo < hi) {
        const int64_t m = lo + (hi - lo) / 2;
        Dom e = d;
        e[i].second = m;
        if (feasible(e)) {
          hi = m;
        } else {
          lo = m + 1;
        }
      }
      out[i].lo = lo;
      hi = cap_;  // largest m with a table where cell i ≥ m
      while (lo < hi) {
        const int64_t m = lo + (hi - lo + 1) / 2;
        Dom e = d;
        e[i].first = m;
        if (feasible(e)) {
          lo = m;
        } else {
          hi = m - 1;
        }
      }
      out[i].hi = lo;
    }
    return out;
  }
  bool consistent = false;  ///< the published cells admit at least one table

 private:
  using Dom = std::vector<std::pair<int64_t, int64_t>>;  // [lo, hi] of each cell

  /// Tightens every domain by each relation until nothing changes; false when one empties.
  bool propagate(Dom& d) const {
    for (bool changed = true; changed;) {
      changed = false;
      for (const auto& [total, parts] : r_.sums) {
        int64_t plo = 0, phi = 0;
        for (size_t p : parts) plo += d[p].first, phi += d[p].second;
        auto tighten = [&](size_t c, int64_t lo, int64_t hi) {
          if (lo > d[c].first) d[c].first = lo, changed = true;
          if (hi < d[c].second) d[c].second = hi, changed = true;
          return d[c].first <= d[c].second;
        };
        if (!tighten(total, plo, phi)) return false;
        for (size_t p : parts)
          if (!tighten(p, d[total].first - (phi - d[p].second),
                       d[total].second - (plo - d[p].first)))
            return false;
      }
    }
    return true;
  }

  bool feasible(Dom d) const {
    if (!propagate(d)) return false;
    size_t pick = d.size();
    int64_t widest = 0;
    for (size_t i = 0; i < d.size(); ++i)
      if (d[i].second - d[i].first > widest) widest = d[i].second - d[i].first, pick = i;
    if (pick == d.size()) return true;  // every cell fixed and every relation holds
    const int64_t mid = d[pick].first + widest / 2;
    Dom left = d;
    left[pick].second = mid;
    if (feasible(std::move(left))) return true;
    d[pick].first = mid + 1;
    return feasible(std::move(d));
  }

  Reader r_;
  int64_t cap_;
};

/// The reader's table of one year, built from the public JSON alone (null = hidden) with the
/// relations docs/api.md states: total = killed + injured = by sex = by age; national = Σ
/// provinces.
inline Reader reader_from_json(const nlohmann::json& j, const std::string& y,
                               std::vector<std::pair<std::string, std::string>>* names) {
  Reader r;
  std::vector<nlohmann::json> areas{j["national"]};
  for (const auto& p : j["provinces"]) areas.push_back(p);
  std::vector<std::vector<size_t>> cell;
  for (size_t a = 0; a < areas.size(); ++a) {
    const auto& by_year = areas[a]["casualties_by_year"];
    std::vector<size_t> idx;
    if (by_year.contains(y)) {
      for (const char* f : kCasualtyFigures) {
        const auto& v = by_year[y][f];
        idx.push_back(r.seen.size());
        r.seen.push_back(v.is_null() ? std::nullopt : std::optional<int64_t>(v.get<int64_t>()));
        names->emplace_back(a == 0 ? "national" : areas[a]["code"].get<std::string>(), f);
      }
      r.sums.push_back({idx[0], {idx[1], idx[2]}});
      r.sums.push_back({idx[0], {idx[3], idx[4], idx[5]}});
      r.sums.push_back({idx[0], {idx[6], idx[7], idx[8]}});
    }
    cell.push_back(idx);
  }
  for (size_t f = 0; f < kCasualtyFigures.size(); ++f) {
    std::vector<size_t> parts;
    for (size_t a = 1; a < cell.size(); ++a)
      if (!cell[a].empty()) parts.push_back(cell[a][f]);
    r.sums.push_back({cell[0][f], parts});
  }
  return r;
}

}  // namespace reclaim::analysis::testing
