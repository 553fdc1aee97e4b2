// The disclosure rule against an independent reader: every test below re-derives what a reader
// can work out from the published cells — the exact integer bounds of each hidden cell over
// every integer table that agrees with them, found by an exhaustive constraint search with the
// relations' arithmetic (no LP, no code of the module) — and requires each hidden cell to stay
// undetermined by more than the threshold.
#include "analysis/disclosure.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/status.hpp"
#include "analysis/test_support.hpp"

namespace reclaim::analysis {
namespace {

using disclosure::kThreshold;
using disclosure::Table;
using testing::IntegerReader;
using testing::Range;
using testing::Reader;
using testing::reader_from_json;

Reader reader_of(const Table& t, const std::vector<bool>& hidden) {
  Reader r;
  for (size_t i = 0; i < t.size(); ++i)
    r.seen.push_back(hidden[i] ? std::nullopt : std::optional<int64_t>(t.count(i)));
  for (const auto& s : t.sums()) r.sums.emplace_back(s.total, s.parts);
  return r;
}

/// The reader's ranges of every hidden cell must be wider than the threshold; returns them.
std::vector<Range> expect_protected(const Table& t, const std::vector<bool>& hidden, int64_t cap) {
  IntegerReader e(reader_of(t, hidden), cap);
  auto ranges = e.run();
  EXPECT_TRUE(e.consistent);
  for (size_t i = 0; i < t.size(); ++i) {
    if (!hidden[i]) continue;
    EXPECT_LE(ranges[i].lo, t.count(i)) << "cell " << i;
    EXPECT_GE(ranges[i].hi, t.count(i)) << "cell " << i;
    EXPECT_GT(ranges[i].width(), kThreshold)
        << "cell " << i << " (count " << t.count(i) << ") is narrowed to [" << ranges[i].lo << ", "
        << ranges[i].hi << "]";
  }
  return ranges;
}

std::vector<bool> primaries(const Table& t) {
  std::vector<bool> h(t.size());
  for (size_t i = 0; i < t.size(); ++i) h[i] = disclosure::below_threshold(t.count(i));
  return h;
}

size_t hidden_count(const std::vector<bool>& h) {
  return static_cast<size_t>(std::count(h.begin(), h.end(), true));
}

// ------------------------------------------------------------ tables

/// A two-way table rows × columns with row totals, column totals and the grand total.
struct TwoWay {
  Table t;
  std::vector<std::vector<size_t>> cell;  // [row][col], col == cols is the row total
  std::vector<size_t> col_total;          // [col], col == cols is the grand total
};

TwoWay two_way(const std::vector<std::vector<int64_t>>& counts) {
  TwoWay w;
  const size_t rows = counts.size(), cols = counts[0].size();
  std::vector<int64_t> ct(cols + 1, 0);
  for (size_t r = 0; r < rows; ++r) {
    std::vector<size_t> row;
    int64_t rt = 0;
    for (size_t c = 0; c < cols; ++c) {
      row.push_back(w.t.add_cell(counts[r][c]));
      rt += counts[r][c];
      ct[c] += counts[r][c];
    }
    ct[cols] += rt;
    row.push_back(w.t.add_cell(rt));
    w.t.add_sum(row[cols], std::vector<size_t>(row.begin(), row.begin() + static_cast<long>(cols)));
    w.cell.push_back(row);
  }
  for (size_t c = 0; c <= cols; ++c) {
    w.col_total.push_back(w.t.add_cell(ct[c]));
    std::vector<size_t> parts;
    for (size_t r = 0; r < rows; ++r) parts.push_back(w.cell[r][c]);
    w.t.add_sum(w.col_total[c], parts);
  }
  std::vector<size_t> parts(w.col_total.begin(), w.col_total.begin() + static_cast<long>(cols));
  w.t.add_sum(w.col_total[cols], parts);
  return w;
}

/// Areas (0 = national, the rest provinces) × {total, killed, injured}: total = killed + injured
/// in every area, national = Σ provinces for each figure.
struct Outcomes {
  Table t;
  std::vector<std::array<size_t, 3>> cell;
};

Outcomes national_and_provinces(const std::vector<std::pair<int64_t, int64_t>>& provinces) {
  Outcomes o;
  int64_t k = 0, i = 0;
  for (const auto& [pk, pi] : provinces) k += pk, i += pi;
  auto area = [&](int64_t killed, int64_t injured) {
    std::array<size_t, 3> c{o.t.add_cell(killed + injured), o.t.add_cell(killed),
                            o.t.add_cell(injured)};
    o.t.add_sum(c[0], {c[1], c[2]});
    o.cell.push_back(c);
  };
  area(k, i);
  for (const auto& [pk, pi] : provinces) area(pk, pi);
  for (size_t f = 0; f < 3; ++f) {
    std::vector<size_t> parts;
    for (size_t a = 1; a < o.cell.size(); ++a) parts.push_back(o.cell[a][f]);
    o.t.add_sum(o.cell[0][f], parts);
  }
  return o;
}

// ------------------------------------------------------------ the rule on tables

TEST(Disclosure, ATableWithNoSmallCountIsPublishedWhole) {
  TwoWay w = two_way({{12, 0, 7}, {6, 9, 25}, {0, 8, 11}});
  const auto hidden = disclosure::protect(w.t);
  EXPECT_EQ(hidden_count(hidden), 0u);
}

TEST(Disclosure, TheAuditSeesThatASingleHiddenCellIsOnlySubtractionAway) {
  // The probe of issue 7 in its smallest form: total 32 and injured 28 published, killed hidden.
  Table t;
  const size_t total = t.add_cell(32), killed = t.add_cell(4), injured = t.add_cell(28);
  t.add_sum(total, {killed, injured});
  const auto hidden = primaries(t);
  ASSERT_TRUE(hidden[killed]);
  auto a = disclosure::audit(t, hidden);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ((*a)[killed].lo, 4);
  EXPECT_EQ((*a)[killed].hi, 4);
  EXPECT_FALSE((*a)[killed].protects());
  // and the independent reader agrees
  IntegerReader e(reader_of(t, hidden), 100);
  auto r = e.run();
  EXPECT_EQ(r[killed].lo, 4);
  EXPECT_EQ(r[killed].hi, 4);
}

TEST(Disclosure, ComplementsHideTheCheapestCellThatProtects) {
  Table t;
  const size_t total = t.add_cell(32), killed = t.add_cell(4), injured = t.add_cell(28);
  t.add_sum(total, {killed, injured});
  const auto hidden = disclosure::protect(t);
  EXPECT_TRUE(hidden[killed]);
  EXPECT_TRUE(hidden[injured]) << "injured (28) is cheaper to hide than the total (32)";
  EXPECT_FALSE(hidden[total]);
  auto a = disclosure::audit(t, hidden);
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)[killed].lo, 0);
  EXPECT_EQ((*a)[killed].hi, 32);
  expect_protected(t, hidden, 100);
}

