#include "demo/demo.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "core/entities.hpp"
#include "core/land_release.hpp"
#include "core/validate.hpp"
#include "exchange/exchange.hpp"
#include "geo/geodesic.hpp"
#include "geo/overlay.hpp"

namespace reclaim::demo {
namespace {

using core::Record;

const std::string kDataDir = RECLAIM_DATA_DIR;

struct World {
  core::Gazetteer gazetteer;
  std::vector<core::AdminBoundary> provinces;
  std::unique_ptr<core::ProvinceLocator> locator;
};

const World& world() {
  static const World kWorld = [] {
    World w;
    auto units = exchange::read_gazetteer(kDataDir + "/gazetteer");
    EXPECT_TRUE(units.has_value()) << (units ? "" : units.error().message);
    if (units) w.gazetteer = core::Gazetteer(std::move(*units));
    auto b = exchange::read_province_boundaries(kDataDir + "/boundaries/provinces.geojson");
    EXPECT_TRUE(b.has_value()) << (b ? "" : b.error().message);
    if (b) w.provinces = std::move(*b);
    w.locator = std::make_unique<core::ProvinceLocator>(w.provinces);
    return w;
  }();
  return kWorld;
}

/// A reference table of data/ as the app reads it (exchange::read_file).
ReferenceTable table(std::string_view file) {
  ReferenceTable t;
  t.name = kDataDir + "/" + std::string(file);
  auto rows = exchange::read_file(t.name, {});
  EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().message);
  if (rows) t.rows = std::move(*rows);
  return t;
}

DemoOptions options(uint64_t seed, int scale = 1) {
  static const ReferenceTable kContamination = table(kContaminationFile);
  static const ReferenceTable kCasualties = table(kCasualtiesFile);
  DemoOptions o;
  o.seed = seed;
  o.scale = scale;
  o.contamination = kContamination;
  o.casualties = kCasualties;
  return o;
}

/// The scale-1 demo for seed 7, generated once for the whole suite.
const DemoData& demo7() {
  static const DemoData kData = [] {
    auto t0 = std::chrono::steady_clock::now();
    auto d = generate(options(7), world().gazetteer, world().provinces);
    auto t1 = std::chrono::steady_clock::now();
    EXPECT_TRUE(d.has_value()) << (d ? "" : d.error().message);
    std::cout << "[ demo     ] scale 1 generated in "
              << std::chrono::duration<double>(t1 - t0).count() << " s\n";
    return d ? *d : DemoData{};
  }();
  return kData;
}

const std::vector<Record>& records(const char* entity) {
  static const std::vector<Record> kNone;
  auto it = demo7().records.find(entity);
  return it == demo7().records.end() ? kNone : it->second;
}

const core::EntitySchema& hs() { return core::schema(core::entity::kHazards); }

std::map<std::string, double> read_targets_km2() {
  std::ifstream in(kDataDir + "/reference/contamination_2025.csv");
  std::string line;
  std::getline(in, line);
  std::map<std::string, double> out;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string as_of, kind, km2;
    std::getline(ss, as_of, ',');
    std::getline(ss, kind, ',');
    std::getline(ss, km2, ',');
    out[kind] = std::stod(km2);
  }
  return out;
}

std::map<int, int> read_casualty_totals() {
  std::ifstream in(kDataDir + "/reference/casualties_by_year.csv");
  std::string line;
  std::getline(in, line);
  std::map<int, int> out;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string year, total;
    std::getline(ss, year, ',');
    std::getline(ss, total, ',');
    out[std::stoi(year)] = std::stoi(total);
  }
  return out;
}

bool same_records(const DemoData& a, const DemoData& b) {
  if (a.records.size() != b.records.size()) return false;
  for (const auto& [name, recs] : a.records) {
    auto it = b.records.find(name);
    if (it == b.records.end() || it->second.size() != recs.size()) return false;
    for (size_t i = 0; i < recs.size(); ++i)
      if (recs[i].values != it->second[i].values || !(recs[i].geometry == it->second[i].geometry))
        return false;
  }
  return true;
}

