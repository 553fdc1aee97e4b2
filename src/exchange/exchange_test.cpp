#include "exchange/exchange.hpp"

#include <cpl_vsi.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/entities.hpp"

namespace reclaim::exchange {
namespace {

namespace fs = std::filesystem;

constexpr double kToleranceDeg = 1e-9;  // about 0.1 mm on the ground
// Khmer with zero-width spaces (U+200B) and a coeng: the bytes must survive every format.
const std::string kKhmerName = "វាល​ស្រែ​ភូមិ​ថ្មី";

/// A fresh folder per test, removed afterwards.
class ExchangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string n = "reclaim-exchange-" + std::string(info->test_suite_name()) + "-" +
                    info->name() + "-" + std::to_string(::getpid());
    for (char& c : n)
      if (c == '/') c = '_';
    dir_ = fs::temp_directory_path() / n;
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (std::getenv("RECLAIM_KEEP_TEST_FILES") == nullptr) fs::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write_text(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  fs::path dir_;
};

geo::Ring ring(std::initializer_list<geo::Point> pts) { return geo::Ring(pts); }

/// Two hazards: a multipolygon (the first part with a hole) named in Khmer, and a polygon.
/// Exterior rings counter-clockwise, holes clockwise: the orientation every reader returns.
std::vector<core::Record> sample_hazards() {
  const auto& s = core::schema(core::entity::kHazards);
  core::Record a = core::make_record(s);
  core::set(s, a, "id", std::string("KH-HZ-000001"));
  core::set(s, a, "name", kKhmerName);
  core::set(s, a, "hazard_type", std::string("CHA"));
  core::set(s, a, "contamination", std::string("AP"));
  core::set(s, a, "status", std::string("open"));
  core::set(s, a, "province_code", std::string("01"));
  core::set(s, a, "village_code", std::string("01020101"));
  core::set(s, a, "date_recorded", std::string("2023-04-05"));
  core::set(s, a, "estimated_area_m2", 12500.25);
  core::set(s, a, "beneficiaries", int64_t{340});
  core::set(s, a, "original_coordinates", std::string("48P 303123 1521234"));
  a.geometry.type = geo::GeometryType::kMultiPolygon;
  a.geometry.polygons = {geo::Polygon{{ring({{102.9876543219, 13.5012345671},
                                             {102.9976543219, 13.5012345671},
                                             {102.9976543219, 13.5112345671},
                                             {102.9876543219, 13.5112345671},
                                             {102.9876543219, 13.5012345671}}),
                                       ring({{102.9900000001, 13.5050000001},
                                             {102.9900000001, 13.5070000003},
                                             {102.9920000007, 13.5070000003},
                                             {102.9920000007, 13.5050000001},
                                             {102.9900000001, 13.5050000001}})}},
                         geo::Polygon{{ring({{103.0100000001, 13.5200000001},
                                             {103.0150000001, 13.5200000001},
                                             {103.0125000001, 13.5250000001},
                                             {103.0100000001, 13.5200000001}})}}};

  core::Record b = core::make_record(s);
  core::set(s, b, "id", std::string("KH-HZ-000002"));
  core::set(s, b, "hazard_type", std::string("SHA"));
  core::set(s, b, "province_code", std::string("02"));
  core::set(s, b, "village_code", std::string("02010101"));
  core::set(s, b, "date_recorded", std::string("2024-12-31"));
  core::set(s, b, "estimated_area_m2", 7001.125);
  core::set(s, b, "beneficiaries", int64_t{0});
  b.geometry.type = geo::GeometryType::kPolygon;
  b.geometry.polygons = {geo::Polygon{{ring({{103.2000000001, 12.9000000001},
                                             {103.2100000001, 12.9000000001},
                                             {103.2100000001, 12.9100000001},
                                             {103.2000000001, 12.9000000001}})}}};
  return {a, b};
}

std::map<std::string, std::string> as_map(const core::RawRecord& r) {
  return {r.fields.begin(), r.fields.end()};
}

void expect_same_polygons(const geo::Geometry& want, const geo::Geometry& got,
                          const std::string& what) {
  ASSERT_EQ(want.polygons.size(), got.polygons.size()) << what;
  for (size_t p = 0; p < want.polygons.size(); ++p) {
    const auto& wr = want.polygons[p].rings;
    const auto& gr = got.polygons[p].rings;
    ASSERT_EQ(wr.size(), gr.size()) << what << " polygon " << p;
    for (size_t r = 0; r < wr.size(); ++r) {
      ASSERT_EQ(wr[r].size(), gr[r].size()) << what << " polygon " << p << " ring " << r;
      for (size_t v = 0; v < wr[r].size(); ++v) {
        EXPECT_NEAR(wr[r][v].lon, gr[r][v].lon, kToleranceDeg) << what << " vertex " << v;
        EXPECT_NEAR(wr[r][v].lat, gr[r][v].lat, kToleranceDeg) << what << " vertex " << v;
      }
    }
  }
}

struct RoundTripCase {
  const char* file;
  Format format;
};

class RoundTrip : public ExchangeTest, public ::testing::WithParamInterface<RoundTripCase> {};

TEST_P(RoundTrip, HazardsKeepTextNumbersDatesAndGeometry) {
  const auto& s = core::schema(core::entity::kHazards);
  const auto records = sample_hazards();
  const std::string file = path(GetParam().file);
  ASSERT_TRUE(write_file(file, GetParam().format, s, records).has_value());
  // Written twice: an existing output is overwritten, not appended to.
  auto w = write_file(file, GetParam().format, s, records);
  ASSERT_TRUE(w.has_value()) << w.error().message;

  ReadOptions opts;
  opts.entity = "hazards";
  auto r = read_file(file, opts);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);

