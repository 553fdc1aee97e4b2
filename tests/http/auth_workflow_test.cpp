// Accounts, sessions and the report workflow over HTTP, against an in-process server with the
// real Authenticator, real users (app::Accounts) and real logins:
//   * the role matrix: every route × every role → allow / deny, with browser sessions
//     (cookie + CSRF token) and again with API tokens;
//   * login lockout and rate limiting, CSRF, expired sessions, Secure cookies;
//   * sessions that end (issue 7): a stolen copy of the database signs nobody in, forged
//     cookies, logout across a restart, reset / disable / role / revoke ending sessions and API
//     tokens, key rotation, known devices past a lockout, loopback addresses as one network;
//   * the full workflow (an officer submits, a colleague of the same organisation verifies, a
//     manager approves, the hazard is in the API with the submission in its history), four eyes
//     for every role, organisation boundaries (a report on another organisation's hazard goes to
//     the national data managers), stale versions;
//   * what provincial planners, donors and operators (the operator_reads setting) may read;
//   * injection strings stored verbatim and returned escaped; malformed bodies are 4xx
//     problem+json and write nothing.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/accounts.hpp"
#include "app/application.hpp"
#include "app/workflow_service.hpp"
#include "auth/authenticator.hpp"
#include "auth/crypto.hpp"
#include "auth/session_key.hpp"
#include "core/entities.hpp"
#include "geo/geodesic.hpp"
#include "geo/wkb.hpp"
#include "http/client_address.hpp"
#include "http/server.hpp"
#include "http_client.hpp"
#include "storage/store.hpp"
#include "storage/open/open.hpp"

namespace reclaim::http {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_client::Caller;
using test_client::Reply;
using test_client::request;

constexpr const char* kPassword = "correct horse battery staple";
std::atomic<int64_t> g_clock_offset{0};  // seconds added to the Authenticator's clock

enum RoleIx { kPub = 0, kAna, kOff, kMgr, kAdm, kPln, kDon, kRoles };
const char* const kRoleNames[kRoles] = {"public",        "analyst",            "operator_data_officer",
                                        "national_data_manager", "administrator", "provincial_planner",
                                        "donor"};
const char* const kLogins[kRoles] = {"",       "analyst1", "officer1", "manager1",
                                     "admin1", "planner1", "donor1"};
static_assert(std::size(auth::kAllRoles) == kRoles, "one matrix column per role");

/// A running server with its own Authenticator (on its own store, as in `reclaim serve`).
struct Running {
  std::unique_ptr<storage::Store> auth_store;
  std::shared_ptr<auth::Authenticator> authn;
  std::unique_ptr<Server> server;
  uint16_t port = 0;
};

class AuthHttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("reclaim_auth_http_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "web");
    std::ofstream(dir_ / "web" / "index.html") << "<!doctype html><title>Reclaim</title>";
    std::ofstream(dir_ / "web" / "app.mjs") << "export const x = 1;";
    db_ = (dir_ / "demo.gpkg").string();
    {
      auto store = storage::open_store(db_);
      ASSERT_TRUE(store) << store.error().message;
      app::Service svc(std::move(*store));
      ASSERT_TRUE(svc.init(RECLAIM_DATA_DIR));
      auto d = svc.demo(1, 1, RECLAIM_DATA_DIR);
      ASSERT_TRUE(d) << d.error().message;
    }
    auto st = storage::open_store(db_);
    ASSERT_TRUE(st) << st.error().message;
    store_ = std::move(*st).release();

    // two operators, a donor, a released hazard and an open one in the same province (the
    // planner's; the open one gives the village and where to draw new hazards)
    const auto& orgs = core::schema("organisations");
    storage::Query q;
    q.where.push_back({"type", storage::Condition::Op::kAnyOf, {std::string("operator")}});
    q.limit = 2;
    auto op = store_->query(orgs, q);
    ASSERT_TRUE(op && op->records.size() == 2);
    org1_ = op->records[0].id();
    org2_ = op->records[1].id();
    storage::Query fq;
    fq.limit = 1;
    auto fp = store_->query(core::schema("funding"), fq);
    ASSERT_TRUE(fp && fp->records.size() == 1);
    donor_org_ = core::get_text(core::schema("funding"), fp->records[0], "donor");
    const auto& hz = core::schema("hazards");
    storage::Query rq;
    rq.where.push_back({"status", storage::Condition::Op::kAnyOf,
                        {std::string("closed"), std::string("handed_over")}});
    rq.limit = 200;
    auto released = store_->query(hz, rq);
    ASSERT_TRUE(released && !released->records.empty());
    std::optional<core::Record> open_one;
    for (const core::Record& rh : released->records) {
      storage::Query hq;
      hq.where.push_back({"status", storage::Condition::Op::kAnyOf, {std::string("open")}});
      hq.where.push_back({"province_code", storage::Condition::Op::kAnyOf,
                          {core::get_text(hz, rh, "province_code")}});
      hq.limit = 1;
      auto hp = store_->query(hz, hq);
      ASSERT_TRUE(hp);
      if (hp->records.empty()) continue;
      released_hazard_ = rh.id();
      open_one = hp->records[0];
      break;
    }
    ASSERT_TRUE(open_one) << "no province with both a released and an open hazard";
    const core::Record& h = *open_one;
    sample_hazard_ = h.id();
    province_ = core::get_text(hz, h, "province_code");
    village_ = core::get_text(hz, h, "village_code");
    sample_wkt_ = geo::to_wkt(h.geometry);
    const geo::Ring& ring = h.geometry.polygons.at(0).rings.at(0);
    double lon = 0, lat = 0;
    for (size_t i = 0; i + 1 < ring.size(); ++i) {
      lon += ring[i].lon;
      lat += ring[i].lat;
    }
    anchor_ = {lon / static_cast<double>(ring.size() - 1), lat / static_cast<double>(ring.size() - 1)};

    app::Accounts acc(*store_);
    const auth::Principal root = app::local_admin("test");
    auto add = [&](const std::string& login, auth::Role role, const std::string& org,
                   const std::string& province = "") {
      auto r = acc.add(root, {login, role, org, "User " + login, kPassword, province});
      ASSERT_TRUE(r) << login << ": " << r.error().message;
    };
    add("analyst1", auth::Role::kAnalyst, "");
    add("officer1", auth::Role::kOperatorDataOfficer, org1_);
    add("officer2", auth::Role::kOperatorDataOfficer, org2_);
    add("officer3", auth::Role::kOperatorDataOfficer, org1_);  // officer1's colleague
    add("planner1", auth::Role::kProvincialPlanner, "", province_);
    add("donor1", auth::Role::kDonor, donor_org_);
    add("manager1", auth::Role::kNationalDataManager, "");
    add("manager2", auth::Role::kNationalDataManager, "");
    add("admin1", auth::Role::kAdministrator, "");
    add("spare", auth::Role::kAnalyst, "");
    add("locky", auth::Role::kAnalyst, "");
  }
  static void TearDownTestSuite() {
    delete store_;
    store_ = nullptr;
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void SetUp() override { g_clock_offset = 0; }

  static Running serve(auth::AuthOptions ao = relaxed()) {
    Running r;
    auto st = storage::open_store(db_);
    EXPECT_TRUE(st);
    r.auth_store = std::move(*st);
    ao.clock = [] { return auth::system_now() + g_clock_offset.load(); };
    if (!ao.key) {  // as `reclaim serve`: the key file beside the database, shared
      auto key = auth::SessionKey::open(db_ + ".key");
      EXPECT_TRUE(key) << key.error().message;
      if (key) ao.key = *key;
    }
    r.authn = std::make_shared<auth::Authenticator>(*r.auth_store, ao);
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.router.static_dir = (dir_ / "web").string();
    o.router.cache_bytes = 64 * 1024 * 1024;  // as `reclaim serve`: every test runs cached
    const std::string db = db_;
    r.server = std::make_unique<Server>(
        o,
        [db]() -> Result<std::unique_ptr<app::Application>> {
          auto s = storage::open_store(db);
          if (!s) return fail(s.error());
          return std::make_unique<app::Application>(std::move(*s));
        },
        r.authn);
    auto started = r.server->start();
    EXPECT_TRUE(started) << (started ? "" : started.error().message);
    r.port = r.server->port();
    return r;
  }
  /// No IP rate limit (the matrix logs in many times from 127.0.0.1).
  static auth::AuthOptions relaxed() {
    auth::AuthOptions o;
    o.ip_burst = 1e6;
    return o;
  }

  static Caller login(uint16_t port, const std::string& user, const std::string& pw = kPassword) {
    const Reply r = request(port, "POST", "/api/login", {},
                            json{{"user", user}, {"password", pw}}.dump());
    EXPECT_EQ(r.status, 200) << user << ": " << r.body;
    Caller c;
    for (const auto& sc : r.set_cookies)
      if (sc.starts_with("reclaim_session=")) c.cookie = sc.substr(0, sc.find(';'));
    const json j = r.js();
    if (j.is_object() && j.contains("csrf_token")) c.csrf = j["csrf_token"].get<std::string>();
    return c;
  }
  static std::string issue_token(uint16_t port, const Caller& admin, const std::string& login) {
    const Reply r = request(port, "POST", "/api/users/" + login + "/token", admin);
    EXPECT_EQ(r.status, 200) << r.body;
    const json j = r.js();
    return j.is_object() && j.contains("token") ? j["token"].get<std::string>() : "";
  }

  /// A 20 m square `n` × 40 m east of the sample hazard's centre, as WKT.
  static std::string square(int n) {
    const geo::Point sw = geo::destination(anchor_, 90, 40.0 * n);
    const geo::Point se = geo::destination(sw, 90, 20);
    const geo::Point nw = geo::destination(sw, 0, 20);
    const geo::Point ne = geo::destination(nw, 90, 20);
    geo::Geometry g;
    g.type = geo::GeometryType::kPolygon;
    g.polygons.push_back(geo::Polygon{{{sw, se, ne, nw, sw}}});
    return geo::to_wkt(g);
  }
  static json hazard(const std::string& id, const std::string& name, const std::string& wkt) {
    return {{"id", id},
            {"name", name},
            {"hazard_type", "CHA"},
            {"contamination", "AP"},
            {"province_code", province_},
            {"village_code", village_},
            {"date_recorded", "2024-11-02"},
            {"geometry", wkt}};
  }
  /// A new hazard report (a fresh id and square each call).
  static json new_hazard_report(const std::string& name = "Field behind the school") {
    const int n = ++seq_;
    char id[32];
    std::snprintf(id, sizeof id, "KH-HZ-9%05d", n);
    return {{"entity", "hazards"},
            {"action", "create"},
            {"date_of_information", "2025-01-10"},
            {"payload", hazard(id, name, square(n))}};
  }

  // Fixture submissions, made directly through the facade: submitted by officer3 (so officer1,
  // of the same organisation, may verify them), verified by officer1.
  static auth::Principal officer1() {
    return {"officer1", auth::Role::kOperatorDataOfficer, org1_, false};
  }
  static auth::Principal officer3() {
    return {"officer3", auth::Role::kOperatorDataOfficer, org1_, false};
  }
  static std::string submitted() {
    app::WorkflowService wf(*store_);
    const json rep = new_hazard_report();
    auto s = wf.submit(officer3(), {"hazards", "create", "", rep["payload"].dump(), "2025-01-10"});
    EXPECT_TRUE(s) << s.error().message;
    return s ? s->id : "";
  }
  static std::string verified() {
    const std::string id = submitted();
    app::WorkflowService wf(*store_);
    auto v = wf.verify(officer1(), id);
    EXPECT_TRUE(v) << v.error().message;
    return id;
  }
  /// The principal of a matrix column's user (public: none; analyst and donor never submit).
  static auth::Principal principal_of(int role) {
    switch (role) {
      case kOff: return officer1();
      case kMgr: return {"manager1", auth::Role::kNationalDataManager, "", false};
      case kAdm: return {"admin1", auth::Role::kAdministrator, "", false};
      case kPln: return {"planner1", auth::Role::kProvincialPlanner, "", false, province_};
      default: return {};
    }
  }
  /// A report the column's user submitted (another's for the roles that cannot submit).
  static std::string own_submission(int role) {
    const auth::Principal p = principal_of(role);
    if (!p.authenticated()) return submitted();
    app::WorkflowService wf(*store_);
    const json rep = new_hazard_report();
    auto s = wf.submit(p, {"hazards", "create", "", rep["payload"].dump(), "2025-01-10"});
    EXPECT_TRUE(s) << p.user << ": " << s.error().message;
    return s ? s->id : "";
  }
  /// … verified by someone else (officer3 for officer1's, a national data manager otherwise).
  static std::string own_verified_submission(int role) {
    const auth::Principal p = principal_of(role);
    if (!p.authenticated()) return verified();
    const std::string id = own_submission(role);
    app::WorkflowService wf(*store_);
    const auth::Principal verifier =
        role == kOff ? officer3()
                     : auth::Principal{"manager2", auth::Role::kNationalDataManager, "", false};
    auto v = wf.verify(verifier, id);
    EXPECT_TRUE(v) << verifier.user << ": " << v.error().message;
    return id;
  }
  static bool id_is_funded_by(const std::string& funding_id, const std::string& donor) {
    const auto& fs = core::schema("funding");
    auto r = store_->get(fs, funding_id);
    return r && *r && core::get_text(fs, **r, "donor") == donor;
  }
  static int64_t count(std::string_view entity) {
    auto n = store_->count(core::schema(entity));
    EXPECT_TRUE(n);
    return n ? *n : -1;
  }

  static void expect_problem(const Reply& r, int status, const std::string& detail_has = "") {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << r.body;
    const json j = r.js();
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j["status"], status);
    if (!detail_has.empty()) {
      EXPECT_NE(j["detail"].get<std::string>().find(detail_has), std::string::npos) << r.body;
    }
  }