TEST(Demo, HasEveryEntity) {
  for (const auto& s : core::all_schemas()) {
    if (s.internal) continue;  // users, submissions, access log: not demo data
    EXPECT_FALSE(records(s.name.c_str()).empty()) << s.name;
    std::cout << "[ demo     ] " << s.name << ": " << records(s.name.c_str()).size() << "\n";
  }
  EXPECT_GE(records("hazards").size(), 1800u);
  EXPECT_GE(records("casualties").size(), 60000u);
}

TEST(Demo, SameSeedSameRecordsOtherSeedOtherRecords) {
  auto again = generate(options(7), world().gazetteer, world().provinces);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_TRUE(same_records(demo7(), *again));
  auto other = generate(options(8), world().gazetteer, world().provinces);
  ASSERT_TRUE(other.has_value()) << other.error().message;
  EXPECT_FALSE(same_records(demo7(), *other));
}

TEST(Demo, EveryRecordPassesValidation) {
  core::ValidationContext ctx;
  ctx.gazetteer = &world().gazetteer;
  ctx.provinces = world().locator.get();
  ctx.today = date_from_ymd(2026, 1, 1);
  for (const auto& s : core::all_schemas()) {
    size_t bad = 0;
    for (const Record& r : records(s.name.c_str())) {
      core::RawRecord raw;
      raw.source = s.singular + " " + r.id();
      for (size_t i = 0; i < s.fields.size(); ++i)
        raw.fields.emplace_back(s.fields[i].name, core::to_text(r.values[i]));
      raw.geometry = r.geometry;
      auto parsed = core::parse_record(s, raw, ctx);
      if (!parsed) {
        if (++bad <= 5) ADD_FAILURE() << parsed.error().message;
        continue;
      }
      for (size_t i = 0; i < s.fields.size(); ++i) {
        if (s.fields[i].derived) continue;
        if (parsed->values[i] != r.values[i] && ++bad <= 5)
          ADD_FAILURE() << s.name << " " << r.id() << " field " << s.fields[i].name << ": '"
                        << core::to_text(r.values[i]) << "' re-parsed as '"
                        << core::to_text(parsed->values[i]) << "'";
      }
    }
    EXPECT_EQ(bad, 0u) << s.name;
  }
}

TEST(Demo, NoDateAfterMid2025) {
  for (const auto& s : core::all_schemas())
    for (const Record& r : records(s.name.c_str()))
      for (size_t i = 0; i < s.fields.size(); ++i)
        if (s.fields[i].type == core::FieldType::kDate) {
          std::string d = core::to_text(r.values[i]);
          ASSERT_LE(d, "2025-06-30") << s.name << " " << r.id() << " " << s.fields[i].name;
        }
}

TEST(Demo, RemainingAreaByTypeMatchesMarch2025Within10Percent) {
  auto targets = read_targets_km2();
  std::map<std::string, double> got;
  for (const Record& h : records("hazards")) {
    std::string st = core::get_text(hs(), h, "status");
    if (st != "open" && st != "worked_on") continue;
    std::string c = core::get_text(hs(), h, "contamination");
    std::string kind = c == "CMR" ? "cluster_munitions" : (c == "ERW" ? "other_erw" : "landmines");
    got[kind] += core::remaining_m2(h) / 1e6;
  }
  ASSERT_EQ(targets.size(), 3u);
  for (const auto& [kind, km2] : targets) {
    std::cout << "[ demo     ] remaining " << kind << ": " << got[kind] << " km² (target " << km2
              << ")\n";
    EXPECT_NEAR(got[kind], km2, 0.10 * km2) << kind;
  }
}