  for (size_t i = 0; i < records.size(); ++i) {
    const auto& got = (*r)[i];
    SCOPED_TRACE(std::string(GetParam().file) + " " + got.source);
    EXPECT_TRUE(got.geometry_error.empty()) << got.geometry_error;
    auto m = as_map(got);
    for (size_t f = 0; f < s.fields.size(); ++f) {
      const std::string want = core::to_text(records[i].values[f]);
      if (want.empty()) {
        EXPECT_EQ(m.count(s.fields[f].name), 0u) << "null field " << s.fields[f].name;
      } else {
        EXPECT_EQ(m[s.fields[f].name], want) << "field " << s.fields[f].name;
      }
    }
    for (const auto& [k, v] : m) EXPECT_GE(s.index_of(k), 0) << "unexpected column " << k;
    expect_same_polygons(records[i].geometry, got.geometry, GetParam().file);
  }
  EXPECT_EQ(as_map((*r)[0])["name"], kKhmerName);
  EXPECT_EQ(as_map((*r)[0])["province_code"], "01");
  const bool table = GetParam().format == Format::kCsv || GetParam().format == Format::kXlsx;
  // Spreadsheet row numbers (header = row 1); feature ids otherwise.
  EXPECT_EQ((*r)[1].source.substr(0, table ? 4 : 8), table ? "row " : "feature ");
  if (table) {
    EXPECT_EQ((*r)[1].source, "row 3");
  }
}

INSTANTIATE_TEST_SUITE_P(EveryFormat, RoundTrip,
                         ::testing::Values(RoundTripCase{"hazards.gpkg", Format::kGpkg},
                                           RoundTripCase{"hazards.geojson", Format::kGeoJson},
                                           RoundTripCase{"hazards.csv", Format::kCsv},
                                           RoundTripCase{"hazards.xlsx", Format::kXlsx},
                                           RoundTripCase{"hazards.shp", Format::kShp},
                                           RoundTripCase{"hazards.zip", Format::kShp},
                                           RoundTripCase{"hazards.kml", Format::kKml}),
                         [](const auto& param_info) {
                           std::string n = param_info.param.file;
                           for (char& c : n)
                             if (c == '.') c = '_';
                           return n;
                         });

TEST_F(ExchangeTest, ShapefileComesBackWithOriginalRingOrientation) {
  // Shapefiles store exteriors clockwise; the reader must hand back counter-clockwise.
  const auto& s = core::schema(core::entity::kHazards);
  const auto records = sample_hazards();
  ASSERT_TRUE(write_file(path("h.shp"), Format::kShp, s, records).has_value());
  auto r = read_file(path("h.shp"), {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ((*r)[0].geometry.polygons[0].rings[0], records[0].geometry.polygons[0].rings[0]);
  EXPECT_EQ((*r)[0].geometry.polygons[0].rings[1], records[0].geometry.polygons[0].rings[1]);
}

TEST_F(ExchangeTest, AFormatWrittenUnderAnotherExtensionIsOneFileOfThatFormat) {
  // GDAL's CSV driver makes a folder of a name without ".csv": the file must still be a file.
  const auto& s = core::schema(core::entity::kHazards);
  const auto records = sample_hazards();
  ASSERT_TRUE(write_file(path("h.txt"), Format::kCsv, s, records).has_value());
  ASSERT_TRUE(std::filesystem::is_regular_file(path("h.txt")));
  std::ifstream in(path("h.txt"), std::ios::binary);
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first.rfind("\xEF\xBB\xBFid,", 0), 0u) << first;  // BOM, then the id column
  ASSERT_TRUE(write_file(path("h.dat"), Format::kGpkg, s, records).has_value());
  std::ifstream g(path("h.dat"), std::ios::binary);
  std::string magic(16, '\0');
  g.read(magic.data(), 16);
  EXPECT_EQ(magic, std::string("SQLite format 3\0", 16));
}

TEST_F(ExchangeTest, PointsRoundTripThroughCsvAsLonLat) {
  const auto& s = core::schema(core::entity::kEoFinds);
  core::Record f = core::make_record(s);
  core::set(s, f, "id", std::string("F-1"));
  core::set(s, f, "date", std::string("2024-02-29"));
  core::set(s, f, "category", std::string("uxo"));
  core::set(s, f, "count", int64_t{3});
  f.geometry.type = geo::GeometryType::kPoint;
  f.geometry.point = {104.91234567891234, 11.56789012345678};
  for (auto [name, fmt] : {std::pair{"f.csv", Format::kCsv},
                           {"f.xlsx", Format::kXlsx},
                           {"f.gpkg", Format::kGpkg},
                           {"f.kml", Format::kKml}}) {
    ASSERT_TRUE(write_file(path(name), fmt, s, {f}).has_value()) << name;
    auto r = read_file(path(name), {});
    ASSERT_TRUE(r.has_value()) << name << ": " << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].geometry.type, geo::GeometryType::kPoint) << name;
    EXPECT_NEAR((*r)[0].geometry.point.lon, f.geometry.point.lon, kToleranceDeg) << name;
    EXPECT_NEAR((*r)[0].geometry.point.lat, f.geometry.point.lat, kToleranceDeg) << name;
    EXPECT_EQ(as_map((*r)[0])["count"], "3") << name;
    EXPECT_EQ(as_map((*r)[0]).count("lon"), 0u) << name;
  }
}

