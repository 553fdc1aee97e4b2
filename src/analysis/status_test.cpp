// The national status computed from a small, hand-made set of records in two provinces.
//
//   Banteay Meanchey (01)                          Battambang (02)
//   village Ou Thum 01020101:                      village Kantueu 02010101:
//     HA  CHA AP   100 m × 100 m, open               HC  CHA AP  200 m × 200 m = 40,000 m²:
//     HB  SHA CMR  100 m × 100 m, open,                    TS reduces 15,000 m² (2023-05-10),
//         overlapping HA by half (50 m × 100 m)            clearance clears 10,000 m² (2024-02-20)
//   village Phnum 01020102:                          HD  SHA ERW 50 m × 50 m: NTS cancels all
//     HE  CHA AT   40 m × 40 m = 1,600 m²,                 (2023-08-01)
//         cleared in full 2024-03-15                 HF  SHA AP  100 m × 100 m, recorded 2024-09-01
//
// Casualties: a CSV table below.
#include "analysis/status.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/entities.hpp"
#include "core/land_release.hpp"
#include "core/validate.hpp"
#include "geo/geodesic.hpp"

namespace reclaim::analysis {
namespace {

using core::AdminLevel;
using core::AdminUnit;
using core::RawRecord;
using core::Record;
using ::testing::HasSubstr;
using ::testing::Not;

AdminUnit unit(std::string code, std::string parent, AdminLevel level, std::string latin) {
  AdminUnit u;
  u.code = std::move(code);
  u.parent_code = std::move(parent);
  u.level = level;
  u.name_latin = std::move(latin);
  return u;
}

core::Gazetteer small_gazetteer() {
  return core::Gazetteer({
      unit("01", "", AdminLevel::kProvince, "Banteay Meanchey"),
      unit("0102", "01", AdminLevel::kDistrict, "Mongkol Borey"),
      unit("010201", "0102", AdminLevel::kCommune, "Banteay Neang"),
      unit("01020101", "010201", AdminLevel::kVillage, "Ou Thum"),
      unit("01020102", "010201", AdminLevel::kVillage, "Phnum"),
      unit("02", "", AdminLevel::kProvince, "Battambang"),
      unit("0201", "02", AdminLevel::kDistrict, "Banan"),
      unit("020101", "0201", AdminLevel::kCommune, "Kantueu Muoy"),
      unit("02010101", "020101", AdminLevel::kVillage, "Kantueu"),
  });
}

geo::Geometry square(geo::Point sw, double side_m) {
  const geo::Point se = geo::destination(sw, 90, side_m);
  const geo::Point nw = geo::destination(sw, 0, side_m);
  const geo::Point ne = geo::destination(nw, 90, side_m);
  geo::Geometry g;
  g.type = geo::GeometryType::kPolygon;
  g.polygons.push_back(geo::Polygon{{{sw, se, ne, nw, sw}}});
  return g;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

/// Records of one entity from a CSV table (header row = field names), each passed through
/// parse_record as an import would; geometries by id.
std::vector<Record> records(std::string_view entity, const std::string& csv,
                            const core::Gazetteer& gaz,
                            const std::vector<std::pair<std::string, geo::Geometry>>& geoms = {}) {
  const core::ValidationContext ctx{&gaz, nullptr, date_from_ymd(2025, 6, 30)};
  std::istringstream in(csv);
  std::string line;
  std::vector<std::string> header;
  std::vector<Record> out;
  int row = 1;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (header.empty()) {
      header = split(line);
      continue;
    }
    ++row;
    RawRecord raw;
    raw.source = "row " + std::to_string(row);
    const auto values = split(line);
    for (size_t i = 0; i < header.size() && i < values.size(); ++i)
      raw.fields.emplace_back(header[i], values[i]);
    for (const auto& [id, g] : geoms)
      if (id == values[0]) raw.geometry = g;
    auto r = core::parse_record(core::schema(entity), raw, ctx);
    if (!r) throw std::runtime_error("bad test record: " + r.error().message);
    out.push_back(std::move(*r));
  }
  return out;
}

constexpr double kSquareM2 = 100.0 * 100.0;
/// 0.01 % of an area, in m².
double pct001(double m2) { return m2 * 1e-4; }

class NationalStatus : public ::testing::Test {
 protected:
  void SetUp() override {
    const geo::Point ha{103.0, 13.6};
    const geo::Point hb = geo::destination(ha, 90, 50);  // HB's west edge is HA's middle
    const std::vector<std::pair<std::string, geo::Geometry>> geoms = {
        {"HA", square(ha, 100)},
        {"HB", square(hb, 100)},
        {"HE", square({103.01, 13.6}, 40)},
        {"HC", square({103.2, 13.0}, 200)},
        {"HD", square({103.21, 13.0}, 50)},
        {"HF", square({103.22, 13.0}, 100)},
    };
    // estimated_area_m2 is left empty: the polygon's geodesic area is the baseline.
    in_.hazards = records(core::entity::kHazards, R"(
id,hazard_type,contamination,province_code,village_code,date_recorded
HA,CHA,AP,01,01020101,2020-03-01
HB,SHA,CMR,01,01020101,2021-06-01
HE,CHA,AT,01,01020102,2022-01-20
HC,CHA,AP,02,02010101,2019-02-11
HD,SHA,ERW,02,02010101,2019-02-11
HF,SHA,AP,02,02010101,2024-09-01
)",
                          gaz_, geoms);
    in_.activities = records(core::entity::kActivities, R"(
activity_id,hazard_id,type,org,start_date,end_date,cancelled_m2,reduced_m2,cleared_m2,ap_mines,at_mines
A1,HC,technical_survey,CMAC,2023-04-01,2023-05-10,,15000,,,
A2,HD,non_technical_survey,HALO,2023-08-01,2023-08-01,2500,,,,
A3,HC,clearance,CMAC,2023-11-01,2024-02-20,,,10000,12,
A4,HE,clearance,MAG,2024-01-10,2024-03-15,,,1600,,1
)",
                             gaz_);
    in_.casualties = records(core::entity::kCasualties, R"(
id,date,province_code,village_code,outcome,sex,age,category
C1,2023-04-02,01,01020101,killed,male,34,civilian
C2,2023-04-02,01,01020101,injured,male,17,civilian
C3,2023-11-20,02,02010101,injured,female,18,deminer
C4,2024-01-05,02,02010101,injured,unknown,,civilian
C5,2024-07-19,01,01020102,killed,female,9,civilian
)",
                             gaz_);
    // The stored hazards are the current state: every activity applied in date order.
    std::vector<const Record*> acts;
    for (const auto& a : in_.activities) acts.push_back(&a);
    const auto& as = core::schema(core::entity::kActivities);
    std::stable_sort(acts.begin(), acts.end(), [&](const Record* a, const Record* b) {
      return core::get_text(as, *a, "end_date") < core::get_text(as, *b, "end_date");
    });
    for (const Record* a : acts) {
      for (auto& h : in_.hazards)
        if (h.id() == core::get_text(as, *a, "hazard_id")) {
          auto ok = core::apply_activity(h, *a);
          ASSERT_TRUE(ok.has_value()) << ok.error().message;
        }
    }
    in_.gazetteer = &gaz_;
  }

  const Record& hazard(const std::string& id) const {
    for (const auto& h : in_.hazards)
      if (h.id() == id) return h;
    throw std::out_of_range(id);
  }

  static const AreaSummary& province(const Status& s, const std::string& code) {
    for (const auto& p : s.provinces)
      if (p.code == code) return p;
    throw std::out_of_range("no province " + code + " in the status");
  }

  core::Gazetteer gaz_ = small_gazetteer();
  StatusInput in_;
};

