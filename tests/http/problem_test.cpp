// Problem responses carry the stable `code` of docs/api.md (and a `type` made from it), and
// every 500 is logged with the request id its body gives and the exception's text. Through the
// Router, without sockets, on an initialised GeoPackage.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/application.hpp"
#include "http/router.hpp"
#include "storage/open/open.hpp"
#include "storage/store.hpp"

namespace reclaim::http {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

/// "Bearer analyst" is an analyst, "Bearer boom" a resolver that breaks (a bug: it throws),
/// anything else the public.
class TestResolver final : public auth::PrincipalResolver {
 public:
  auth::Principal resolve(std::string_view, std::string_view authz) override {
    if (authz == "Bearer boom") throw std::runtime_error("principal cache corrupted (test)");
    if (authz == "Bearer analyst") return {"ana", auth::Role::kAnalyst, "", false};
    return {};
  }
};

class ProblemTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("reclaim_problem_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "r.gpkg").string();
    auto store = storage::open_store(db_);
    ASSERT_TRUE(store) << store.error().message;
    app::Service svc(std::move(*store));
    ASSERT_TRUE(svc.init(RECLAIM_DATA_DIR));
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void SetUp() override {
    auto st = storage::open_store(db_);
    ASSERT_TRUE(st) << st.error().message;
    app_ = std::make_unique<app::Application>(std::move(*st));
    RouterOptions o;
    o.public_url = "http://example.org";
    o.error_log = [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mu_);
      log_.emplace_back(line);
    };
    router_ = std::make_unique<Router>(o, std::make_shared<TestResolver>());
  }

  Response call(const std::string& method, const std::string& target,
                const std::string& authz = "", const std::string& request_id = "req-1") {
    Request q;
    q.method = method;
    q.target = target;
    q.host = "example.org";
    q.authorization = authz;
    q.request_id = request_id;
    return router_->handle(q, *app_);
  }

  static fs::path dir_;
  static std::string db_;
  std::unique_ptr<app::Application> app_;
  std::unique_ptr<Router> router_;
  std::mutex mu_;
  std::vector<std::string> log_;
};
fs::path ProblemTest::dir_;
std::string ProblemTest::db_;

TEST_F(ProblemTest, EachKindOfErrorCarriesItsStableCodeAndATypeMadeFromIt) {
  struct Case {
    const char* method;
    const char* target;
    const char* authz;
    int status;
    const char* code;
  };
  // the codes as docs/api.md lists them, written out here (not taken from the table)
  const Case cases[] = {
      {"GET", "/nope", "", 404, "not_found"},
      {"GET", "/api/hazards/KH-HZ-404", "Bearer analyst", 404, "not_found"},
      {"GET", "/tiles/casualties/0/0/0.mvt", "", 404, "not_found"},
      {"GET", "/api/hazards?limit=0", "", 400, "bad_request"},
      {"GET", "/api/%2e%2e/secret", "", 400, "bad_request"},
      {"DELETE", "/api/status", "", 405, "method_not_allowed"},
      {"GET", "/api/direct-edits", "", 401, "unauthenticated"},
      {"GET", "/api/direct-edits", "Bearer analyst", 403, "permission_denied"},
      {"GET", "/api/hazards", "Bearer boom", 500, "internal"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.target + " " + c.authz);
    const Response r = call(c.method, c.target, c.authz);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(r.content_type, "application/problem+json");
    const json j = json::parse(r.bytes(), nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j.value("code", ""), c.code);
    EXPECT_EQ(j.value("type", ""), std::string("urn:reclaim:problem:") + c.code);
    EXPECT_EQ(j.value("status", 0), c.status);
    EXPECT_EQ(j.value("request_id", ""), "req-1");
  }
}

TEST_F(ProblemTest, TheThreeKindsOf409AreToldApartByCode) {
  for (const auto& [code, name] : {std::pair{ErrorCode::kAlreadyExists, "already_exists"},
                                   std::pair{ErrorCode::kFailedPrecondition, "failed_precondition"},
                                   std::pair{ErrorCode::kConflict, "conflict"}}) {
    const Response r = problem(code, "detail", "/api/x", "id-9");
    EXPECT_EQ(r.status, 409);
    const json j = json::parse(r.body);
    EXPECT_EQ(j["code"], name);
    EXPECT_EQ(j["type"], std::string("urn:reclaim:problem:") + name);
    EXPECT_EQ(j["title"], "Conflict");
  }
  const json busy = json::parse(problem(kUnavailable, "the server is stopping", "", "id").body);
  EXPECT_EQ(busy["status"], 503);
  EXPECT_EQ(busy["code"], "unavailable");
  const json io = json::parse(problem(ErrorCode::kIo, "no database connection", "", "id").body);
  EXPECT_EQ(io["status"], 503);
  EXPECT_EQ(io["code"], "io");
}

TEST_F(ProblemTest, A500IsLoggedWithTheRequestIdOfItsBodyAndTheExceptionText) {
  const Response r = call("GET", "/api/hazards?limit=5", "Bearer boom", "4a5b6c7d-0000002a");
  ASSERT_EQ(r.status, 500);
  const json j = json::parse(r.bytes());
  EXPECT_EQ(j["request_id"], "4a5b6c7d-0000002a");
  EXPECT_THAT(j["detail"].get<std::string>(), HasSubstr("quote the request id"));
  EXPECT_THAT(r.bytes(), ::testing::Not(HasSubstr("corrupted"))) << "no internals in answers";
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_THAT(log_[0], HasSubstr("request 4a5b6c7d-0000002a"));
  EXPECT_THAT(log_[0], HasSubstr("GET /api/hazards"));
  EXPECT_THAT(log_[0], HasSubstr("principal cache corrupted (test)"));
  EXPECT_THAT(log_[0], ::testing::Not(HasSubstr("limit=5"))) << "the query may hold personal data";
}

TEST_F(ProblemTest, WithoutALogTheLineGoesToStandardError) {
  RouterOptions o;
  o.public_url = "http://example.org";
  const Router plain(o, std::make_shared<TestResolver>());
  Request q;
  q.method = "GET";
  q.target = "/ogc/collections";
  q.authorization = "Bearer boom";
  q.request_id = "0badf00d-00000001";
  ::testing::internal::CaptureStderr();
  const Response r = plain.handle(q, *app_);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(json::parse(r.bytes())["request_id"], "0badf00d-00000001");
  EXPECT_THAT(err, HasSubstr("request 0badf00d-00000001 GET /ogc/collections: 500 internal error: "
                             "principal cache corrupted (test)\n"));
}

TEST_F(ProblemTest, ClientErrorsAreNotLogged) {
  EXPECT_EQ(call("GET", "/nope").status, 404);
  EXPECT_EQ(call("GET", "/api/hazards?limit=0").status, 400);
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_TRUE(log_.empty());
}

}  // namespace
}  // namespace reclaim::http
