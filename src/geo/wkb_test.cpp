#include "geo/wkb.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <random>

#include "geo/test_support.hpp"

namespace reclaim::geo {
namespace {

using ::testing::HasSubstr;
using testing::wkt;

std::vector<uint8_t> hex(const std::string& h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoul(h.substr(i, 2), nullptr, 16)));
  }
  return out;
}

Result<Geometry> read_wkb(const std::vector<uint8_t>& b) { return from_wkb(b.data(), b.size()); }
Result<Geometry> read_gpkg(const std::vector<uint8_t>& b) {
  return from_gpkg_blob(b.data(), b.size());
}

void put_f64(std::vector<uint8_t>& out, double d) {
  const auto v = std::bit_cast<uint64_t>(d);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

const char* const kMinefield =
    "POLYGON ((102.9 13.6, 102.9011 13.5998, 102.9014 13.6006, 102.9009 13.601, 102.9 13.6))";
const char* const kWithHole =
    "POLYGON ((103.5 13, 103.502 13, 103.502 13.002, 103.5 13.002, 103.5 13), "
    "(103.5008 13.0008, 103.5008 13.0013, 103.5013 13.0013, 103.5008 13.0008))";
const char* const kTwoParts =
    "MULTIPOLYGON (((104.5 11.5, 104.501 11.5, 104.5005 11.5012, 104.5 11.5)), "
    "((104.503 11.5, 104.5045 11.5002, 104.5043 11.5015, 104.503 11.5)))";

std::vector<Geometry> samples() {
  return {wkt("POINT (103.2 13.1)"), wkt(kMinefield), wkt(kWithHole), wkt(kTwoParts)};
}

TEST(Wkb, PointLittleEndianBytesAreIso) {
  EXPECT_EQ(to_wkb(wkt("POINT (1 2)")), hex("0101000000000000000000F03F0000000000000040"));
}

TEST(Wkb, RoundTripsPointPolygonAndMultipolygon) {
  for (const Geometry& g : samples()) {
    SCOPED_TRACE(to_wkt(g));
    auto back = read_wkb(to_wkb(g));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, g);
  }
}

TEST(Wkb, SinglePolygonMultipolygonKeepsItsType) {
  const Geometry g = wkt("MULTIPOLYGON (((103 13, 103.1 13, 103.1 13.1, 103 13)))");
  EXPECT_EQ(g.type, GeometryType::kMultiPolygon);
  EXPECT_EQ(read_wkb(to_wkb(g))->type, GeometryType::kMultiPolygon);
}

TEST(Wkb, ReadsBigEndian) {
  auto g = read_wkb(hex("00000000013FF00000000000004000000000000000"));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->type, GeometryType::kPoint);
  EXPECT_EQ(g->point, (Point{1, 2}));
}

TEST(Wkb, DropsIsoZAndM) {
  // POINT Z (1 2 3): ISO type 1001.
  auto z = read_wkb(hex("01E9030000000000000000F03F00000000000000400000000000000840"));
  ASSERT_TRUE(z) << z.error().message;
  EXPECT_EQ(z->point, (Point{1, 2}));
  // POINT ZM (1 2 3 4): ISO type 3001, big-endian.
  auto zm =
      read_wkb(hex("0000000BB93FF0000000000000400000000000000040080000000000004010000000000000"));
  ASSERT_TRUE(zm) << zm.error().message;
  EXPECT_EQ(zm->point, (Point{1, 2}));
}

TEST(Wkb, DropsEwkbZAndSkipsSrid) {
  // EWKB POINT Z with SRID 4326: type 0xA0000001, srid 0x10E6.
  auto g = read_wkb(hex("01010000A0E6100000000000000000F03F00000000000000400000000000000840"));
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->point, (Point{1, 2}));
}

TEST(Wkb, ReadsPolygonZ) {
  // POLYGON Z ((0 0 9, 1 0 9, 0 1 9, 0 0 9)), ISO type 1003.
  std::vector<uint8_t> b =
      hex("01EB030000"
          "01000000"
          "04000000");
  for (auto [x, y] : {std::pair{0.0, 0.0}, {1.0, 0.0}, {0.0, 1.0}, {0.0, 0.0}}) {
    put_f64(b, x);
    put_f64(b, y);
    put_f64(b, 9);
  }
  auto g = read_wkb(b);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(*g, wkt("POLYGON ((0 0, 1 0, 0 1, 0 0))"));
}