TEST_F(ExchangeTest, GeometrylessEntityWritesDbfOnlyAndNullGeometry) {
  const auto& s = core::schema(core::entity::kOrganisations);
  core::Record o = core::make_record(s);
  core::set(s, o, "id", std::string("CMAC"));
  core::set(s, o, "name", std::string("មជ្ឈមណ្ឌលសកម្មភាពកំចាត់មីនកម្ពុជា"));
  core::set(s, o, "type", std::string("operator"));
  core::set(s, o, "accredited", int64_t{1});
  core::set(s, o, "teams", int64_t{120});
  for (auto [name, fmt] : {std::pair{"o.shp", Format::kShp},
                           {"o.zip", Format::kShp},
                           {"o.geojson", Format::kGeoJson},
                           {"o.gpkg", Format::kGpkg},
                           {"o.csv", Format::kCsv}}) {
    auto w = write_file(path(name), fmt, s, {o});
    ASSERT_TRUE(w.has_value()) << name << ": " << w.error().message;
    ReadOptions opts;
    opts.entity = "organisations";
    auto r = read_file(path(name), opts);
    ASSERT_TRUE(r.has_value()) << name << ": " << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    auto m = as_map((*r)[0]);
    EXPECT_EQ(m["name"], core::get_text(s, o, "name")) << name;
    EXPECT_EQ(m["accredited"], "1") << name;
    EXPECT_EQ(m["teams"], "120") << name;
    EXPECT_TRUE((*r)[0].geometry.empty()) << name;
  }
  EXPECT_TRUE(fs::exists(dir_ / "o.dbf"));
  EXPECT_FALSE(fs::exists(dir_ / "o.shp"));
}