  static fs::path dir_;
  static std::string db_, org1_, org2_, donor_org_, sample_hazard_, released_hazard_, province_,
      village_, sample_wkt_;
  static geo::Point anchor_;
  static storage::Store* store_;
  static int seq_;
};
fs::path AuthHttpTest::dir_;
std::string AuthHttpTest::db_, AuthHttpTest::org1_, AuthHttpTest::org2_, AuthHttpTest::donor_org_,
    AuthHttpTest::sample_hazard_, AuthHttpTest::released_hazard_, AuthHttpTest::province_,
    AuthHttpTest::village_, AuthHttpTest::sample_wkt_;
geo::Point AuthHttpTest::anchor_;
storage::Store* AuthHttpTest::store_ = nullptr;
int AuthHttpTest::seq_ = 0;

// ---- the role matrix ------------------------------------------------------------------------

/// Percent-encodes a path segment (device ids have spaces).
std::string encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (std::isalnum(u) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

struct Target {
  std::string method, path, body;
  std::optional<Caller> as;  ///< call with these credentials instead of the role's
};
struct Row {
  std::string method, templ;
  /// One letter per role (public, analyst, officer, manager, administrator):
  /// A allowed (2xx/304), M allowed but the target is missing (404), D denied (401/403).
  std::string expect;
  std::function<Target(int role, const Caller& who)> make;
};

TEST_F(AuthHttpTest, RoleMatrixEveryRouteEveryRole) {
  Running srv = serve();
  const uint16_t port = srv.port;
  std::vector<Caller> sessions(kRoles);
  for (int r = kAna; r < kRoles; ++r) sessions[static_cast<size_t>(r)] = login(port, kLogins[r]);
  std::vector<Caller> tokens(kRoles);
  for (int r = kAna; r < kRoles; ++r)
    tokens[static_cast<size_t>(r)].token = issue_token(port, sessions[kAdm], kLogins[r]);

  // one record id per entity, in the planner's province when the entity has one (a released
  // hazard, so the public may read it)
  std::map<std::string, std::string> first_id;
  for (const auto& s : core::all_schemas()) {
    if (s.internal) continue;
    storage::Query q;
    if (s.index_of("province_code") >= 0)
      q.where.push_back({"province_code", storage::Condition::Op::kAnyOf, {province_}});
    q.limit = 1;
    auto page = store_->query(s, q);
    ASSERT_TRUE(page);
    first_id[s.name] = page->records.empty() ? "" : page->records[0].id();
  }
  first_id["hazards"] = released_hazard_;
  {
    const Reply b = request(port, "GET", "/ogc/collections/admin_boundaries/items?limit=1");
    ASSERT_EQ(b.status, 200) << b.body;
    const json f = b.js()["features"][0]["id"];
    first_id["admin_boundaries"] = f.is_string() ? f.get<std::string>() : f.dump();
  }
  const std::string viewable = submitted();

  auto fixed = [](std::string method, std::string path, std::string body = "") {
    return [=](int, const Caller&) { return Target{method, path, body, std::nullopt}; };
  };
  std::vector<Row> rows;
  auto add = [&](std::string method, std::string templ, std::string expect,
                 std::function<Target(int, const Caller&)> make) {
    rows.push_back({std::move(method), std::move(templ), std::move(expect), std::move(make)});
  };
  auto get = [&](const std::string& path, const std::string& expect) {
    add("GET", path, expect, fixed("GET", path));
  };

  // Columns: public, analyst, officer, manager, administrator, planner, donor.
  // status, OpenAPI, static files
  get("/api/status", "AAAAAAA");
  get("/api/status?as_of=2020-01-01", "AAAAAAA");
  get("/api/openapi.json", "AAAAAAA");
  get("/", "AAAAAAA");
  get("/app.mjs", "AAAAAAA");
  add("HEAD", "/", "AAAAAAA", fixed("HEAD", "/"));
  get("/no-such-file.txt", "MMMMMMM");
  // the JSON API: every entity. The public (and donors) read three; donors also their funding;
  // a provincial planner reads the entities that have a province, and the reference lists.
  const std::set<std::string> public_entities = {"hazards", "devices", "organisations"};
  const std::set<std::string> planner_entities = {
      "hazards",   "devices",    "organisations", "eo_finds",
      "accidents", "casualties", "eore_sessions", "admin_boundaries"};
  // the letters for a route readable by the roles that read everything, as the public may
  // (`pub`), the planner (`pln`) and the donor (`don`) may; `yes` is the letter where allowed
  auto letters = [](bool pub, bool pln, bool don, char yes, char no_public = 'D') {
    std::string e(kRoles, yes);
    e[kPub] = pub ? yes : no_public;
    e[kPln] = pln ? yes : 'D';
    e[kDon] = don ? yes : 'D';
    return e;
  };
  for (const auto& s : core::all_schemas()) {
    if (s.internal) continue;
    const bool pub = public_entities.count(s.name) > 0;
    const bool pln = planner_entities.count(s.name) > 0;
    const bool don = pub || s.name == "funding";
    const std::string& id = first_id[s.name];
    get("/api/" + s.name + "?limit=5", letters(pub, pln, don, 'A'));
    const std::string one = "/api/" + s.name + "/" + (id.empty() ? "NO-SUCH-ID" : encode(id));
    if (id.empty()) {
      add("GET", "/api/" + s.name + "/{missing}", letters(pub, pln, don, 'M'), fixed("GET", one));
      add("GET", "/api/" + s.name + "/{missing}/history", letters(false, pln, false, 'M'),
          fixed("GET", one + "/history"));
    } else {
      // a donor reads its own funding records only (first_id is some donor's)
      const bool own_funding = s.name != "funding" || id_is_funded_by(id, donor_org_);
      add("GET", "/api/" + s.name + "/{id}", letters(pub, pln, don, 'A'), fixed("GET", one));
      if (!own_funding) rows.back().expect[kDon] = 'M';
      add("GET", "/api/" + s.name + "/{id}/history", letters(false, pln, false, 'A'),
          fixed("GET", one + "/history"));
    }
  }
  // OGC API – Features and tiles
  get("/ogc", "AAAAAAA");
  get("/ogc/conformance", "AAAAAAA");
  get("/ogc/collections", "AAAAAAA");
  for (std::string c : {"hazards", "activities", "eo_finds", "accidents", "admin_boundaries"}) {
    const bool pub = c == "hazards" || c == "admin_boundaries";
    const bool pln = planner_entities.count(c) > 0;
    const std::string allow = letters(pub, pln, pub, 'A');
    get("/ogc/collections/" + c, allow);
    get("/ogc/collections/" + c + "/items?limit=3", allow);
    const std::string& fid = first_id[c];
    if (fid.empty()) {
      add("GET", "/ogc/collections/" + c + "/items/{missing}", letters(pub, pln, pub, 'M'),
          fixed("GET", "/ogc/collections/" + c + "/items/NO-SUCH-ID"));
    } else {
      add("GET", "/ogc/collections/" + c + "/items/{fid}", allow,
          fixed("GET", "/ogc/collections/" + c + "/items/" + encode(fid)));
    }
    get("/tiles/" + c + ".json", allow);
    get("/tiles/" + c + "/6/50/29.mvt", allow);
  }
  // sign-in
  add("POST", "/api/login", "DAAAAAA", [&](int r, const Caller&) {
    const json b = r == kPub ? json{{"user", "nobody"}, {"password", "wrong password!!"}}
                             : json{{"user", kLogins[r]}, {"password", kPassword}};
    return Target{"POST", "/api/login", b.dump(), Caller{}};
  });
  add("POST", "/api/logout", "AAAAAAA", [&](int r, const Caller& who) {
    // a session of its own, so that the matrix's session lives on
    if (r == kPub || !who.token.empty()) return Target{"POST", "/api/logout", "", std::nullopt};
    return Target{"POST", "/api/logout", "", login(port, kLogins[r])};
  });
  get("/api/me", "DAAAAAA");
  // direct edits made in the database by other programs (national data managers, administrators)
  get("/api/direct-edits", "DDDAADD");
  get("/api/direct-edits?limit=5", "DDDAADD");
  // users (administrator)
  get("/api/users", "DDDDADD");
  get("/api/users/officer2", "DDDDADD");
  add("POST", "/api/users", "DDDDADD", [&](int r, const Caller&) {
    const json b = {{"id", "new" + std::to_string(++seq_) + "-" + std::to_string(r)},
                    {"role", "analyst"},
                    {"password", kPassword},
                    {"display_name", "New User"}};
    return Target{"POST", "/api/users", b.dump(), std::nullopt};
  });
  add("POST", "/api/users/{id}/disable", "DDDDADD", fixed("POST", "/api/users/spare/disable"));
  add("POST", "/api/users/{id}/enable", "DDDDADD", fixed("POST", "/api/users/spare/enable"));
  add("POST", "/api/users/{id}/password", "DDDDADD",
      fixed("POST", "/api/users/spare/password", json{{"password", kPassword}}.dump()));
  add("POST", "/api/users/{id}/token", "DDDDADD", fixed("POST", "/api/users/spare/token"));
  add("POST", "/api/users/{id}/role", "DDDDADD",
      fixed("POST", "/api/users/spare/role", json{{"role", "analyst"}}.dump()));
  add("POST", "/api/users/{id}/revoke", "DDDDADD", fixed("POST", "/api/users/spare/revoke"));
  add("POST", "/api/users/{id}/unlock", "DDDDADD", fixed("POST", "/api/users/spare/unlock"));
  // the workflow (fixture reports: submitted by officer3, officer1's colleague; a planner's
  // report is a new hazard in its own province; donors take no part)
  add("POST", "/api/submissions", "DDAAAAD", [&](int, const Caller&) {
    return Target{"POST", "/api/submissions", new_hazard_report().dump(), std::nullopt};
  });
  get("/api/submissions", "DAAAAAD");
  get("/api/submissions?status=submitted", "DAAAAAD");
  add("GET", "/api/submissions/{id}", "DAAAAMD", fixed("GET", "/api/submissions/" + viewable));
  add("GET", "/api/submissions/{missing}", "DMMMMMD", fixed("GET", "/api/submissions/SUB-NONE"));
  add("GET", "/api/submissions/{id}/duplicates", "DAAAAMD",
      fixed("GET", "/api/submissions/" + viewable + "/duplicates"));
  add("POST", "/api/submissions/{id}/verify", "DDADADD", [&](int, const Caller&) {
    return Target{"POST", "/api/submissions/" + submitted() + "/verify", "", std::nullopt};
  });
  add("POST", "/api/submissions/{id}/reject", "DDAAADD", [&](int, const Caller&) {
    return Target{"POST", "/api/submissions/" + submitted() + "/reject",
                  json{{"comment", "wrong village"}}.dump(), std::nullopt};
  });
  add("POST", "/api/submissions/{id}/approve", "DDDAADD", [&](int, const Caller&) {
    return Target{"POST", "/api/submissions/" + verified() + "/approve",
                  json{{"duplicates_reviewed", true}}.dump(), std::nullopt};
  });
  // … and nobody verifies or approves their own report, whatever their role
  add("POST", "/api/submissions/{own}/verify", "DDDDDDD", [&](int r, const Caller&) {
    return Target{"POST", "/api/submissions/" + own_submission(r) + "/verify", "", std::nullopt};
  });
  add("POST", "/api/submissions/{own}/approve", "DDDDDDD", [&](int r, const Caller&) {
    return Target{"POST", "/api/submissions/" + own_verified_submission(r) + "/approve",
                  json{{"duplicates_reviewed", true}}.dump(), std::nullopt};
  });
  get("/api/inbox", "DAAAAAD");

  for (const Row& row : rows)
    ASSERT_EQ(row.expect.size(), static_cast<size_t>(kRoles)) << row.method << " " << row.templ;
  int cells = 0;
  for (const bool with_tokens : {false, true}) {
    for (const Row& row : rows) {
      for (int r = with_tokens ? kAna : kPub; r < kRoles; ++r) {
        const Caller& who = with_tokens ? tokens[static_cast<size_t>(r)]
                                        : sessions[static_cast<size_t>(r)];
        const Target t = row.make(r, who);
        const Reply rep = request(port, t.method, t.path, t.as ? *t.as : who, t.body);
        ++cells;
        const char e = row.expect[static_cast<size_t>(r)];
        const std::string where = std::string(with_tokens ? "[API token] " : "[session] ") +
                                  kRoleNames[r] + " " + row.method + " " + row.templ + " (" +
                                  t.path + ") -> " + std::to_string(rep.status) + " " +
                                  rep.body.substr(0, 300);
        if (e == 'A') {
          EXPECT_TRUE((rep.status >= 200 && rep.status < 300) || rep.status == 304) << where;
        } else if (e == 'M') {
          EXPECT_EQ(rep.status, 404) << where;
        } else {
          if (r == kPub) {
            EXPECT_TRUE(rep.status == 401 || rep.status == 403) << where;
          } else {
            EXPECT_EQ(rep.status, 403) << where;
          }
          EXPECT_EQ(rep.header("content-type"), "application/problem+json") << where;
        }
      }
    }
  }
  EXPECT_GT(cells, 700);
}

// ---- sign-in, sessions, CSRF ----------------------------------------------------------------

TEST_F(AuthHttpTest, LoginSetsAHardenedCookieAndMeShowsTheUser) {
  Running srv = serve();
  const Reply r = request(srv.port, "POST", "/api/login", {},
                          json{{"user", "officer1"}, {"password", kPassword}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.js();
  EXPECT_EQ(j["user"], "officer1");
  EXPECT_EQ(j["role"], "operator_data_officer");
  EXPECT_EQ(j["org"], org1_);
  EXPECT_FALSE(j["csrf_token"].get<std::string>().empty());
  EXPECT_FALSE(j["expires"].get<std::string>().empty());
  ASSERT_EQ(r.set_cookies.size(), 2u);  // the session, and the known-device mark
  const std::string& cookie = r.set_cookies[0];
  EXPECT_TRUE(cookie.starts_with("reclaim_session=")) << cookie;
  for (const char* attr : {"HttpOnly", "SameSite=Strict", "Path=/"})
    EXPECT_NE(cookie.find(attr), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << cookie;
  const std::string& device = r.set_cookies[1];
  EXPECT_TRUE(device.starts_with("reclaim_device=")) << device;
  for (const char* attr : {"HttpOnly", "SameSite=Strict", "Path=/api/login"})
    EXPECT_NE(device.find(attr), std::string::npos) << device;
  EXPECT_EQ(r.body.find("hash"), std::string::npos);

  Caller c;
  c.cookie = cookie.substr(0, cookie.find(';'));
  c.csrf = j["csrf_token"];
  const Reply me = request(srv.port, "GET", "/api/me", c);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.js()["user"], "officer1");
  EXPECT_EQ(me.js()["csrf_token"], c.csrf);
  // the generic failure: same answer for a wrong password and an unknown user
  const Reply bad = request(srv.port, "POST", "/api/login", {},
                            json{{"user", "officer1"}, {"password", "not the password"}}.dump());
  const Reply ghost = request(srv.port, "POST", "/api/login", {},
                              json{{"user", "ghost"}, {"password", "not the password"}}.dump());
  expect_problem(bad, 401);
  expect_problem(ghost, 401);
  EXPECT_EQ(bad.js()["detail"], ghost.js()["detail"]);
  // logout ends the session
  const Reply out = request(srv.port, "POST", "/api/logout", c);
  EXPECT_EQ(out.status, 204) << out.body;
  ASSERT_EQ(out.set_cookies.size(), 1u);
  EXPECT_NE(out.set_cookies[0].find("Max-Age=0"), std::string::npos) << out.set_cookies[0];
  expect_problem(request(srv.port, "GET", "/api/me", c), 401);
}

TEST_F(AuthHttpTest, SecureCookiesBehindTls) {
  auth::AuthOptions o = relaxed();
  o.secure_cookie = true;
  Running srv = serve(o);
  const Reply r = request(srv.port, "POST", "/api/login", {},
                          json{{"user", "analyst1"}, {"password", kPassword}}.dump());
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.set_cookies.size(), 2u);
  for (const auto& sc : r.set_cookies) EXPECT_NE(sc.find("; Secure"), std::string::npos) << sc;
}

TEST_F(AuthHttpTest, FiveBadPasswordsLockTheAccount) {
  Running srv = serve(auth::AuthOptions{});  // default limits
  const std::string bad = json{{"user", "locky"}, {"password", "wrong password!!"}}.dump();
  for (int i = 0; i < 5; ++i) {
    const Reply r = request(srv.port, "POST", "/api/login", {}, bad);
    EXPECT_TRUE(r.status == 401 || r.status == 429) << i << ": " << r.body;
  }
  // locked: even the right password fails, with the same generic answer
  const std::string good = json{{"user", "locky"}, {"password", kPassword}}.dump();
  expect_problem(request(srv.port, "POST", "/api/login", {}, good), 401, "login failed");
  // … until the lock expires
  g_clock_offset = 16 * 60;
  EXPECT_EQ(request(srv.port, "POST", "/api/login", {}, good).status, 200);
}

TEST_F(AuthHttpTest, TooManyAttemptsFromOneAddressIs429WithRetryAfter) {
  auth::AuthOptions o;
  o.ip_burst = 3;
  o.ip_refill_per_s = 1.0 / 600;
  Running srv = serve(o);
  const std::string bad = json{{"user", "ghost"}, {"password", "wrong password!!"}}.dump();
  Reply r;
  for (int i = 0; i < 4; ++i) r = request(srv.port, "POST", "/api/login", {}, bad);
  expect_problem(r, 429);
  EXPECT_GT(std::stoi(r.header("retry-after").empty() ? "0" : r.header("retry-after")), 0);
}

TEST_F(AuthHttpTest, BrowserWritesNeedTheCsrfTokenApiTokensDoNot) {
  Running srv = serve();
  const Caller c = login(srv.port, "officer1");
  const int64_t before = count("submissions");
  Caller no_csrf = c;
  no_csrf.csrf.clear();
  const std::string body = new_hazard_report().dump();
  expect_problem(request(srv.port, "POST", "/api/submissions", no_csrf, body), 403,
                 "missing or invalid CSRF token");
  Caller wrong = c;
  wrong.csrf = "AAAA" + c.csrf.substr(4);
  expect_problem(request(srv.port, "POST", "/api/submissions", wrong, body), 403,
                 "missing or invalid CSRF token");
  EXPECT_EQ(count("submissions"), before);
  EXPECT_EQ(request(srv.port, "POST", "/api/submissions", c, body).status, 201);
  // reads need no token
  EXPECT_EQ(request(srv.port, "GET", "/api/inbox", no_csrf).status, 200);
  // an API token needs none
  const Caller admin = login(srv.port, "admin1");
  Caller token;
  token.token = issue_token(srv.port, admin, "officer1");
  EXPECT_EQ(request(srv.port, "POST", "/api/submissions", token, new_hazard_report().dump()).status,
            201);
  EXPECT_EQ(count("submissions"), before + 2);
  // a bad token is refused, not treated as anonymous
  Caller forged;
  forged.token = token.token + "x";
  expect_problem(request(srv.port, "GET", "/api/me", forged), 401);
}

TEST_F(AuthHttpTest, ExpiredSessionIs401) {
  Running srv = serve();
  const Caller c = login(srv.port, "analyst1");
  EXPECT_EQ(request(srv.port, "GET", "/api/me", c).status, 200);
  g_clock_offset = 8 * 3600 + 60;
  const Reply r = request(srv.port, "GET", "/api/me", c);
  expect_problem(r, 401, "session expired");
  ASSERT_EQ(r.set_cookies.size(), 1u);
  EXPECT_NE(r.set_cookies[0].find("Max-Age=0"), std::string::npos);
  expect_problem(request(srv.port, "GET", "/api/accidents", c), 401, "session expired");
  expect_problem(request(srv.port, "POST", "/api/submissions", c, new_hazard_report().dump()),
                 401, "session expired");
}

TEST_F(AuthHttpTest, UsersApiManagesAccountsAndNeverReturnsHashes) {
  Running srv = serve();
  const Caller admin = login(srv.port, "admin1");
  const Reply list = request(srv.port, "GET", "/api/users", admin);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_GE(list.js()["items"].size(), 8u);
  for (const char* leak : {"argon2", "hash", "$"}) EXPECT_EQ(list.body.find(leak), std::string::npos);
  const json nu = {{"id", "dara"}, {"role", "operator_data_officer"}, {"org", org2_},
                   {"password", kPassword}, {"display_name", "Dara"}};
  const Reply added = request(srv.port, "POST", "/api/users", admin, nu.dump());
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.js()["role"], "operator_data_officer");
  EXPECT_EQ(request(srv.port, "POST", "/api/users", admin, nu.dump()).status, 409);
  const Caller dara = login(srv.port, "dara");
  EXPECT_EQ(request(srv.port, "GET", "/api/me", dara).js()["org"], org2_);
  // a user may change their own password and issue their own token, not another's
  EXPECT_EQ(request(srv.port, "POST", "/api/users/dara/password", dara,
                    json{{"password", "another long password"}}.dump())
                .status,
            204);
  expect_problem(request(srv.port, "POST", "/api/users/officer1/token", dara), 403);
  Caller token;
  token.token = issue_token(srv.port, admin, "dara");
  EXPECT_EQ(request(srv.port, "GET", "/api/me", token).status, 200);
  // disabled: no login, no token
  ASSERT_EQ(request(srv.port, "POST", "/api/users/dara/disable", admin).status, 200);
  expect_problem(request(srv.port, "POST", "/api/login", {},
                         json{{"user", "dara"}, {"password", "another long password"}}.dump()),
                 401);
  expect_problem(request(srv.port, "GET", "/api/me", token), 401);
  ASSERT_EQ(request(srv.port, "POST", "/api/users/dara/enable", admin).status, 200);
  expect_problem(request(srv.port, "GET", "/api/me", token), 401);  // re-enabling revives nothing
  // bad bodies write nothing
  const int64_t users = count("users");
  expect_problem(request(srv.port, "POST", "/api/users", admin,
                         R"({"id":"x1","role":"analyst","password":"long enough pass","admin":true})"),
                 422);
  expect_problem(request(srv.port, "POST", "/api/users", admin,
                         R"({"id":"x2","role":7,"password":"long enough pass"})"),
                 422);
  expect_problem(request(srv.port, "POST", "/api/users", admin,
                         R"({"id":"x3","role":"emperor","password":"long enough pass"})"),
                 422);
  expect_problem(request(srv.port, "POST", "/api/users", admin,
                         R"({"id":"x4","role":"analyst","password":"short"})"),
                 422);
  expect_problem(request(srv.port, "POST", "/api/users", admin,
                         R"({"id":"x5","role":"operator_data_officer","org":"NOPE","password":"long enough pass"})"),
                 422);
  EXPECT_EQ(count("users"), users);
}

// ---- the workflow ---------------------------------------------------------------------------

TEST_F(AuthHttpTest, FullWorkflowOfficerSubmitsColleagueVerifiesManagerApproves) {
  Running srv = serve();
  const uint16_t port = srv.port;
  const Caller officer = login(port, "officer1");
  const Caller colleague = login(port, "officer3");
  const Caller manager = login(port, "manager1");
  const Caller analyst = login(port, "analyst1");
  // a report drawn exactly over an existing hazard: a duplicate candidate
  json rep = new_hazard_report("Rice field north of the canal");
  rep["payload"]["geometry"] = sample_wkt_;
  const std::string hid = rep["payload"]["id"];
  const Reply sub = request(port, "POST", "/api/submissions", officer, rep.dump());
  ASSERT_EQ(sub.status, 201) << sub.body;
  const std::string id = sub.js()["id"];
  EXPECT_EQ(sub.js()["status"], "submitted");
  EXPECT_EQ(sub.header("location"), "/api/submissions/" + id);

  auto in_inbox = [&](const Caller& who) {
    const Reply r = request(port, "GET", "/api/inbox", who);
    EXPECT_EQ(r.status, 200) << r.body;
    const json j = r.js();
    for (const auto& s : j["items"])
      if (s["id"] == id) return true;
    return false;
  };
  EXPECT_EQ(sub.js()["verify_by"], org1_);
  EXPECT_FALSE(in_inbox(officer));  // nothing for the submitter to do: a colleague verifies
  EXPECT_TRUE(in_inbox(colleague));
  EXPECT_FALSE(in_inbox(manager));
  // another organisation's officer neither sees nor verifies it
  const Caller other = login(port, "officer2");
  expect_problem(request(port, "GET", "/api/submissions/" + id, other), 404);
  expect_problem(request(port, "POST", "/api/submissions/" + id + "/verify", other), 403);

  const Reply got = request(port, "GET", "/api/submissions/" + id, officer);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.js()["payload"]["name"], "Rice field north of the canal");
  const std::string etag = got.header("etag");
  ASSERT_FALSE(etag.empty());
  // four eyes: not the submitter
  expect_problem(request(port, "POST", "/api/submissions/" + id + "/verify", officer, "",
                         "If-Match: " + etag + "\r\n"),
                 403, "four eyes");
  const Reply ver = request(port, "POST", "/api/submissions/" + id + "/verify", colleague, "",
                            "If-Match: " + etag + "\r\n");
  ASSERT_EQ(ver.status, 200) << ver.body;
  EXPECT_EQ(ver.js()["status"], "verified");
  EXPECT_EQ(ver.js()["verified_by"], "officer3");
  EXPECT_TRUE(in_inbox(manager));
  EXPECT_FALSE(in_inbox(colleague));

  const Reply dups = request(port, "GET", "/api/submissions/" + id + "/duplicates", manager);
  ASSERT_EQ(dups.status, 200) << dups.body;
  const json dj = dups.js();
  ASSERT_FALSE(dj["items"].empty()) << dups.body;
  EXPECT_EQ(dj["items"][0]["entity"], "hazards");
  EXPECT_EQ(dj["items"][0]["report_record"], "hazard " + hid);
  // not without reviewing the duplicates; not with a stale version
  expect_problem(request(port, "POST", "/api/submissions/" + id + "/approve", manager, "{}"), 409);
  expect_problem(request(port, "POST", "/api/submissions/" + id + "/approve", manager,
                         json{{"duplicates_reviewed", true}}.dump(), "If-Match: \"1\"\r\n"),
                 409);
  const int64_t v = ver.js()["version"];
  // the list the approval changes, cached before it (the response cache must drop it)
  const std::string list_url = "/api/hazards?province=" + province_ + "&limit=1000&sort=-id";
  ASSERT_EQ(request(port, "GET", list_url, analyst).status, 200);
  ASSERT_EQ(request(port, "GET", list_url, analyst).status, 200);
  const Reply ok = request(port, "POST", "/api/submissions/" + id + "/approve", manager,
                           json{{"duplicates_reviewed", true},
                                {"comment", "checked on site"},
                                {"expected_version", v}}
                               .dump());
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.js()["submission"]["status"], "approved");
  EXPECT_EQ(ok.js()["created"][0], "hazards/" + hid);
  // the hazard is in the API, and its history names the submission
  const Reply h = request(port, "GET", "/api/hazards/" + hid, analyst);
  ASSERT_EQ(h.status, 200) << h.body;
  EXPECT_EQ(h.js()["name"], "Rice field north of the canal");
  const Reply list = request(port, "GET", list_url, analyst);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.js()["items"][0]["id"], hid);
  const Reply hist = request(port, "GET", "/api/hazards/" + hid + "/history", analyst);
  ASSERT_EQ(hist.status, 200) << hist.body;
  EXPECT_NE(hist.body.find(id), std::string::npos) << hist.body;
  // approved reports leave the officer's view; the analyst still reads it
  EXPECT_EQ(request(port, "GET", "/api/submissions/" + id, analyst).js()["status"], "approved");
}

