#include "tiles/mvt.hpp"

#include <gdal.h>
#include <gtest/gtest.h>
#include <ogr_api.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <numbers>
#include <protozero/pbf_reader.hpp>
#include <random>

#include "geo/geodesic.hpp"
#include "geo/test_support.hpp"

namespace reclaim::tiles {
namespace {

using geo::Geometry;
using geo::GeometryType;
using geo::Point;

constexpr double kPi = std::numbers::pi;
constexpr double kEarthRadiusM = 6378137.0;  // EPSG:3857 sphere
constexpr double kWorldM = 2 * kPi * kEarthRadiusM;

// ---- an independent reading of the tile ---------------------------------------------------------

/// The tile holding a lon/lat point, from the Web Mercator formulas (independent of mvt.cpp).
TileId tile_of(Point p, int z) {
  const double n = std::ldexp(1.0, z);
  const double lat = p.lat * kPi / 180;
  return TileId{z, static_cast<uint32_t>(std::floor((p.lon + 180) / 360 * n)),
                static_cast<uint32_t>(std::floor((1 - std::asinh(std::tan(lat)) / kPi) / 2 * n))};
}

/// Ground length of one tile unit (1/4096 of the tile) at a latitude, in metres.
double unit_m(int z, double lat) {
  return kWorldM / std::ldexp(4096.0, z) * std::cos(lat * kPi / 180);
}

struct TilePoint {
  int32_t x = 0, y = 0;
  bool operator==(const TilePoint&) const = default;
};
using TileRing = std::vector<TilePoint>;

/// Twice the signed area in tile units, y down: positive = clockwise on screen.
int64_t twice_area(const TileRing& r) {
  int64_t sum = 0;
  for (size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
    sum += int64_t{r[j].x} * r[i].y - int64_t{r[i].x} * r[j].y;
  }
  return sum;
}

struct DecodedFeature {
  uint64_t id = 0;
  int32_t type = 0;
  std::vector<uint32_t> tags;
  std::vector<TileRing> parts;  ///< one per MoveTo: a point, or a ring (not repeated closed)
  bool closed_every_ring = true;
  bool repeated_vertex = false;  ///< a LineTo of (0, 0): a consecutive duplicate
};

struct DecodedLayer {
  uint32_t version = 1;  ///< the proto default
  std::string name;
  uint32_t extent = 4096;
  std::vector<std::string> keys;
  std::vector<core::Value> values;
  std::vector<int> value_fields;  ///< which Value field carried each value
  std::vector<DecodedFeature> features;
};

int32_t unzigzag(uint32_t n) { return static_cast<int32_t>(n >> 1) ^ -static_cast<int32_t>(n & 1); }

DecodedFeature decode_feature(protozero::pbf_reader f) {
  DecodedFeature out;
  while (f.next()) {
    switch (f.tag()) {
      case 1:
        out.id = f.get_uint64();
        break;
      case 2: {
        const auto r = f.get_packed_uint32();
        out.tags.assign(r.begin(), r.end());
        break;
      }
      case 3:
        out.type = f.get_enum();
        break;
      case 4: {
        const auto r = f.get_packed_uint32();
        TilePoint cursor;
        bool open = false;
        for (auto it = r.begin(); it != r.end();) {
          const uint32_t cmd = *it++;
          const uint32_t id = cmd & 7;
          const uint32_t count = cmd >> 3;
          if (id == 7) {
            open = false;
            continue;
          }
          for (uint32_t k = 0; k < count; ++k) {
            const TilePoint prev = cursor;
            cursor.x += unzigzag(*it++);
            cursor.y += unzigzag(*it++);
            if (id == 1) {
              if (open) out.closed_every_ring = false;
              out.parts.push_back({cursor});
              open = true;
            } else {
              if (cursor == prev) out.repeated_vertex = true;
              out.parts.back().push_back(cursor);
            }
          }
        }
        if (open && out.type == 3) out.closed_every_ring = false;
        break;
      }
      default:
        f.skip();
    }
  }
  return out;
}

DecodedLayer decode(const std::string& bytes) {
  DecodedLayer out;
  protozero::pbf_reader tile(bytes);
  int layers = 0;
  while (tile.next(3)) {
    ++layers;
    protozero::pbf_reader layer = tile.get_message();
    while (layer.next()) {
      switch (layer.tag()) {
        case 15:
          out.version = layer.get_uint32();
          break;
        case 1:
          out.name = layer.get_string();
          break;
        case 2:
          out.features.push_back(decode_feature(layer.get_message()));
          break;
        case 3:
          out.keys.push_back(layer.get_string());
          break;
        case 4: {
          protozero::pbf_reader v = layer.get_message();
          while (v.next()) {
            out.value_fields.push_back(static_cast<int>(v.tag()));
            switch (v.tag()) {
              case 1:
                out.values.emplace_back(v.get_string());
                break;
              case 3:
                out.values.emplace_back(v.get_double());
                break;
              case 4:
                out.values.emplace_back(v.get_int64());
                break;
              case 6:
                out.values.emplace_back(v.get_sint64());
                break;
              default:
                ADD_FAILURE() << "unexpected value field " << v.tag();
                v.skip();
            }
          }
          break;
        }
        case 5:
          out.extent = layer.get_uint32();
          break;
        default:
          layer.skip();
      }
    }
  }
  EXPECT_EQ(layers, 1);
  return out;
}

/// The properties of a decoded feature, resolved through the key and value tables.
std::vector<std::pair<std::string, core::Value>> properties(const DecodedLayer& l,
                                                            const DecodedFeature& f) {
  std::vector<std::pair<std::string, core::Value>> out;
  for (size_t i = 0; i + 1 < f.tags.size(); i += 2) {
    out.emplace_back(l.keys.at(f.tags[i]), l.values.at(f.tags[i + 1]));
  }
  return out;
}

// ---- GDAL's reading of the tile
// -------------------------------------------------------------------

struct DatasetCloser {
  void operator()(void* ds) const noexcept { GDALClose(ds); }
};
using DatasetPtr = std::unique_ptr<void, DatasetCloser>;
struct FeatureDestroyer {
  void operator()(void* f) const noexcept { OGR_F_Destroy(f); }
};
using FeaturePtr = std::unique_ptr<void, FeatureDestroyer>;

/// A temporary .pbf file, removed at the end of the test.
class TempTile {
 public:
  explicit TempTile(const std::string& bytes)
      : path_(std::filesystem::temp_directory_path() /
              ("reclaim_tiles_test_" + std::to_string(getpid()) + "_" + std::to_string(counter_++) +
               ".pbf")) {
    std::ofstream(path_, std::ios::binary) << bytes;
  }
  ~TempTile() { std::filesystem::remove(path_); }
  TempTile(const TempTile&) = delete;
  TempTile& operator=(const TempTile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

/// Opens one tile file with GDAL's MVT driver, georeferenced as z/x/y (EPSG:3857 metres).
DatasetPtr open_with_gdal(const TempTile& file, TileId t, bool clip) {
  GDALAllRegister();
  const std::string x = "X=" + std::to_string(t.x);
  const std::string y = "Y=" + std::to_string(t.y);
  const std::string z = "Z=" + std::to_string(t.z);
  const char* drivers[] = {"MVT", nullptr};
  const char* options[] = {
      x.c_str(), y.c_str(), z.c_str(), "METADATA_FILE=", clip ? "CLIP=YES" : "CLIP=NO", nullptr};
  return DatasetPtr(GDALOpenEx(file.path().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers,
                               options, nullptr));
}

Point lonlat_of_3857(double x, double y) {
  return Point{x / kEarthRadiusM * 180 / kPi, std::atan(std::sinh(y / kEarthRadiusM)) * 180 / kPi};
}

/// The exterior ring of a GDAL polygon (or of the first polygon of a multipolygon), in lon/lat.
geo::Ring exterior_lonlat(OGRGeometryH g) {
  if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPolygon) g = OGR_G_GetGeometryRef(g, 0);
  OGRGeometryH ring = OGR_G_GetGeometryRef(g, 0);
  geo::Ring out;
  for (int i = 0; i < OGR_G_GetPointCount(ring); ++i) {
    out.push_back(lonlat_of_3857(OGR_G_GetX(ring, i), OGR_G_GetY(ring, i)));
  }
  return out;
}

// ---- fixtures
// -------------------------------------------------------------------------------------

/// Twice the signed planar area of a lon/lat ring: positive = counter-clockwise on the map.
double lonlat_twice_area(const geo::Ring& r) {
  double sum = 0;
  for (size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
    sum += r[j].lon * r[i].lat - r[i].lon * r[j].lat;
  }
  return sum;
}

/// The lon/lat of integer tile coordinates (i, j): the middle of the cell that rounds to them,
/// so that sub-unit fixtures placed there do not straddle a rounding boundary (latitude is
/// interpolated linearly: off by far less than a unit at z=14).
Point at_tile_coords(TileId t, int i, int j) {
  const geo::Envelope e = tile_bounds(t);
  return Point{e.min_lon + i / 4096.0 * (e.max_lon - e.min_lon),
               e.max_lat - j / 4096.0 * (e.max_lat - e.min_lat)};
}

Geometry point_geometry(Point p) {
  Geometry g;
  g.type = GeometryType::kPoint;
  g.point = p;
  return g;
}

// A hectare (100 m x 100 m) suspected hazardous area near Battambang and its z=14 tile.
const Point kBattambangSw{102.905, 13.595};
constexpr int kZ = 14;

// ---- tile math
// ------------------------------------------------------------------------------------

TEST(TileMath, WorldTileSpansTheWebMercatorSquare) {
  const geo::Envelope e = tile_bounds(TileId{0, 0, 0});
  EXPECT_DOUBLE_EQ(e.min_lon, -180);
  EXPECT_DOUBLE_EQ(e.max_lon, 180);
  EXPECT_NEAR(e.min_lat, -85.0511, 1e-4);
  EXPECT_NEAR(e.max_lat, 85.0511, 1e-4);
}

TEST(TileMath, PhnomPenhLandsInItsZoom12Tile) {
  const Point phnom_penh{104.92, 11.56};
  const TileId t{12, 3241, 1915};  // from the Web Mercator formulas by hand
  EXPECT_TRUE(valid(t));
  const geo::Envelope e = tile_bounds(t);
  EXPECT_TRUE(e.intersects({phnom_penh.lon, phnom_penh.lat, phnom_penh.lon, phnom_penh.lat}));
  // Its neighbours to the east and south (y grows southward) do not hold it.
  const geo::Envelope east = tile_bounds({12, 3242, 1915});
  const geo::Envelope south = tile_bounds({12, 3241, 1916});
  EXPECT_GT(east.min_lon, phnom_penh.lon);
  EXPECT_LT(south.max_lat, phnom_penh.lat);
  EXPECT_DOUBLE_EQ(east.min_lon, e.max_lon);
  EXPECT_DOUBLE_EQ(south.max_lat, e.min_lat);
  EXPECT_EQ(tile_of(phnom_penh, 12).x, t.x);
  EXPECT_EQ(tile_of(phnom_penh, 12).y, t.y);
}

TEST(TileMath, ChildrenTileTheirParent) {
  const TileId parent{11, 1620, 957};
  const geo::Envelope p = tile_bounds(parent);
  const geo::Envelope nw = tile_bounds({12, 3240, 1914});
  const geo::Envelope se = tile_bounds({12, 3241, 1915});
  EXPECT_DOUBLE_EQ(nw.min_lon, p.min_lon);
  EXPECT_DOUBLE_EQ(nw.max_lat, p.max_lat);
  EXPECT_NEAR(se.max_lon, p.max_lon, 1e-12);
  EXPECT_NEAR(se.min_lat, p.min_lat, 1e-12);
}

TEST(TileMath, BufferGrowsEachSideInMercator) {
  const TileId t = tile_of(kBattambangSw, kZ);
  const geo::Envelope e = tile_bounds(t);
  const geo::Envelope b = tile_bounds(t, 64.0 / 4096);
  const double width_deg = e.max_lon - e.min_lon;
  EXPECT_NEAR(e.min_lon - b.min_lon, width_deg * 64 / 4096, 1e-12);
  EXPECT_NEAR(b.max_lon - e.max_lon, width_deg * 64 / 4096, 1e-12);
  EXPECT_GT(b.max_lat, e.max_lat);
  EXPECT_LT(b.min_lat, e.min_lat);
}

TEST(TileMath, InvalidTiles) {
  EXPECT_TRUE(valid({0, 0, 0}));
  EXPECT_TRUE(valid({22, (1U << 22) - 1, (1U << 22) - 1}));
  EXPECT_FALSE(valid({-1, 0, 0}));
  EXPECT_FALSE(valid({23, 0, 0}));
  EXPECT_FALSE(valid({0, 1, 0}));
  EXPECT_FALSE(valid({0, 0, 1}));
  EXPECT_FALSE(valid({12, 4096, 0}));
  EXPECT_FALSE(valid({12, 0, 4096}));
  const geo::Envelope none = tile_bounds({12, 4096, 0});
  EXPECT_EQ(none.min_lon, 0);
  EXPECT_EQ(none.max_lon, 0);
  const Geometry pt = point_geometry({0, 0});
  EXPECT_EQ(encode_tile({23, 0, 0}, "hazards", {Feature{1, &pt, {}}}), "");
}

// ---- encoding
// -------------------------------------------------------------------------------------

TEST(EncodeTile, GdalDecodesAHectareHazardAndAPointWithTheirProperties) {
  const TileId t = tile_of(kBattambangSw, kZ);
  const Geometry hectare = geo::testing::polygon_geometry(geo::testing::square(kBattambangSw, 100));
  const geo::Envelope tile = tile_bounds(t);
  const geo::Envelope box = geo::envelope(hectare);
  ASSERT_TRUE(box.min_lon > tile.min_lon && box.max_lon < tile.max_lon &&
              box.min_lat > tile.min_lat && box.max_lat < tile.max_lat)
      << "the fixture should sit inside its tile";
  const Point spot = geo::destination(kBattambangSw, 45, 300);  // a spot report near it
  const Geometry point = point_geometry(spot);
  const std::string khmer = "តំបន់សង្ស័យមានគ្រាប់មីន";  // "suspected mined area"
  std::vector<Feature> features = {
      Feature{17,
              &hectare,
              {{"name", khmer},
               {"devices", int64_t{42}},
               {"area_m2", 10000.5},
               {"verified", std::monostate{}}}},
      Feature{18, &point, {{"name", std::string("spot")}, {"devices", int64_t{-3}}}},
  };
  const std::string bytes = encode_tile(t, "hazards", features);
  ASSERT_FALSE(bytes.empty());

  const TempTile file(bytes);
  const DatasetPtr ds = open_with_gdal(file, t, true);
  ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
  ASSERT_EQ(GDALDatasetGetLayerCount(ds.get()), 1);
  OGRLayerH layer = GDALDatasetGetLayer(ds.get(), 0);
  EXPECT_STREQ(OGR_L_GetName(layer), "hazards");
  EXPECT_EQ(OGR_L_GetFeatureCount(layer, TRUE), 2);
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
  EXPECT_EQ(OGR_FD_GetFieldIndex(defn, "verified"), -1) << "a null is left out of the tile";

  const double unit = unit_m(kZ, kBattambangSw.lat);
  int seen = 0;
  OGR_L_ResetReading(layer);
  while (FeaturePtr f{OGR_L_GetNextFeature(layer)}) {
    ++seen;
    OGRGeometryH g = OGR_F_GetGeometryRef(f.get());
    ASSERT_NE(g, nullptr);
    const std::string name = OGR_F_GetFieldAsString(f.get(), OGR_F_GetFieldIndex(f.get(), "name"));
    const int64_t devices =
        OGR_F_GetFieldAsInteger64(f.get(), OGR_F_GetFieldIndex(f.get(), "devices"));
    // GDAL exposes the MVT feature id as the "mvt_id" field (its FIDs count from 0).
    const int64_t id = OGR_F_GetFieldAsInteger64(f.get(), OGR_F_GetFieldIndex(f.get(), "mvt_id"));
    if (id == 17) {
      EXPECT_EQ(name, khmer);
      EXPECT_EQ(devices, 42);
      EXPECT_DOUBLE_EQ(OGR_F_GetFieldAsDouble(f.get(), OGR_F_GetFieldIndex(f.get(), "area_m2")),
                       10000.5);
      const geo::Ring decoded = exterior_lonlat(g);
      const geo::Ring& input = hectare.polygons[0].rings[0];
      ASSERT_EQ(decoded.size(), input.size());  // 4 corners + the closing vertex
      for (const Point& v : input) {  // each input corner is within a pixel of a decoded one
        double nearest = 1e9;
        for (const Point& d : decoded) nearest = std::min(nearest, geo::distance_m(v, d));
        EXPECT_LT(nearest, unit) << "corner " << v.lon << " " << v.lat;
      }
      // Area: every edge moves by at most half a unit, so the area by perimeter x unit / 2.
      const double area = geo::ring_area_m2(decoded);
      EXPECT_NEAR(area, geo::area_m2(hectare), 400 * unit / 2);
      EXPECT_NEAR(area, 10'000, 400 * unit / 2 + 1);
    } else {
      EXPECT_EQ(id, 18);
      EXPECT_EQ(name, "spot");
      EXPECT_EQ(devices, -3);
      ASSERT_EQ(wkbFlatten(OGR_G_GetGeometryType(g)), wkbPoint);
      const Point p = lonlat_of_3857(OGR_G_GetX(g, 0), OGR_G_GetY(g, 0));
      EXPECT_LT(geo::distance_m(p, spot), unit);
    }
  }
  EXPECT_EQ(seen, 2);
}

TEST(EncodeTile, FollowsMvt21LayerStructure) {
  const TileId t = tile_of(kBattambangSw, kZ);
  const Geometry a = geo::testing::polygon_geometry(geo::testing::square(kBattambangSw, 100));
  const Geometry b = geo::testing::polygon_geometry(
      geo::testing::square(geo::destination(kBattambangSw, 90, 300), 100));
  std::vector<Feature> features = {
      Feature{1, &a, {{"status", std::string("CHA")}, {"devices", int64_t{0}}, {"x", 1.5}}},
      Feature{2, &b, {{"status", std::string("CHA")}, {"devices", int64_t{0}}, {"x", 2.5}}},
  };
  const DecodedLayer l = decode(encode_tile(t, "hazards", features));
  EXPECT_EQ(l.version, 2U);
  EXPECT_EQ(l.name, "hazards");
  EXPECT_EQ(l.extent, 4096U);
  EXPECT_EQ(l.keys, (std::vector<std::string>{"status", "devices", "x"}));
  // "CHA" and 0 are stored once; the two doubles differ.
  EXPECT_EQ(l.values.size(), 4U);
  ASSERT_EQ(l.features.size(), 2U);
  EXPECT_EQ(l.features[0].id, 1U);
  EXPECT_EQ(l.features[1].id, 2U);
  EXPECT_EQ(properties(l, l.features[1]),
            (std::vector<std::pair<std::string, core::Value>>{
                {"status", std::string("CHA")}, {"devices", int64_t{0}}, {"x", 2.5}}));
  for (const DecodedFeature& f : l.features) {
    EXPECT_EQ(f.type, 3);  // POLYGON
    EXPECT_TRUE(f.closed_every_ring);
    EXPECT_FALSE(f.repeated_vertex);
    ASSERT_EQ(f.parts.size(), 1U);
    EXPECT_EQ(f.parts[0].size(), 4U);  // the closing vertex is ClosePath, not repeated
  }
}

TEST(EncodeTile, ExteriorRingsAreClockwiseAndHolesCounterClockwiseOnScreen) {
  const TileId t = tile_of(kBattambangSw, kZ);
  const geo::Envelope e = tile_bounds(t);
  const double w = e.max_lon - e.min_lon;
  const double h = e.max_lat - e.min_lat;
  auto at = [&](double fx, double fy) { return Point{e.min_lon + fx * w, e.max_lat - fy * h}; };
  // MVT wants exteriors clockwise as the map is seen (positive surveyor's area with y down),
  // the opposite of OGC / GeoJSON. The donut comes the OGC way (exterior counter-clockwise,
  // hole clockwise in lon/lat) and must be turned; the second polygon already comes clockwise.
  // at(fx, fy) is a fraction of the tile from its north-west corner, y down.
  geo::Polygon donut{{{at(0.1, 0.1), at(0.1, 0.5), at(0.5, 0.5), at(0.5, 0.1), at(0.1, 0.1)},
                      {at(0.2, 0.2), at(0.4, 0.2), at(0.4, 0.4), at(0.2, 0.4), at(0.2, 0.2)}}};
  geo::Polygon other{{{at(0.6, 0.6), at(0.8, 0.6), at(0.8, 0.8), at(0.6, 0.8), at(0.6, 0.6)}}};
  ASSERT_GT(lonlat_twice_area(donut.rings[0]), 0) << "counter-clockwise in lon/lat";
  ASSERT_LT(lonlat_twice_area(other.rings[0]), 0) << "clockwise in lon/lat";
  Geometry multi;
  multi.type = GeometryType::kMultiPolygon;
  multi.polygons = {donut, other};
  const DecodedLayer l = decode(encode_tile(t, "hazards", {Feature{7, &multi, {}}}));
  ASSERT_EQ(l.features.size(), 1U);
  const DecodedFeature& f = l.features[0];
  ASSERT_EQ(f.parts.size(), 3U);
  EXPECT_GT(twice_area(f.parts[0]), 0) << "exterior clockwise on screen (y down)";
  EXPECT_LT(twice_area(f.parts[1]), 0) << "hole counter-clockwise";
  EXPECT_GT(twice_area(f.parts[2]), 0) << "second exterior clockwise";
  // 0.4 of the tile on each side: 1638.4 units, so 1638 or 1639 after rounding.
  EXPECT_NEAR(static_cast<double>(twice_area(f.parts[0])) / 2, 1638.4 * 1638.4, 2 * 1639);

  // GDAL agrees: one multipolygon, of two polygons, the first with one hole.
  const TempTile file(encode_tile(t, "hazards", {Feature{7, &multi, {}}}));
  const DatasetPtr ds = open_with_gdal(file, t, true);
  ASSERT_TRUE(ds);
  OGRLayerH layer = GDALDatasetGetLayer(ds.get(), 0);
  const FeaturePtr gf{OGR_L_GetNextFeature(layer)};
  ASSERT_TRUE(gf);
  OGRGeometryH g = OGR_F_GetGeometryRef(gf.get());
  ASSERT_EQ(wkbFlatten(OGR_G_GetGeometryType(g)), wkbMultiPolygon);
  ASSERT_EQ(OGR_G_GetGeometryCount(g), 2);
  EXPECT_EQ(OGR_G_GetGeometryCount(OGR_G_GetGeometryRef(g, 0)), 2);  // exterior + hole
  EXPECT_TRUE(OGR_G_IsValid(g));
}

TEST(EncodeTile, PolygonsCrossingTheTileEdgeAreClippedToTheBuffer) {
  const TileId t = tile_of(kBattambangSw, kZ);
  const geo::Envelope e = tile_bounds(t);
  const double w = e.max_lon - e.min_lon;
  // One covering the tile and its neighbours; one straddling the east edge.
  const Geometry cover = geo::testing::polygon_geometry(
      geo::testing::rect(e.min_lon - w, e.min_lat - w, e.max_lon + w, e.max_lat + w));
  const double mid_lat = (e.min_lat + e.max_lat) / 2;
  const Geometry straddle = geo::testing::polygon_geometry(geo::testing::rect(
      e.max_lon - w / 4, mid_lat, e.max_lon + w / 4, mid_lat + (e.max_lat - e.min_lat) / 8));
  const std::string bytes =
      encode_tile(t, "hazards", {Feature{1, &cover, {}}, Feature{2, &straddle, {}}});
  const DecodedLayer l = decode(bytes);
  ASSERT_EQ(l.features.size(), 2U);
  for (const DecodedFeature& f : l.features) {
    EXPECT_FALSE(f.repeated_vertex);
    for (const TileRing& r : f.parts) {
      for (const TilePoint& p : r) {
        EXPECT_GE(p.x, -64);
        EXPECT_LE(p.x, 4096 + 64);
        EXPECT_GE(p.y, -64);
        EXPECT_LE(p.y, 4096 + 64);
      }
    }
  }
  // The cover becomes exactly the buffered square; the straddler ends at the east buffer edge.
  ASSERT_EQ(l.features[0].parts.size(), 1U);
  EXPECT_EQ(twice_area(l.features[0].parts[0]), 2 * int64_t{4224} * 4224);
  int32_t east = 0;
  for (const TilePoint& p : l.features[1].parts[0]) east = std::max(east, p.x);
  EXPECT_EQ(east, 4096 + 64);

  // GDAL, told not to clip, finds them inside the tile grown by 64 units.
  const TempTile file(bytes);
  const DatasetPtr ds = open_with_gdal(file, t, false);
  ASSERT_TRUE(ds);
  const geo::Envelope buffered = tile_bounds(t, 64.0 / 4096);
  const double eps = 1e-9;
  OGRLayerH layer = GDALDatasetGetLayer(ds.get(), 0);
  int seen = 0;
  while (FeaturePtr f{OGR_L_GetNextFeature(layer)}) {
    ++seen;
    OGREnvelope env;
    OGR_G_GetEnvelope(OGR_F_GetGeometryRef(f.get()), &env);
    const Point sw = lonlat_of_3857(env.MinX, env.MinY);
    const Point ne = lonlat_of_3857(env.MaxX, env.MaxY);
    EXPECT_GE(sw.lon, buffered.min_lon - eps);
    EXPECT_GE(sw.lat, buffered.min_lat - eps);
    EXPECT_LE(ne.lon, buffered.max_lon + eps);
    EXPECT_LE(ne.lat, buffered.max_lat + eps);
    if (OGR_F_GetFieldAsInteger64(f.get(), OGR_F_GetFieldIndex(f.get(), "mvt_id")) == 1) {
      EXPECT_NEAR(sw.lon, buffered.min_lon, 1e-7);
      EXPECT_NEAR(ne.lat, buffered.max_lat, 1e-7);
    }
  }
  EXPECT_EQ(seen, 2);
}

TEST(EncodeTile, NothingInTheTileGivesEmptyBytes) {
  const TileId t = tile_of(kBattambangSw, kZ);
  EXPECT_EQ(encode_tile(t, "hazards", {}), "");
  // Far away (Phnom Penh), a point just beyond the buffer, a null geometry and an empty one.
  const Geometry far = geo::testing::polygon_geometry(geo::testing::square({104.92, 11.56}, 100));
  const geo::Envelope b = tile_bounds(t, 65.0 / 4096);
  const Geometry beyond = point_geometry({b.max_lon, (b.min_lat + b.max_lat) / 2});
  const Geometry none;
  EXPECT_EQ(encode_tile(t, "hazards",
                        {Feature{1, &far, {}}, Feature{2, &beyond, {}}, Feature{3, nullptr, {}},
                         Feature{4, &none, {}}}),
            "");
}

TEST(EncodeTile, RingsThatCollapseBelowAPixelAreDropped) {
  const TileId t = tile_of(kBattambangSw, kZ);
  // 20 cm across around integer tile coordinates at z=14 (a unit is ~58 cm): it quantises to one
  // point.
  auto speck_at = [&](int i, int j) {
    const Point c = at_tile_coords(t, i, j);
    return geo::testing::square(geo::destination(geo::destination(c, 180, 0.1), 270, 0.1), 0.2);
  };
  const Geometry speck = geo::testing::polygon_geometry(speck_at(1000, 1000));
  EXPECT_EQ(encode_tile(t, "hazards", {Feature{1, &speck, {}}}), "");
  // A hectare whose hole is a speck keeps its exterior only; vertices closer than a unit merge.
  geo::Polygon p = geo::testing::square(at_tile_coords(t, 1000, 1000), 100);
  p.rings.push_back(speck_at(1050, 950).rings[0]);
  geo::Ring& outer = p.rings[0];
  outer.insert(outer.begin() + 1, geo::destination(outer[0], 90, 0.1));
  const Geometry g = geo::testing::polygon_geometry(p);
  const DecodedLayer l = decode(encode_tile(t, "hazards", {Feature{1, &g, {}}}));
  ASSERT_EQ(l.features.size(), 1U);
  EXPECT_EQ(l.features[0].parts.size(), 1U);
  EXPECT_EQ(l.features[0].parts[0].size(), 4U);
  EXPECT_FALSE(l.features[0].repeated_vertex);
}

TEST(EncodeTile, TwoThousandHectaresAtZoom10AreAllEncoded) {
  const TileId t = tile_of(kBattambangSw, 10);
  const geo::Envelope e = tile_bounds(t);
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> lon(e.min_lon, e.max_lon);
  std::uniform_real_distribution<double> lat(e.min_lat, e.max_lat);
  std::vector<Geometry> geoms;
  geoms.reserve(2000);
  for (int i = 0; i < 2000; ++i) {
    geoms.push_back(
        geo::testing::polygon_geometry(geo::testing::square({lon(rng), lat(rng)}, 100)));
  }
  std::vector<Feature> features;
  for (size_t i = 0; i < geoms.size(); ++i) {
    features.push_back(Feature{i + 1,
                               &geoms[i],
                               {{"id", "KH-HZ-" + std::to_string(i)},
                                {"status", std::string(i % 3 == 0 ? "CHA" : "SHA")},
                                {"area_m2", 10000.0},
                                {"devices", static_cast<int64_t>(i % 7)}}});
  }
  std::string bytes;
  double best_ms = 1e9;
  for (int run = 0; run < 10; ++run) {
    const auto start = std::chrono::steady_clock::now();
    bytes = encode_tile(t, "hazards", features);
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    best_ms = std::min(best_ms, took.count());
  }
  const DecodedLayer l = decode(bytes);
  EXPECT_GE(l.features.size(), 1990U);  // a few straddle the edge and still count; none lost
  std::cout << "[ timing ] 2000 hectares at z=10: " << best_ms << " ms, " << bytes.size()
            << " bytes, " << l.features.size() << " features\n";
}

// ---- TileJSON
// -------------------------------------------------------------------------------------

TEST(TileJson, HasTheTileJson300Fields) {
  const std::string text =
      tilejson("hazards", "http://127.0.0.1:8080/tiles/hazards/{z}/{x}/{y}.mvt",
               {"id", "status", "area_m2"}, 5, 14, geo::Envelope{102.3, 10.4, 107.6, 14.7});
  const nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j.at("tilejson"), "3.0.0");
  EXPECT_EQ(j.at("name"), "hazards");
  EXPECT_EQ(j.at("tiles"),
            nlohmann::json::array({"http://127.0.0.1:8080/tiles/hazards/{z}/{x}/{y}.mvt"}));
  EXPECT_EQ(j.at("minzoom"), 5);
  EXPECT_EQ(j.at("maxzoom"), 14);
  EXPECT_EQ(j.at("bounds"), nlohmann::json::array({102.3, 10.4, 107.6, 14.7}));
  ASSERT_EQ(j.at("center").size(), 3U);
  EXPECT_DOUBLE_EQ(j.at("center")[0].get<double>(), (102.3 + 107.6) / 2);
  EXPECT_DOUBLE_EQ(j.at("center")[1].get<double>(), (10.4 + 14.7) / 2);
  EXPECT_EQ(j.at("center")[2], 5);
  ASSERT_EQ(j.at("vector_layers").size(), 1U);
  const nlohmann::json& vl = j.at("vector_layers")[0];
  EXPECT_EQ(vl.at("id"), "hazards");
  ASSERT_TRUE(vl.at("fields").is_object());
  EXPECT_EQ(vl.at("fields").size(), 3U);
  EXPECT_TRUE(vl.at("fields").contains("status"));
}

}  // namespace
}  // namespace reclaim::tiles
