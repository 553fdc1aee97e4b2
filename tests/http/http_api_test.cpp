// The server in-process on 127.0.0.1:0 with a demo GeoPackage, driven by a plain-socket client:
// API, OGC API – Features, tiles, static files, roles, and bad input (4xx problem+json, never
// a 500).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http_client.hpp"
#include "analysis/disclosure.hpp"
#include "analysis/test_support.hpp"
#include "app/application.hpp"
#include "core/entities.hpp"
#include "http/server.hpp"
#include "storage/store.hpp"
#include "storage/open/open.hpp"

namespace reclaim::http {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The plain-socket client shared by the HTTP tests.
using test_client::Reply;
using test_client::send_raw;

Reply get(uint16_t port, const std::string& target, const std::string& extra = "") {
  return send_raw(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                            "\r\n" + extra + "Connection: close\r\n\r\n");
}

class HttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("reclaim_http_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "web");
    std::ofstream(dir_ / "web" / "index.html") << "<!doctype html><title>Reclaim</title>";
    std::ofstream(dir_ / "web" / "app.mjs") << "export const x = 1;";
    std::ofstream(dir_ / "secret.txt") << "outside the web root";
    db_ = (dir_ / "demo.gpkg").string();
    auto store = storage::open_store(db_);
    ASSERT_TRUE(store) << store.error().message;
    app::Service svc(std::move(*store));
    ASSERT_TRUE(svc.init(RECLAIM_DATA_DIR));
    auto d = svc.demo(1, 1, RECLAIM_DATA_DIR);
    ASSERT_TRUE(d) << d.error().message;
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  /// A server whose callers are all `p`.
  std::unique_ptr<Server> serve(auth::Principal p, size_t max_body = 1024 * 1024) {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.router.static_dir = (dir_ / "web").string();
    o.router.cache_bytes = 64 * 1024 * 1024;  // as `reclaim serve`: every test runs cached
    o.max_body_bytes = max_body;
    const std::string db = db_;
    auto s = std::make_unique<Server>(
        o,
        [db]() -> Result<std::unique_ptr<app::Application>> {
          auto st = storage::open_store(db);
          if (!st) return fail(st.error());
          return std::make_unique<app::Application>(std::move(*st));
        },
        std::make_shared<FixedResolver>(std::move(p)));
    auto r = s->start();
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return s;
  }
  static auth::Principal analyst() { return {"ana", auth::Role::kAnalyst, "", false}; }
  static auth::Principal officer() { return {"op", auth::Role::kOperatorDataOfficer, "HALO", false}; }

  static void expect_problem(const Reply& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.headers.count("content-type") ? r.headers.at("content-type") : "",
              "application/problem+json")
        << r.body;
    auto j = r.js();
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j["status"], status);
    EXPECT_TRUE(j.contains("title") && j.contains("detail") && j.contains("request_id"));
    const std::string code = j.value("code", "");
    EXPECT_FALSE(code.empty()) << r.body;
    EXPECT_EQ(j.value("type", ""), "urn:reclaim:problem:" + code);
    EXPECT_EQ(j["request_id"], r.headers.count("x-request-id") ? r.headers.at("x-request-id") : "");
  }

  static fs::path dir_;
  static std::string db_;
};
fs::path HttpTest::dir_;
std::string HttpTest::db_;

TEST_F(HttpTest, EveryResponseCarriesSecurityHeadersAndARequestId) {
  auto s = serve(analyst());
  for (const char* t : {"/api/status", "/nope", "/api/hazards?limit=0", "/"}) {
    auto r = get(s->port(), t);
    EXPECT_NE(r.headers["x-request-id"], "") << t;
    EXPECT_NE(r.headers["content-security-policy"].find("frame-ancestors 'none'"),
              std::string::npos);
    EXPECT_NE(r.headers["content-security-policy"].find("default-src 'self'"), std::string::npos);
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
    EXPECT_EQ(r.headers["referrer-policy"], "no-referrer");
  }
}

