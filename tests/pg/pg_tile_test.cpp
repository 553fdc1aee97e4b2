// Vector tiles on PostgreSQL (ST_AsMVT) against the protozero tiles of a GeoPackage holding the
// same demo data: both decode with GDAL's MVT driver and hold the same features (by their "id"
// property), for every role's view. Label pg: RECLAIM_PG_URL names an administrator's URL of a
// PostgreSQL 15 + PostGIS 3 server (`ctest -L pg` starts a private one).
#include <gdal.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <ogr_api.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <numbers>
#include <set>
#include <string>
#include <vector>

#include "app/service.hpp"
#include "core/entities.hpp"
#include "storage/store.hpp"
#include "tiles/mvt.hpp"
#include "storage/open/open.hpp"

namespace reclaim {
namespace {

std::string admin_url() {
  const char* u = std::getenv("RECLAIM_PG_URL");
  return u != nullptr ? u : "";
}

/// The admin URL pointed at database `db` (postgresql://user@host:port/db).
std::string url_for(const std::string& db) {
  const std::string a = admin_url();
  const size_t start = a.find("://") + 3;
  const size_t slash = a.find('/', start);
  return a.substr(0, slash == std::string::npos ? a.size() : slash) + "/" + db;
}

bool admin_exec(const std::string& sql) {
  PGconn* c = PQconnectdb(admin_url().c_str());
  bool ok = PQstatus(c) == CONNECTION_OK;
  if (ok) {
    PGresult* r = PQexec(c, sql.c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
    PQclear(r);
  } else {
    ADD_FAILURE() << "cannot connect to " << admin_url() << ": " << PQerrorMessage(c);
  }
  PQfinish(c);
  return ok;
}

struct DatasetCloser {
  void operator()(void* ds) const noexcept { GDALClose(ds); }
};
using DatasetPtr = std::unique_ptr<void, DatasetCloser>;

struct TileXyz {
  int z;
  uint32_t x, y;
};

TileXyz tile_of(double lon, double lat, int z) {
  const double n = std::ldexp(1.0, z);
  const double rad = lat * std::numbers::pi / 180.0;
  return {z, static_cast<uint32_t>((lon + 180.0) / 360.0 * n),
          static_cast<uint32_t>((1.0 - std::asinh(std::tan(rad)) / std::numbers::pi) / 2.0 * n)};
}

/// The "id" (or first) property of every feature of `layer` in the tile, decoded by GDAL.
std::multiset<std::string> gdal_ids(const std::string& bytes, TileXyz t, const std::string& layer,
                                    const std::string& id_field) {
  std::multiset<std::string> ids;
  if (bytes.empty()) return ids;
  static int serial = 0;
  const auto file = std::filesystem::temp_directory_path() /
                    ("reclaim-pgtile-" + std::to_string(::getpid()) + "-" +
                     std::to_string(++serial) + ".mvt");
  {
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  GDALAllRegister();
  const std::string x = "X=" + std::to_string(t.x), y = "Y=" + std::to_string(t.y),
                    z = "Z=" + std::to_string(t.z);
  const char* drivers[] = {"MVT", nullptr};
  const char* options[] = {x.c_str(), y.c_str(), z.c_str(), "METADATA_FILE=", "CLIP=NO", nullptr};
  DatasetPtr ds(GDALOpenEx(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, options,
                           nullptr));
  EXPECT_NE(ds, nullptr) << "GDAL cannot open the tile";
  if (ds) {
    OGRLayerH l = GDALDatasetGetLayerByName(ds.get(), layer.c_str());
    EXPECT_NE(l, nullptr) << "no layer " << layer;
    if (l != nullptr) {
      OGR_L_ResetReading(l);
      while (OGRFeatureH f = OGR_L_GetNextFeature(l)) {
        const int i = OGR_F_GetFieldIndex(f, id_field.c_str());
        EXPECT_GE(i, 0) << "no property " << id_field;
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        EXPECT_NE(g, nullptr);
        if (i >= 0) ids.insert(OGR_F_GetFieldAsString(f, i));
        OGR_F_Destroy(f);
      }
    }
  }
  ds.reset();
  std::filesystem::remove(file);
  return ids;
}

class PgTileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (admin_url().empty()) return;
    db_ = "reclaim_tile_" + std::to_string(::getpid());
    admin_exec("DROP DATABASE IF EXISTS " + db_);
    if (!admin_exec("CREATE DATABASE " + db_ + " TEMPLATE template1")) return;
    gpkg_ = (std::filesystem::temp_directory_path() /
             ("reclaim-pgtile-" + std::to_string(::getpid()) + ".gpkg"))
                .string();
    std::filesystem::remove(gpkg_);
    for (const std::string& where : {gpkg_, url_for(db_)}) {
      auto st = storage::open_store(where);
      ASSERT_TRUE(st.has_value()) << st.error().message;
      (where == gpkg_ ? gpkg_store_ : pg_store_) = st->get();  // the Service owns it
      auto svc = std::make_unique<app::Service>(std::move(*st));
      auto i = svc->init(RECLAIM_DATA_DIR);
      ASSERT_TRUE(i.has_value()) << i.error().message;
      auto d = svc->demo(7, 1, RECLAIM_DATA_DIR);
      ASSERT_TRUE(d.has_value()) << d.error().message;
      (where == gpkg_ ? gpkg_svc_ : pg_svc_) = std::move(svc);
    }
  }
  static void TearDownTestSuite() {
    gpkg_svc_.reset();
    pg_svc_.reset();
    gpkg_store_ = pg_store_ = nullptr;
    if (!db_.empty()) admin_exec("DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
    if (!gpkg_.empty()) std::filesystem::remove(gpkg_);
  }
  void SetUp() override {
    if (admin_url().empty()) GTEST_FAIL() << "RECLAIM_PG_URL is not set (run `ctest -L pg`)";
    ASSERT_NE(gpkg_svc_, nullptr);
    ASSERT_NE(pg_svc_, nullptr);
  }

  /// The z-tile holding the most features of `layer` (by their envelope centres on the GPKG).
  static TileXyz busiest_tile(const std::string& layer, int z) {
    app::ListParams p;
    p.limit = 1'000'000;
    app::Visibility all{true, false, ""};
    auto page = gpkg_svc_->list(layer, p, all);
    EXPECT_TRUE(page.has_value());
    std::map<std::pair<uint32_t, uint32_t>, int> counts;
    if (page)
      for (const auto& r : page->records) {
        if (r.geometry.empty()) continue;
        const auto e = geo::envelope(r.geometry);
        const TileXyz t = tile_of((e.min_lon + e.max_lon) / 2, (e.min_lat + e.max_lat) / 2, z);
        ++counts[{t.x, t.y}];
      }
    EXPECT_FALSE(counts.empty()) << layer << " has no geometries";
    std::pair<uint32_t, uint32_t> best{0, 0};
    int most = -1;
    for (const auto& [xy, n] : counts)
      if (n > most) most = n, best = xy;
    return {z, best.first, best.second};
  }

  static inline std::string db_, gpkg_;
  static inline std::unique_ptr<app::Service> gpkg_svc_, pg_svc_;
  static inline storage::Store* gpkg_store_ = nullptr;  ///< gpkg_svc_'s
  static inline storage::Store* pg_store_ = nullptr;    ///< pg_svc_'s
};

TEST_F(PgTileTest, PostgresEncodesTilesItselfAndTheGeoPackageDoesNot) {
  const auto& s = core::schema(core::entity::kHazards);
  auto pg = pg_store_->mvt_tile(s, 10, 800, 480, {"id"}, {});
  ASSERT_TRUE(pg.has_value()) << pg.error().message;
  EXPECT_TRUE(pg->has_value());
  auto gp = gpkg_store_->mvt_tile(s, 10, 800, 480, {"id"}, {});
  ASSERT_TRUE(gp.has_value());
  EXPECT_FALSE(gp->has_value());
  auto bad = pg_store_->mvt_tile(s, 10, 800, 480, {"no_such_field"}, {});
  EXPECT_FALSE(bad.has_value());
  auto bad_tile = pg_store_->mvt_tile(s, 3, 8, 0, {"id"}, {});
  EXPECT_FALSE(bad_tile.has_value());
}

TEST_F(PgTileTest, TilesHoldTheSameFeaturesAsTheGeoPackagesForEveryView) {
  const app::Visibility all{true, false, "analyst"};
  const app::Visibility everyone{false, false, ""};
  struct Layer {
    std::string name, id_field;
  };
  for (const Layer& layer :
       {Layer{"hazards", "id"}, Layer{"eo_finds", "id"}, Layer{"accidents", "id"}}) {
    for (int z : {8, 10, 13}) {
      const TileXyz t = busiest_tile(layer.name, z);
      for (const auto* vis : {&all, &everyone}) {
        auto want = gpkg_svc_->tile(layer.name, t.z, t.x, t.y, *vis);
        auto got = pg_svc_->tile(layer.name, t.z, t.x, t.y, *vis);
        const std::string what = layer.name + " " + std::to_string(t.z) + "/" +
                                 std::to_string(t.x) + "/" + std::to_string(t.y) +
                                 (vis == &all ? " all" : " public");
        if (vis == &everyone && layer.name != "hazards") {  // not public: no tile on either
          EXPECT_FALSE(want.has_value()) << what;
          EXPECT_FALSE(got.has_value()) << what;
          continue;
        }
        ASSERT_TRUE(want.has_value()) << what << ": " << want.error().message;
        ASSERT_TRUE(got.has_value()) << what << ": " << got.error().message;
        const auto want_ids = gdal_ids(*want, t, layer.name, layer.id_field);
        const auto got_ids = gdal_ids(*got, t, layer.name, layer.id_field);
        if (vis == &all && z >= 10 && layer.name == "hazards") {
          EXPECT_FALSE(want_ids.empty()) << what;
        }
        // The two encoders round and project a little differently: a feature may differ only
        // where it barely reaches the tile's 64-unit buffer (within 1 unit of its edge).
        std::vector<std::string> differ;
        std::set_symmetric_difference(got_ids.begin(), got_ids.end(), want_ids.begin(),
                                      want_ids.end(), std::back_inserter(differ));
        const geo::Envelope inner = tiles::tile_bounds({t.z, t.x, t.y}, 63.0 / 4096);
        const auto& s = core::schema(layer.name);
        for (const auto& id : differ) {
          auto r = gpkg_store_->get(s, id);
          ASSERT_TRUE(r.has_value() && r->has_value()) << id;
          EXPECT_FALSE(geo::envelope((**r).geometry).intersects(inner))
              << what << ": " << id << " is in one tile only";
        }
        EXPECT_LE(differ.size(), std::max<size_t>(2, want_ids.size() / 20)) << what;
      }
    }
  }
}

TEST_F(PgTileTest, ThePublicTileHasOnlyReleasedHazards) {
  const TileXyz t = busiest_tile("hazards", 10);
  auto all = pg_svc_->tile("hazards", t.z, t.x, t.y, app::Visibility{true, false, ""});
  auto pub = pg_svc_->tile("hazards", t.z, t.x, t.y, app::Visibility{});
  ASSERT_TRUE(all.has_value() && pub.has_value());
  const auto all_ids = gdal_ids(*all, t, "hazards", "id");
  const auto pub_ids = gdal_ids(*pub, t, "hazards", "id");
  EXPECT_LT(pub_ids.size(), all_ids.size());
  const auto& s = core::schema(core::entity::kHazards);
  for (const auto& id : pub_ids) {
    auto r = pg_store_->get(s, id);
    ASSERT_TRUE(r.has_value() && r->has_value()) << id;
    const auto& st = std::get<std::string>((**r).values[static_cast<size_t>(s.index_of("status"))]);
    EXPECT_TRUE(st == "closed" || st == "handed_over") << id << " " << st;
  }
}

}  // namespace
}  // namespace reclaim