TEST(Wkb, EveryTruncationIsRejected) {
  for (const Geometry& g : samples()) {
    const auto bytes = to_wkb(g);
    for (size_t n = 0; n < bytes.size(); ++n) {
      auto r = from_wkb(bytes.data(), n);
      ASSERT_FALSE(r) << "prefix of " << n << " bytes accepted";
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

TEST(Wkb, HugeCountsAreRejectedWithoutAllocating) {
  // POLYGON claiming 4 billion rings in 13 bytes.
  auto r = read_wkb(hex("0103000000FFFFFFFF00000000"));
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("truncated"));
}

TEST(Wkb, UnsupportedTypesAndTrailingBytesAreRejected) {
  auto line = read_wkb(hex("010200000000000000"));  // LINESTRING EMPTY
  ASSERT_FALSE(line);
  EXPECT_THAT(line.error().message, HasSubstr("unsupported WKB geometry type 2"));
  auto bytes = to_wkb(wkt("POINT (1 2)"));
  bytes.push_back(0);
  EXPECT_FALSE(read_wkb(bytes));
  EXPECT_FALSE(read_wkb(hex("02")));  // bad byte order
}

TEST(Wkb, RandomGarbageNeverCrashes) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> byte(0, 255);
  const auto valid = to_wkb(wkt(kTwoParts));
  for (int round = 0; round < 20'000; ++round) {
    std::vector<uint8_t> b = valid;
    const int flips = 1 + round % 8;
    for (int i = 0; i < flips; ++i) {
      b[static_cast<size_t>(rng() % b.size())] = static_cast<uint8_t>(byte(rng));
    }
    b.resize(static_cast<size_t>(rng() % (b.size() + 1)));
    (void)read_wkb(b);
    (void)read_gpkg(b);
  }
}

// Found by fuzzing (fuzz/README.md): a polygon ring with no points was accepted; its WKT
// "POLYGON (())" did not read back and GEOS and the area code saw a ring without vertices.
TEST(Wkb, RingWithoutPointsIsRejectedNamingTheRing) {
  // POLYGON with 2 rings: a real one, then one of 0 points; and a MULTIPOLYGON holding it.
  std::vector<uint8_t> poly = to_wkb(wkt("POLYGON((103 13, 103.1 13, 103.1 13.1, 103 13))"));
  poly[5] = 2;  // ring count 1 -> 2
  for (int i = 0; i < 4; ++i) poly.push_back(0);
  auto r = read_wkb(poly);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("ring 1"));
  EXPECT_THAT(r.error().message, HasSubstr("has no points"));
  std::vector<uint8_t> multi = {1, 6, 0, 0, 0, 1, 0, 0, 0};
  multi.insert(multi.end(), poly.begin(), poly.end());
  EXPECT_FALSE(read_wkb(multi));
  // a polygon of zero rings stays POLYGON EMPTY
  auto empty = read_wkb({1, 3, 0, 0, 0, 0, 0, 0, 0});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(Wkb, EmptyGeometryIsPointWithNanCoordinates) {
  const auto bytes = to_wkb(Geometry{});
  ASSERT_EQ(bytes.size(), 21u);
  auto back = read_wkb(bytes);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->empty());
}

TEST(Wkt, RoundTripsExactly) {
  for (const Geometry& g : samples()) {
    auto back = from_wkt(to_wkt(g));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, g);
  }
  EXPECT_EQ(to_wkt(wkt(kWithHole)), kWithHole);
  EXPECT_EQ(to_wkt(wkt(kTwoParts)), kTwoParts);
  // Shortest exact representation, not 6 digits.
  EXPECT_EQ(to_wkt(wkt("POINT(103.123456789012 13.1)")), "POINT (103.123456789012 13.1)");
}

TEST(Wkt, AcceptsZMSridLowercaseAndEmpty) {
  EXPECT_EQ(wkt("POINT Z (1 2 3)"), wkt("POINT (1 2)"));
  EXPECT_EQ(wkt("POINTZM(1 2 3 4)"), wkt("POINT (1 2)"));
  EXPECT_EQ(wkt("point m (1 2 4)"), wkt("POINT (1 2)"));
  EXPECT_EQ(wkt("SRID=4326;POINT(1 2)"), wkt("POINT (1 2)"));
  EXPECT_EQ(wkt("POLYGON Z ((0 0 1, 1 0 1, 0 1 1, 0 0 1))"), wkt("POLYGON ((0 0, 1 0, 0 1, 0 0))"));
  EXPECT_EQ(wkt("  polygon((0 0,1 0,0 1,0 0))  "), wkt("POLYGON ((0 0, 1 0, 0 1, 0 0))"));
  EXPECT_EQ(wkt("POINT (+1.5e2 -2E-1)").point, (Point{150, -0.2}));
  for (const char* e :
       {"POINT EMPTY", "POLYGON EMPTY", "MULTIPOLYGON EMPTY", "GEOMETRYCOLLECTION EMPTY"}) {
    EXPECT_TRUE(wkt(e).empty()) << e;
  }
}