TEST_F(HttpTest, ListsFiltersAndPagesWithACursor) {
  auto s = serve(analyst());
  auto r = get(s->port(), "/api/hazards?province=02&status=open,worked_on&limit=50&sort=-date_recorded");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.js();
  ASSERT_TRUE(j["items"].is_array());
  ASSERT_FALSE(j["items"].empty());
  std::set<std::string> seen;
  std::string prev_date = "9999";
  int pages = 0;
  for (;;) {
    for (const auto& h : j["items"]) {
      EXPECT_EQ(h["province_code"], "02");
      EXPECT_TRUE(h["status"] == "open" || h["status"] == "worked_on");
      const std::string d = h["date_recorded"];
      EXPECT_LE(d, prev_date);
      prev_date = d;
      EXPECT_TRUE(seen.insert(h["id"].get<std::string>()).second) << "repeated " << h["id"];
      EXPECT_TRUE(h["geometry"].is_object());
    }
    ++pages;
    if (j["next_cursor"].is_null()) break;
    r = get(s->port(), "/api/hazards?province=02&status=open,worked_on&limit=50&sort=-date_recorded&cursor=" +
                           j["next_cursor"].get<std::string>());
    ASSERT_EQ(r.status, 200) << r.body;
    j = r.js();
  }
  // the same set as one scan through the facade
  auto store = storage::open_store(db_);
  ASSERT_TRUE(store);
  size_t expected = 0;
  const auto& hs = core::schema("hazards");
  ASSERT_TRUE((*store)->scan(hs, [&](core::Record&& h) {
    const auto st = core::get_text(hs, h, "status");
    if (core::get_text(hs, h, "province_code") == "02" && (st == "open" || st == "worked_on"))
      ++expected;
    return true;
  }));
  EXPECT_EQ(seen.size(), expected);
  EXPECT_GT(pages, 1);
}

TEST_F(HttpTest, BboxAndDatesFilter) {
  auto s = serve(analyst());
  auto r = get(s->port(), "/api/eo_finds?bbox=102.5,12.5,103.5,13.5&from=2010-01-01&to=2015-12-31&limit=1000");
  ASSERT_EQ(r.status, 200) << r.body;
  const json body1 = r.js();
  for (const auto& f : body1["items"]) {
    const double lon = f["geometry"]["coordinates"][0], lat = f["geometry"]["coordinates"][1];
    EXPECT_TRUE(lon >= 102.5 && lon <= 103.5 && lat >= 12.5 && lat <= 13.5);
    EXPECT_GE(f["date"].get<std::string>(), "2010-01-01");
    EXPECT_LE(f["date"].get<std::string>(), "2015-12-31");
  }
}

TEST_F(HttpTest, GetHistoryAndStatus) {
  auto s = serve(analyst());
  auto list = get(s->port(), "/api/hazards?limit=1").js();
  const std::string id = list["items"][0]["id"];
  auto r = get(s->port(), "/api/hazards/" + id);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.js()["id"], id);
  r = get(s->port(), "/api/hazards/" + id + "/history");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.js()["history"][0]["op"], "insert");
  expect_problem(get(s->port(), "/api/hazards/KH-NOPE"), 404);
  r = get(s->port(), "/api/status");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.js()["national"].is_object());
  r = get(s->port(), "/api/status?as_of=2010-01-01");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.js()["as_of"], "2010-01-01");
  r = get(s->port(), "/api/openapi.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.js()["openapi"], "3.0.3");
  EXPECT_TRUE(r.js()["paths"].contains("/api/hazards"));
}