TEST_F(AuthHttpTest, ManagersMayNotApproveTheirOwnReports) {
  Running srv = serve();
  const Caller manager2 = login(srv.port, "manager2");
  const Caller manager1 = login(srv.port, "manager1");
  const Caller admin = login(srv.port, "admin1");
  const Reply sub = request(srv.port, "POST", "/api/submissions", manager2, new_hazard_report().dump());
  ASSERT_EQ(sub.status, 201) << sub.body;
  const std::string id = sub.js()["id"];
  ASSERT_EQ(request(srv.port, "POST", "/api/submissions/" + id + "/verify", admin).status, 200);
  expect_problem(request(srv.port, "POST", "/api/submissions/" + id + "/approve", manager2,
                         json{{"duplicates_reviewed", true}}.dump()),
                 403, "own submission");
  EXPECT_EQ(request(srv.port, "POST", "/api/submissions/" + id + "/approve", manager1,
                    json{{"duplicates_reviewed", true}}.dump())
                .status,
            200);
  // rejection needs a comment
  const std::string other = verified();
  expect_problem(request(srv.port, "POST", "/api/submissions/" + other + "/reject", manager1, "{}"),
                 422);
  const Reply rej = request(srv.port, "POST", "/api/submissions/" + other + "/reject", manager1,
                            json{{"comment", "polygon in the river"}}.dump());
  ASSERT_EQ(rej.status, 200) << rej.body;
  EXPECT_EQ(rej.js()["comment"], "polygon in the river");
}