TEST_F(NationalStatus, TheHandMadeHazardsHaveTheirStatedState) {
  const auto& hs = core::schema(core::entity::kHazards);
  EXPECT_NEAR(core::get_real(hs, hazard("HC"), "estimated_area_m2"), 40000, pct001(40000));
  EXPECT_NEAR(core::remaining_m2(hazard("HC")), 15000, 4);  // 40,000 − 15,000 − 10,000 (± 4 m²)
  EXPECT_EQ(core::get_text(hs, hazard("HC"), "status"), "worked_on");
  EXPECT_EQ(core::get_text(hs, hazard("HD"), "status"), "closed");
  EXPECT_EQ(core::get_text(hs, hazard("HE"), "status"), "closed");
  EXPECT_EQ(core::get_text(hs, hazard("HA"), "status"), "open");
}

TEST_F(NationalStatus, RemainingContaminationByType) {
  const auto s = compute_status(in_, std::nullopt);
  const auto& rem = s.national.remaining;
  ASSERT_EQ(rem.count("AP"), 1u);
  EXPECT_EQ(rem.at("AP").hazards, 3) << "HA, HC (worked on) and HF";
  EXPECT_NEAR(rem.at("AP").remaining_m2, kSquareM2 + 15000 + kSquareM2, 5);  // m²
  ASSERT_EQ(rem.count("CMR"), 1u);
  EXPECT_EQ(rem.at("CMR").hazards, 1);
  EXPECT_NEAR(rem.at("CMR").remaining_m2, kSquareM2, pct001(kSquareM2));
  EXPECT_EQ(rem.count("AT"), 0u) << "the only AT hazard is closed";
  EXPECT_EQ(rem.count("ERW"), 0u) << "the only ERW hazard is cancelled";
  EXPECT_EQ(s.national.remaining_all.hazards, 4);
  EXPECT_NEAR(s.national.remaining_all.remaining_m2, 3 * kSquareM2 + 15000, 5);  // m²
}

