#include "geo/overlay.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <random>

#include "geo/geodesic.hpp"
#include "geo/test_support.hpp"

namespace reclaim::geo {
namespace {

using testing::polygon_geometry;
using testing::rect;
using testing::wkt;

constexpr double kRelTol = 1e-4;  // 0.01 %

std::vector<const Geometry*> pointers(const std::vector<Geometry>& gs) {
  std::vector<const Geometry*> out;
  for (const Geometry& g : gs) out.push_back(&g);
  return out;
}

TEST(UnionArea, TwoOverlappingSquaresAgreeWithPostgis) {
  int checked = 0;
  for (const auto& row : testing::load_postgis_areas()) {
    if (row.op != "union") continue;
    SCOPED_TRACE(row.name);
    const std::vector<Geometry> gs = {wkt(row.wkt_a), wkt(row.wkt_b)};
    EXPECT_NEAR(union_area_m2(pointers(gs)), row.area_m2, row.area_m2 * kRelTol);
    ++checked;
  }
  EXPECT_GE(checked, 1);
}

TEST(UnionArea, OverlapCountsOnce) {
  // Two 100 m x 100 m hectares near Battambang, the second shifted 50 m east: 1.5 ha.
  const Point sw{103.2, 13.1};
  const std::vector<Geometry> gs = {
      polygon_geometry(testing::square(sw, 100)),
      polygon_geometry(testing::square(destination(sw, 90, 50), 100))};
  EXPECT_NEAR(union_area_m2(pointers(gs)), 15'000, 15'000 * kRelTol);
}

TEST(UnionArea, DisjointTouchingContainedAndIdentical) {
  const Geometry a = polygon_geometry(rect(103.2, 13.1, 103.201, 13.101));
  const Geometry b = polygon_geometry(rect(103.201, 13.1, 103.202, 13.101));  // touches a
  const Geometry far = polygon_geometry(rect(104.0, 12.0, 104.001, 12.001));
  const Geometry inner = polygon_geometry(rect(103.2002, 13.1002, 103.2004, 13.1004));
  const double area_a = area_m2(a);
  EXPECT_NEAR(union_area_m2({&a, &b}), area_a + area_m2(b), area_a * kRelTol);
  EXPECT_NEAR(union_area_m2({&a, &far}), area_a + area_m2(far), area_a * kRelTol);
  EXPECT_NEAR(union_area_m2({&a, &inner}), area_a, area_a * kRelTol);
  EXPECT_NEAR(union_area_m2({&a, &a, &a}), area_a, area_a * kRelTol);
}

TEST(IntersectsBox, HolesGapsEdgesAndBoxesWithNoVertexInThem) {
  // a 2 x 2 square with a 1 x 1 hole in its middle: (0,0)-(2,2) minus (0.5,0.5)-(1.5,1.5)
  const Geometry holed =
      wkt("POLYGON((0 0,2 0,2 2,0 2,0 0),(0.5 0.5,0.5 1.5,1.5 1.5,1.5 0.5,0.5 0.5))");
  EXPECT_FALSE(intersects_box(holed, {0.8, 0.8, 1.2, 1.2}));    // inside the hole
  EXPECT_TRUE(intersects_box(holed, {0.2, 0.2, 0.3, 0.3}));     // inside the shell
  EXPECT_TRUE(intersects_box(holed, {-1, -1, 3, 3}));           // around all of it
  EXPECT_TRUE(intersects_box(holed, {1.9, 1.9, 5, 5}));         // holds a vertex
  EXPECT_TRUE(intersects_box(holed, {0.9, -1, 1.1, 3}));        // crosses it, no vertex inside
  EXPECT_TRUE(intersects_box(holed, {0.6, 0.6, 1.6, 1.4}));     // from the hole over its edge
  EXPECT_TRUE(intersects_box(holed, {2, 0.9, 3, 1.1}));         // touches the east edge
  EXPECT_FALSE(intersects_box(holed, {2.001, 0.9, 3, 1.1}));    // just beyond it
  const Geometry two = wkt("MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)),((3 0,4 0,4 1,3 1,3 0)))");
  EXPECT_FALSE(intersects_box(two, {1.5, 0.2, 2.5, 0.8}));      // between the parts
  EXPECT_TRUE(intersects_box(two, {3.2, 0.2, 3.4, 0.4}));       // in the second part
  Geometry pt;
  pt.type = GeometryType::kPoint;
  pt.point = {1, 1};
  EXPECT_TRUE(intersects_box(pt, {1, 1, 2, 2}));
  EXPECT_FALSE(intersects_box(pt, {1.1, 1, 2, 2}));
  EXPECT_FALSE(intersects_box(Geometry{}, {-180, -90, 180, 90}));
}

TEST(IntersectionArea, HalfShiftedHectaresShareHalfAHectare) {
  const Point sw{103.2, 13.1};
  const Geometry a = polygon_geometry(testing::square(sw, 100));
  const Geometry b = polygon_geometry(testing::square(destination(sw, 90, 50), 100));
  const Geometry far = polygon_geometry(testing::square(destination(sw, 90, 500), 100));
  EXPECT_NEAR(intersection_area_m2(a, b), 5'000, 5'000 * kRelTol);
  EXPECT_NEAR(intersection_area_m2(a, a), area_m2(a), area_m2(a) * kRelTol);
  EXPECT_EQ(intersection_area_m2(a, far), 0.0);
  Geometry point;
  point.type = GeometryType::kPoint;
  point.point = sw;
  EXPECT_EQ(intersection_area_m2(a, point), 0.0);
}

TEST(UnionArea, PointsEmptiesAndNullsAreIgnored) {
  const Geometry a = polygon_geometry(rect(103.2, 13.1, 103.201, 13.101));
  const Geometry pt = wkt("POINT (103.2005 13.1005)");
  const Geometry none;
  EXPECT_NEAR(union_area_m2({&a, &pt, &none, nullptr}), area_m2(a), 1e-6);
  EXPECT_EQ(union_area_m2({}), 0);
}

TEST(UnionArea, HolesStayHolesInTheUnion) {
  const Geometry donut =
      wkt("POLYGON((103.5 13.0, 103.502 13.0, 103.502 13.002, 103.5 13.002, 103.5 13.0),"
          " (103.5008 13.0008, 103.5008 13.0013, 103.5013 13.0013, 103.5013 13.0008, 103.5008 "
          "13.0008))");
  const Geometry east = polygon_geometry(rect(103.5015, 13.0, 103.503, 13.002));
  const Geometry whole = polygon_geometry(rect(103.5, 13.0, 103.503, 13.002));
  // `east` does not reach the hole, so the hole survives in the union.
  const double hole = area_m2(polygon_geometry(rect(103.5008, 13.0008, 103.5013, 13.0013)));
  EXPECT_NEAR(union_area_m2({&donut, &east}), area_m2(whole) - hole, area_m2(whole) * kRelTol);
}

TEST(UnionArea, SelfIntersectingInputDoesNotAbort) {
  const Geometry bowtie =
      wkt("POLYGON((103.2 13.1, 103.201 13.101, 103.201 13.1, 103.2 13.101, 103.2 13.1))");
  const Geometry a = polygon_geometry(rect(103.2, 13.1, 103.2005, 13.1005));
  const double u = union_area_m2({&bowtie, &a});
  EXPECT_GT(u, 0);
  EXPECT_TRUE(std::isfinite(u));
}

/// 100 000 hectare minefields across Cambodia in 50 000 pairs, each pair two 100 m squares
/// overlapping by 30 m (1.7 ha together); pairs are 300 m apart.
TEST(UnionArea, HundredThousandHectareMinefieldsTakeSeconds) {
  std::vector<Geometry> gs;
  gs.reserve(100'000);
  double expected_m2 = 0;
  const double step = 0.003;  // ~330 m
  for (int k = 0; k < 50'000; ++k) {
    const double lon = 102.5 + step * (k % 1000);
    const double lat = 10.5 + step * (k / 1000);
    const Point sw{lon, lat};
    const Point sw2 = destination(sw, 90, 70);
    gs.push_back(polygon_geometry(testing::square(sw, 100)));
    gs.push_back(polygon_geometry(testing::square(sw2, 100)));
    // The union of the pair is the 170 m x 100 m box spanned by their outer corners.
    const Polygon& a = gs[gs.size() - 2].polygons[0];
    const Polygon& b = gs.back().polygons[0];
    const Polygon box{
        {{a.rings[0][0], b.rings[0][1], b.rings[0][2], a.rings[0][3], a.rings[0][0]}}};
    expected_m2 += polygon_area_m2(box);
  }
  const auto t0 = std::chrono::steady_clock::now();
  const double u = union_area_m2(pointers(gs));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  RecordProperty("union_seconds", std::to_string(seconds));
  std::printf("union_area_m2 of 100k polygons: %.2f s\n", seconds);
  EXPECT_NEAR(u, expected_m2, expected_m2 * kRelTol);
  EXPECT_NEAR(expected_m2, 50'000 * 17'000.0, 50'000 * 17'000.0 * 1e-3);
}

TEST(FindOverlaps, ReportsTheGeodesicIntersectionAreaFromPostgis) {
  for (const auto& row : testing::load_postgis_areas()) {
    if (row.op != "intersection") continue;
    const std::vector<Geometry> gs = {wkt(row.wkt_a), wkt(row.wkt_b)};
    const auto pairs = find_overlaps(pointers(gs));
    ASSERT_EQ(pairs.size(), 1u);
    EXPECT_EQ(pairs[0].a, 0u);
    EXPECT_EQ(pairs[0].b, 1u);
    EXPECT_NEAR(pairs[0].overlap_m2, row.area_m2, row.area_m2 * kRelTol);
  }
}

TEST(FindOverlaps, TouchingEdgesAndCornersDoNotCount) {
  const std::vector<Geometry> gs = {
      polygon_geometry(rect(103.2, 13.1, 103.201, 13.101)),
      polygon_geometry(rect(103.201, 13.1, 103.202, 13.101)),        // shares an edge with 0
      polygon_geometry(rect(103.202, 13.101, 103.203, 13.102)),      // shares a corner with 1
      wkt("POINT (103.2005 13.1005)"),                               // a point inside 0
      polygon_geometry(rect(103.2005, 13.1005, 103.2015, 13.1015)),  // overlaps 0 and 1
  };
  const auto pairs = find_overlaps(pointers(gs));
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].a, 0u);
  EXPECT_EQ(pairs[0].b, 4u);
  EXPECT_EQ(pairs[1].a, 1u);
  EXPECT_EQ(pairs[1].b, 4u);
  // Each overlap is a quarter of a ~1.2 ha cell.
  const double quarter = area_m2(polygon_geometry(rect(103.2005, 13.1005, 103.201, 13.101)));
  EXPECT_NEAR(pairs[0].overlap_m2, quarter, quarter * kRelTol);
  EXPECT_NEAR(pairs[1].overlap_m2, quarter, quarter * kRelTol);
}

TEST(FindOverlaps, ContainedPolygonOverlapsByItsWholeArea) {
  const std::vector<Geometry> gs = {polygon_geometry(rect(103.2, 13.1, 103.21, 13.11)),
                                    polygon_geometry(rect(103.202, 13.102, 103.203, 13.103))};
  const auto pairs = find_overlaps(pointers(gs));
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_NEAR(pairs[0].overlap_m2, area_m2(gs[1]), area_m2(gs[1]) * kRelTol);
}

TEST(SpatialIndex, ReturnsTheBoxesThatIntersect) {
  const std::vector<Envelope> boxes = {{103, 13, 103.1, 13.1},
                                       {103.05, 13.05, 103.2, 13.2},
                                       {104, 12, 104.1, 12.1},
                                       {103.5, 13.5, 103.5, 13.5}};  // a point
  SpatialIndex index(boxes);
  EXPECT_EQ(index.query({103.08, 13.08, 103.09, 13.09}), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(index.query({104.05, 12.05, 104.05, 12.05}), (std::vector<size_t>{2}));
  EXPECT_EQ(index.query({103.4, 13.4, 103.6, 13.6}), (std::vector<size_t>{3}));
  EXPECT_TRUE(index.query({105, 11, 105.1, 11.1}).empty());
  SpatialIndex moved = std::move(index);
  EXPECT_EQ(moved.query({103.15, 13.15, 103.16, 13.16}), (std::vector<size_t>{1}));
  EXPECT_TRUE(SpatialIndex({}).query({103, 13, 104, 14}).empty());
}

TEST(SpatialIndex, AgreesWithBruteForceOnTenThousandBoxes) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> lon(102.3, 107.6), lat(10, 14.7), size(0, 0.05);
  std::vector<Envelope> boxes;
  for (int i = 0; i < 10'000; ++i) {
    const double x = lon(rng), y = lat(rng);
    boxes.push_back({x, y, x + size(rng), y + size(rng)});
  }
  const SpatialIndex index(boxes);
  for (int q = 0; q < 200; ++q) {
    const double x = lon(rng), y = lat(rng);
    const Envelope box{x, y, x + 0.1, y + 0.1};
    std::vector<size_t> expected;
    for (size_t i = 0; i < boxes.size(); ++i) {
      if (boxes[i].intersects(box)) expected.push_back(i);
    }
    EXPECT_EQ(index.query(box), expected);
  }
}

TEST(RegionLocator, FindsTheProvinceAndMeasuresDistance) {
  // Two adjacent "provinces" 0.5° square, west and east of 103.5°E.
  const std::vector<Geometry> provinces = {polygon_geometry(rect(103.0, 13.0, 103.5, 13.5)),
                                           polygon_geometry(rect(103.5, 13.0, 104.0, 13.5))};
  RegionLocator locator(provinces);
  EXPECT_EQ(locator.size(), 2u);
  EXPECT_EQ(locator.locate({103.2, 13.2}), 0);
  EXPECT_EQ(locator.locate({103.8, 13.2}), 1);
  EXPECT_EQ(locator.locate({103.5, 13.2}), 0);  // on the shared border: the first
  EXPECT_EQ(locator.locate({105.0, 13.2}), -1);
  EXPECT_EQ(locator.distance_m({103.2, 13.2}, 0), 0);
  // 1 km east of province 1's east edge.
  const Point outside = destination({104.0, 13.25}, 90, 1000);
  EXPECT_NEAR(locator.distance_m(outside, 1), 1000, 30);  // a few percent
  // 2 km north of province 0.
  const Point north = destination({103.25, 13.5}, 0, 2000);
  EXPECT_NEAR(locator.distance_m(north, 0), 2000, 60);
  RegionLocator moved = std::move(locator);
  EXPECT_EQ(moved.locate({103.8, 13.2}), 1);
}

TEST(RegionLocator, SkipsEmptyRegions) {
  const std::vector<Geometry> regions = {Geometry{}, polygon_geometry(rect(103, 13, 104, 14))};
  RegionLocator locator(regions);
  EXPECT_EQ(locator.locate({103.5, 13.5}), 1);
  EXPECT_TRUE(std::isinf(locator.distance_m({103.5, 13.5}, 0)));
  EXPECT_TRUE(std::isinf(locator.distance_m({103.5, 13.5}, 7)));
}

TEST(InteriorPoint, IsInsideAConcavePolygon) {
  // A U-shaped minefield: its centroid lies in the notch, outside the polygon.
  const Geometry u =
      wkt("POLYGON((103.2 13.1, 103.203 13.1, 103.203 13.103, 103.202 13.103,"
          " 103.202 13.101, 103.201 13.101, 103.201 13.103, 103.2 13.103, 103.2 13.1))");
  const Point p = interior_point(u);
  RegionLocator locator({u});
  EXPECT_EQ(locator.locate(p), 0) << p.lon << " " << p.lat;
  EXPECT_EQ(interior_point(wkt("POINT (103.2 13.1)")), (Point{103.2, 13.1}));
  EXPECT_TRUE(std::isnan(interior_point(Geometry{}).lon));
}

/// Planar (shoelace) area of a polygon's rings, holes subtracted, in squared coordinate units.
double planar_area(const Geometry& g) {
  double total = 0;
  for (const Polygon& p : g.polygons) {
    for (size_t r = 0; r < p.rings.size(); ++r) {
      double twice = 0;
      const Ring& ring = p.rings[r];
      for (size_t i = 0; i + 1 < ring.size(); ++i) {
        twice += ring[i].lon * ring[i + 1].lat - ring[i + 1].lon * ring[i].lat;
      }
      total += (r == 0 ? 1 : -1) * std::abs(twice) / 2;
    }
  }
  return total;
}

TEST(ClipToBox, CutsAPolygonCrossingTheBoxAtItsEdge) {
  // Planar units, as a vector tile uses them: a 100 x 100 square half outside a 0..64 box.
  const Geometry square = polygon_geometry(rect(-50, 10, 50, 110));
  const Geometry clipped = clip_to_box(square, Envelope{0, 0, 64, 64});
  ASSERT_EQ(clipped.type, GeometryType::kPolygon);
  EXPECT_DOUBLE_EQ(planar_area(clipped), 50.0 * 54.0);
  for (const Point& v : clipped.polygons[0].rings[0]) {
    EXPECT_GE(v.lon, 0);
    EXPECT_LE(v.lon, 64);
    EXPECT_GE(v.lat, 0);
    EXPECT_LE(v.lat, 64);
  }
}

TEST(ClipToBox, KeepsInsideDropsOutsideAndSplitsIntoParts) {
  const Envelope box{0, 0, 10, 10};
  const Geometry inside = polygon_geometry(rect(2, 2, 4, 4));
  EXPECT_DOUBLE_EQ(planar_area(clip_to_box(inside, box)), 4.0);
  EXPECT_TRUE(clip_to_box(polygon_geometry(rect(20, 20, 30, 30)), box).empty());
  // Touching the box along an edge leaves only a line: nothing polygonal remains.
  EXPECT_TRUE(clip_to_box(polygon_geometry(rect(10, 2, 12, 4)), box).empty());
  // A U cut across its notch falls into two legs.
  const Geometry u = wkt("POLYGON((1 1, 9 1, 9 12, 6 12, 6 8.5, 4 8.5, 4 12, 1 12, 1 1))");
  const Geometry legs = clip_to_box(u, Envelope{0, 9, 10, 11});
  EXPECT_EQ(legs.type, GeometryType::kMultiPolygon);
  EXPECT_EQ(legs.polygons.size(), 2U);
  EXPECT_DOUBLE_EQ(planar_area(legs), 2 * 3.0 * 2.0);
}

TEST(ClipToBox, KeepsHoles) {
  const Geometry donut = wkt("POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 4 6, 6 6, 6 4, 4 4))");
  const Geometry clipped = clip_to_box(donut, Envelope{2, -5, 20, 20});
  ASSERT_EQ(clipped.type, GeometryType::kPolygon);
  EXPECT_EQ(clipped.polygons[0].rings.size(), 2U);
  EXPECT_DOUBLE_EQ(planar_area(clipped), 8.0 * 10.0 - 4.0);
}

TEST(ClipToBox, PointsAndEmptyGeometries) {
  const Envelope box{0, 0, 10, 10};
  EXPECT_EQ(clip_to_box(wkt("POINT (5 5)"), box).point, (Point{5, 5}));
  EXPECT_FALSE(clip_to_box(wkt("POINT (10 0)"), box).empty());  // on the edge
  EXPECT_TRUE(clip_to_box(wkt("POINT (11 5)"), box).empty());
  EXPECT_TRUE(clip_to_box(Geometry{}, box).empty());
}

TEST(ClipToBox, SelfIntersectingInputIsRepairedNotAborted) {
  // A bow tie: two triangles meeting at (5 5).
  const Geometry bowtie = wkt("POLYGON((0 0, 10 10, 10 0, 0 10, 0 0))");
  const Geometry clipped = clip_to_box(bowtie, Envelope{-1, -1, 11, 4});
  for (const Polygon& p : clipped.polygons) {
    for (const Point& v : p.rings[0]) EXPECT_LE(v.lat, 4);
  }
}

}  // namespace
}  // namespace reclaim::geo