TEST(Disclosure, ProvinceByYearTwoWayTableSurvivesRowAndColumnArithmetic) {
  // provinces × years with province totals, year totals and the grand total
  TwoWay w = two_way({{12, 3, 0, 7}, {6, 9, 2, 15}, {1, 8, 11, 5}});
  const auto hidden = disclosure::protect(w.t);
  EXPECT_GE(hidden_count(hidden), 4u) << "3 primaries need at least one complement";
  // exact row/column arithmetic: no row or column (margins included) has one hidden cell only
  for (const auto& s : w.t.sums()) {
    size_t n = hidden[s.total] ? 1 : 0;
    for (size_t p : s.parts) n += hidden[p] ? 1 : 0;
    EXPECT_NE(n, 1u) << "a relation with total cell " << s.total << " gives its hidden cell away";
  }
  const auto ranges = expect_protected(w.t, hidden, 79);
  // a two-way table's LP has integer vertices: the audit's bounds are the reader's exact bounds
  auto a = disclosure::audit(w.t, hidden);
  ASSERT_TRUE(a);
  for (size_t i = 0; i < w.t.size(); ++i) {
    if (!hidden[i]) continue;
    EXPECT_EQ((*a)[i].lo, static_cast<double>(ranges[i].lo)) << "cell " << i;
    EXPECT_EQ((*a)[i].hi, static_cast<double>(ranges[i].hi)) << "cell " << i;
  }
}

TEST(Disclosure, NationalAgainstProvincesGivesNoProvinceAway) {
  // killed 2 in the first province; the national figures and the other provinces would give it
  Outcomes o = national_and_provinces({{2, 9}, {7, 12}, {6, 0}});
  const auto only_primary = primaries(o.t);
  ASSERT_EQ(hidden_count(only_primary), 1u);
  auto before = disclosure::audit(o.t, only_primary);
  ASSERT_TRUE(before);
  EXPECT_FALSE((*before)[o.cell[1][1]].protects());

  const auto hidden = disclosure::protect(o.t);
  EXPECT_TRUE(hidden[o.cell[1][1]]);
  expect_protected(o.t, hidden, 36);
  auto after = disclosure::audit(o.t, hidden);
  ASSERT_TRUE(after);
  for (size_t i = 0; i < o.t.size(); ++i)
    if (hidden[i]) {
      EXPECT_TRUE((*after)[i].protects()) << "cell " << i;
    }
}