TEST_F(AuthHttpTest, InjectionStringsAreStoredVerbatimAndReturnedEscaped) {
  Running srv = serve();
  const Caller officer = login(srv.port, "officer1");
  const Caller manager = login(srv.port, "manager1");
  const std::string evil =
      "Robert'); DROP TABLE hazards;-- <script>alert(\"x\")</script> \\ {\"a\":1} "
      "\xe1\x9e\x97\xe1\x9e\xbc\xe1\x9e\x98\xe1\x9e\xb7 ${jndi:ldap://x} %s%n\n\ttab";
  const int64_t hazards_before = count("hazards");
  json rep = new_hazard_report(evil);
  const std::string hid = rep["payload"]["id"];
  const Reply sub = request(srv.port, "POST", "/api/submissions", officer, rep.dump());
  ASSERT_EQ(sub.status, 201) << sub.body;
  const std::string id = sub.js()["id"];
  const Reply got = request(srv.port, "GET", "/api/submissions/" + id, officer);
  ASSERT_EQ(got.status, 200);
  ASSERT_FALSE(got.js().is_discarded()) << got.body;
  EXPECT_EQ(got.js()["payload"]["name"], evil);
  EXPECT_EQ(got.body.find("\n"), std::string::npos);  // escaped, never raw
  EXPECT_NE(got.body.find(R"(alert(\"x\"))"), std::string::npos) << got.body;
  const Caller colleague = login(srv.port, "officer3");
  ASSERT_EQ(request(srv.port, "POST", "/api/submissions/" + id + "/verify", colleague).status, 200);
  const Reply ok = request(srv.port, "POST", "/api/submissions/" + id + "/approve", manager,
                           json{{"duplicates_reviewed", true}}.dump());
  ASSERT_EQ(ok.status, 200) << ok.body;
  const Reply h = request(srv.port, "GET", "/api/hazards/" + hid, manager);
  ASSERT_EQ(h.status, 200);
  EXPECT_EQ(h.js()["name"], evil);
  EXPECT_EQ(count("hazards"), hazards_before + 1);
  auto rec = store_->get(core::schema("hazards"), hid);
  ASSERT_TRUE(rec && *rec);
  EXPECT_EQ(core::get_text(core::schema("hazards"), **rec, "name"), evil);
}

