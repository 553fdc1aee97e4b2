// parse_record: the gate every imported row passes. One test per class of bad input; each checks
// that the error names the record (its id and its source row) and the field, so a data officer
// can find and fix the row.
#include "core/validate.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/entities.hpp"
#include "geo/geodesic.hpp"
#include "geo/wkb.hpp"

namespace reclaim::core {
namespace {

using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// ---------------------------------------------------------------- the world of these tests

AdminUnit unit(std::string code, std::string parent, AdminLevel level, std::string latin) {
  AdminUnit u;
  u.code = std::move(code);
  u.parent_code = std::move(parent);
  u.level = level;
  u.name_latin = std::move(latin);
  return u;
}

Gazetteer small_gazetteer() {
  return Gazetteer({
      unit("01", "", AdminLevel::kProvince, "Banteay Meanchey"),
      unit("0102", "01", AdminLevel::kDistrict, "Mongkol Borey"),
      unit("010201", "0102", AdminLevel::kCommune, "Banteay Neang"),
      unit("01020101", "010201", AdminLevel::kVillage, "Ou Thum"),
      unit("02", "", AdminLevel::kProvince, "Battambang"),
      unit("0201", "02", AdminLevel::kDistrict, "Banan"),
      unit("020101", "0201", AdminLevel::kCommune, "Kantueu Muoy"),
      unit("02010101", "020101", AdminLevel::kVillage, "Kantueu"),
  });
}

geo::Geometry wkt(const std::string& text) {
  auto g = geo::from_wkt(text);
  if (!g) throw std::runtime_error("bad WKT in a test: " + g.error().message);
  return *g;
}

geo::Geometry polygon(geo::Ring ring) {
  geo::Geometry g;
  g.type = geo::GeometryType::kPolygon;
  g.polygons.push_back(geo::Polygon{{std::move(ring)}});
  return g;
}

/// A square whose south-west corner is (lon, lat), `side_m` metres a side (geodesic steps north
/// and east), closed and counter-clockwise.
geo::Geometry square(double lon, double lat, double side_m) {
  const geo::Point sw{lon, lat};
  const geo::Point se = geo::destination(sw, 90, side_m);
  const geo::Point nw = geo::destination(sw, 0, side_m);
  const geo::Point ne = geo::destination(nw, 90, side_m);
  return polygon({sw, se, ne, nw, sw});
}

/// Simplified province outlines: two lon/lat boxes 0.4° (~44 km) a side, 0.2° (~22 km) apart.
///   01 Banteay Meanchey: 102.8–103.2 E, 13.4–13.8 N
///   02 Battambang:       103.0–103.4 E, 12.8–13.2 N
std::vector<AdminBoundary> province_boxes() {
  return {
      AdminBoundary{"01", AdminLevel::kProvince,
                    wkt("POLYGON((102.8 13.4, 103.2 13.4, 103.2 13.8, 102.8 13.8, 102.8 13.4))")},
      AdminBoundary{"02", AdminLevel::kProvince,
                    wkt("POLYGON((103.0 12.8, 103.4 12.8, 103.4 13.2, 103.0 13.2, 103.0 12.8))")},
  };
}

class ParseRecord : public ::testing::Test {
 protected:
  Gazetteer gaz_ = small_gazetteer();
  ProvinceLocator provinces_{province_boxes()};
  ValidationContext ctx_{&gaz_, &provinces_, date_from_ymd(2025, 6, 30)};

  /// A good hazard row: a 100 m × 100 m CHA in Ou Thum village, province 01.
  static RawRecord hazard_row() {
    RawRecord r;
    r.source = "row 2";
    r.fields = {{"id", "KH-HZ-000001"},        {"hazard_type", "CHA"},
                {"contamination", "AP"},       {"province_code", "01"},
                {"village_code", "01020101"},  {"date_recorded", "2024-01-15"},
                {"estimated_area_m2", "10000"}};
    r.geometry = square(103.0, 13.6, 100);
    return r;
  }
  static constexpr const char* kHazard = "hazard KH-HZ-000001 (row 2)";