TEST(Disclosure, RandomHierarchicalTablesAllPassTheIndependentReader) {
  // Seeded, so every run checks the same 100 tables: 2–4 provinces with killed/injured, national
  // against provinces, counts 0–12 so that small counts are common.
  std::mt19937 rng(20231);
  std::uniform_int_distribution<int64_t> count(0, 12);
  std::uniform_int_distribution<int> nprov(2, 4);
  for (int round = 0; round < 100; ++round) {
    std::vector<std::pair<int64_t, int64_t>> p(static_cast<size_t>(nprov(rng)));
    for (auto& [k, i] : p) k = count(rng), i = count(rng);
    Outcomes o = national_and_provinces(p);
    const auto hidden = disclosure::protect(o.t);
    for (size_t i = 0; i < o.t.size(); ++i)
      if (disclosure::below_threshold(o.t.count(i))) {
        EXPECT_TRUE(hidden[i]) << "cell " << i;
      }
    // above the national total when that is hidden too: cutting lower would narrow the ranges
    const int64_t cap = o.t.count(o.cell[0][0]) + 2 * (kThreshold + 1);
    SCOPED_TRACE("round " + std::to_string(round));
    const auto ranges = expect_protected(o.t, hidden, cap);
    // the LP relaxation can only be looser than the integer truth
    auto a = disclosure::audit(o.t, hidden);
    ASSERT_TRUE(a);
    for (size_t i = 0; i < o.t.size(); ++i) {
      if (!hidden[i]) continue;
      EXPECT_LE((*a)[i].lo, static_cast<double>(ranges[i].lo));
      EXPECT_GE((*a)[i].hi, static_cast<double>(ranges[i].hi));
    }
  }
}

TEST(Disclosure, AuditRejectsAMaskOfTheWrongSize) {
  Table t;
  t.add_cell(3);
  auto a = disclosure::audit(t, {true, false});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, ErrorCode::kInvalidArgument);
}

TEST(Disclosure, ATableThatDoesNotAddUpIsABug) {
  Table t;
  const size_t a = t.add_cell(3), b = t.add_cell(4);
  EXPECT_THROW(t.add_sum(a, {b}), std::invalid_argument);
  EXPECT_THROW(t.add_cell(-1), std::invalid_argument);
}

// ------------------------------------------------------------ the public status

CasualtyYear year(int killed, int injured, int male, int female, int adult, int child) {
  CasualtyYear c;
  c.killed = killed;
  c.injured = injured;
  c.male = male;
  c.female = female;
  c.sex_unknown = killed + injured - male - female;
  c.adult = adult;
  c.child = child;
  c.age_unknown = killed + injured - adult - child;
  return c;
}

/// 2023 of the demo's national figures (total 32, killed 4, injured 28, male 25, female 7, adult
/// 18, child 14), split over two provinces; 2024 with nothing small anywhere.
Status probe_status() {
  Status s;
  s.national.casualties_by_year[2023] = year(4, 28, 25, 7, 18, 14);
  s.national.casualties_by_year[2024] = year(12, 37, 38, 11, 30, 19);
  AreaSummary p1, p2;
  p1.code = "01";
  p2.code = "02";
  p1.casualties_by_year[2023] = year(4, 10, 10, 4, 8, 6);
  p2.casualties_by_year[2023] = year(0, 18, 15, 3, 10, 8);
  p1.casualties_by_year[2024] = year(5, 17, 17, 5, 12, 10);
  p2.casualties_by_year[2024] = year(7, 20, 21, 6, 18, 9);
  s.provinces = {p1, p2};
  return s;
}

TEST(DisclosureStatus, The2023KilledFigureCannotBeWorkedOutFromThePublicStatus) {
  const Status s = probe_status();
  const auto j = nlohmann::json::parse(status_to_json(s, Audience::kPublic));
  const auto& n2023 = j["national"]["casualties_by_year"]["2023"];
  EXPECT_TRUE(n2023["killed"].is_null());
  EXPECT_EQ(n2023["suppressed"], true);
  EXPECT_EQ(j["small_counts_suppressed"], true);
  EXPECT_EQ(j["suppression_threshold"], kThreshold);
  // the reader's arithmetic on everything published for 2023
  std::vector<std::pair<std::string, std::string>> names;
  Reader r = reader_from_json(j, "2023", &names);
  IntegerReader e(r, 32);
  const auto ranges = e.run();
  ASSERT_TRUE(e.consistent);
  size_t hidden = 0;
  for (size_t i = 0; i < r.seen.size(); ++i) {
    if (r.seen[i]) continue;
    ++hidden;
    EXPECT_GT(ranges[i].width(), kThreshold)
        << names[i].first << " " << names[i].second << " narrowed to [" << ranges[i].lo << ", "
        << ranges[i].hi << "]";
  }
  EXPECT_GE(hidden, 4u);  // at least the primaries: killed 4 (national, 01), female 4 (01), 3 (02)
  // nothing small is published, and 2024 (nothing small) is published whole
  for (const auto& a : {j["national"], j["provinces"][0], j["provinces"][1]}) {
    for (const auto& [yy, fig] : a["casualties_by_year"].items())
      for (const auto& [k, v] : fig.items())
        if (v.is_number_integer()) {
          EXPECT_FALSE(disclosure::below_threshold(v.get<int64_t>())) << yy << " " << k;
        }
    EXPECT_EQ(a["casualties_by_year"]["2024"]["suppressed"], false);
  }
}