TEST_F(HttpTest, PersonalFieldsOnlyForRolesAllowedAndLogged) {
  auto officer_srv = serve(officer());
  auto r = get(officer_srv->port(), "/api/casualties?limit=5");
  ASSERT_EQ(r.status, 200) << r.body;
  const json body2 = r.js();
  for (const auto& c : body2["items"]) {
    EXPECT_FALSE(c.contains("name"));
    EXPECT_FALSE(c.contains("contact"));
    EXPECT_FALSE(c.contains("residence"));
  }
  auto store = storage::open_store(db_);
  ASSERT_TRUE(store);
  const auto& log = core::schema("access_log");
  auto before = (*store)->count(log);
  ASSERT_TRUE(before);
  auto analyst_srv = serve(analyst());
  r = get(analyst_srv->port(), "/api/casualties?limit=5");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.js()["items"][0].contains("name"));
  auto after = (*store)->count(log);
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, *before + 1);
  // internal entities are never listed
  expect_problem(get(analyst_srv->port(), "/api/users"), 403);  // administrators only
  expect_problem(get(analyst_srv->port(), "/api/access_log"), 404);
}

TEST_F(HttpTest, PublicSeesReleasedLandAndSuppressedCounts) {
  auto s = serve(auth::Principal{});
  auto r = get(s->port(), "/api/hazards?limit=1000");
  ASSERT_EQ(r.status, 200);
  int n = 0;
  const json body3 = r.js();
  for (const auto& h : body3["items"]) {
    EXPECT_TRUE(h["status"] == "closed" || h["status"] == "handed_over") << h["status"];
    ++n;
  }
  EXPECT_GT(n, 0);
  expect_problem(get(s->port(), "/api/casualties"), 403);
  expect_problem(get(s->port(), "/ogc/collections/accidents/items"), 403);
  r = get(s->port(), "/api/status");
  ASSERT_EQ(r.status, 200);
  auto j = r.js();
  EXPECT_EQ(j["small_counts_suppressed"], true);
  for (const auto& p : j["provinces"])
    for (const auto& [year, fig] : p["casualties_by_year"].items())
      for (const auto& [k, v] : fig.items())
        if (v.is_number_integer()) {
          EXPECT_TRUE(v.get<int>() == 0 || v.get<int>() >= 5) << k;
        }
  // the public OGC collections
  r = get(s->port(), "/ogc/collections");
  ASSERT_EQ(r.status, 200);
  std::set<std::string> ids;
  const json body4 = r.js();
  for (const auto& c : body4["collections"]) ids.insert(c["id"]);
  EXPECT_EQ(ids, (std::set<std::string>{"hazards", "admin_boundaries"}));
}

TEST_F(HttpTest, PublicStatusGivesNoHiddenCasualtyFigureAwayByArithmetic) {
  // The probe of issue 7: the demo's 2023 national figures are total 32, injured 28, killed 4.
  // Officially (an analyst) every figure is there; the public gets killed hidden, and no hidden
  // 2023 figure can be narrowed to kThreshold + 1 values or fewer from what is published.
  auto official = serve(analyst());
  auto r = get(official->port(), "/api/status");
  ASSERT_EQ(r.status, 200);
  const json off = r.js();
  const json& o2023 = off["national"]["casualties_by_year"]["2023"];
  ASSERT_EQ(o2023["total"], 32);
  ASSERT_EQ(o2023["killed"], 4);
  ASSERT_EQ(o2023["injured"], 28);
  EXPECT_FALSE(off.contains("small_counts_suppressed"));

  auto pub = serve(auth::Principal{});
  r = get(pub->port(), "/api/status");
  ASSERT_EQ(r.status, 200);
  const json j = r.js();
  EXPECT_TRUE(j["national"]["casualties_by_year"]["2023"]["killed"].is_null());
  std::vector<std::pair<std::string, std::string>> names;
  const analysis::testing::Reader table = analysis::testing::reader_from_json(j, "2023", &names);
  analysis::testing::IntegerReader reader(table, 32 + 2 * (analysis::disclosure::kThreshold + 1));
  const auto ranges = reader.run();
  ASSERT_TRUE(reader.consistent);
  size_t hidden = 0;
  const auto& seen = table.seen;
  for (size_t i = 0; i < seen.size(); ++i) {
    if (seen[i]) continue;
    ++hidden;
    EXPECT_GT(ranges[i].width(), analysis::disclosure::kThreshold)
        << names[i].first << " " << names[i].second << " narrowed to [" << ranges[i].lo << ", "
        << ranges[i].hi << "]";
  }
  EXPECT_GE(hidden, 2u);
  // no other public output carries casualty counts to subtract from: no accident or casualty
  // records, layers or tiles for the public
  expect_problem(get(pub->port(), "/api/accidents"), 403);
  for (const char* path : {"/api/casualties", "/ogc/collections/accidents/items",
                           "/ogc/collections/casualties/items", "/tiles/accidents/6/50/29.mvt",
                           "/tiles/casualties/6/50/29.mvt"}) {
    const auto t = get(pub->port(), path);
    EXPECT_TRUE(t.status == 403 || t.status == 404) << path << ": " << t.status;
  }
  // every other figure the public gets agrees with the official one
  for (size_t a = 0; a <= off["provinces"].size(); ++a) {
    const json& oa = a == 0 ? off["national"] : off["provinces"][a - 1];
    const json& pa = a == 0 ? j["national"] : j["provinces"][a - 1];
    for (const auto& [year, fig] : pa["casualties_by_year"].items())
      for (const auto& [k, v] : fig.items())
        if (k != "suppressed" && !v.is_null()) {
          EXPECT_EQ(v, oa["casualties_by_year"][year][k]) << year << " " << k;
        }
  }
}