TEST_F(AuthHttpTest, BadBodiesAre4xxProblemsAndWriteNothing) {
  Running srv = serve();
  const Caller officer = login(srv.port, "officer1");
  const int64_t before = count("submissions");
  auto post = [&](const std::string& body, const std::string& type = "application/json") {
    return request(srv.port, "POST", "/api/submissions", officer, body, "", type);
  };
  expect_problem(post("{\"entity\": \"hazards\", "), 400);
  expect_problem(post("[1, 2]"), 422);
  expect_problem(post(new_hazard_report().dump(), "text/plain"), 415);
  expect_problem(post(new_hazard_report().dump(), ""), 415);
  json r = new_hazard_report();
  r["entity"] = 5;
  Reply rep = post(r.dump());
  expect_problem(rep, 422);
  EXPECT_EQ(rep.js()["errors"][0]["field"], "entity");
  r = new_hazard_report();
  r["priority"] = "urgent";
  rep = post(r.dump());
  expect_problem(rep, 422);
  EXPECT_EQ(rep.js()["errors"][0]["field"], "priority");
  r = new_hazard_report();
  r.erase("payload");
  rep = post(r.dump());
  expect_problem(rep, 422);
  EXPECT_EQ(rep.js()["errors"][0]["field"], "payload");
  r = new_hazard_report();
  r["payload"] = "not an object";
  expect_problem(post(r.dump()), 422);
  // the payload is validated like an import: each error names the record and the field
  r = new_hazard_report();
  r["payload"]["colour"] = "red";
  rep = post(r.dump());
  expect_problem(rep, 422);
  EXPECT_EQ(rep.js()["errors"][0]["field"], "colour") << rep.body;
  r = new_hazard_report();
  r["payload"]["hazard_type"] = "XYZ";
  r["payload"]["contamination"] = "PEBBLES";
  rep = post(r.dump());
  expect_problem(rep, 422);
  std::set<std::string> fields;
  const json errs = rep.js()["errors"];
  for (const auto& e : errs) {
    fields.insert(e["field"].get<std::string>());
    EXPECT_FALSE(e["record"].get<std::string>().empty()) << rep.body;
  }
  EXPECT_TRUE(fields.count("hazard_type") && fields.count("contamination")) << rep.body;
  r = new_hazard_report();
  r["payload"]["date_recorded"] = 20240101;
  expect_problem(post(r.dump()), 422);
  r = new_hazard_report();
  r["payload"]["geometry"] = "POLYGON((2.35 48.85, 2.36 48.85, 2.36 48.86, 2.35 48.85))";  // Paris
  expect_problem(post(r.dump()), 422);
  r = new_hazard_report();
  r["payload"]["geometry"] = "POLYGON((not wkt))";
  expect_problem(post(r.dump()), 422);
  r = new_hazard_report();
  r["entity"] = "users";
  expect_problem(post(r.dump()), 422);
  r = new_hazard_report();
  r["date_of_information"] = "yesterday";
  expect_problem(post(r.dump()), 422);
  // oversized
  expect_problem(test_client::send_raw(srv.port,
                                       "POST /api/submissions HTTP/1.1\r\nHost: x\r\nCookie: " +
                                           officer.cookie + "\r\nX-CSRF-Token: " + officer.csrf +
                                           "\r\nContent-Type: application/json\r\n"
                                           "Content-Length: 2097152\r\nConnection: close\r\n\r\n" +
                                           std::string(4096, ' ')),
                 413);
  // the login route, too
  expect_problem(request(srv.port, "POST", "/api/login", {}, "{"), 400);
  expect_problem(request(srv.port, "POST", "/api/login", {}, R"({"user":"officer1"})"), 422);
  expect_problem(request(srv.port, "POST", "/api/login", {}, R"({"user":1,"password":2})"), 422);
  // workflow actions: wrong types, bad If-Match
  const std::string id = submitted();
  expect_problem(request(srv.port, "POST", "/api/submissions/" + id + "/verify", officer,
                         R"({"expected_version":"one"})"),
                 422);
  expect_problem(request(srv.port, "POST", "/api/submissions/" + id + "/verify", officer, "",
                         "If-Match: banana\r\n"),
                 400);
  EXPECT_EQ(count("submissions"), before + 1);
  // methods that do not exist
  expect_problem(request(srv.port, "DELETE", "/api/submissions/" + id, officer), 405);
  expect_problem(request(srv.port, "POST", "/api/hazards", officer, "{}"), 405);
}