TEST(Demo, YearlyCasualtiesFollowTheReferenceWithin15Percent) {
  const auto& cs = core::schema(core::entity::kCasualties);
  std::map<int, int> by_year;
  size_t children = 0, recent = 0;
  for (const Record& r : records("casualties")) {
    int y = core::get_date(cs, r, "date")->year();
    ++by_year[y];
    if (y >= 2015) {
      ++recent;
      if (core::get_int(cs, r, "age", 99) < 18) ++children;
    }
  }
  for (const auto& [year, total] : read_casualty_totals())
    EXPECT_NEAR(by_year[year], total, 0.15 * total) << year;
  EXPECT_EQ(by_year.begin()->first, 1979);
  size_t all = records("casualties").size();
  EXPECT_NEAR(static_cast<double>(all), 65086.0, 0.10 * 65086.0);
  double child_share = static_cast<double>(children) / static_cast<double>(recent);
  EXPECT_GT(child_share, 0.25);
  EXPECT_LT(child_share, 0.5);
}

TEST(Demo, HazardDerivedFieldsEqualAReplayOfTheirActivities) {
  const auto& as = core::schema(core::entity::kActivities);
  std::map<std::string, std::vector<const Record*>> by_hazard;
  for (const Record& a : records("activities"))
    by_hazard[core::get_text(as, a, "hazard_id")].push_back(&a);
  size_t closed = 0;
  for (const Record& h : records("hazards")) {
    Record replay = h;
    core::set(hs(), replay, "status", std::string("open"));
    for (const char* f : {"cancelled_m2", "reduced_m2", "cleared_m2"})
      core::set(hs(), replay, f, 0.0);
    core::set(hs(), replay, "remaining_m2", core::get_real(hs(), h, "estimated_area_m2"));
    core::set(hs(), replay, "last_activity_date", core::Value{});
    auto acts = by_hazard[h.id()];
    std::stable_sort(acts.begin(), acts.end(), [&](const Record* x, const Record* y) {
      auto ex = core::get_text(as, *x, "end_date"), ey = core::get_text(as, *y, "end_date");
      return ex != ey ? ex < ey : x->id() < y->id();
    });
    for (const Record* a : acts) {
      auto ok = core::apply_activity(replay, *a);
      ASSERT_TRUE(ok.has_value()) << ok.error().message;
    }
    for (const char* f : {"status", "cancelled_m2", "reduced_m2", "cleared_m2", "remaining_m2",
                          "last_activity_date"})
      ASSERT_EQ(core::get(hs(), replay, f), core::get(hs(), h, f)) << h.id() << " " << f;
    if (core::get_text(hs(), h, "status") == "closed") ++closed;
    EXPECT_EQ(core::get_real(hs(), h, "estimated_area_m2"), geo::area_m2(h.geometry)) << h.id();
  }
  EXPECT_GT(closed, 500u);
}

TEST(Demo, YearlyReleaseLooksLikeTheNationalPattern) {
  const auto& as = core::schema(core::entity::kActivities);
  std::map<int, double> km2;
  for (const Record& a : records("activities"))
    km2[core::get_date(as, a, "end_date")->year()] +=
        (core::get_real(as, a, "cancelled_m2") + core::get_real(as, a, "reduced_m2") +
         core::get_real(as, a, "cleared_m2")) /
        1e6;
  for (int y = 2015; y <= 2019; ++y) {
    EXPECT_GE(km2[y], 50) << y;
    EXPECT_LE(km2[y], 165) << y;
  }
  EXPECT_NEAR(km2[2023], 240, 40);
}

TEST(Demo, MinesInTheK5BeltClusterMunitionsInTheEast) {
  const std::set<std::string> k5 = {"01", "02", "24", "22", "13", "15", "17", "09"};
  const std::set<std::string> east = {"16", "10", "19", "11", "03", "25"};
  for (const Record& h : records("hazards")) {
    std::string c = core::get_text(hs(), h, "contamination");
    std::string p = core::get_text(hs(), h, "province_code");
    if (c == "AP" || c == "AT" || c == "MIXED") {
      EXPECT_TRUE(k5.count(p)) << h.id() << " " << p;
    }
    if (c == "CMR") {
      EXPECT_TRUE(east.count(p)) << h.id() << " " << p;
    }
    // every vertex inside the named province (within the validation tolerance)
    for (const auto& v : h.geometry.polygons.front().rings.front())
      ASSERT_LE(world().locator->distance_m(v, p), 1.0) << h.id();
  }
}