TEST(Wkt, RejectsMalformedText) {
  for (const char* bad : {"", "POINT", "POINT (1)", "POINT (1 2", "POINT (1 2) x",
                          "LINESTRING (0 0, 1 1)", "POLYGON (0 0, 1 0, 0 1, 0 0)",
                          "POLYGON ((0 0, 1 0, 0 1, 0 0)", "MULTIPOLYGON ((0 0, 1 1))",
                          "POINT (a b)", "POINTS (1 2)", "GEOMETRYCOLLECTION (POINT (1 2))"}) {
    auto r = from_wkt(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

TEST(GeoPackage, PointBlobHasNoEnvelope) {
  const auto blob = to_gpkg_blob(wkt("POINT (1 2)"));
  const auto expected =
      hex("4750"
          "00"
          "01"
          "E6100000"
          "0101000000000000000000F03F0000000000000040");
  EXPECT_EQ(blob, expected);
}

TEST(GeoPackage, PolygonBlobHasXyEnvelope) {
  const Geometry g = wkt(kMinefield);
  const auto blob = to_gpkg_blob(g, 32648);
  ASSERT_GT(blob.size(), 40u);
  EXPECT_EQ(blob[3], 0x03);  // little-endian, envelope indicator 1
  int32_t srs = 0;
  std::memcpy(&srs, blob.data() + 4, 4);
  EXPECT_EQ(srs, 32648);
  double env[4];
  std::memcpy(env, blob.data() + 8, sizeof env);
  EXPECT_EQ(env[0], 102.9);     // minx
  EXPECT_EQ(env[1], 102.9014);  // maxx
  EXPECT_EQ(env[2], 13.5998);   // miny
  EXPECT_EQ(env[3], 13.601);    // maxy
}

TEST(GeoPackage, RoundTrips) {
  for (const Geometry& g : samples()) {
    auto back = read_gpkg(to_gpkg_blob(g));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, g);
  }
}

TEST(GeoPackage, EmptyGeometrySetsTheEmptyFlagAndReadsBackAsNone) {
  const auto blob = to_gpkg_blob(Geometry{});
  EXPECT_EQ(blob[3], 0x11);  // little-endian + empty
  const auto wkb = std::vector<uint8_t>(blob.begin() + 8, blob.end());
  auto point = read_wkb(wkb);  // POINT(NaN NaN)
  ASSERT_TRUE(point);
  EXPECT_TRUE(point->empty());
  auto back = read_gpkg(blob);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->empty());
}

TEST(GeoPackage, ReadsEveryEnvelopeIndicatorAndBigEndianHeaders) {
  const auto wkb = to_wkb(wkt("POINT (103.2 13.1)"));
  const size_t envelope_doubles[] = {0, 4, 6, 6, 8};
  for (unsigned indicator = 0; indicator <= 4; ++indicator) {
    for (bool little : {true, false}) {
      std::vector<uint8_t> blob = {'G', 'P', 0,
                                   static_cast<uint8_t>((indicator << 1) | (little ? 1 : 0))};
      const uint8_t srs_le[] = {0xE6, 0x10, 0, 0};
      for (int i = 0; i < 4; ++i) blob.push_back(little ? srs_le[i] : srs_le[3 - i]);
      for (size_t i = 0; i < envelope_doubles[indicator]; ++i) put_f64(blob, 1.0);
      blob.insert(blob.end(), wkb.begin(), wkb.end());
      auto g = read_gpkg(blob);
      ASSERT_TRUE(g) << "indicator " << indicator << ": " << g.error().message;
      EXPECT_EQ(g->point, (Point{103.2, 13.1}));
    }
  }
}

TEST(GeoPackage, RejectsForeignOrBrokenBlobs) {
  const auto good = to_gpkg_blob(wkt(kMinefield));
  auto bad_magic = good;
  bad_magic[0] = 'X';
  EXPECT_FALSE(read_gpkg(bad_magic));
  auto extended = good;
  extended[3] |= 0x20;
  EXPECT_FALSE(read_gpkg(extended));
  auto bad_indicator = good;
  bad_indicator[3] = static_cast<uint8_t>((5 << 1) | 1);
  EXPECT_FALSE(read_gpkg(bad_indicator));
  for (size_t n = 0; n < good.size(); ++n) {
    auto r = from_gpkg_blob(good.data(), n);
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(read_gpkg(to_wkb(wkt(kMinefield))));  // plain WKB is not a GeoPackage blob
}

}  // namespace
}  // namespace reclaim::geo