TEST_F(HttpTest, OgcApiFeatures) {
  auto s = serve(analyst());
  auto r = get(s->port(), "/ogc");
  ASSERT_EQ(r.status, 200);
  std::set<std::string> rels;
  const json body5 = r.js();
  for (const auto& l : body5["links"]) rels.insert(l["rel"]);
  EXPECT_TRUE(rels.count("service-desc") && rels.count("conformance") && rels.count("data"));
  r = get(s->port(), "/ogc/conformance");
  EXPECT_EQ(r.js()["conformsTo"].size(), 3u);
  r = get(s->port(), "/ogc/collections/hazards/items?limit=10&bbox=102,10,108,15&datetime=2000-01-01/..");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/geo+json");
  auto j = r.js();
  EXPECT_EQ(j["type"], "FeatureCollection");
  EXPECT_EQ(j["numberReturned"], 10);
  EXPECT_GT(j["numberMatched"].get<int>(), 10);
  std::string next;
  for (const auto& l : j["links"])
    if (l["rel"] == "next") next = l["href"];
  ASSERT_FALSE(next.empty());
  next = next.substr(next.find("/ogc"));
  r = get(s->port(), next);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.js()["features"][0]["id"], j["features"][0]["id"]);
  const std::string fid = j["features"][0]["id"];
  r = get(s->port(), "/ogc/collections/hazards/items/" + fid);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.js()["type"], "Feature");
  r = get(s->port(), "/ogc/collections/admin_boundaries/items?limit=5");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.js()["numberReturned"], 5);
  r = get(s->port(), "/ogc/collections/hazards/items?limit=100000");
  EXPECT_EQ(r.status, 200);  // larger than the maximum: served as the maximum
}

