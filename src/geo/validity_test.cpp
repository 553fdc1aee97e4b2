#include "geo/validity.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "geo/test_support.hpp"

namespace reclaim::geo {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::wkt;

/// The error message of validate(), or "" when the geometry is valid.
std::string problem(const Geometry& g, const Envelope& extent = kCambodiaExtent) {
  auto r = validate(g, extent);
  if (r) return "";
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  return r.error().message;
}
std::string problem(const std::string& text) { return problem(wkt(text)); }

Geometry point(double lon, double lat) {
  Geometry g;
  g.type = GeometryType::kPoint;
  g.point = {lon, lat};
  return g;
}

TEST(Validity, PostgisFixturePolygonsAreValid) {
  for (const auto& row : testing::load_postgis_areas()) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(problem(row.wkt_a), "");
    if (!row.wkt_b.empty()) {
      EXPECT_EQ(problem(row.wkt_b), "");
    }
  }
}

TEST(Validity, OneHectareMinefieldNearBattambangIsValid) {
  EXPECT_EQ(problem(testing::polygon_geometry(testing::square({103.2, 13.1}, 100))), "");
}

TEST(Validity, BowTieSelfIntersectionNamesTheVertex) {
  // 100 m bow-tie: edge 0-1 crosses edge 2-3 at (103.2005, 13.1005).
  const std::string msg =
      problem("POLYGON((103.2 13.1, 103.201 13.101, 103.201 13.1, 103.2 13.101, 103.2 13.1))");
  EXPECT_THAT(msg, AllOf(HasSubstr("ring 0 self-intersects near vertex"),
                         HasSubstr("(103.2005, 13.1005)"), HasSubstr("edge 0-1 crosses edge 2-3")));
}

TEST(Validity, SelfIntersectionFarAlongTheRingNamesTheNearestVertex) {
  // A square whose fourth corner is pulled below the first edge: edge 3-4 crosses edge 0-1 at
  // about (103.20067, 13.1), nearest to vertex 1.
  const std::string msg = problem(
      "POLYGON((103.2 13.1, 103.201 13.1, 103.201 13.101, 103.2004 13.101, 103.2008 13.0995,"
      " 103.2 13.1))");
  EXPECT_THAT(msg, AllOf(HasSubstr("ring 0 self-intersects near vertex 1 (103.201, 13.1)"),
                         HasSubstr("edge 0-1 crosses edge 3-4")));
}

TEST(Validity, TooFewPoints) {
  EXPECT_THAT(problem("POLYGON((103.2 13.1, 103.201 13.1, 103.2 13.1))"),
              HasSubstr("ring 0 has 3 points; a closed ring needs at least 4"));
}

TEST(Validity, UnclosedRing) {
  EXPECT_EQ(problem("POLYGON((103.2 13.1, 103.201 13.1, 103.201 13.101, 103.2 13.101))"),
            "ring 0 is not closed: first vertex (103.2, 13.1) != last vertex (103.2, 13.101)");
}

TEST(Validity, UnclosedHoleIsNamed) {
  EXPECT_THAT(problem("POLYGON((103.2 13.1, 103.21 13.1, 103.21 13.11, 103.2 13.11, 103.2 13.1),"
                      "(103.202 13.102, 103.203 13.102, 103.203 13.103))"),
              HasSubstr("ring 1 is not closed"));
}

TEST(Validity, SpikeThatReturnsToTheSameVertex) {
  // Out from vertex 1 to vertex 2, 500 m east, and straight back to vertex 1's position.
  EXPECT_THAT(problem("POLYGON((103.2 13.1, 103.201 13.1, 103.2056 13.1, 103.201 13.1,"
                      " 103.201 13.101, 103.2 13.101, 103.2 13.1))"),
              HasSubstr("ring 0 has a spike at vertex 2 (103.2056, 13.1)"));
}

TEST(Validity, NarrowSpikeUnderHalfADegree) {
  // Out 500 m and back to a point 1 m beside the start: an angle of ~0.1° at vertex 2.
  EXPECT_THAT(problem("POLYGON((103.2 13.1, 103.201 13.1, 103.2056 13.1, 103.201 13.100009,"
                      " 103.201 13.101, 103.2 13.101, 103.2 13.1))"),
              HasSubstr("spike at vertex 2"));
}

TEST(Validity, SharpButRealCornerIsNotASpike) {
  // A 5° wedge 1 km long is odd but legitimate.
  EXPECT_EQ(problem("POLYGON((103.2 13.1, 103.21 13.1, 103.2 13.1008, 103.2 13.1))"), "");
}