TEST_F(ExchangeTest, UnreadableGeometryIsReportedPerFeature) {
  write_text("lines.geojson",
             R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"A"},
 "geometry":{"type":"LineString","coordinates":[[103,13],[103.1,13.1]]}},
{"type":"Feature","properties":{"id":"B","n":1.5,"k":3,"d":"2024-01-02"},
 "geometry":{"type":"Point","coordinates":[103,13]}}]})");
  auto r = read_file(path("lines.geojson"), {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_TRUE((*r)[0].geometry.empty());
  EXPECT_FALSE((*r)[0].geometry_error.empty());
  EXPECT_EQ((*r)[0].source, "feature 0");
  EXPECT_TRUE((*r)[1].geometry_error.empty());
  auto m = as_map((*r)[1]);
  EXPECT_EQ(m["n"], "1.5");
  EXPECT_EQ(m["k"], "3");
  EXPECT_EQ(m["d"], "2024-01-02");
}

TEST_F(ExchangeTest, CsvWithWktColumnNamesAndRowNumbers) {
  write_text("h.csv",
             " ID ,Name,Hazard_Type,WKT\n"
             "H1,\"A, with comma\",SHA,\"POLYGON ((103 13,103.1 13,103.1 13.1,103 13))\"\n"
             "H2,,CHA,POLYGON ((103 13\n"
             "\n"
             "H3,Plain,SHA,\n");
  auto r = read_file(path("h.csv"), {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].source, "row 2");
  EXPECT_EQ(as_map((*r)[0])["id"], "H1");
  EXPECT_EQ(as_map((*r)[0])["name"], "A, with comma");
  EXPECT_EQ(as_map((*r)[0]).count("wkt"), 0u);
  EXPECT_EQ((*r)[0].geometry.type, geo::GeometryType::kPolygon);
  EXPECT_EQ((*r)[0].geometry.polygons.at(0).rings.at(0).size(), 4u);
  EXPECT_EQ((*r)[1].source, "row 3");
  EXPECT_EQ(as_map((*r)[1]).count("name"), 0u) << "empty cells are omitted";
  EXPECT_TRUE((*r)[1].geometry.empty());
  EXPECT_NE((*r)[1].geometry_error.find("wkt"), std::string::npos) << (*r)[1].geometry_error;
  EXPECT_EQ((*r)[2].source, "row 4") << "blank lines are not counted";
  EXPECT_TRUE((*r)[2].geometry.empty());
  EXPECT_TRUE((*r)[2].geometry_error.empty());
}

// Issue 7 item 11: a spreadsheet runs a cell starting with = @ + - tab or CR as a formula.
TEST_F(ExchangeTest, CsvExportGuardsFormulasAndImportRemovesTheGuard) {
  const auto& s = core::schema(core::entity::kHazards);
  // name -> whether the exported cell must carry a leading ' (written out by hand, not computed
  // with csv_needs_guard, so that the rule itself is under test)
  const std::vector<std::pair<std::string, bool>> names = {
      {"=HYPERLINK(\"http://evil.example\",\"click\")", true},
      {"@SUM(A1:A9)", true},
      {"\tcmd", true},
      {"\rcmd", true},  // comes back as "\ncmd": GDAL's reader turns every CR into LF
      {"\ncmd", true},
      {"+cmd|' /C calc'!A0", true},
      {"-2+3+cmd", true},
      {"-12.5", false},  // a number stays a number
      {"+3e-4", false},
      {"-", true},
      {"'=already quoted", true},  // a ' before a formula: guarded again so import is exact
      {"'plain quote", false},
      {"Phum Thmei", false},
      {"a=b", false},
  };
  std::vector<core::Record> records;
  for (size_t i = 0; i < names.size(); ++i) {
    core::Record r = core::make_record(s);
    core::set(s, r, "id", "KH-HZ-" + std::to_string(100 + i));
    core::set(s, r, "name", names[i].first);
    core::set(s, r, "hazard_type", std::string("SHA"));
    core::set(s, r, "province_code", std::string("01"));
    core::set(s, r, "estimated_area_m2", i % 2 == 0 ? -12.5 : 1500.0);  // a real column
    records.push_back(std::move(r));
  }
  const std::string file = path("guard.csv");
  auto w = write_file(file, Format::kCsv, s, records);
  ASSERT_TRUE(w.has_value()) << w.error().message;

  // What a spreadsheet sees: the file's cells parsed here, without GDAL (RFC 4180 quoting).
  std::ifstream in(file, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::vector<std::string>> rows(1);
  {
    std::string cell;
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
      const char ch = text[i];
      if (quoted) {
        if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cell += ch;
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        rows.back().push_back(cell);
        cell.clear();
      } else if (ch == '\n' || (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
        if (ch == '\r') ++i;
        rows.back().push_back(cell);
        cell.clear();
        rows.emplace_back();
      } else {
        cell += ch;
      }
    }
    if (!cell.empty() || !rows.back().empty()) rows.back().push_back(cell);
    if (rows.back().empty()) rows.pop_back();
  }
  ASSERT_EQ(rows.size(), names.size() + 1) << text;
  const auto col = [&](const std::string& name) {
    for (size_t c = 0; c < rows[0].size(); ++c)
      if (rows[0][c] == name) return c;
    ADD_FAILURE() << "no column " << name << " in " << text;
    return size_t{0};
  };
  const size_t name_col = col("name"), area_col = col("estimated_area_m2");
  for (size_t i = 0; i < names.size(); ++i) {
    SCOPED_TRACE("name " + names[i].first);
    const std::string& cell = rows[i + 1].at(name_col);
    EXPECT_EQ(cell, (names[i].second ? "'" : "") + names[i].first);
    EXPECT_EQ(rows[i + 1].at(area_col), i % 2 == 0 ? "-12.5" : "1500") << "numbers unguarded";
  }

  // Import: the guard is removed again, the records are as exported.
  ReadOptions opts;
  opts.entity = "hazards";
  auto r = read_file(file, opts);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    auto m = as_map((*r)[i]);
    for (size_t f = 0; f < s.fields.size(); ++f) {
      std::string want = core::to_text(records[i].values[f]);
      if (want == "\rcmd") want = "\ncmd";  // GDAL's CSV reader: CR -> LF (not the guard)
      if (want.empty()) {
        EXPECT_EQ(m.count(s.fields[f].name), 0u) << s.fields[f].name;
      } else {
        EXPECT_EQ(m[s.fields[f].name], want) << (*r)[i].source << " field " << s.fields[f].name;
      }
    }
  }
}

TEST(CsvGuard, UnguardUndoesGuardForEveryPrefix) {
  // every text of up to 3 characters over an alphabet of the characters that matter
  const std::string alphabet = "=@+-\t\r\n'1.eA ";
  std::vector<std::string> texts = {""};
  for (int len = 1; len <= 3; ++len) {
    std::vector<std::string> next;
    for (const auto& t : texts)
      if (t.size() == static_cast<size_t>(len - 1))
        for (char ch : alphabet) next.push_back(t + ch);
    texts.insert(texts.end(), next.begin(), next.end());
  }
  for (const auto& t : texts) {
    const std::string g = csv_guard(t);
    EXPECT_EQ(csv_unguard(g), t) << "'" << t << "'";
    // a guarded cell never starts a formula
    if (!g.empty()) {
      EXPECT_TRUE(g[0] != '=' && g[0] != '@' && g[0] != '\t' && g[0] != '\r' && g[0] != '\n')
          << "'" << t << "'";
    }
  }
}

TEST_F(ExchangeTest, CsvLineLongerThanTheLimitIsRefusedNamingRowAndLimit) {
  // row 2 is fine, row 3 holds a cell one byte longer than the limit
  std::string text = "id,name\nH1,short\nH2,";
  text.append(static_cast<size_t>(kCsvMaxLineBytes) + 1, 'x');
  text += "\nH3,after\n";
  write_text("long.csv", text);
  auto r = read_file(path("long.csv"), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, path("long.csv") + ": row 3: the line is longer than the limit of " +
                                   std::to_string(kCsvMaxLineBytes) + " bytes");
  // a line just under the limit is read
  std::string ok = "id,name\nH1,";
  ok.append(1000000, 'y');
  ok += "\n";
  write_text("ok.csv", ok);
  auto r2 = read_file(path("ok.csv"), {});
  ASSERT_TRUE(r2.has_value()) << r2.error().message;
  EXPECT_EQ(as_map(r2->at(0))["name"].size(), 1000000u);
}

TEST_F(ExchangeTest, CsvWithLonLatColumnsGivesPoints) {
  write_text("finds.csv",
             "id,Longitude,Latitude,count,village_code\n"
             "F1,104.9123456789,11.5678901234,3,01020101\n"
             "F2,abc,11.5,1,01020101\n");
  auto r = read_file(path("finds.csv"), {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].geometry.type, geo::GeometryType::kPoint);
  EXPECT_DOUBLE_EQ((*r)[0].geometry.point.lon, 104.9123456789);
  EXPECT_DOUBLE_EQ((*r)[0].geometry.point.lat, 11.5678901234);
  EXPECT_EQ(as_map((*r)[0])["village_code"], "01020101") << "leading zero kept";
  EXPECT_EQ(as_map((*r)[0]).count("longitude"), 0u);
  EXPECT_NE((*r)[1].geometry_error.find("abc"), std::string::npos);
}

TEST_F(ExchangeTest, SemicolonSeparatedCsv) {
  write_text("semi.csv", "id;name;estimated_area_m2\nH1;Phum Thmei;12,5\n");
  auto r = read_file(path("semi.csv"), {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  auto m = as_map(r->at(0));
  EXPECT_EQ(m["name"], "Phum Thmei");
  EXPECT_EQ(m["estimated_area_m2"], "12,5") << "text as it is; core rejects it";
}

TEST_F(ExchangeTest, ProjectedCoordinatesAreTransformedToWgs84) {
  // A point in UTM zone 48N (EPSG:32648): 500000 E is the central meridian, 105°E.
  write_text("utm.geojson",
             R"({"type":"FeatureCollection",
"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32648"}},
"features":[{"type":"Feature","properties":{"id":"P"},
"geometry":{"type":"Point","coordinates":[500000,1500000]}}]})");
  auto r = read_file(path("utm.geojson"), {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->at(0).geometry.type, geo::GeometryType::kPoint) << r->at(0).geometry_error;
  EXPECT_NEAR(r->at(0).geometry.point.lon, 105.0, 1e-9);
  EXPECT_NEAR(r->at(0).geometry.point.lat, 13.568451278, 1e-9);  // ogr2ogr -t_srs EPSG:4326
}

TEST_F(ExchangeTest, NonUtf8TextIsReturnedAsItIs) {
  write_text("latin1.csv", "id,name\nH1,Caf\xE9\n");  // ISO-8859-1 é: not UTF-8
  auto r = read_file(path("latin1.csv"), {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(as_map(r->at(0))["name"], "Caf\xE9");
}

TEST_F(ExchangeTest, ColumnMapRenamesImsmaColumns) {
  write_text("imsma.csv", "Hazard_ID,Area_sqm,Province\nKH-1,1500.5,01\n");
  ReadOptions opts;
  opts.column_map = {
      {"Hazard_ID", "id"}, {"area_sqm", "estimated_area_m2"}, {"PROVINCE", "province_code"}};
  auto r = read_file(path("imsma.csv"), opts);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  auto m = as_map(r->at(0));
  EXPECT_EQ(m["id"], "KH-1");
  EXPECT_EQ(m["estimated_area_m2"], "1500.5");
  EXPECT_EQ(m["province_code"], "01");
  EXPECT_EQ(m.size(), 3u);
}

TEST_F(ExchangeTest, MappingFile) {
  write_text("map.txt", "# IMSMA export\n\nHazard_ID = id\r\nArea_sqm=estimated_area_m2\n");
  auto m = read_mapping_file(path("map.txt"));
  ASSERT_TRUE(m.has_value()) << m.error().message;
  EXPECT_EQ(m->at("hazard_id"), "id");
  EXPECT_EQ(m->at("area_sqm"), "estimated_area_m2");

  write_text("bad.txt", "a=b\n# fine\nno equals sign\n");
  auto bad = read_mapping_file(path("bad.txt"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message, path("bad.txt") + " line 3: expected old=new");
  EXPECT_EQ(read_mapping_file(path("none.txt")).error().code, ErrorCode::kNotFound);
}

void truncate_file(const std::string& p, uintmax_t size) { fs::resize_file(p, size); }

TEST_F(ExchangeTest, TruncatedGeoJsonNamesTheFile) {
  const auto& s = core::schema(core::entity::kHazards);
  ASSERT_TRUE(write_file(path("t.geojson"), Format::kGeoJson, s, sample_hazards()).has_value());
  truncate_file(path("t.geojson"), fs::file_size(path("t.geojson")) / 2);
  auto r = read_file(path("t.geojson"), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find(path("t.geojson")), std::string::npos) << r.error().message;
}

TEST_F(ExchangeTest, TruncatedGeoPackageNamesTheFile) {
  const auto& s = core::schema(core::entity::kHazards);
  ASSERT_TRUE(write_file(path("t.gpkg"), Format::kGpkg, s, sample_hazards()).has_value());
  truncate_file(path("t.gpkg"), 1000);
  auto r = read_file(path("t.gpkg"), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find(path("t.gpkg")), std::string::npos) << r.error().message;
}

TEST_F(ExchangeTest, TruncatedZipNamesTheFile) {
  const auto& s = core::schema(core::entity::kHazards);
  ASSERT_TRUE(write_file(path("t.zip"), Format::kShp, s, sample_hazards()).has_value());
  truncate_file(path("t.zip"), fs::file_size(path("t.zip")) / 2);
  auto r = read_file(path("t.zip"), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find(path("t.zip")), std::string::npos) << r.error().message;
}

// Found by fuzzing (fuzz/README.md): a zipped shapefile in GDAL's memory file system (an upload
// read from /vsimem/) skipped the zip handling and was handed to the Shapefile driver as a
// ".zip", which reads nothing. It is now read through /vsizip/ as one on disk is.
TEST_F(ExchangeTest, ZippedShapefileInMemoryReadsLikeOneOnDisk) {
  const auto& s = core::schema(core::entity::kHazards);
  ASSERT_TRUE(write_file(path("m.zip"), Format::kShp, s, sample_hazards()).has_value());
  auto on_disk = read_file(path("m.zip"), {});
  ASSERT_TRUE(on_disk.has_value()) << on_disk.error().message;
  std::ifstream in(path("m.zip"), std::ios::binary);
  std::vector<GByte> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string mem = "/vsimem/exchange_test_" + std::to_string(::getpid()) + ".zip";
  VSIFCloseL(VSIFileFromMemBuffer(mem.c_str(), bytes.data(), bytes.size(), FALSE));
  auto in_memory = read_file(mem, {});
  VSIUnlink(mem.c_str());
  ASSERT_TRUE(in_memory.has_value()) << in_memory.error().message;
  ASSERT_EQ(in_memory->size(), on_disk->size());
  for (size_t i = 0; i < on_disk->size(); ++i) {
    EXPECT_EQ((*in_memory)[i].fields, (*on_disk)[i].fields);
    EXPECT_EQ((*in_memory)[i].geometry, (*on_disk)[i].geometry);
  }
  // not a zip, and no such memory file
  GByte text[] = {'n', 'o', 't', ' ', 'a', ' ', 'z', 'i', 'p'};
  VSIFCloseL(VSIFileFromMemBuffer(mem.c_str(), text, sizeof text, FALSE));
  auto bad = read_file(mem, {});
  VSIUnlink(mem.c_str());
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kUnsupported);
  auto none = read_file(mem, {});
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
}

// Found by fuzzing (fuzz/README.md): a GeometryCollection that is not all polygons was freed
// while still in use (a use-after-free and a double free in from_ogr). Such a feature now gets
// a geometry_error like any other unsupported geometry, and the file is read on.
TEST_F(ExchangeTest, MixedGeometryCollectionIsReportedNotFreedTwice) {
  write_text("gc.geojson", R"({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"id": "A"}, "geometry": {"type": "GeometryCollection",
      "geometries": [{"type": "Point", "coordinates": [103.5, 12.5]},
        {"type": "Polygon", "coordinates": [[[103,13],[103.1,13],[103.1,13.1],[103,13]]]}]}},
    {"type": "Feature", "properties": {"id": "B"}, "geometry": {"type": "GeometryCollection",
      "geometries": [{"type": "Polygon", "coordinates": [[[103,13],[103.1,13],[103.1,13.1],[103,13]]]}]}},
    {"type": "Feature", "properties": {"id": "C"}, "geometry": {"type": "Point",
      "coordinates": [103.5, 12.5]}}]})");
  auto r = read_file(path("gc.geojson"), {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_TRUE((*r)[0].geometry.empty());
  EXPECT_NE((*r)[0].geometry_error, "");
  EXPECT_EQ((*r)[1].geometry.type, geo::GeometryType::kMultiPolygon) << (*r)[1].geometry_error;
  EXPECT_EQ((*r)[2].geometry.type, geo::GeometryType::kPoint);
}

TEST_F(ExchangeTest, ContentThatIsNotWhatTheExtensionSays) {
  write_text("text.gpkg", "this is not a geopackage\n");
  auto g = read_file(path("text.gpkg"), {});
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(g.error().message, path("text.gpkg") + " is not a valid GeoPackage file");

  write_text("csv.geojson", "id,name\nH1,x\n");
  auto j = read_file(path("csv.geojson"), {});
  ASSERT_FALSE(j.has_value());
  EXPECT_EQ(j.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(j.error().message, path("csv.geojson") + " is not a valid GeoJSON file");

  write_text("text.zip", "not a zip");
  EXPECT_EQ(read_file(path("text.zip"), {}).error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(read_file(path("a.docx"), {}).error().code, ErrorCode::kUnsupported);
}

TEST_F(ExchangeTest, MissingFileIsNotFound) {
  for (const char* name : {"none.gpkg", "none.geojson", "none.csv", "none.shp", "none.zip"}) {
    auto r = read_file(path(name), {});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound) << name;
    EXPECT_NE(r.error().message.find(name), std::string::npos);
  }
}

TEST_F(ExchangeTest, MultiLayerGeoPackageChoosesLayer) {
  // Two writes into one folder would overwrite, so build the second layer with GDAL's view of
  // a GeoPackage: write hazards, then check an explicit missing layer is reported.
  const auto& s = core::schema(core::entity::kHazards);
  ASSERT_TRUE(write_file(path("m.gpkg"), Format::kGpkg, s, sample_hazards()).has_value());
  ReadOptions opts;
  opts.layer = "nope";
  auto r = read_file(path("m.gpkg"), opts);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("hazards"), std::string::npos) << r.error().message;
  opts.layer = "hazards";
  EXPECT_EQ(read_file(path("m.gpkg"), opts)->size(), 2u);
}

TEST(Format, FromNameAndPath) {
  EXPECT_EQ(*parse_format("GPKG"), Format::kGpkg);
  EXPECT_EQ(parse_format("pdf").error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(*format_of_path("a/b.GeoJSON"), Format::kGeoJson);
  EXPECT_EQ(*format_of_path("b.json"), Format::kGeoJson);
  EXPECT_EQ(*format_of_path("b.zip"), Format::kShp);
  EXPECT_EQ(*format_of_path("b.xlsx"), Format::kXlsx);
  auto bad = format_of_path("b.txt");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find(".txt"), std::string::npos);
}

TEST(Format, OutputFollowsTheExtensionUnlessFormatIsGiven) {
  const std::pair<const char*, Format> by_extension[] = {
      {"h.csv", Format::kCsv},   {"h.geojson", Format::kGeoJson}, {"h.gpkg", Format::kGpkg},
      {"h.kml", Format::kKml},   {"h.xlsx", Format::kXlsx},       {"h.shp", Format::kShp},
      {"h.zip", Format::kShp},   {"dir/H.CSV", Format::kCsv}};
  for (const auto& [path, want] : by_extension) {
    auto f = output_format(path, std::nullopt);
    ASSERT_TRUE(f.has_value()) << path << ": " << f.error().message;
    EXPECT_EQ(*f, want) << path;
  }
  EXPECT_EQ(*output_format("h.zip", Format::kShp), Format::kShp);
  EXPECT_EQ(*output_format("h.json", Format::kGeoJson), Format::kGeoJson);
  EXPECT_EQ(*output_format("h.txt", Format::kCsv), Format::kCsv) << "--format decides";
  EXPECT_EQ(*output_format("hazards", Format::kGpkg), Format::kGpkg);
}

TEST(Format, AFormatThatContradictsTheExtensionIsRefusedNamingBoth) {
  auto f = output_format("out/x.xlsx", Format::kCsv);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(f.error().message.find("--format csv"), std::string::npos) << f.error().message;
  EXPECT_NE(f.error().message.find(".xlsx"), std::string::npos) << f.error().message;
  EXPECT_FALSE(output_format("h.csv", Format::kGpkg).has_value());
  auto none = output_format("h.txt", std::nullopt);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, ErrorCode::kUnsupported);
  for (Format fmt : {Format::kGpkg, Format::kGeoJson, Format::kCsv, Format::kXlsx, Format::kShp,
                     Format::kKml})
    EXPECT_EQ(*parse_format(format_name(fmt)), fmt);
}