// ---- organisation boundaries, planners, donors --------------------------------------------

TEST_F(AuthHttpTest, AnOfficerClosingAnotherOrganisationsHazardCannotVerifyItThemselves) {
  // org2's hazard, recorded through the workflow by the national data managers
  app::WorkflowService wf(*store_);
  json h = new_hazard_report("Bamboo grove by the pagoda");
  h["payload"]["recording_org"] = org2_;
  const std::string hid = h["payload"]["id"];
  auto made = wf.submit({"manager1", auth::Role::kNationalDataManager, "", false},
                        {"hazards", "create", "", h["payload"].dump(), "2025-01-10"});
  ASSERT_TRUE(made) << made.error().message;
  ASSERT_TRUE(wf.verify({"manager2", auth::Role::kNationalDataManager, "", false}, made->id));
  ASSERT_TRUE(wf.approve({"admin1", auth::Role::kAdministrator, "", false}, made->id,
                         {"", {}, true, ""}));

  Running srv = serve();
  const uint16_t port = srv.port;
  const Caller officer = login(port, "officer1");     // org1
  const Caller colleague = login(port, "officer3");   // org1
  const Caller owner = login(port, "officer2");       // org2, whose hazard it is
  const Caller manager1 = login(port, "manager1");
  const Caller manager2 = login(port, "manager2");
  // the reproduction: officer1 reports org2's hazard closed …
  json upd = h;
  upd["action"] = "update";
  upd["target_id"] = hid;
  upd["date_of_information"] = "2025-02-01";
  upd["payload"]["status"] = "closed";
  const Reply sub = request(port, "POST", "/api/submissions", officer, upd.dump());
  ASSERT_EQ(sub.status, 201) << sub.body;
  const std::string id = sub.js()["id"];
  EXPECT_EQ(sub.js()["org"], org1_);
  EXPECT_EQ(sub.js()["verify_by"], "national");
  // … and then verifies it: refused, naming the rule; nor may its organisation or the owner
  expect_problem(request(port, "POST", "/api/submissions/" + id + "/verify", officer), 403,
                 "four eyes");
  expect_problem(request(port, "POST", "/api/submissions/" + id + "/verify", colleague), 403,
                 "organisation boundary");
  expect_problem(request(port, "POST", "/api/submissions/" + id + "/reject", colleague,
                         json{{"comment", "fine"}}.dump()),
                 403, "organisation boundary");
  expect_problem(request(port, "POST", "/api/submissions/" + id + "/verify", owner), 403,
                 "organisation boundary");
  expect_problem(request(port, "GET", "/api/submissions/" + id, owner), 404);
  const Reply still = request(port, "GET", "/api/hazards/" + hid, manager1);
  ASSERT_EQ(still.status, 200) << still.body;
  EXPECT_EQ(still.js()["status"], "open");
  // the national data managers: one verifies, another approves
  auto inbox_has = [&](const Caller& who) {
    const json items = request(port, "GET", "/api/inbox", who).js()["items"];
    for (const auto& it : items)
      if (it["id"] == id) return true;
    return false;
  };
  EXPECT_TRUE(inbox_has(manager1));
  EXPECT_FALSE(inbox_has(colleague));
  ASSERT_EQ(request(port, "POST", "/api/submissions/" + id + "/verify", manager1).status, 200);
  const Reply ok = request(port, "POST", "/api/submissions/" + id + "/approve", manager2, "{}");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(request(port, "GET", "/api/hazards/" + hid, manager1).js()["status"], "closed");
}

TEST_F(AuthHttpTest, APlannerReadsItsProvinceADonorItsFunding) {
  Running srv = serve();
  const uint16_t port = srv.port;
  const Caller planner = login(port, "planner1");
  const Caller donor = login(port, "donor1");
  const Reply me = request(port, "GET", "/api/me", planner);
  EXPECT_EQ(me.js()["province"], province_) << me.body;
  // every hazard and casualty a planner lists is of its province, casualties without names
  for (const char* e : {"hazards", "casualties", "accidents"}) {
    const Reply r = request(port, "GET", std::string("/api/") + e + "?limit=1000", planner);
    ASSERT_EQ(r.status, 200) << e << ": " << r.body;
    const json items = r.js()["items"];
    for (const auto& it : items) {
      EXPECT_EQ(it["province_code"], province_) << e << " " << it["id"];
      EXPECT_FALSE(it.contains("name") && std::string(e) == "casualties") << it.dump();
    }
    // … and all of them: as many as an analyst finds with the province filter
    const Caller analyst = login(port, "analyst1");
    const Reply all = request(port, "GET",
                              std::string("/api/") + e + "?limit=1000&province=" + province_,
                              analyst);
    ASSERT_EQ(all.status, 200);
    EXPECT_EQ(items.size(), all.js()["items"].size()) << e;
  }
  // a hazard of another province is not there for the planner
  storage::Query q;
  q.where.push_back({"status", storage::Condition::Op::kAnyOf, {std::string("open")}});
  q.limit = 500;
  auto open = store_->query(core::schema("hazards"), q);
  ASSERT_TRUE(open);
  std::string elsewhere;
  for (const auto& r : open->records)
    if (core::get_text(core::schema("hazards"), r, "province_code") != province_) elsewhere = r.id();
  ASSERT_FALSE(elsewhere.empty());
  expect_problem(request(port, "GET", "/api/hazards/" + elsewhere, planner), 404);
  expect_problem(request(port, "GET", "/api/hazards/" + elsewhere + "/history", planner), 404);
  EXPECT_EQ(request(port, "GET", "/api/hazards/" + sample_hazard_, planner).status, 200);
  expect_problem(request(port, "GET", "/api/activities", planner), 403);
  // a planner's report in another province is refused
  json rep = new_hazard_report();
  const std::string other_province = province_ == "01" ? "02" : "01";
  rep["payload"]["province_code"] = other_province;
  expect_problem(request(port, "POST", "/api/submissions", planner, rep.dump()), 403,
                 "own province");

  // a donor: the public view, plus its own funding records only
  const Reply f = request(port, "GET", "/api/funding?limit=1000", donor);
  ASSERT_EQ(f.status, 200) << f.body;
  size_t expected = 0;
  ASSERT_TRUE(store_->scan(core::schema("funding"), [&](core::Record&& r) {
    expected += core::get_text(core::schema("funding"), r, "donor") == donor_org_ ? 1 : 0;
    return true;
  }));
  ASSERT_GT(expected, 0u);
  EXPECT_EQ(f.js()["items"].size(), expected);
  const json funded = f.js()["items"];
  for (const auto& it : funded) EXPECT_EQ(it["donor"], donor_org_);
  expect_problem(request(port, "GET", "/api/casualties", donor), 403);
  expect_problem(request(port, "GET", "/api/hazards/" + sample_hazard_, donor), 404);  // open
  expect_problem(request(port, "GET", "/api/inbox", donor), 403);
  expect_problem(request(port, "POST", "/api/submissions", donor, new_hazard_report().dump()),
                 403);
  const Reply pub = request(port, "GET", "/api/funding", Caller{});
  EXPECT_TRUE(pub.status == 401 || pub.status == 403) << pub.body;
}

