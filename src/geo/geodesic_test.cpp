#include "geo/geodesic.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "geo/test_support.hpp"

namespace reclaim::geo {
namespace {

using testing::load_postgis_areas;
using testing::square;
using testing::wkt;

constexpr Point kBattambang{103.2, 13.1};
constexpr double kRelTol = 1e-4;  // 0.01 %

TEST(GeodesicArea, HundredMetreSquareNearBattambangIsOneHectare) {
  const Polygon sq = square(kBattambang, 100.0);
  EXPECT_NEAR(polygon_area_m2(sq), 10'000.0, 10'000.0 * kRelTol);  // within 1 m²
}

TEST(GeodesicArea, OneKilometreSquareInRatanakiriIsOneSquareKilometre) {
  EXPECT_NEAR(polygon_area_m2(square({107.0, 13.7}, 1000.0)), 1e6, 1e6 * kRelTol);
}

TEST(GeodesicArea, ClosingVertexIsOptional) {
  Ring closed = square(kBattambang, 100.0).rings[0];
  Ring open(closed.begin(), closed.end() - 1);
  EXPECT_DOUBLE_EQ(ring_area_m2(open), ring_area_m2(closed));
}

TEST(GeodesicArea, OrientationIsIgnored) {
  Ring ccw = square(kBattambang, 100.0).rings[0];
  Ring cw(ccw.rbegin(), ccw.rend());
  EXPECT_NEAR(ring_area_m2(cw), ring_area_m2(ccw), 1e-6);  // not "the rest of the earth"
  EXPECT_GT(ring_area_m2(cw), 0);
}

TEST(GeodesicArea, HoleIsSubtracted) {
  Polygon p = square(kBattambang, 200.0);
  const Polygon hole = square(destination(destination(kBattambang, 0, 50), 90, 50), 50.0);
  p.rings.push_back(hole.rings[0]);
  EXPECT_NEAR(polygon_area_m2(p), 40'000.0 - 2'500.0, 40'000.0 * kRelTol);
}

TEST(GeodesicArea, DegenerateRingsAndPointsHaveNoArea) {
  EXPECT_EQ(ring_area_m2({}), 0);
  EXPECT_EQ(ring_area_m2({{103, 13}, {103.1, 13}}), 0);
  Geometry pt;
  pt.type = GeometryType::kPoint;
  pt.point = kBattambang;
  EXPECT_EQ(area_m2(pt), 0);
  EXPECT_EQ(area_m2(Geometry{}), 0);
}

TEST(GeodesicArea, AgreesWithPostgisGeographyWithinOneHundredthOfAPercent) {
  const auto rows = load_postgis_areas();
  const auto n = std::count_if(rows.begin(), rows.end(), [](auto& r) { return r.op == "area"; });
  ASSERT_GE(n, 5);
  for (const auto& row : rows) {
    if (row.op != "area") continue;
    SCOPED_TRACE(row.name);
    EXPECT_NEAR(area_m2(wkt(row.wkt_a)), row.area_m2, row.area_m2 * kRelTol);
  }
}

TEST(GeodesicDistance, OneDegreeOfLatitudeFromTheEquatorIs110574Metres) {
  // WGS84 meridian arc 0°..1°N: 110 574.389 m.
  EXPECT_NEAR(distance_m({105, 0}, {105, 1}), 110'574.389, 0.01);
}

TEST(GeodesicDistance, DestinationRoundTripsToTheMillimetre) {
  for (double azimuth_deg : {0.0, 37.5, 90.0, 200.0, 315.0}) {
    for (double d_m : {1.0, 250.0, 12'345.0}) {
      const Point to = destination(kBattambang, azimuth_deg, d_m);
      EXPECT_NEAR(distance_m(kBattambang, to), d_m, 1e-3) << azimuth_deg << "° " << d_m << " m";
    }
  }
}

TEST(GeodesicDistance, NorthMovesOnlyLatitude) {
  const Point to = destination(kBattambang, 0, 1000);
  EXPECT_NEAR(to.lon, kBattambang.lon, 1e-12);
  EXPECT_GT(to.lat, kBattambang.lat);
}

TEST(Envelope, CoversAllRingsAndIsDegenerateForAPoint) {
  const Geometry g =
      wkt("MULTIPOLYGON(((103 13, 103.1 13, 103.1 13.2, 103 13)),"
          "((104 12, 104.5 12, 104.5 12.5, 104 12)))");
  const Envelope e = envelope(g);
  EXPECT_EQ(e.min_lon, 103);
  EXPECT_EQ(e.max_lon, 104.5);
  EXPECT_EQ(e.min_lat, 12);
  EXPECT_EQ(e.max_lat, 13.2);
  const Envelope p = envelope(wkt("POINT(103.5 12.25)"));
  EXPECT_EQ(p.min_lon, 103.5);
  EXPECT_EQ(p.max_lon, 103.5);
  EXPECT_EQ(p.min_lat, 12.25);
  EXPECT_EQ(p.max_lat, 12.25);
}

}  // namespace
}  // namespace reclaim::geo