TEST(DisclosureStatus, RandomSmallStatusesPassTheIndependentReader) {
  // Seeded: 20 years of three provinces, each casualty drawn with an outcome, a sex and an age
  // group, so that all three breakdowns of each total and national = Σ provinces link the cells.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> people(0, 12), pick(0, 2);
  Status s;
  s.provinces.resize(3);
  s.provinces[0].code = "01";
  s.provinces[1].code = "02";
  s.provinces[2].code = "03";
  for (int y = 2001; y <= 2020; ++y) {
    for (auto& p : s.provinces) {
      CasualtyYear c;
      for (int n = people(rng); n > 0; --n) {
        (pick(rng) == 0 ? c.killed : c.injured)++;
        const int sex = pick(rng), age = pick(rng);
        (sex == 0 ? c.male : sex == 1 ? c.female : c.sex_unknown)++;
        (age == 0 ? c.adult : age == 1 ? c.child : c.age_unknown)++;
      }
      if (c.total() == 0) continue;
      p.casualties_by_year[y] = c;
      CasualtyYear& nc = s.national.casualties_by_year[y];
      nc.killed += c.killed, nc.injured += c.injured, nc.male += c.male, nc.female += c.female;
      nc.sex_unknown += c.sex_unknown, nc.adult += c.adult, nc.child += c.child;
      nc.age_unknown += c.age_unknown;
    }
  }
  const auto j = nlohmann::json::parse(status_to_json(s, Audience::kPublic));
  for (const auto& [y, c] : s.national.casualties_by_year) {
    SCOPED_TRACE("year " + std::to_string(y));
    std::vector<std::pair<std::string, std::string>> names;
    Reader r = reader_from_json(j, std::to_string(y), &names);
    IntegerReader e(r, c.total() + 2 * (kThreshold + 1));
    const auto ranges = e.run();
    ASSERT_TRUE(e.consistent);
    for (size_t i = 0; i < r.seen.size(); ++i) {
      if (r.seen[i]) continue;
      EXPECT_GT(ranges[i].width(), kThreshold)
          << names[i].first << " " << names[i].second << " narrowed to [" << ranges[i].lo << ", "
          << ranges[i].hi << "]";
    }
  }
}

TEST(DisclosureStatus, OfficialOutputCarriesEveryFigure) {
  const Status s = probe_status();
  const auto j = nlohmann::json::parse(status_to_json(s, Audience::kOfficial));
  EXPECT_EQ(j["national"]["casualties_by_year"]["2023"]["killed"], 4);
  EXPECT_EQ(j["provinces"][0]["casualties_by_year"]["2023"]["female"], 4);
  EXPECT_FALSE(j["national"]["casualties_by_year"]["2023"].contains("suppressed"));
  EXPECT_FALSE(j.contains("small_counts_suppressed"));
  EXPECT_EQ(status_to_json(s), status_to_json(s, Audience::kOfficial));
}

TEST(DisclosureStatus, AStatusWithNoSmallCountIsPublishedUntouched) {
  Status s = probe_status();
  for (auto* a : {&s.national, &s.provinces[0], &s.provinces[1]}) a->casualties_by_year.erase(2023);
  const auto pub = nlohmann::json::parse(status_to_json(s, Audience::kPublic));
  auto off = nlohmann::json::parse(status_to_json(s, Audience::kOfficial));
  const auto mask = public_casualty_mask(s);
  for (const auto& [key, h] : mask)
    for (bool b : h) EXPECT_FALSE(b) << "area " << key.first << " year " << key.second;
  for (auto* a : {&off["national"], &off["provinces"][0], &off["provinces"][1]})
    for (auto& [yy, fig] : (*a)["casualties_by_year"].items()) fig["suppressed"] = false;
  off["small_counts_suppressed"] = true;
  off["suppression_threshold"] = kThreshold;
  EXPECT_EQ(pub, off);
}

}  // namespace
}  // namespace reclaim::analysis