TEST_F(AuthHttpTest, TheOperatorReadsSettingKeepsOperatorsToTheirOrganisation) {
  Running srv = serve();
  const uint16_t port = srv.port;
  const Caller officer = login(port, "officer1");
  const Caller other = login(port, "officer2");
  const std::string url = "/api/hazards?limit=1000";
  // the default: national hazards are visible to every operator
  const Reply national = request(port, "GET", url, officer);
  ASSERT_EQ(national.status, 200);
  ASSERT_GT(national.js()["items"].size(), 1u);
  // organisation: only the hazards assigned to the officer's organisation
  const auto& hs = core::schema("hazards");
  auto rec = store_->get(hs, sample_hazard_);
  ASSERT_TRUE(rec && *rec);
  core::Record h = **rec;
  core::set(hs, h, "assigned_org", org1_);
  ASSERT_TRUE(store_->commit({{"test", "", "assign the sample hazard to org1"},
                              {{storage::ChangeOp::kUpdate, &hs, h, "test"}}}));
  ASSERT_TRUE(store_->set_meta("operator_reads", "organisation"));
  const Reply own = request(port, "GET", url, officer);
  ASSERT_EQ(own.status, 200) << own.body;
  std::set<std::string> ids;
  const json own_items = own.js()["items"];
  for (const auto& it : own_items) ids.insert(it["id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{sample_hazard_})) << own.body.substr(0, 500);
  EXPECT_EQ(request(port, "GET", "/api/hazards/" + sample_hazard_, officer).status, 200);
  expect_problem(request(port, "GET", "/api/hazards/" + sample_hazard_, other), 404);
  EXPECT_TRUE(request(port, "GET", url, other).js()["items"].empty());
  expect_problem(request(port, "GET", "/api/casualties", officer), 403);
  // analysts and managers are not affected
  EXPECT_EQ(request(port, "GET", url, login(port, "analyst1")).js()["items"].size(),
            national.js()["items"].size());
  ASSERT_TRUE(store_->set_meta("operator_reads", "national"));
  EXPECT_EQ(request(port, "GET", url, officer).js()["items"].size(),
            national.js()["items"].size());
}

TEST_F(AuthHttpTest, PlannersNeedAProvinceAndDonorsAnOrganisation) {
  Running srv = serve();
  const Caller admin = login(srv.port, "admin1");
  const int64_t users = count("users");
  auto add = [&](json body) {
    body["password"] = kPassword;
    return request(srv.port, "POST", "/api/users", admin, body.dump());
  };
  Reply r = add({{"id", "p-none"}, {"role", "provincial_planner"}});
  expect_problem(r, 422, "needs --province");
  EXPECT_EQ(r.js()["errors"][0]["field"], "province");
  r = add({{"id", "p-bad"}, {"role", "provincial_planner"}, {"province", "99"}});
  expect_problem(r, 422, "unknown province '99'");
  r = add({{"id", "a-prov"}, {"role", "analyst"}, {"province", province_}});
  expect_problem(r, 422, "only provincial planners have a province");
  r = add({{"id", "d-none"}, {"role", "donor"}});
  expect_problem(r, 422, "a donor needs");
  r = add({{"id", "d-bad"}, {"role", "donor"}, {"org", "NOPE"}});
  expect_problem(r, 422, "unknown organisation");
  EXPECT_EQ(count("users"), users);
  r = add({{"id", "mapu2"}, {"role", "provincial_planner"}, {"province", province_}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.js()["province"], province_);
  EXPECT_EQ(r.js()["role"], "provincial_planner");
  const Caller p = login(srv.port, "mapu2");
  EXPECT_EQ(request(srv.port, "GET", "/api/me", p).js()["province"], province_);
}

TEST_F(AuthHttpTest, PersonalDataReadsAreLoggedOnceThroughOneLog) {
  Running srv = serve();
  const Caller analyst = login(srv.port, "analyst1");
  const Caller officer = login(srv.port, "officer1");
  storage::Query q;
  q.limit = 1;
  auto page = store_->query(core::schema("casualties"), q);
  ASSERT_TRUE(page && !page->records.empty());
  const std::string cid = page->records[0].id();
  const auto& ls = core::schema("access_log");
  auto entries = [&] {  // access_log ids of reads of this casualty
    std::map<std::string, core::Record> out;
    EXPECT_TRUE(store_->scan(ls, [&](core::Record&& e) {
      if (core::get_text(ls, e, "record_id") == cid) out.emplace(e.id(), std::move(e));
      return true;
    }));
    return out;
  };
  const int64_t before = count("access_log");
  const auto seen = entries();
  const Reply o = request(srv.port, "GET", "/api/casualties/" + cid, officer);
  ASSERT_EQ(o.status, 200);
  EXPECT_FALSE(o.js().contains("name"));
  EXPECT_EQ(count("access_log"), before);
  const Reply a = request(srv.port, "GET", "/api/casualties/" + cid, analyst);
  ASSERT_EQ(a.status, 200);
  EXPECT_TRUE(a.js().contains("name"));
  ASSERT_EQ(count("access_log"), before + 1);
  auto now = entries();
  ASSERT_EQ(now.size(), seen.size() + 1);
  for (const auto& [id, e] : seen) now.erase(id);
  ASSERT_EQ(now.size(), 1u);
  const core::Record& e = now.begin()->second;
  EXPECT_EQ(core::get_text(ls, e, "user"), "analyst1");
  EXPECT_EQ(core::get_text(ls, e, "entity"), "casualties");
  EXPECT_EQ(core::get_text(ls, e, "purpose"), "api get");
}

// ---- sessions that end (issue 7) ----------------------------------------------------------

namespace {
/// A new account (through the store, as the CLI would add it) for a test of its own.
void add_account(storage::Store& store, const std::string& login, auth::Role role) {
  app::Accounts acc(store);
  auto r = acc.add(app::local_admin("test"), {login, role, "", "User " + login, kPassword});
  ASSERT_TRUE(r) << login << ": " << r.error().message;
}
std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
/// The session nonce inside a "reclaim_session=<b64(nonce)>.<mac>" cookie.
std::string nonce_of(const Caller& c) {
  const std::string v = c.cookie.substr(c.cookie.find('=') + 1);
  return auth::base64url_decode(v.substr(0, v.find('.'))).value_or("");
}
}  // namespace

TEST_F(AuthHttpTest, AStolenCopyOfTheGeoPackageSignsNobodyIn) {
  Running srv = serve();
  const Caller admin = login(srv.port, "admin1");
  ASSERT_EQ(request(srv.port, "GET", "/api/me", admin).status, 200);
  // The thief copies the file (and its -wal) while the server runs, but not the key file.
  const fs::path copy = dir_ / "stolen.gpkg";
  fs::copy_file(db_, copy, fs::copy_options::overwrite_existing);
  if (fs::exists(db_ + "-wal"))
    fs::copy_file(db_ + "-wal", copy.string() + "-wal", fs::copy_options::overwrite_existing);
  auto stolen = storage::open_store(copy.string());
  ASSERT_TRUE(stolen) << stolen.error().message;
  // No key in it; the session is there only as a hash, never as the cookie's nonce.
  EXPECT_FALSE((*stolen)->meta("auth_session_key").value().has_value());
  const std::string nonce = nonce_of(admin);
  ASSERT_EQ(nonce.size(), 22u);
  const std::string id = auth::sha256_hex(nonce);
  auto row = (*stolen)->find_session(id);
  ASSERT_TRUE(row && *row) << "the session row is in the copy";
  EXPECT_EQ((*row)->user, "admin1");
  std::string bytes = read_bytes(copy) + read_bytes(copy.string() + "-wal");
  EXPECT_EQ(bytes.find(nonce), std::string::npos);
  const std::string key = read_bytes(db_ + ".key");
  ASSERT_GT(key.size(), 40u);
  EXPECT_EQ(bytes.find(key.substr(0, 43)), std::string::npos);
  // Everything the copy holds, made into cookies, is nobody on the real server.
  std::vector<std::string> forged = {"reclaim_session=" + id,
                                     "reclaim_session=" + auth::sign_tagged("session", id, std::string(32, '\0'))};
  auto meta = (*stolen)->meta_entries();
  ASSERT_TRUE(meta);
  for (const auto& [k, v] : *meta) {
    auto raw = auth::base64url_decode(v);
    if (raw && raw->size() == auth::kSessionKeyBytes)
      forged.push_back("reclaim_session=" + auth::sign_tagged("session", id, *raw));
  }
  // A server the thief runs on the copy makes its own key (the copy has none to offer).
  stolen->reset();
  auth::AuthOptions ao = relaxed();
  auto thief_key = auth::SessionKey::open(copy.string() + ".key");
  ASSERT_TRUE(thief_key);
  forged.push_back("reclaim_session=" +
                   auth::sign_tagged("session", nonce, *(*thief_key)->current()));
  for (const auto& f : forged) {
    Caller c;
    c.cookie = f;
    expect_problem(request(srv.port, "GET", "/api/me", c), 401);
  }
  EXPECT_EQ(request(srv.port, "GET", "/api/me", admin).status, 200);  // the real one still works
  for (const char* suffix : {"", "-wal", "-shm", ".key"}) fs::remove(copy.string() + suffix);
}

TEST_F(AuthHttpTest, AForgedCookieWithATenYearExpiryIsRefused) {
  Running srv = serve();
  auto key = auth::SessionKey::open(db_ + ".key", false);
  ASSERT_TRUE(key);
  const std::string k = *(*key)->current();
  const int64_t now = auth::system_now();
  // The old stateless form, signed with the real key, and the new form with a made-up nonce.
  for (const std::string& token :
       {auth::sign_session({"admin1", auth::Role::kAdministrator, "", now,
                            now + 10LL * 365 * 86400, "AAAAAAAAAAAAAAAAAAAAAA"},
                           k),
        auth::sign_tagged("session", auth::base64url_encode(auth::random_bytes(16)), k)}) {
    Caller c;
    c.cookie = "reclaim_session=" + token;
    expect_problem(request(srv.port, "GET", "/api/me", c), 401);
    expect_problem(request(srv.port, "GET", "/api/users", c), 401);
  }
  // And a real session is capped by the server: 12 h after sign-in it is over.
  const Caller c = login(srv.port, "analyst1");
  for (int h = 1; h < 12; ++h) {
    g_clock_offset = h * 3600;
    ASSERT_EQ(request(srv.port, "GET", "/api/me", c).status, 200) << h << " h";
  }
  g_clock_offset = 12 * 3600 + 1;
  expect_problem(request(srv.port, "GET", "/api/me", c), 401, "session expired");
}

TEST_F(AuthHttpTest, AfterLogoutAndARestartTheOldCookieIsRefused) {
  Caller gone, kept;
  {
    Running srv = serve();
    gone = login(srv.port, "analyst1");
    kept = login(srv.port, "manager1");
    ASSERT_EQ(request(srv.port, "POST", "/api/logout", gone).status, 204);
    expect_problem(request(srv.port, "GET", "/api/me", gone), 401);
  }  // the server stops
  Running again = serve();
  expect_problem(request(again.port, "GET", "/api/me", gone), 401);
  EXPECT_EQ(request(again.port, "GET", "/api/me", kept).status, 200);  // the key file is shared
}

TEST_F(AuthHttpTest, ResetDisableRoleAndRevokeEndSessionsAndTokensOnEveryServer) {
  Running a = serve(), b = serve();  // two servers behind one proxy
  const Caller admin = login(a.port, "admin1");
  struct Case {
    std::string login, action, body;
  };
  const std::vector<Case> cases = {
      {"end-reset", "password", json{{"password", "a brand new password"}}.dump()},
      {"end-disable", "disable", ""},
      {"end-role", "role", json{{"role", "national_data_manager"}}.dump()},
      {"end-revoke", "revoke", ""}};
  for (const Case& k : cases) {
    add_account(*store_, k.login, auth::Role::kAnalyst);
    const Caller on_a = login(a.port, k.login), on_b = login(b.port, k.login);
    Caller token;
    token.token = issue_token(a.port, admin, k.login);
    ASSERT_EQ(request(b.port, "GET", "/api/me", on_a).status, 200) << k.action;
    ASSERT_EQ(request(a.port, "GET", "/api/me", token).status, 200) << k.action;
    const Reply r = request(a.port, "POST", "/api/users/" + k.login + "/" + k.action, admin, k.body);
    ASSERT_LT(r.status, 300) << k.action << ": " << r.body;
    for (uint16_t port : {a.port, b.port}) {
      expect_problem(request(port, "GET", "/api/me", on_a), 401);
      expect_problem(request(port, "GET", "/api/me", on_b), 401);
      expect_problem(request(port, "GET", "/api/me", token), 401);
    }
    if (k.action == "revoke") {
      EXPECT_EQ(r.js()["sessions_ended"], 2) << r.body;
    }
    if (k.action == "role") {
      EXPECT_EQ(r.js()["role"], "national_data_manager") << r.body;
    }
    if (k.action == "disable") {  // re-enabling revives nothing
      ASSERT_EQ(request(a.port, "POST", "/api/users/" + k.login + "/enable", admin).status, 200);
      for (uint16_t port : {a.port, b.port}) {
        expect_problem(request(port, "GET", "/api/me", on_a), 401);
        expect_problem(request(port, "GET", "/api/me", token), 401);
      }
    }
  }
  // A user changing their own password ends their other sessions, not this one.
  add_account(*store_, "end-self", auth::Role::kAnalyst);
  const Caller here = login(a.port, "end-self"), there = login(b.port, "end-self");
  ASSERT_EQ(request(b.port, "POST", "/api/users/end-self/password", here,
                    json{{"password", "my own new password"}}.dump())
                .status,
            204);
  EXPECT_EQ(request(a.port, "GET", "/api/me", here).status, 200);
  expect_problem(request(a.port, "GET", "/api/me", there), 401);
  // Only an administrator ends others' sessions; a write without the CSRF token is refused.
  expect_problem(request(a.port, "POST", "/api/users/admin1/revoke", here), 403);
  Caller no_csrf = admin;
  no_csrf.csrf.clear();
  expect_problem(request(a.port, "POST", "/api/users/end-self/revoke", no_csrf), 403, "CSRF");
  EXPECT_EQ(request(a.port, "GET", "/api/me", here).status, 200);
  expect_problem(request(a.port, "POST", "/api/users/end-self/role", admin,
                         json{{"role", "emperor"}}.dump()),
                 422);
  expect_problem(request(a.port, "POST", "/api/users/ghost/revoke", admin), 404);
}

TEST_F(AuthHttpTest, RotatingTheKeyEndsEverySessionWithinSeconds) {
  Running srv = serve();
  const Caller c = login(srv.port, "analyst1");
  ASSERT_EQ(request(srv.port, "GET", "/api/me", c).status, 200);
  ASSERT_TRUE(auth::SessionKey::rotate(db_ + ".key"));
  int status = 200;
  for (int i = 0; i < 100 && status == 200; ++i) {  // poll generously (the check is ~0.25 s)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = request(srv.port, "GET", "/api/me", c).status;
  }
  EXPECT_EQ(status, 401);
  const Caller again = login(srv.port, "analyst1");  // signing in again works at once
  EXPECT_EQ(request(srv.port, "GET", "/api/me", again).status, 200);
}

TEST_F(AuthHttpTest, AKnownDeviceSignsInDespiteALockoutAndUnlockIsTheRecovery) {
  Running srv = serve(auth::AuthOptions{});  // default limits
  add_account(*store_, "lock-dev", auth::Role::kAnalyst);
  const std::string good = json{{"user", "lock-dev"}, {"password", kPassword}}.dump();
  const Reply first = request(srv.port, "POST", "/api/login", {}, good);
  ASSERT_EQ(first.status, 200) << first.body;
  std::string device;
  for (const auto& sc : first.set_cookies)
    if (sc.starts_with("reclaim_device=")) device = sc.substr(0, sc.find(';'));
  ASSERT_FALSE(device.empty());
  // Somebody else (another loopback address: the same 127/8 network) locks the account.
  const std::string bad = json{{"user", "lock-dev"}, {"password", "wrong password!!"}}.dump();
  for (int i = 0; i < 5; ++i) {
    const std::string raw = "POST /api/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                            "Content-Type: application/json\r\nContent-Length: " +
                            std::to_string(bad.size()) + "\r\n\r\n" + bad;
    EXPECT_EQ(test_client::send_raw(srv.port, raw, "127.0.0." + std::to_string(20 + i)).status,
              401);
  }
  expect_problem(request(srv.port, "POST", "/api/login", {}, good), 401, "login failed");
  // The right password from the known device still works …
  Caller dev;
  dev.cookie = device;
  EXPECT_EQ(request(srv.port, "POST", "/api/login", dev, good).status, 200);
  // … a wrong one from it does not.
  expect_problem(request(srv.port, "POST", "/api/login", dev, bad), 401);
  // The administrator's recovery: unlock.
  const Caller admin = login(srv.port, "admin1");
  const Reply u = request(srv.port, "POST", "/api/users/lock-dev/unlock", admin);
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_EQ(u.js()["locked_until"], "");
  EXPECT_EQ(request(srv.port, "POST", "/api/login", {}, good).status, 200);
}

TEST_F(AuthHttpTest, ManyLoopbackAddressesShareOneLoginLimit) {
  auth::AuthOptions o;
  o.ip_burst = 3;
  o.ip_refill_per_s = 1.0 / 600;
  Running srv = serve(o);
  const std::string bad = json{{"user", "ghost"}, {"password", "wrong password!!"}}.dump();
  const std::string raw = "POST /api/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                          "Content-Type: application/json\r\nContent-Length: " +
                          std::to_string(bad.size()) + "\r\n\r\n" + bad;
  std::vector<int> statuses;
  for (int i = 0; i < 5; ++i)
    statuses.push_back(test_client::send_raw(srv.port, raw, "127.0." + std::to_string(i) + ".9").status);
  EXPECT_EQ(statuses[0], 401);
  EXPECT_EQ(statuses[2], 401);
  EXPECT_EQ(statuses[3], 429);  // a fourth address of 127/8 is the same network
  EXPECT_EQ(statuses[4], 429);
}

TEST(LoginLimitKey, NetworkPrefixes) {
  EXPECT_EQ(login_limit_key("192.0.2.7"), "192.0.2.0/24");
  EXPECT_EQ(login_limit_key("192.0.2.7"), login_limit_key("192.0.2.250"));
  EXPECT_NE(login_limit_key("192.0.2.7"), login_limit_key("192.0.3.7"));
  EXPECT_EQ(login_limit_key("127.0.0.1"), "127.0.0.0/8");
  EXPECT_EQ(login_limit_key("127.200.3.4"), login_limit_key("127.0.0.1"));
  EXPECT_EQ(login_limit_key("::ffff:127.0.0.5"), "127.0.0.0/8");
  EXPECT_EQ(login_limit_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(login_limit_key("2001:db8:1:2::1"), login_limit_key("2001:db8:1:2:ffff::9"));
  EXPECT_EQ(login_limit_key("not-an-address"), "not-an-address");
}

}  // namespace
}  // namespace reclaim::http