TEST_F(NationalStatus, UnionCountsOverlappingHazardsOnce) {
  const auto s = compute_status(in_, std::nullopt);
  const RemainingByType& bm = province(s, "01").remaining_all;  // HA and HB only
  EXPECT_EQ(bm.hazards, 2);
  EXPECT_NEAR(bm.polygon_area_m2, 20000, pct001(20000));
  EXPECT_NEAR(bm.union_area_m2, 15000, pct001(15000));
  EXPECT_NEAR(bm.overlap_m2(), 5000, pct001(20000));
  // Per type, each polygon is alone: no overlap within AP or within CMR.
  EXPECT_NEAR(province(s, "01").remaining.at("AP").union_area_m2, kSquareM2, pct001(kSquareM2));
  EXPECT_NEAR(province(s, "01").remaining.at("CMR").overlap_m2(), 0, 0.01);  // m²
  // Nationally: HA ∪ HB (15,000) + HC (40,000 polygon, worked on) + HF (10,000).
  EXPECT_NEAR(s.national.remaining_all.polygon_area_m2, 70000, pct001(70000));
  EXPECT_NEAR(s.national.remaining_all.union_area_m2, 65000, pct001(65000));
  // The land-release remainder of HC (15,000 m²) is not its polygon area (40,000 m²).
  EXPECT_NEAR(s.national.remaining_all.remaining_m2, 45000, 5);
}