TEST(Gazetteer, CountsLeadingZerosAndKhmerNames) {
  auto units = read_gazetteer(std::string(RECLAIM_DATA_DIR) + "/gazetteer");
  ASSERT_TRUE(units.has_value()) << units.error().message;
  std::map<core::AdminLevel, int> count;
  for (const auto& u : *units) {
    ++count[u.level];
    ASSERT_EQ(u.code.size(), 2u * static_cast<size_t>(u.level)) << u.code;
  }
  EXPECT_EQ(count[core::AdminLevel::kProvince], 25);
  EXPECT_EQ(count[core::AdminLevel::kDistrict], 210);
  EXPECT_EQ(count[core::AdminLevel::kCommune], 1652);
  EXPECT_EQ(count[core::AdminLevel::kVillage], 14578);
  const auto& first = units->front();
  EXPECT_EQ(first.code, "01");
  EXPECT_EQ(first.parent_code, "");
  EXPECT_EQ(first.name_latin, "Banteay Meanchey");
  EXPECT_EQ(first.name_km, "បន្ទាយមានជ័យ");
  ASSERT_TRUE(first.lat.has_value());
  EXPECT_NEAR(*first.lat, 13.7989147, 1e-9);
  core::Gazetteer gz(std::move(*units));
  const auto* v = gz.find("01020101");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->parent_code, "010201");
  EXPECT_EQ(v->name_km, "អូរធំ");
  EXPECT_FALSE(v->lat.has_value());
}

TEST(Gazetteer, MissingFolderIsNotFound) {
  EXPECT_EQ(read_gazetteer("/nonexistent/gazetteer").error().code, ErrorCode::kNotFound);
}

TEST(Boundaries, TwentyFiveProvincePolygons) {
  auto b =
      read_province_boundaries(std::string(RECLAIM_DATA_DIR) + "/boundaries/provinces.geojson");
  ASSERT_TRUE(b.has_value()) << b.error().message;
  ASSERT_EQ(b->size(), 25u);
  std::set<std::string> codes;
  for (const auto& p : *b) {
    codes.insert(p.code);
    EXPECT_EQ(p.level, core::AdminLevel::kProvince);
    EXPECT_TRUE(p.geometry.type == geo::GeometryType::kPolygon ||
                p.geometry.type == geo::GeometryType::kMultiPolygon);
    EXPECT_GE(p.geometry.polygons.at(0).rings.at(0).size(), 4u);
  }
  EXPECT_EQ(codes.size(), 25u);
  EXPECT_EQ(*codes.begin(), "01");
  EXPECT_EQ(read_province_boundaries("/nonexistent.geojson").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace reclaim::exchange