TEST(Demo, SomeHazardsOverlap) {
  std::vector<const geo::Geometry*> geoms;
  for (const Record& h : records("hazards")) geoms.push_back(&h.geometry);
  auto pairs = geo::find_overlaps(geoms);
  std::cout << "[ demo     ] overlapping hazard pairs: " << pairs.size() << " of " << geoms.size()
            << " hazards\n";
  EXPECT_GT(pairs.size(), 0u);
  EXPECT_LT(pairs.size(), geoms.size() / 5);
}

TEST(Demo, EoFindsLieInTheirHazardAndUseTheDeviceLibrary) {
  const auto& fs = core::schema(core::entity::kEoFinds);
  std::set<std::string> models;
  for (const Record& d : records("devices")) models.insert(d.id());
  std::map<std::string, const Record*> hazards;
  for (const Record& h : records("hazards")) hazards[h.id()] = &h;
  std::vector<geo::Geometry> one(1);
  for (const Record& f : records("eo_finds")) {
    ASSERT_TRUE(models.count(core::get_text(fs, f, "model"))) << f.id();
    const Record* h = hazards.at(core::get_text(fs, f, "hazard_id"));
    one[0] = h->geometry;
    geo::RegionLocator loc(one);
    ASSERT_EQ(loc.locate(f.geometry.point), 0) << f.id();
  }
}

TEST(Demo, FundingIsUsd15To38MillionAYear) {
  const auto& fs = core::schema(core::entity::kFunding);
  std::map<int64_t, double> disbursed;
  for (const Record& r : records("funding"))
    if (core::get_text(fs, r, "status") == "disbursed")
      disbursed[core::get_int(fs, r, "year")] += core::get_real(fs, r, "amount_usd");
  for (const auto& [year, usd] : disbursed) {
    if (year == 2025) continue;  // half a year
    EXPECT_GE(usd, 15e6) << year;
    EXPECT_LE(usd, 38e6) << year;
  }
}

/// A row of a reference table, written by hand (not read from a file).
core::RawRecord row(std::string source, std::vector<std::pair<std::string, std::string>> fields) {
  core::RawRecord r;
  r.source = std::move(source);
  r.fields = std::move(fields);
  return r;
}

/// The error generate() gives for the reference tables `o` (none: "").
std::string reference_error(const DemoOptions& o) {
  auto d = generate(o, world().gazetteer, world().provinces);
  if (d) return "";
  EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument) << d.error().message;
  return d.error().message;
}

TEST(Demo, RejectsBadReferenceTablesNamingTheRowAndField) {
  DemoOptions o = options(7);
  o.contamination = {
      "contamination.csv",
      {row("row 2", {{"contamination", "landmines"}, {"remaining_km2", "469"}}),
       row("row 3", {{"contamination", "cluster_munitions"}, {"remaining_km2", "681"}})}};
  EXPECT_EQ(reference_error(o),
            "contamination.csv: needs rows landmines, cluster_munitions and other_erw");
  o.contamination.rows.push_back(
      row("row 4", {{"contamination", "other_erw"}, {"remaining_km2", "many"}}));
  EXPECT_EQ(reference_error(o),
            "contamination.csv row 4: remaining_km2 'many' is not a number of 0 or more");
  o.contamination.rows.back().fields = {{"contamination", "other_erw"}};  // an empty cell
  EXPECT_EQ(reference_error(o), "contamination.csv row 4: no remaining_km2");

  o = options(7);
  o.casualties = {"casualties.csv", {row("row 2", {{"year", "1996"}, {"killed", "5"}})}};
  EXPECT_EQ(reference_error(o), "casualties.csv row 2: no total");
  o.casualties.rows[0].fields = {{"year", "nineteen"}, {"total", "4"}};
  EXPECT_EQ(reference_error(o), "casualties.csv row 2: year 'nineteen' is not a number");
  o.casualties.rows.clear();
  EXPECT_EQ(reference_error(o), "casualties.csv: no years listed");
}

}  // namespace
}  // namespace reclaim::demo