TEST_F(NationalStatus, ReleasedPerYearAndMethod) {
  const auto s = compute_status(in_, std::nullopt);
  const auto& rel = s.national.released_by_year;
  ASSERT_EQ(rel.size(), 2u);
  EXPECT_DOUBLE_EQ(rel.at(2023).cancelled_m2, 2500);
  EXPECT_DOUBLE_EQ(rel.at(2023).reduced_m2, 15000);
  EXPECT_DOUBLE_EQ(rel.at(2023).cleared_m2, 0);
  EXPECT_DOUBLE_EQ(rel.at(2023).released_m2(), 17500);
  EXPECT_DOUBLE_EQ(rel.at(2024).cleared_m2, 10000 + 1600) << "counted in the year the work ended";
  EXPECT_DOUBLE_EQ(rel.at(2024).cancelled_m2 + rel.at(2024).reduced_m2, 0);
  EXPECT_EQ(s.national.eo_destroyed_by_year.at(2024).ap_mines, 12);
  EXPECT_EQ(s.national.eo_destroyed_by_year.at(2024).at_mines, 1);
  EXPECT_DOUBLE_EQ(province(s, "01").released_by_year.at(2024).cleared_m2, 1600);
  EXPECT_EQ(province(s, "01").released_by_year.count(2023), 0u);
  EXPECT_DOUBLE_EQ(province(s, "02").released_by_year.at(2024).cleared_m2, 10000);
}

TEST_F(NationalStatus, CasualtiesByYearOutcomeSexAndAge) {
  const auto s = compute_status(in_, std::nullopt);
  const auto& c = s.national.casualties_by_year;
  ASSERT_EQ(c.size(), 2u);
  const CasualtyYear& y23 = c.at(2023);
  EXPECT_EQ(y23.total(), 3);
  EXPECT_EQ(y23.killed, 1);
  EXPECT_EQ(y23.injured, 2);
  EXPECT_EQ(y23.male, 2);
  EXPECT_EQ(y23.female, 1);
  EXPECT_EQ(y23.sex_unknown, 0);
  EXPECT_EQ(y23.child, 1) << "17 years old is a child";
  EXPECT_EQ(y23.adult, 2) << "18 years old is an adult";
  EXPECT_EQ(y23.age_unknown, 0);
  const CasualtyYear& y24 = c.at(2024);
  EXPECT_EQ(y24.total(), 2);
  EXPECT_EQ(y24.killed, 1);
  EXPECT_EQ(y24.sex_unknown, 1);
  EXPECT_EQ(y24.child, 1);
  EXPECT_EQ(y24.adult, 0);
  EXPECT_EQ(y24.age_unknown, 1) << "a missing age is unknown, not a newborn";
}

TEST_F(NationalStatus, GroupsByProvince) {
  const auto s = compute_status(in_, std::nullopt);
  ASSERT_EQ(s.provinces.size(), 2u);
  EXPECT_EQ(s.provinces[0].code, "01");
  EXPECT_EQ(s.provinces[0].name, "Banteay Meanchey");
  EXPECT_EQ(s.provinces[1].code, "02");
  EXPECT_EQ(s.provinces[1].name, "Battambang");
  EXPECT_EQ(s.national.code, "");

  const AreaSummary& bm = province(s, "01");
  EXPECT_EQ(bm.hazards_by_class_status.at("CHA").at("open"), 1);
  EXPECT_EQ(bm.hazards_by_class_status.at("CHA").at("closed"), 1);
  EXPECT_EQ(bm.hazards_by_class_status.at("SHA").at("open"), 1);
  EXPECT_EQ(bm.casualties_by_year.at(2023).total(), 2);
  EXPECT_EQ(bm.casualties_by_year.at(2024).killed, 1);

  const AreaSummary& bb = province(s, "02");
  EXPECT_EQ(bb.hazards_by_class_status.at("CHA").at("worked_on"), 1);
  EXPECT_EQ(bb.hazards_by_class_status.at("SHA").at("closed"), 1);
  EXPECT_EQ(bb.hazards_by_class_status.at("SHA").at("open"), 1);
  EXPECT_EQ(bb.remaining_all.hazards, 2);
  EXPECT_EQ(bb.casualties_by_year.at(2023).total(), 1);
  EXPECT_EQ(bb.casualties_by_year.at(2024).total(), 1);

  // Provinces add up to the nation (no overlap across provinces here).
  EXPECT_NEAR(bm.remaining_all.union_area_m2 + bb.remaining_all.union_area_m2,
              s.national.remaining_all.union_area_m2, 0.01);  // m²
  EXPECT_EQ(bm.remaining_all.hazards + bb.remaining_all.hazards,
            s.national.remaining_all.hazards);
}

