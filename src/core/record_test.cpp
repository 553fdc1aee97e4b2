// Records through their schema, their text form, and their JSON form (history and the API).
#include "core/record.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "core/entities.hpp"
#include "core/record_json.hpp"
#include "geo/geodesic.hpp"
#include "geo/wkb.hpp"

namespace reclaim::core {
namespace {

using ::testing::HasSubstr;

geo::Geometry wkt(const std::string& text) {
  auto g = geo::from_wkt(text);
  if (!g) throw std::runtime_error("bad WKT in a test: " + g.error().message);
  return *g;
}

const EntitySchema& hazards() { return schema(entity::kHazards); }

/// A hazard near Ou Thum village, Banteay Meanchey; the polygon is about 97 m × 108 m.
Record sample_hazard() {
  const EntitySchema& s = hazards();
  Record r = make_record(s);
  set(s, r, "id", std::string("KH-HZ-000123"));
  set(s, r, "name", std::string("ភូមិអូរធំ — rice field east of the pagoda"));
  set(s, r, "hazard_type", std::string("CHA"));
  set(s, r, "contamination", std::string("AP"));
  set(s, r, "status", std::string("worked_on"));
  set(s, r, "province_code", std::string("01"));
  set(s, r, "village_code", std::string("01020101"));
  set(s, r, "date_recorded", std::string("2019-11-05"));
  set(s, r, "estimated_area_m2", 10432.75);
  set(s, r, "beneficiaries", int64_t{240});
  set(s, r, "remaining_m2", 0.1);
  r.geometry = wkt("POLYGON((103.01 13.51, 103.0109 13.51, 103.0109 13.511, 103.01 13.511, "
                   "103.01 13.51))");
  r.version = 7;
  return r;
}

TEST(Schemas, EveryEntityStartsWithItsIdField) {
  for (const auto& s : all_schemas()) {
    ASSERT_FALSE(s.fields.empty()) << s.name;
    EXPECT_EQ(s.id_field().type, FieldType::kText) << s.name;
    EXPECT_TRUE(s.id_field().required) << s.name;
    EXPECT_EQ(find_schema(s.name), &s);
  }
  EXPECT_EQ(find_schema("minefields"), nullptr);
  EXPECT_THROW(schema("minefields"), std::out_of_range);
}

TEST(Schemas, ReferenceOnlyEntitiesListedBefore) {
  const auto& all = all_schemas();
  for (size_t i = 0; i < all.size(); ++i)
    for (const auto& f : all[i].fields)
      if (f.type == FieldType::kReference) {
        bool before = false;
        for (size_t j = 0; j < i; ++j) before = before || all[j].name == f.references;
        EXPECT_TRUE(before) << all[i].name << "." << f.name << " references " << f.references;
      }
}

TEST(Schemas, CasualtyAgeAndNamesAreGuarded) {
  const EntitySchema& c = schema(entity::kCasualties);
  const FieldDef& age = c.fields[static_cast<size_t>(c.index_of("age"))];
  EXPECT_EQ(age.min, 0);
  EXPECT_EQ(age.max, 110);
  EXPECT_TRUE(c.fields[static_cast<size_t>(c.index_of("name"))].personal);
  EXPECT_TRUE(c.fields[static_cast<size_t>(c.index_of("contact"))].personal);
}

TEST(Record, NewRecordIsAllNull) {
  const Record r = make_record(hazards());
  ASSERT_EQ(r.values.size(), hazards().fields.size());
  for (const auto& v : r.values) EXPECT_TRUE(std::holds_alternative<std::monostate>(v));
  EXPECT_EQ(r.id(), "");
  EXPECT_TRUE(r.geometry.empty());
  EXPECT_EQ(r.version, 0);
}

TEST(Record, TypedAccessThroughTheSchema) {
  const EntitySchema& s = hazards();
  const Record r = sample_hazard();
  EXPECT_EQ(r.id(), "KH-HZ-000123");
  EXPECT_EQ(get_text(s, r, "hazard_type"), "CHA");
  EXPECT_DOUBLE_EQ(get_real(s, r, "estimated_area_m2"), 10432.75);
  EXPECT_DOUBLE_EQ(get_real(s, r, "beneficiaries"), 240.0) << "an integer read as a real";
  EXPECT_EQ(get_int(s, r, "beneficiaries"), 240);
  EXPECT_EQ(get_int(s, r, "estimated_area_m2"), 10433) << "a real read as an integer rounds";
  EXPECT_EQ(get_date(s, r, "date_recorded"), date_from_ymd(2019, 11, 5));
  // Null fields give the caller's default.
  EXPECT_DOUBLE_EQ(get_real(s, r, "cleared_m2", -1), -1);
  EXPECT_EQ(get_int(s, r, "beneficiaries", 0), 240);
  EXPECT_EQ(get_text(s, r, "evidence"), "");
  EXPECT_EQ(get_date(s, r, "last_activity_date"), std::nullopt);
  EXPECT_EQ(get_date(s, r, "name"), std::nullopt) << "text that is not a date";
}

TEST(Record, UnknownFieldIsAProgrammingError) {
  Record r = sample_hazard();
  EXPECT_THROW(get(hazards(), r, "area"), std::out_of_range);
  EXPECT_THROW(set(hazards(), r, "area", 1.0), std::out_of_range);
}

TEST(ToText, WritesRealsWithoutTrailingZeros) {
  EXPECT_EQ(to_text(Value{12500.0}), "12500");
  EXPECT_EQ(to_text(Value{0.5}), "0.5");
  EXPECT_EQ(to_text(Value{0.1}), "0.1");
  EXPECT_EQ(to_text(Value{10432.75}), "10432.75");
  EXPECT_EQ(to_text(Value{-3.25}), "-3.25");
  EXPECT_EQ(to_text(Value{0.0}), "0");
}

TEST(ToText, WritesHazardSizedAreasInFullNotInScientificNotation) {
  // 25 km² and the 10,000 km² schema maximum: a data officer reads these in exports and in
  // "above the maximum" messages.
  EXPECT_EQ(to_text(Value{25000000.0}), "25000000");
  EXPECT_EQ(to_text(Value{1e10}), "10000000000");
  EXPECT_EQ(to_text(Value{42500000.5}), "42500000.5");
}

TEST(ToText, RealsRoundTripExactly) {
  for (double v : {1.0 / 3.0, 2.0 / 3.0, 103.0123456789, 13.5104093, 1e-7, 6.02214076e23,
                   1234567.891, 0.1 + 0.2}) {
    const std::string t = to_text(Value{v});
    EXPECT_EQ(std::strtod(t.c_str(), nullptr), v) << t;
  }
}

TEST(ToText, OtherValueTypes) {
  EXPECT_EQ(to_text(Value{}), "");
  EXPECT_EQ(to_text(Value{int64_t{-42}}), "-42");
  EXPECT_EQ(to_text(Value{int64_t{9007199254740993}}), "9007199254740993");
  EXPECT_EQ(to_text(Value{std::string("អូរធំ")}), "អូរធំ");
}

TEST(RecordJson, RoundTripsEveryValueTypeKhmerAndGeometry) {
  const EntitySchema& s = hazards();
  const Record r = sample_hazard();
  const std::string json = record_to_json(s, r);
  EXPECT_THAT(json, HasSubstr("\"geometry\":\"POLYGON"));
  EXPECT_THAT(json, HasSubstr("ភូមិអូរធំ")) << "Khmer is written as UTF-8, not escaped";
  auto back = record_from_json(s, json);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->values, r.values);
  EXPECT_TRUE(std::holds_alternative<int64_t>(get(s, *back, "beneficiaries")));
  EXPECT_TRUE(std::holds_alternative<double>(get(s, *back, "estimated_area_m2")));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(get(s, *back, "evidence")));
  EXPECT_EQ(back->geometry, r.geometry) << "coordinates survive to the last bit";
  EXPECT_NEAR(geo::area_m2(back->geometry), geo::area_m2(r.geometry), 1e-6);  // m²
  EXPECT_EQ(back->version, 7);
}