TEST(Validity, RepeatedConsecutiveVertex) {
  EXPECT_THAT(problem("POLYGON((103.2 13.1, 103.201 13.1, 103.201 13.1, 103.201 13.101,"
                      " 103.2 13.101, 103.2 13.1))"),
              HasSubstr("ring 0 repeats a vertex: vertex 2 of ring 0 (103.201, 13.1) equals "
                        "vertex 1"));
}

TEST(Validity, EmptyGeometries) {
  EXPECT_EQ(problem(Geometry{}), "geometry is empty");
  Geometry no_polygons;
  no_polygons.type = GeometryType::kMultiPolygon;
  EXPECT_EQ(problem(no_polygons), "geometry is empty");
  Geometry empty_ring = testing::polygon_geometry(Polygon{{Ring{}}});
  EXPECT_THAT(problem(empty_ring), HasSubstr("geometry is empty"));
  EXPECT_EQ(problem(testing::polygon_geometry(Polygon{})), "geometry is empty");
}

TEST(Validity, PolygonInThailandIsOutsideCambodia) {
  EXPECT_EQ(problem("POLYGON((100.5 13.7, 100.501 13.7, 100.501 13.701, 100.5 13.7))"),
            "vertex 0 of ring 0 (100.5, 13.7) is outside Cambodia");
}

TEST(Validity, OtherExtentIsNamedByItsBounds) {
  const Envelope laos{100, 13.9, 107.7, 22.5};
  EXPECT_THAT(problem(wkt("POINT(104.9 11.55)"), laos),
              HasSubstr("is outside the extent [100, 13.9, 107.7, 22.5]"));
}

TEST(Validity, SwappedLatLon) {
  EXPECT_EQ(problem("POLYGON((13.1 103.2, 13.1 103.201, 13.101 103.201, 13.1 103.2))"),
            "coordinates look swapped (lat/lon): vertex 0 of ring 0 reads lon=13.1 lat=103.2");
}

TEST(Validity, LatitudeOutOfRange) {
  EXPECT_EQ(problem("POLYGON((50 103.2, 50.001 103.2, 50.001 103.201, 50 103.2))"),
            "latitude 103.2 out of range at vertex 0 of ring 0");
}

TEST(Validity, CoordinateErrorsAreReportedBeforeStructuralOnes) {
  // Unclosed AND out of range: the coordinate problem comes first.
  EXPECT_THAT(problem("POLYGON((103.2 13.1, 103.201 13.1, 103.201 95, 103.2 13.101))"),
              HasSubstr("latitude 95 out of range at vertex 2 of ring 0"));
}

TEST(Validity, NonFiniteCoordinate) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Polygon p = testing::rect(103.2, 13.1, 103.201, 13.101);
  p.rings[0][2].lat = nan;
  EXPECT_THAT(problem(testing::polygon_geometry(p)),
              HasSubstr("not a finite number at vertex 2 of ring 0"));
}

TEST(Validity, HoleOutsideShell) {
  EXPECT_THAT(
      problem("POLYGON((103.2 13.1, 103.201 13.1, 103.201 13.101, 103.2 13.101, 103.2 13.1),"
              "(103.205 13.105, 103.206 13.105, 103.206 13.106, 103.205 13.105))"),
      AllOf(HasSubstr("ring 1"), HasSubstr("hole lies outside shell")));
}

TEST(Validity, OverlappingPartsOfAMultipolygonNameThePolygon) {
  EXPECT_THAT(problem("MULTIPOLYGON(((103.2 13.1, 103.202 13.1, 103.202 13.102, 103.2 13.102,"
                      " 103.2 13.1)), ((103.201 13.101, 103.203 13.101, 103.203 13.103,"
                      " 103.201 13.103, 103.201 13.101)))"),
              AllOf(HasSubstr("polygon 0 and polygon 1 overlap near vertex"),
                    HasSubstr("edge 1-2 of ring 0 of polygon 0 crosses edge 0-1 of ring 0 of "
                              "polygon 1")));
}

TEST(Validity, PointsGetRangeSwapAndExtentChecksOnly) {
  EXPECT_EQ(problem(point(104.9, 11.55)), "");
  EXPECT_EQ(problem(point(100.5, 13.7)), "the point (100.5, 13.7) is outside Cambodia");
  EXPECT_EQ(problem(point(11.55, 104.9)),
            "coordinates look swapped (lat/lon): the point reads lon=11.55 lat=104.9");
  EXPECT_EQ(problem(point(200, 13)), "longitude 200 out of range at the point");
}

}  // namespace
}  // namespace reclaim::geo