TEST_F(NationalStatus, VillagesAffectedAndMineFree) {
  const auto s = compute_status(in_, std::nullopt);
  // Ou Thum (HA, HB open) and Kantueu (HC, HF active) are not mine-free; Phnum (HE cleared) is.
  EXPECT_EQ(s.national.villages_affected, 3);
  EXPECT_EQ(s.national.villages_mine_free, 1);
  EXPECT_EQ(province(s, "01").villages_affected, 2);
  EXPECT_EQ(province(s, "01").villages_mine_free, 1);
  EXPECT_EQ(province(s, "02").villages_affected, 1);
  EXPECT_EQ(province(s, "02").villages_mine_free, 0);
}

TEST_F(NationalStatus, AsOfReplaysOnlyWhatWasKnownThen) {
  const auto s = compute_status(in_, date_from_ymd(2023, 12, 31));
  ASSERT_TRUE(s.as_of.has_value());
  const auto& rem = s.national.remaining;
  // HF (recorded 2024-09-01) did not exist; HC had only been reduced; HE was cleared in 2024,
  // so it was still open.
  EXPECT_EQ(rem.at("AP").hazards, 2) << "HA and HC";
  EXPECT_NEAR(rem.at("AP").remaining_m2, kSquareM2 + 25000, 5);  // m²
  ASSERT_EQ(rem.count("AT"), 1u) << "HE was still open on 2023-12-31";
  EXPECT_EQ(rem.at("AT").hazards, 1);
  EXPECT_NEAR(rem.at("AT").remaining_m2, 1600, pct001(1600));
  EXPECT_EQ(rem.count("ERW"), 0u) << "HD was cancelled in August 2023";
  EXPECT_EQ(province(s, "01").hazards_by_class_status.at("CHA").at("open"), 2);
  EXPECT_EQ(province(s, "01").hazards_by_class_status.at("CHA").count("closed"), 0u);
  EXPECT_EQ(province(s, "02").hazards_by_class_status.at("CHA").at("worked_on"), 1);
  EXPECT_EQ(province(s, "02").hazards_by_class_status.at("SHA").count("open"), 0u) << "no HF";

  EXPECT_EQ(s.national.released_by_year.count(2024), 0u);
  EXPECT_DOUBLE_EQ(s.national.released_by_year.at(2023).released_m2(), 17500);
  EXPECT_EQ(s.national.casualties_by_year.count(2024), 0u);
  EXPECT_EQ(s.national.casualties_by_year.at(2023).total(), 3);
  EXPECT_EQ(s.national.villages_mine_free, 0) << "Phnum still had HE";
  EXPECT_EQ(s.national.villages_affected, 3);
}

TEST_F(NationalStatus, AsOfBeforeAnyReleaseShowsTheBaselines) {
  const auto s = compute_status(in_, date_from_ymd(2022, 12, 31));
  EXPECT_EQ(s.national.remaining.at("AP").hazards, 2);
  EXPECT_NEAR(s.national.remaining.at("AP").remaining_m2, kSquareM2 + 40000, 5);  // m²
  EXPECT_EQ(s.national.remaining.at("ERW").hazards, 1) << "HD not yet cancelled";
  EXPECT_TRUE(s.national.released_by_year.empty());
  EXPECT_TRUE(s.national.casualties_by_year.empty());
  // The current state of the stored records is untouched by the replay.
  EXPECT_EQ(core::get_text(core::schema(core::entity::kHazards), hazard("HE"), "status"),
            "closed");
}