TEST(RecordJson, RoundTripsAPointAndAMissingGeometry) {
  const EntitySchema& s = schema(entity::kAccidents);
  Record r = make_record(s);
  set(s, r, "id", std::string("KH-ACC-2024-017"));
  set(s, r, "date", std::string("2024-02-29"));
  set(s, r, "demining_accident", int64_t{0});
  r.geometry = wkt("POINT(102.9791567 13.4940861)");
  auto back = record_from_json(s, record_to_json(s, r));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->values, r.values);
  EXPECT_EQ(back->geometry, r.geometry);

  r.geometry = {};
  const std::string json = record_to_json(s, r);
  EXPECT_THAT(json, HasSubstr("\"geometry\":null"));
  back = record_from_json(s, json);
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(back->geometry.empty());
}

TEST(RecordJson, ReadsJsonBooleansAsZeroOrOne) {
  const EntitySchema& s = schema(entity::kAccidents);
  auto r = record_from_json(s, R"({"id":"A1","demining_accident":true})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(get_int(s, *r, "demining_accident"), 1);
}

TEST(RecordJson, InvalidUtf8IsReplacedNotThrown) {
  // History must never fail, even for text that slipped past entry checks.
  const EntitySchema& s = hazards();
  Record r = sample_hazard();
  set(s, r, "name", std::string("bad \xff\xfe bytes"));
  std::string json;
  ASSERT_NO_THROW(json = record_to_json(s, r));
  auto back = record_from_json(s, json);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(get_text(s, *back, "name"), "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes") << "U+FFFD twice";
}

TEST(RecordJson, RejectsMalformedJsonAndWrongTypes) {
  const EntitySchema& s = hazards();
  for (const char* bad : {"", "{", "[1,2]", "\"hazard\"", "null"}) {
    auto r = record_from_json(s, bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
  auto r = record_from_json(s, R"({"id":"H1","beneficiaries":"many"})");
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("beneficiaries"));
  r = record_from_json(s, R"({"id":"H1","beneficiaries":2.5})");
  ASSERT_FALSE(r.has_value()) << "2.5 beneficiaries";
  EXPECT_THAT(r.error().message, HasSubstr("beneficiaries"));
  r = record_from_json(s, R"({"id":"H1","estimated_area_m2":"big"})");
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("estimated_area_m2"));
  r = record_from_json(s, R"({"id":7})");
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("id"));
  r = record_from_json(s, R"({"id":"H1","geometry":"POLYGON((103 13"})");
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("geometry"));
}

TEST(RecordJson, IntegerGivenForARealFieldIsAccepted) {
  const EntitySchema& s = hazards();
  auto r = record_from_json(s, R"({"id":"H1","estimated_area_m2":12500})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_DOUBLE_EQ(get_real(s, *r, "estimated_area_m2"), 12500.0);
}

}  // namespace
}  // namespace reclaim::core