TEST_F(HttpTest, BadInputIsA4xxProblemNeverA500) {
  auto s = serve(analyst());
  const uint16_t p = s->port();
  expect_problem(get(p, "/api/hazards?bbox=104,12,103,11"), 400);        // inverted
  expect_problem(get(p, "/api/hazards?bbox=1,2,3"), 400);
  expect_problem(get(p, "/api/hazards?bbox=a,b,c,d"), 400);
  expect_problem(get(p, "/api/hazards?limit=0"), 400);
  expect_problem(get(p, "/api/hazards?limit=1001"), 400);
  expect_problem(get(p, "/api/hazards?limit=ten"), 400);
  expect_problem(get(p, "/api/hazards?from=2020-13-45"), 400);
  expect_problem(get(p, "/api/hazards?colour=red"), 400);
  expect_problem(get(p, "/api/hazards?sort=colour"), 422);
  expect_problem(get(p, "/api/hazards?cursor=%ff%fe"), 422);
  expect_problem(get(p, "/api/hazards?status=exploded"), 422);
  expect_problem(get(p, "/api/hazards?province=%27%20OR%201%3D1%20--"), 422);
  auto r = get(p, "/api/hazards?org=%27%20OR%201%3D1%20--");  // injection is only data
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.js()["items"].empty());
  r = get(p, "/api/hazards/%27%20OR%201%3D1%20--");
  expect_problem(r, 404);
  expect_problem(get(p, "/ogc/collections/unicorns/items"), 404);
  expect_problem(get(p, "/ogc/collections/hazards/items?datetime=2020-02-30"), 400);
  expect_problem(get(p, "/ogc/collections/hazards/items?datetime=2021-01-01/2020-01-01"), 400);
  expect_problem(get(p, "/ogc/collections/hazards/items?bbox=104,12,103,11"), 400);
  expect_problem(get(p, "/nope/nothing"), 404);
  expect_problem(get(p, "/api/nothing"), 404);
  expect_problem(send_raw(p, "DELETE /api/hazards HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 405);
  expect_problem(send_raw(p, "POST /ogc/collections HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"), 405);
  expect_problem(get(p, "/api/hazards?x=%zz"), 400);
  r = send_raw(p, "GARBAGE\r\n\r\n");
  EXPECT_EQ(r.status, 400);
}

TEST_F(HttpTest, OversizedBodyIs413) {
  auto s = serve(analyst(), 1024);
  const std::string body(4096, 'x');
  auto r = send_raw(s->port(), "POST /api/hazards HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n"
                               "Connection: close\r\n\r\n" + body);
  expect_problem(r, 413);
}

TEST_F(HttpTest, StaticFilesWithoutTraversal) {
  auto s = serve(analyst());
  const uint16_t p = s->port();
  auto r = get(p, "/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "text/html; charset=utf-8");
  r = get(p, "/app.mjs");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "text/javascript");
  for (const char* t : {"/../secret.txt", "/../../etc/passwd", "/%2e%2e/secret.txt",
                        "/%2e%2e%2fsecret.txt", "/..%2f..%2fetc%2fpasswd", "/%2E%2E/%2E%2E/etc/passwd",
                        "/a/../../secret.txt", "/..\\secret.txt", "/%5c..%5csecret.txt"}) {
    r = get(p, t);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << t << " " << r.status;
    EXPECT_EQ(r.body.find("outside the web root"), std::string::npos) << t;
  }
  expect_problem(get(p, "/missing.js"), 404);
}

TEST_F(HttpTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto s = serve(analyst());
  const std::string one = "GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string last = "GET /ogc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  auto r = send_raw(s->port(), one + one + last);
  // the reader keeps only the first response's headers; the body holds the others
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("HTTP/1.1 200"), std::string::npos);
}

TEST_F(HttpTest, TilesWithEtags) {
  auto s = serve(analyst());
  auto r = get(s->port(), "/tiles/hazards.json");
  if (r.status == 415) GTEST_SKIP() << "built without vector tiles";
  ASSERT_EQ(r.status, 200) << r.body;
  r = get(s->port(), "/tiles/admin_boundaries/6/50/29.mvt");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/vnd.mapbox-vector-tile");
  const std::string etag = r.headers["etag"];
  ASSERT_FALSE(etag.empty());
  EXPECT_FALSE(r.body.empty());
  r = get(s->port(), "/tiles/admin_boundaries/6/50/29.mvt", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(r.status, 304);
  expect_problem(get(s->port(), "/tiles/hazards/3/9/9.mvt"), 404);
  expect_problem(get(s->port(), "/tiles/unicorns/6/50/29.mvt"), 404);
  auto pub = serve(auth::Principal{});
  expect_problem(get(pub->port(), "/tiles/accidents/6/50/29.mvt"), 403);
}

TEST_F(HttpTest, StopsGracefully) {
  auto s = serve(analyst());
  const uint16_t p = s->port();
  EXPECT_EQ(get(p, "/api/status").status, 200);
  s->stop();
  s->wait();
  EXPECT_EQ(get(p, "/api/status").status, 0);  // no longer accepting
}

}  // namespace
}  // namespace reclaim::http
