// The response cache (issue #4) through the Router, without sockets: cached bodies are the
// fresh bytes, a write (through this process or another connection) is seen, visibility
// classes never share entries, personal data is never cached. No timing thresholds: the
// generation is polled on every request (cache_poll = 0).
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/application.hpp"
#include "core/entities.hpp"
#include "http/router.hpp"
#include "storage/store.hpp"
#include "storage/open/open.hpp"

namespace reclaim::http {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// "Bearer analyst" / "Bearer officer" / "Bearer manager"; anything else is the public.
class RoleResolver final : public auth::PrincipalResolver {
 public:
  auth::Principal resolve(std::string_view, std::string_view authz) override {
    if (authz == "Bearer analyst") return {"ana", auth::Role::kAnalyst, "", false};
    if (authz == "Bearer officer") return {"op", auth::Role::kOperatorDataOfficer, "HALO", false};
    return {};
  }
};

class ResponseCacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("reclaim_cache_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
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
  void SetUp() override {
    auto st = storage::open_store(db_);
    ASSERT_TRUE(st) << st.error().message;
    app_ = std::make_unique<app::Application>(std::move(*st));
  }

  static std::unique_ptr<Router> router(size_t cache_bytes) {
    RouterOptions o;
    o.cache_bytes = cache_bytes;
    o.cache_poll = std::chrono::milliseconds(0);
    o.public_url = "http://example.org";  // links never come from the Host header
    return std::make_unique<Router>(o, std::make_shared<RoleResolver>());
  }
  Response get(const Router& r, const std::string& target, const std::string& authz = "",
               const std::string& inm = "") {
    Request q;
    q.method = "GET";
    q.target = target;
    q.host = "example.org";
    q.authorization = authz;
    q.if_none_match = inm;
    q.request_id = "t";
    return r.handle(q, *app_);
  }
  static std::string header(const Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

  static fs::path dir_;
  static std::string db_;
  std::unique_ptr<app::Application> app_;
};
fs::path ResponseCacheTest::dir_;
std::string ResponseCacheTest::db_;

constexpr size_t kMiB = 1024 * 1024;

TEST_F(ResponseCacheTest, CachedTilesAndPagesAreTheFreshBytes) {
  auto cached = router(64 * kMiB);
  auto fresh = router(0);
  for (const std::string t : {"/tiles/hazards/0/0/0.mvt", "/tiles/admin_boundaries/0/0/0.mvt",
                              "/api/hazards?limit=50&sort=-id", "/api/status"}) {
    const Response a = get(*cached, t, "Bearer analyst");
    ASSERT_EQ(a.status, 200) << t << a.body;
    ASSERT_TRUE(a.shared_body) << t;
    const Response b = get(*cached, t, "Bearer analyst");
    ASSERT_EQ(b.status, 200) << t;
    EXPECT_EQ(a.shared_body.get(), b.shared_body.get()) << t << ": the second is a hit";
    const Response f = get(*fresh, t, "Bearer analyst");
    ASSERT_EQ(f.status, 200) << t;
    EXPECT_FALSE(f.shared_body);
    EXPECT_FALSE(f.body.empty()) << t;
    EXPECT_EQ(b.bytes(), f.body) << t << ": byte-identical";
    EXPECT_EQ(b.content_type, f.content_type);
    // ETag / If-None-Match on a hit
    const std::string etag = header(b, "ETag");
    ASSERT_FALSE(etag.empty()) << t;
    const Response nm = get(*cached, t, "Bearer analyst", etag);
    EXPECT_EQ(nm.status, 304) << t;
    EXPECT_TRUE(nm.bytes().empty());
  }
  EXPECT_GE(cached->cache().entries(), 4u);
  EXPECT_EQ(fresh->cache().entries(), 0u);
}

TEST_F(ResponseCacheTest, OgcItemPagesAreCachedWithPublicUrlLinks) {
  auto cached = router(64 * kMiB);
  const std::string t = "/ogc/collections/hazards/items?limit=20&offset=40";
  const Response a = get(*cached, t);
  ASSERT_EQ(a.status, 200) << a.body;
  const Response b = get(*cached, t);
  EXPECT_EQ(a.shared_body.get(), b.shared_body.get());
  EXPECT_NE(b.bytes().find("http://example.org/ogc/"), std::string::npos);
}

TEST_F(ResponseCacheTest, AWriteThroughAnotherConnectionIsSeen) {
  auto cached = router(64 * kMiB);
  const std::string t = "/api/hazards?limit=1&sort=id";
  const Response a = get(*cached, t, "Bearer analyst");
  ASSERT_EQ(a.status, 200) << a.body;
  const json aj = json::parse(a.bytes());
  const std::string id = aj["items"][0]["id"];
  EXPECT_EQ(get(*cached, t, "Bearer analyst").shared_body.get(), a.shared_body.get());

  // another connection (as another process would) renames the hazard
  auto other = storage::open_store(db_);
  ASSERT_TRUE(other);
  const auto& hs = core::schema("hazards");
  auto rec = (*other)->get(hs, id);
  ASSERT_TRUE(rec && *rec);
  core::Record r = **rec;
  r.values[static_cast<size_t>(hs.index_of("name"))] = std::string("Renamed by another process");
  storage::ChangeSet cs;
  cs.source = {"test", "", "cache test"};
  cs.changes.push_back({storage::ChangeOp::kUpdate, &hs, r, ""});
  ASSERT_TRUE((*other)->commit(cs));

  const Response b = get(*cached, t, "Bearer analyst");
  ASSERT_EQ(b.status, 200);
  EXPECT_NE(b.shared_body.get(), a.shared_body.get());
  EXPECT_EQ(json::parse(b.bytes())["items"][0]["name"], "Renamed by another process");

  // a setting written elsewhere (published hazards) changes what the public sees
  const std::string pt = "/ogc/collections/hazards/items?limit=10000";
  const int64_t before = json::parse(get(*cached, pt).bytes())["numberMatched"];
  ASSERT_TRUE((*other)->set_meta("publish_hazards", "1"));
  const int64_t after = json::parse(get(*cached, pt).bytes())["numberMatched"];
  EXPECT_GT(after, before);
  ASSERT_TRUE((*other)->set_meta("publish_hazards", "0"));
  EXPECT_EQ(json::parse(get(*cached, pt).bytes())["numberMatched"], before);
}

TEST_F(ResponseCacheTest, AWriteThroughThisRouterIsSeenAtOnce) {
  auto cached = router(64 * kMiB);
  const uint64_t e0 = cached->cache().epoch();
  get(*cached, "/api/hazards?limit=5", "Bearer analyst");
  const uint64_t e1 = cached->cache().epoch();
  Request q;
  q.method = "POST";
  q.target = "/api/submissions";
  q.host = "example.org";
  q.request_id = "t";
  q.content_type = "application/json";
  q.body = "{}";
  (void)cached->handle(q, *app_);  // whatever the answer: a write starts a new epoch
  EXPECT_GT(cached->cache().epoch(), e1);
  EXPECT_GE(e1, e0);
}

TEST_F(ResponseCacheTest, RolesNeverShareEntries) {
  const std::string t = "/ogc/collections/hazards/items?limit=10000";
  auto fresh = router(0);
  const int64_t pub = json::parse(get(*fresh, t).body)["numberMatched"];
  const int64_t ana = json::parse(get(*fresh, t, "Bearer analyst").body)["numberMatched"];
  ASSERT_GT(ana, pub) << "the demo has uncleared hazards the public does not see";
  for (bool analyst_first : {true, false}) {
    auto cached = router(64 * kMiB);
    for (int round = 0; round < 2; ++round) {
      for (bool as_analyst : {analyst_first, !analyst_first}) {
        const Response r = get(*cached, t, as_analyst ? "Bearer analyst" : "");
        ASSERT_EQ(r.status, 200);
        EXPECT_EQ(json::parse(r.bytes())["numberMatched"], as_analyst ? ana : pub);
      }
    }
    EXPECT_EQ(cached->cache().entries(), 2u);
  }
  // tiles too: the public tile is not the analyst's
  auto cached = router(64 * kMiB);
  const std::string tile = "/tiles/hazards/0/0/0.mvt";
  const Response a = get(*cached, tile, "Bearer analyst");
  const Response p = get(*cached, tile);
  EXPECT_NE(a.bytes(), p.bytes());
  EXPECT_EQ(p.bytes(), get(*fresh, tile).body);
  EXPECT_EQ(a.bytes(), get(*fresh, tile, "Bearer analyst").body);
}

TEST_F(ResponseCacheTest, PersonalDataIsNeverCached) {
  auto cached = router(64 * kMiB);
  const std::string t = "/api/casualties?limit=5";
  for (int i = 0; i < 2; ++i) {
    const Response r = get(*cached, t, "Bearer analyst");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(r.shared_body);
    EXPECT_NE(r.body.find("\"name\""), std::string::npos) << "the analyst sees names";
  }
  EXPECT_EQ(cached->cache().entries(), 0u);
  // the same list without personal fields (an officer) may be cached
  const Response o = get(*cached, t, "Bearer officer");
  ASSERT_EQ(o.status, 200) << o.body;
  EXPECT_TRUE(o.shared_body);
  EXPECT_EQ(o.bytes().find("\"name\""), std::string::npos);
  EXPECT_EQ(cached->cache().entries(), 1u);
}

TEST(ResponseCacheUnit, LruStaysWithinItsBudgetAndEpochsExpire) {
  ResponseCache c(16 * 64 * 1024);  // 64 KiB a shard
  auto entry = [&](size_t n) {
    auto e = std::make_shared<CachedResponse>();
    e->body = std::make_shared<const std::string>(n, 'x');
    e->epoch = c.epoch();
    return e;
  };
  for (int i = 0; i < 1000; ++i) c.put("k" + std::to_string(i), entry(10000));
  EXPECT_LE(c.bytes(), size_t{16 * 64 * 1024});
  EXPECT_TRUE(c.get("k999"));
  EXPECT_FALSE(c.get("k0"));
  c.put("big", entry(200 * 1024));  // larger than a shard: not kept
  EXPECT_FALSE(c.get("big"));
  c.bump();
  EXPECT_FALSE(c.get("k999"));
  auto stale = entry(10);
  stale->epoch = c.epoch() - 1;
  c.put("stale", stale);
  EXPECT_FALSE(c.get("stale"));
  ResponseCache off(0);
  off.put("a", entry(1));
  EXPECT_FALSE(off.get("a"));
}

}  // namespace
}  // namespace reclaim::http