  static RawRecord casualty_row(std::string age) {
    RawRecord r;
    r.source = "row 5";
    r.fields = {{"id", "KH-CAS-000001"}, {"date", "2024-03-10"},   {"province_code", "01"},
                {"village_code", "01020101"}, {"outcome", "injured"}, {"sex", "female"},
                {"age", std::move(age)},  {"category", "civilian"}};
    return r;
  }
  static constexpr const char* kCasualty = "casualty KH-CAS-000001 (row 5)";

  static RawRecord activity_row(std::string type) {
    RawRecord r;
    r.source = "row 3";
    r.fields = {{"activity_id", "KH-ACT-000001"}, {"hazard_id", "KH-HZ-000001"},
                {"type", std::move(type)},        {"org", "CMAC"},
                {"start_date", "2024-02-01"},     {"end_date", "2024-02-20"}};
    return r;
  }
  static constexpr const char* kActivity = "activity KH-ACT-000001 (row 3)";

  Result<Record> parse(std::string_view entity, const RawRecord& raw) const {
    return parse_record(schema(entity), raw, ctx_);
  }
};

/// Replaces (or adds) a column of a raw row.
RawRecord with(RawRecord r, const std::string& field, std::string value) {
  for (auto& [k, v] : r.fields)
    if (k == field) {
      v = std::move(value);
      return r;
    }
  r.fields.emplace_back(field, std::move(value));
  return r;
}
RawRecord without(RawRecord r, const std::string& field) {
  std::erase_if(r.fields, [&](const auto& kv) { return kv.first == field; });
  return r;
}
RawRecord with_geometry(RawRecord r, geo::Geometry g) {
  r.geometry = std::move(g);
  return r;
}

/// The row was rejected as invalid input, and among its problems is one for `field` whose text
/// contains `fragment`; both the message and that problem name the record.
void expect_problem(const Result<Record>& r, const std::string& record, const std::string& field,
                    const std::string& fragment) {
  ASSERT_FALSE(r.has_value()) << record << " was accepted; expected a problem with " << field;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(r.error().message, StartsWith(record + ": "));
  EXPECT_THAT(r.error().message, AllOf(HasSubstr(field), HasSubstr(fragment)));
  const auto& d = r.error().details;
  const bool found = std::any_of(d.begin(), d.end(), [&](const FieldError& e) {
    return e.record == record && e.field == field &&
           e.message.find(fragment) != std::string::npos;
  });
  EXPECT_TRUE(found) << "no detail {" << record << ", " << field << ", ..." << fragment
                     << "...} in: " << r.error().message;
}

// ---------------------------------------------------------------- the good row

TEST_F(ParseRecord, AcceptsAGoodHazard) {
  auto r = parse(entity::kHazards, hazard_row());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const EntitySchema& s = schema(entity::kHazards);
  EXPECT_EQ(r->id(), "KH-HZ-000001");
  EXPECT_EQ(get_text(s, *r, "date_recorded"), "2024-01-15");
  EXPECT_EQ(get_text(s, *r, "status"), "open") << "a new hazard is open";
  EXPECT_DOUBLE_EQ(get_real(s, *r, "remaining_m2"), 10000);
  EXPECT_DOUBLE_EQ(get_real(s, *r, "cleared_m2", -1), 0);
  EXPECT_EQ(r->geometry, hazard_row().geometry);
}

// ---------------------------------------------------------------- geometry

TEST_F(ParseRecord, RejectsABowTiePolygonNamingTheVertex) {
  // Edges 0-1 and 2-3 cross in the middle: the surveyor clicked the corners in the wrong order.
  auto r = parse(entity::kHazards,
                 with_geometry(hazard_row(), wkt("POLYGON((103.0 13.6, 103.001 13.601, "
                                                 "103.001 13.6, 103.0 13.601, 103.0 13.6))")));
  expect_problem(r, kHazard, "geometry", "self-intersects");
  EXPECT_THAT(r.error().message, ContainsRegex("ring 0 self-intersects near vertex [0-3] "));
}

TEST_F(ParseRecord, RejectsARingWithTooFewPoints) {
  auto r = parse(entity::kHazards, with_geometry(hazard_row(), polygon({{103.0, 13.6},
                                                                        {103.001, 13.6},
                                                                        {103.0, 13.6}})));
  expect_problem(r, kHazard, "geometry", "ring 0 has 3 points");
}

TEST_F(ParseRecord, RejectsAnUnclosedRing) {
  auto r = parse(entity::kHazards,
                 with_geometry(hazard_row(), polygon({{103.0, 13.6},
                                                      {103.001, 13.6},
                                                      {103.001, 13.601},
                                                      {103.0, 13.601}})));
  expect_problem(r, kHazard, "geometry", "ring 0 is not closed");
}

TEST_F(ParseRecord, RejectsASpike) {
  // A ~110 m square whose north edge goes out 220 m to vertex 4 and comes straight back.
  auto r = parse(entity::kHazards,
                 with_geometry(hazard_row(), polygon({{103.0, 13.6},
                                                      {103.001, 13.6},
                                                      {103.001, 13.601},
                                                      {103.0005, 13.601},
                                                      {103.0005, 13.603},
                                                      {103.000499, 13.601},
                                                      {103.0, 13.601},
                                                      {103.0, 13.6}})));
  expect_problem(r, kHazard, "geometry", "spike at vertex 4");
}

TEST_F(ParseRecord, RejectsCoordinatesOutsideCambodia) {
  // A 100 m square in central Bangkok.
  auto r = parse(entity::kHazards, with_geometry(hazard_row(), square(100.5018, 13.7563, 100)));
  expect_problem(r, kHazard, "geometry", "outside Cambodia");
}

TEST_F(ParseRecord, RejectsSwappedLatitudeAndLongitude) {
  geo::Geometry g = square(103.0, 13.6, 100);
  for (auto& p : g.polygons[0].rings[0]) std::swap(p.lon, p.lat);
  auto r = parse(entity::kHazards, with_geometry(hazard_row(), g));
  expect_problem(r, kHazard, "geometry", "swapped");
}

TEST_F(ParseRecord, RejectsLatitudeOutOfRange) {
  RawRecord raw;
  raw.source = "row 4";
  raw.fields = {{"id", "KH-ACC-000009"}, {"date", "2024-03-10"}, {"province_code", "01"},
                {"village_code", "01020101"}};
  raw.geometry = wkt("POINT(103.0 95.0)");
  expect_problem(parse(entity::kAccidents, raw), "accident KH-ACC-000009 (row 4)", "geometry",
                 "latitude 95 out of range");
}

TEST_F(ParseRecord, RejectsAGeometryOutsideEveryProvinceBoundary) {
  // Inside Cambodia's extent, more than the 3 km tolerance south of province 01's outline, and
  // in no other province loaded.
  auto r = parse(entity::kHazards, with_geometry(hazard_row(), square(103.0, 13.35, 100)));
  expect_problem(r, kHazard, "geometry", "lies outside Cambodia's provinces");
}

TEST_F(ParseRecord, RejectsAGeometryInAnotherProvinceThanTheOneNamed) {
  // The polygon lies in Battambang; the row says Banteay Meanchey.
  auto r = parse(entity::kHazards, with_geometry(hazard_row(), square(103.2, 13.0, 100)));
  expect_problem(r, kHazard, "geometry", "lies in province 02 (Battambang), not in province 01");
}

TEST_F(ParseRecord, AcceptsABorderMinefieldWithinTheProvinceTolerance) {
  // About 1.7 km south of province 01's simplified outline (tolerance 3 km).
  auto r = parse(entity::kHazards, with_geometry(hazard_row(), square(103.0, 13.384, 100)));
  EXPECT_TRUE(r.has_value()) << r.error().message;
}

TEST_F(ParseRecord, RejectsAPointForAHazard) {
  auto r = parse(entity::kHazards, with_geometry(hazard_row(), wkt("POINT(103.0 13.6)")));
  expect_problem(r, kHazard, "geometry", "must be a polygon");
}

TEST_F(ParseRecord, RejectsAHazardWithoutGeometry) {
  auto r = parse(entity::kHazards, with_geometry(hazard_row(), geo::Geometry{}));
  expect_problem(r, kHazard, "geometry", "is missing");
}

TEST_F(ParseRecord, ReportsAGeometryTheFileCouldNotRead) {
  RawRecord raw = with_geometry(hazard_row(), geo::Geometry{});
  raw.geometry_error = "WKB truncated at byte 9";
  expect_problem(parse(entity::kHazards, raw), kHazard, "geometry", "WKB truncated at byte 9");
}

TEST_F(ParseRecord, RejectsAGeometryForAnEntityWithoutOne) {
  const RawRecord plain{"row 2", {{"id", "CMAC"}, {"name", "Cambodian Mine Action Centre"}, {"type", "operator"}}, {}, ""};
  auto ok = parse(entity::kOrganisations, plain);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  RawRecord with_point = plain;
  with_point.geometry.type = geo::GeometryType::kPoint;
  with_point.geometry.point = {103.5, 12.5};
  expect_problem(parse(entity::kOrganisations, with_point), "organisation CMAC (row 2)", "geometry",
                 "has no geometry");
  RawRecord unreadable = plain;
  unreadable.geometry_error = "WKB truncated at byte 9";
  expect_problem(parse(entity::kOrganisations, unreadable), "organisation CMAC (row 2)",
                 "geometry", "has no geometry");
}

// ---------------------------------------------------------------- gazetteer codes

TEST_F(ParseRecord, RejectsAnUnknownProvinceCode) {
  auto r = parse(entity::kHazards, with(hazard_row(), "province_code", "99"));
  expect_problem(r, kHazard, "province_code", "unknown province code '99'");
}

TEST_F(ParseRecord, RejectsAnUnknownVillageCode) {
  auto r = parse(entity::kHazards, with(hazard_row(), "village_code", "01029999"));
  expect_problem(r, kHazard, "village_code", "unknown village code '01029999'");
}

TEST_F(ParseRecord, RejectsADistrictCodeGivenAsVillage) {
  auto r = parse(entity::kHazards, with(hazard_row(), "village_code", "0102"));
  expect_problem(r, kHazard, "village_code", "unknown village code");
}

TEST_F(ParseRecord, RejectsAVillageNotInTheNamedProvince) {
  // Ou Thum is in Banteay Meanchey (01); the row says Battambang (02). Casualties have no
  // geometry, so only the gazetteer can catch this.
  auto r = parse(entity::kCasualties, with(casualty_row("34"), "province_code", "02"));
  expect_problem(r, kCasualty, "village_code",
                 "village 01020101 (Ou Thum) is in province 01 (Banteay Meanchey), not in 02 "
                 "(Battambang)");
}

TEST_F(ParseRecord, RestoresLeadingZerosThatSpreadsheetsDrop) {
  auto r = parse(entity::kHazards,
                 with(with(hazard_row(), "province_code", "1"), "village_code", "1020101"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(get_text(schema(entity::kHazards), *r, "province_code"), "01");
  EXPECT_EQ(get_text(schema(entity::kHazards), *r, "village_code"), "01020101");
}

// ---------------------------------------------------------------- numbers

TEST_F(ParseRecord, RejectsANegativeArea) {
  auto r = parse(entity::kHazards, with(hazard_row(), "estimated_area_m2", "-2500"));
  expect_problem(r, kHazard, "estimated_area_m2", "-2500 is below the minimum 0");
}

TEST_F(ParseRecord, RejectsANonNumericArea) {
  auto r = parse(entity::kHazards, with(hazard_row(), "estimated_area_m2", "2,500 m2"));
  expect_problem(r, kHazard, "estimated_area_m2", "'2,500 m2' is not a number");
}

TEST_F(ParseRecord, RejectsAZeroArea) {
  auto r = parse(entity::kHazards, with(hazard_row(), "estimated_area_m2", "0"));
  expect_problem(r, kHazard, "estimated_area_m2", "must be greater than 0");
}

TEST_F(ParseRecord, RejectsAnAreaLargerThanAnyHazard) {
  // 20,000 km², more than the 10,000 km² ceiling; the message states the ceiling in full.
  auto r = parse(entity::kHazards, with(hazard_row(), "estimated_area_m2", "20000000000"));
  expect_problem(r, kHazard, "estimated_area_m2",
                 "20000000000 is above the maximum 10000000000");
}

TEST_F(ParseRecord, HazardAreaDefaultsToThePolygonsGeodesicArea) {
  auto r = parse(entity::kHazards, without(hazard_row(), "estimated_area_m2"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const EntitySchema& s = schema(entity::kHazards);
  // 100 m × 100 m = 10,000 m², tolerance 1 m² (0.01 %).
  EXPECT_NEAR(get_real(s, *r, "estimated_area_m2"), 10000, 1);
  EXPECT_DOUBLE_EQ(get_real(s, *r, "remaining_m2"), get_real(s, *r, "estimated_area_m2"));
}

TEST_F(ParseRecord, AFileCannotSetDerivedLandReleaseTotals) {
  // remaining_m2 and cleared_m2 are computed from activities, never imported.
  auto r = parse(entity::kHazards,
                 with(with(hazard_row(), "remaining_m2", "0"), "cleared_m2", "10000"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const EntitySchema& s = schema(entity::kHazards);
  EXPECT_DOUBLE_EQ(get_real(s, *r, "remaining_m2"), 10000);
  EXPECT_DOUBLE_EQ(get_real(s, *r, "cleared_m2"), 0);
}

TEST_F(ParseRecord, RejectsAFractionalCount) {
  auto r = parse(entity::kHazards, with(hazard_row(), "beneficiaries", "12.5"));
  expect_problem(r, kHazard, "beneficiaries", "'12.5' is not a whole number");
}

// ---------------------------------------------------------------- dates

TEST_F(ParseRecord, RejectsAnUnparseableDate) {
  auto r = parse(entity::kHazards, with(hazard_row(), "date_recorded", "2023-02-29"));
  expect_problem(r, kHazard, "date_recorded", "'2023-02-29' is not a date");
}

TEST_F(ParseRecord, RejectsAFutureDate) {
  auto r = parse(entity::kHazards, with(hazard_row(), "date_recorded", "2025-07-01"));
  expect_problem(r, kHazard, "date_recorded", "2025-07-01 is in the future (today is 2025-06-30)");
}

TEST_F(ParseRecord, AcceptsTodayAndStoresDatesAsIso) {
  auto r = parse(entity::kHazards, with(hazard_row(), "date_recorded", "30/06/2025"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(get_text(schema(entity::kHazards), *r, "date_recorded"), "2025-06-30");
}

// ---------------------------------------------------------------- casualties

TEST_F(ParseRecord, RejectsANegativeAge) {
  expect_problem(parse(entity::kCasualties, casualty_row("-1")), kCasualty, "age",
                 "-1 is below the minimum 0");
}

TEST_F(ParseRecord, RejectsAnImpossiblyHighAge) {
  expect_problem(parse(entity::kCasualties, casualty_row("130")), kCasualty, "age",
                 "130 is above the maximum 110");
}

TEST_F(ParseRecord, RejectsATextAge) {
  expect_problem(parse(entity::kCasualties, casualty_row("abc")), kCasualty, "age",
                 "'abc' is not a whole number");
}

TEST_F(ParseRecord, AcceptsAnUnknownAgeAndTheAgeLimits) {
  const EntitySchema& s = schema(entity::kCasualties);
  for (const char* age : {"0", "17", "18", "110"}) {
    auto r = parse(entity::kCasualties, casualty_row(age));
    ASSERT_TRUE(r.has_value()) << age << ": " << r.error().message;
    EXPECT_EQ(get_text(s, *r, "age"), age);
  }
  auto r = parse(entity::kCasualties, casualty_row(""));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(std::holds_alternative<std::monostate>(get(s, *r, "age"))) << "unknown, not 0";
}

// ---------------------------------------------------------------- enums and required fields

TEST_F(ParseRecord, RejectsAValueNotInTheList) {
  auto r = parse(entity::kHazards, with(hazard_row(), "hazard_type", "XHA"));
  expect_problem(r, kHazard, "hazard_type", "'XHA' is not one of SHA|CHA");
}

TEST_F(ParseRecord, MatchesListValuesIgnoringCaseSpacesAndHyphens) {
  auto r = parse(entity::kHazards,
                 with(with(hazard_row(), "hazard_type", "cha"), "status", "Worked On"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(get_text(schema(entity::kHazards), *r, "hazard_type"), "CHA");
  EXPECT_EQ(get_text(schema(entity::kHazards), *r, "status"), "worked_on");
  auto a = parse(entity::kActivities, activity_row("Non-Technical Survey"));
  ASSERT_TRUE(a.has_value()) << a.error().message;
  EXPECT_EQ(get_text(schema(entity::kActivities), *a, "type"), "non_technical_survey");
}

TEST_F(ParseRecord, RejectsAMissingRequiredField) {
  auto r = parse(entity::kHazards, without(hazard_row(), "hazard_type"));
  expect_problem(r, kHazard, "hazard_type", "is missing (required)");
}

TEST_F(ParseRecord, RejectsAnEmptyRequiredField) {
  auto r = parse(entity::kHazards, with(hazard_row(), "contamination", "   "));
  expect_problem(r, kHazard, "contamination", "is empty but required");
}

TEST_F(ParseRecord, NamesTheRowWhenTheIdIsMissing) {
  auto r = parse(entity::kHazards, with(hazard_row(), "id", ""));
  expect_problem(r, "row 2", "id", "is empty but required");
}

TEST_F(ParseRecord, RejectsAYesNoFieldThatIsNeither) {
  RawRecord raw;
  raw.source = "row 4";
  raw.fields = {{"id", "KH-ACC-000009"}, {"date", "2024-03-10"}, {"province_code", "01"},
                {"village_code", "01020101"}, {"demining_accident", "maybe"}};
  expect_problem(parse(entity::kAccidents, raw), "accident KH-ACC-000009 (row 4)",
                 "demining_accident", "'maybe' is not true/false");
  auto ok = parse(entity::kAccidents, with(raw, "demining_accident", "Yes"));
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(get_int(schema(entity::kAccidents), *ok, "demining_accident"), 1);
}

// ---------------------------------------------------------------- text

TEST_F(ParseRecord, RejectsTextThatIsNotUtf8) {
  // A CSV saved from Excel in a legacy code page.
  auto r = parse(entity::kHazards, with(hazard_row(), "name", "\xff\xfe"));
  expect_problem(r, kHazard, "name", "not valid UTF-8");
}

TEST_F(ParseRecord, NamesTheRowWhenTheIdIsNotUtf8) {
  auto r = parse(entity::kHazards, with(hazard_row(), "id", "KH-\xff"));
  expect_problem(r, "row 2", "id", "not valid UTF-8");
}

TEST_F(ParseRecord, KeepsKhmerTextUnchanged) {
  auto r = parse(entity::kHazards, with(with(hazard_row(), "name", "ភូមិអូរធំ"), "evidence",
                                        "អ្នកភូមិឃើញមីន PMN-2 ពីរគ្រាប់"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(get_text(schema(entity::kHazards), *r, "name"), "ភូមិអូរធំ");
  EXPECT_EQ(get_text(schema(entity::kHazards), *r, "evidence"), "អ្នកភូមិឃើញមីន PMN-2 ពីរគ្រាប់");
}

TEST(IsValidUtf8, AcceptsKhmerAndRejectsBrokenSequences) {
  EXPECT_TRUE(is_valid_utf8("ភូមិអូរធំ"));
  EXPECT_TRUE(is_valid_utf8("plain ASCII"));
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_FALSE(is_valid_utf8("\xff\xfe"));
  EXPECT_FALSE(is_valid_utf8("\xe1\x9e"));          // a Khmer letter cut short at the end
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

// ---------------------------------------------------------------- a row with many problems

TEST_F(ParseRecord, ReportsAllProblemsOfARowTogether) {
  RawRecord raw = with(with(with(hazard_row(), "estimated_area_m2", "-5"), "date_recorded",
                            "yesterday"),
                       "contamination", "landmines");
  raw = with(raw, "village_code", "01029999");
  auto r = parse(entity::kHazards, raw);
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().details.size(), 4u) << r.error().message;
  std::vector<std::string> fields;
  for (const auto& e : r.error().details) {
    EXPECT_EQ(e.record, kHazard);
    fields.push_back(e.field);
  }
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre("estimated_area_m2", "date_recorded",
                                                      "contamination", "village_code"));
  EXPECT_THAT(r.error().message, AllOf(HasSubstr("-5 is below the minimum 0"),
                                       HasSubstr("'yesterday' is not a date"),
                                       HasSubstr("'landmines' is not one of"),
                                       HasSubstr("unknown village code '01029999'")));
}

// ---------------------------------------------------------------- activities

TEST_F(ParseRecord, AcceptsAClearanceThatClears) {
  auto r = parse(entity::kActivities, with(activity_row("clearance"), "cleared_m2", "2400"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_DOUBLE_EQ(get_real(schema(entity::kActivities), *r, "cleared_m2"), 2400);
}

TEST_F(ParseRecord, RejectsANonTechnicalSurveyThatClears) {
  auto r = parse(entity::kActivities,
                 with(activity_row("non_technical_survey"), "cleared_m2", "2400"));
  expect_problem(r, kActivity, "cleared_m2", "non_technical_survey cannot clear land");
}

TEST_F(ParseRecord, RejectsANonTechnicalSurveyThatReduces) {
  auto r = parse(entity::kActivities,
                 with(activity_row("non_technical_survey"), "reduced_m2", "2400"));
  expect_problem(r, kActivity, "reduced_m2", "cannot reduce land");
}

TEST_F(ParseRecord, RejectsATechnicalSurveyThatClears) {
  auto r = parse(entity::kActivities, with(activity_row("technical_survey"), "cleared_m2", "1"));
  expect_problem(r, kActivity, "cleared_m2", "cannot clear land");
}

TEST_F(ParseRecord, RejectsAClearanceThatCancels) {
  auto r = parse(entity::kActivities, with(activity_row("clearance"), "cancelled_m2", "500"));
  expect_problem(r, kActivity, "cancelled_m2", "cannot cancel land");
}

TEST_F(ParseRecord, RejectsAnEodSpotTaskThatReleasesLand) {
  auto r = parse(entity::kActivities, with(activity_row("eod_spot_task"), "cleared_m2", "25"));
  expect_problem(r, kActivity, "cleared_m2", "releases no land");
}

TEST_F(ParseRecord, RejectsAnActivityThatEndsBeforeItStarts) {
  auto r = parse(entity::kActivities, with(activity_row("clearance"), "end_date", "2024-01-20"));
  expect_problem(r, kActivity, "end_date", "2024-01-20 is before start_date 2024-02-01");
}

}  // namespace
}  // namespace reclaim::core