TEST_F(NationalStatus, AsOfBeforeAHazardWasRecordedLeavesItOut) {
  const auto s = compute_status(in_, date_from_ymd(2020, 12, 31));
  EXPECT_EQ(s.national.remaining.count("CMR"), 0u) << "HB was recorded in June 2021";
  EXPECT_EQ(s.national.remaining.count("AT"), 0u) << "HE was recorded in 2022";
  EXPECT_NEAR(province(s, "01").remaining_all.union_area_m2, kSquareM2, pct001(kSquareM2));
}

TEST_F(NationalStatus, JsonIsValidAndCarriesTheFigures) {
  const auto s = compute_status(in_, date_from_ymd(2023, 12, 31));
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(status_to_json(s)));
  EXPECT_EQ(j["as_of"], "2023-12-31");
  EXPECT_NEAR(j["national"]["remaining_total"]["union_area_m2"].get<double>(),
              15000 + 40000 + 1600, pct001(56600));
  EXPECT_EQ(j["national"]["casualties_by_year"]["2023"]["child"], 1);
  EXPECT_EQ(j["national"]["casualties_by_year"]["2023"]["total"], 3);
  EXPECT_EQ(j["national"]["released_by_year"]["2023"]["released_m2"].get<double>(), 17500);
  ASSERT_EQ(j["provinces"].size(), 2u);
  EXPECT_EQ(j["provinces"][0]["code"], "01");
  EXPECT_EQ(j["provinces"][0]["name"], "Banteay Meanchey");

  const auto now = nlohmann::json::parse(status_to_json(compute_status(in_, std::nullopt)));
  EXPECT_TRUE(now["as_of"].is_null());
}

TEST_F(NationalStatus, TextReportStatesTheDateAndTotals) {
  const std::string t = status_to_text(compute_status(in_, date_from_ymd(2023, 12, 31)));
  EXPECT_THAT(t, HasSubstr("as of 2023-12-31"));
  EXPECT_THAT(t, HasSubstr("all years: 3 casualties recorded"));
  EXPECT_THAT(t, HasSubstr("Villages affected: 3, of which mine-free now: 0"));
}

TEST_F(NationalStatus, TextBeforeAnyRecordSaysSoInsteadOfEmptyTables) {
  const auto s = compute_status(in_, date_from_ymd(1990, 1, 1));
  EXPECT_TRUE(nothing_recorded(s));
  const std::string t = status_to_text(s);
  EXPECT_THAT(t, HasSubstr("no records on or before 1990-01-01"));
  EXPECT_THAT(t, Not(HasSubstr("Land released per year"))) << t;
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(status_to_json(s)));
  EXPECT_EQ(j["as_of"], "1990-01-01");
  EXPECT_TRUE(j["national"]["released_by_year"].empty());
  EXPECT_TRUE(j["provinces"].empty());
}

TEST_F(NationalStatus, TextWithHazardsButNoReleaseYetSaysNoLandReleased) {
  const auto s = compute_status(in_, date_from_ymd(2022, 12, 31));
  EXPECT_FALSE(nothing_recorded(s));
  const std::string t = status_to_text(s);
  EXPECT_THAT(t, HasSubstr("no land released on or before 2022-12-31"));
  EXPECT_THAT(t, HasSubstr("all years: 0 casualties recorded"));
}

TEST(StatusEmpty, NoRecordsGiveAnEmptyStatus) {
  const core::Gazetteer gaz = small_gazetteer();
  StatusInput in;
  in.gazetteer = &gaz;
  const auto s = compute_status(in, std::nullopt);
  EXPECT_TRUE(s.provinces.empty());
  EXPECT_EQ(s.national.remaining_all.hazards, 0);
  EXPECT_EQ(s.national.remaining_all.union_area_m2, 0);
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(status_to_json(s)));
  EXPECT_TRUE(j["provinces"].empty());
}

}  // namespace
}  // namespace reclaim::analysis
