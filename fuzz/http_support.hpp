#pragma once
// The HTTP targets' server side: a demo GeoPackage in the scratch folder, one app::Application
// over it and a Router whose callers are the principal the first input byte picks (no sockets: the
// Router is what every request reaches after Beast has framed it).
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "app/application.hpp"
#include "auth/policy.hpp"
#include "fuzz_support.hpp"
#include "http/router.hpp"
#include "storage/open/open.hpp"
#include "storage/store.hpp"

namespace reclaim::fuzz {

/// public, analyst, operator data officer (HALO), national data manager, administrator.
inline auth::Principal principal_of(uint8_t b) {
  switch (b % 5) {
    case 1: return {"ana", auth::Role::kAnalyst, "", false};
    case 2: return {"op", auth::Role::kOperatorDataOfficer, "HALO", false};
    case 3: return {"ndm", auth::Role::kNationalDataManager, "", false};
    case 4: return {"admin", auth::Role::kAdministrator, "", true};
    default: return {};
  }
}

/// The principal of the current input, read by the resolver.
inline auth::Principal& current_principal() {
  static auth::Principal p;
  return p;
}

class CurrentResolver final : public auth::PrincipalResolver {
 public:
  auth::Principal resolve(std::string_view, std::string_view) override {
    return current_principal();
  }
};

struct HttpFixture {
  std::unique_ptr<app::Application> app;
  std::unique_ptr<http::Router> router;
};

/// Built once per process: `reclaim demo --seed 1` into a fresh GeoPackage.
inline HttpFixture& http_fixture() {
  static HttpFixture* f = [] {
    const std::string db = scratch_dir() + "/demo.gpkg";
    // RECLAIM_FUZZ_DEMO_DB: a demo database made beforehand (ctest's fuzz_demo_db fixture,
    // fuzz/run_long.sh), copied so that each process writes only its own copy.
    const char* made = std::getenv("RECLAIM_FUZZ_DEMO_DB");
    std::error_code ec;
    if (made != nullptr && std::filesystem::exists(made, ec)) {
      std::filesystem::copy_file(made, db, std::filesystem::copy_options::overwrite_existing, ec);
      if (ec) std::abort();
    } else {
      auto store = storage::open_store(db);
      if (!store) std::abort();
      app::Service svc(std::move(*store));
      if (!svc.init(RECLAIM_DATA_DIR) || !svc.demo(1, 1, RECLAIM_DATA_DIR)) std::abort();
    }
    auto store = storage::open_store(db);
    if (!store) std::abort();
    auto* out = new HttpFixture;
    out->app = std::make_unique<app::Application>(std::move(*store));
    http::RouterOptions o;
    o.cache_bytes = 8 * 1024 * 1024;
    o.cache_poll = std::chrono::milliseconds(0);
    o.public_url = "http://fuzz.example.org";
    out->router = std::make_unique<http::Router>(o, std::make_shared<CurrentResolver>());
    return out;
  }();
  return *f;
}

/// Answers `req` as `who`. A 5xx answer is a finding (bad input must never be a server error;
/// 503/429 are the pool's and are not produced without it).
inline void answer(const http::Request& req, const auth::Principal& who) {
  current_principal() = who;
  auto& f = http_fixture();
  http::Response r = f.router->handle(req, *f.app);
  if (r.status >= 500) std::abort();
}

}  // namespace reclaim::fuzz
