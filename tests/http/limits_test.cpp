// Issue 7 items 5 and 11, over real sockets: expensive reads (status, as-of status, OGC item
// pages) on the worker pool with a per-client limit (429 + Retry-After) and a bounded queue
// (503 + Retry-After) while cheap requests are still answered; the client address from
// X-Forwarded-For only behind a trusted proxy; links from the public URL, never the Host header;
// problem bodies valid UTF-8 JSON whatever bytes the request held.
//
// No timing thresholds: the expensive requests are held in flight by the pool's before_job hook
// (a gate the test opens), so "queued or running" is a state the test controls, not a race.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http_client.hpp"
#include "app/application.hpp"
#include "http/client_address.hpp"
#include "http/server.hpp"
#include "storage/store.hpp"
#include "storage/open/open.hpp"

namespace reclaim::http {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_client::Reply;
using test_client::send_raw;

Reply get_from(const std::string& source, uint16_t port, const std::string& target,
               const std::string& extra = "", const std::string& host = "") {
  return send_raw(port,
                  "GET " + target + " HTTP/1.1\r\nHost: " +
                      (host.empty() ? "127.0.0.1:" + std::to_string(port) : host) + "\r\n" +
                      extra + "Connection: close\r\n\r\n",
                  source, 120);  // a request wrongly held fails the test instead of hanging it
}

/// Holds every pool job at its start until open(); counts the jobs that reached it.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool is_open = false;
  int entered = 0;
  void pass() {
    std::unique_lock<std::mutex> lock(mu);
    ++entered;
    cv.notify_all();
    cv.wait(lock, [this] { return is_open; });
  }
  void open() {
    std::lock_guard<std::mutex> lock(mu);
    is_open = true;
    cv.notify_all();
  }
  /// Polls (generous limit, not a threshold) until `n` jobs are held; false if they never are.
  bool wait_entered(int n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(120), [&] { return entered >= n; });
  }
};

/// Anonymous, except `Authorization: Bearer ana` (an analyst signed in).
class BearerResolver final : public auth::PrincipalResolver {
 public:
  auth::Principal resolve(std::string_view, std::string_view authorization) override {
    if (authorization == "Bearer ana") return {"ana", auth::Role::kAnalyst, "", true};
    return {};
  }
};

/// True when `s` is well-formed UTF-8 (checked here byte by byte, independently of the server).
bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    const uint32_t min = n == 1 ? 0x80 : n == 2 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

class LimitsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("reclaim_limits_test_" + std::to_string(::getpid()));
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

  /// A server on 127.0.0.1:0 with `gate` (if any) holding every pool job.
  std::unique_ptr<Server> serve(const std::function<void(ServerOptions&)>& configure,
                                std::shared_ptr<Gate> gate = nullptr,
                                std::shared_ptr<auth::PrincipalResolver> resolver = nullptr) {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.router.cache_bytes = 64 * 1024 * 1024;  // as `reclaim serve`
    if (gate) o.heavy.before_job = [gate] { gate->pass(); };
    configure(o);
    const std::string db = db_;
    auto s = std::make_unique<Server>(
        o,
        [db]() -> Result<std::unique_ptr<app::Application>> {
          auto st = storage::open_store(db);
          if (!st) return fail(st.error());
          return std::make_unique<app::Application>(std::move(*st));
        },
        resolver ? resolver : std::make_shared<BearerResolver>());
    auto r = s->start();
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return s;
  }

  static void expect_retry_problem(const Reply& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << r.body;
    const std::string after = r.header("retry-after");
    ASSERT_FALSE(after.empty()) << "no Retry-After on a " << status;
    ASSERT_TRUE(after.find_first_not_of("0123456789") == std::string::npos) << after;
    EXPECT_GE(std::stoi(after), 1);
    EXPECT_LE(std::stoi(after), 60);
    auto j = r.js();
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j["status"], status);
  }

  static fs::path dir_;
  static std::string db_;
};
fs::path LimitsTest::dir_;
std::string LimitsTest::db_;

std::string date_of(int days_since_2000) {
  // a civil date from a day count (2000-01-01 = 0), computed here independently of the server
  int y = 2000, d = days_since_2000;
  const auto leap = [](int yy) { return (yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0; };
  while (d >= (leap(y) ? 366 : 365)) d -= leap(y) ? 366 : 365, ++y;
  static constexpr int kLen[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int m = 0;
  while (d >= kLen[m] + (m == 1 && leap(y) ? 1 : 0)) d -= kLen[m] + (m == 1 && leap(y) ? 1 : 0), ++m;
  const auto two = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  return std::to_string(y) + "-" + two(m + 1) + "-" + two(d + 1);
}

// (a) with the expensive reads held, one client's requests beyond its limit are 429 with
// Retry-After; other clients, a signed-in user's status (on the worker kept for signed-in users)
// and every cheap request are answered.
TEST_F(LimitsTest, AbusiveClientGets429WhileOthersAreAnswered) {
  auto gate = std::make_shared<Gate>();
  auto s = serve(
      [](ServerOptions& o) {
        o.heavy.workers = 3;  // one of them kept for signed-in users (reserved = 1)
        o.heavy.per_client = 2;
        o.heavy.max_pending = 64;
      },
      gate);
  const uint16_t p = s->port();
  // the abusive client: 5 as-of requests at once from 127.0.0.2
  std::vector<std::future<Reply>> abusive;
  for (int i = 0; i < 5; ++i)
    abusive.push_back(std::async(std::launch::async, [p, i] {
      return get_from("127.0.0.2", p, "/api/status?as_of=" + date_of(400 + 37 * i));
    }));
  // 2 of them are held (running), so the other 3 come back with 429 (polled, generous limit)
  ASSERT_TRUE(gate->wait_entered(2));
  std::vector<Reply> refused;
  std::vector<size_t> held;
  for (int poll = 0; poll < 1200; ++poll) {
    size_t ready = 0;
    for (auto& f : abusive)
      if (f.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready) ++ready;
    if (ready >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (size_t i = 0; i < abusive.size(); ++i) {
    if (abusive[i].wait_for(std::chrono::milliseconds(0)) == std::future_status::ready) {
      refused.push_back(abusive[i].get());
    } else {
      held.push_back(i);
    }
  }
  ASSERT_EQ(held.size(), 2u) << "the per-client limit is 2";
  ASSERT_EQ(refused.size(), 3u);
  for (const auto& r : refused) {
    expect_retry_problem(r, 429);
    EXPECT_NE(r.js()["detail"].get<std::string>().find("limit per client (2)"), std::string::npos)
        << r.body;
  }

  // cheap requests from another client are answered while both workers are held
  for (const char* target : {"/api/hazards?limit=5", "/api/hazards?status=open&limit=2", "/ogc", "/ogc/collections",
                             "/api/hazards?province=01&limit=3"}) {
    auto r = get_from("127.0.0.9", p, target);
    EXPECT_EQ(r.status, 200) << target << " " << r.body;
    EXPECT_TRUE(r.js().is_object()) << target;
  }
  // another anonymous client and a signed-in user are admitted (queued), not refused
  auto other = std::async(std::launch::async,
                          [p] { return get_from("127.0.0.3", p, "/api/status?as_of=2011-05-06"); });
  auto user = std::async(std::launch::async, [p] {
    return get_from("127.0.0.2", p, "/api/status?as_of=2012-07-08", "Authorization: Bearer ana\r\n");
  });
  // the signed-in user's request starts at once on the reserved worker; the other anonymous
  // client's is queued (the two workers anonymous jobs may use are held): not refused
  ASSERT_TRUE(gate->wait_entered(3)) << "the signed-in user's request did not start";
  EXPECT_EQ(other.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  {
    std::lock_guard<std::mutex> lock(gate->mu);
    EXPECT_EQ(gate->entered, 3) << "an anonymous job ran on the reserved worker";
  }

  gate->open();
  for (size_t i : held) {
    auto r = abusive[i].get();
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(r.js().contains("national")) << r.body.substr(0, 200);
  }
  auto ro = other.get(), ru = user.get();
  EXPECT_EQ(ro.status, 200) << ro.body;
  EXPECT_EQ(ru.status, 200) << ru.body;
  // the slot is free again: the abusive client is served once its requests are done
  auto again = get_from("127.0.0.2", p, "/api/status?as_of=2013-01-01");
  EXPECT_EQ(again.status, 200) << again.body;
}

// A client that waits for each answer is never refused: its slot is released before the answer
// is sent (a worker descheduled after answering used to make the next request a 429).
TEST_F(LimitsTest, SequentialRequestsOfOneClientAreNeverRefused) {
  auto s = serve([](ServerOptions& o) {
    o.heavy.workers = 1;
    o.heavy.per_client = 1;
  });
  const uint16_t p = s->port();
  for (int i = 0; i < 40; ++i) {
    auto r = get_from("127.0.0.2", p,
                      i % 2 ? "/api/status?as_of=" + date_of(i * 97)
                            : "/ogc/collections/hazards/items?limit=2&offset=" + std::to_string(i));
    ASSERT_EQ(r.status, 200) << i << " " << r.body;
  }
}

// (a) the bounded queue: over all clients, more than max_pending is 503 with Retry-After.
TEST_F(LimitsTest, FullQueueIs503WithRetryAfter) {
  auto gate = std::make_shared<Gate>();
  auto s = serve(
      [](ServerOptions& o) {
        o.heavy.workers = 3;
        o.heavy.reserved = 0;  // all three run anonymous jobs
        o.heavy.per_client = 1;
        o.heavy.max_pending = 3;
      },
      gate);
  const uint16_t p = s->port();
  std::vector<std::future<Reply>> held;
  for (const char* from : {"127.0.0.2", "127.0.0.3", "127.0.0.4"})
    held.push_back(std::async(std::launch::async, [p, from] {
      return get_from(from, p, "/ogc/collections/hazards/items?limit=7&offset=3");
    }));
  ASSERT_TRUE(gate->wait_entered(3));  // three running: the queue is full
  auto r = get_from("127.0.0.5", p, "/api/status?as_of=2015-02-03");
  expect_retry_problem(r, 503);
  EXPECT_NE(r.js()["detail"].get<std::string>().find("3 expensive requests"), std::string::npos)
      << r.body;
  gate->open();
  for (auto& f : held) {
    auto x = f.get();
    EXPECT_EQ(x.status, 200) << x.body;
    EXPECT_EQ(x.js()["features"].size(), 7u);
  }
}

// (a) under real load, no gate: four anonymous clients hammer as-of status with random dates
// (three connections each, more than their limit) while a fifth client's cheap requests and a
// signed-in user's status are all answered. Every abusive reply is 200, or 429/503 with
// Retry-After; never a 500 and never a dropped connection.
TEST_F(LimitsTest, HammeringAsOfStatusLeavesOtherClientsAnswered) {
  auto s = serve([](ServerOptions& o) {
    o.threads = 2;
    o.heavy.workers = 2;
    o.heavy.per_client = 2;
    o.heavy.max_pending = 64;
  });
  const uint16_t p = s->port();
  std::atomic<bool> done{false};
  std::mutex mu;
  std::vector<Reply> abusive;
  std::vector<std::thread> hammer;
  for (int client = 0; client < 4; ++client)
    for (int conn = 0; conn < 3; ++conn)
      hammer.emplace_back([&, client, conn] {
        std::mt19937 rng(static_cast<unsigned>(client * 10 + conn));
        std::uniform_int_distribution<int> day(0, 26 * 365);
        const std::string from = "127.0.0." + std::to_string(2 + client);
        int sent = 0;
        while (!done.load() || sent < 3) {
          auto r = get_from(from, p, "/api/status?as_of=" + date_of(day(rng)));
          ++sent;
          std::lock_guard<std::mutex> lock(mu);
          abusive.push_back(std::move(r));
        }
      });
  std::vector<Reply> cheap;
  for (int i = 0; i < 30; ++i) {
    cheap.push_back(get_from("127.0.0.9", p,
                             "/api/hazards?limit=10&province=" + std::string(i % 2 ? "01" : "02")));
    cheap.push_back(get_from("127.0.0.9", p, "/ogc/collections/hazards"));
    if (i % 10 == 0)
      cheap.push_back(
          get_from("127.0.0.10", p, "/api/status", "Authorization: Bearer ana\r\n"));
  }
  done = true;
  for (auto& t : hammer) t.join();
  for (const auto& r : cheap) {
    EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
    EXPECT_TRUE(r.js().is_object());
  }
  int ok = 0, refused = 0;
  for (const auto& r : abusive) {
    if (r.status == 200) {
      ++ok;
      EXPECT_TRUE(r.js().contains("national"));
    } else {
      ++refused;
      ASSERT_TRUE(r.status == 429 || r.status == 503) << r.status << " " << r.body;
      expect_retry_problem(r, r.status);
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_EQ(ok + refused, static_cast<int>(abusive.size()));
}

// (c) X-Forwarded-For is ignored without a trusted proxy: one peer is one client whatever the
// header says.
TEST_F(LimitsTest, ForwardedForIgnoredWithoutTrustedProxy) {
  auto gate = std::make_shared<Gate>();
  auto s = serve(
      [](ServerOptions& o) {
        o.heavy.workers = 4;
        o.heavy.per_client = 1;
      },
      gate);
  const uint16_t p = s->port();
  auto first = std::async(std::launch::async, [p] {
    return get_from("127.0.0.2", p, "/api/status?as_of=2010-01-01",
                    "X-Forwarded-For: 203.0.113.1\r\n");
  });
  ASSERT_TRUE(gate->wait_entered(1));
  auto second = get_from("127.0.0.2", p, "/api/status?as_of=2010-01-02",
                         "X-Forwarded-For: 203.0.113.2\r\n");
  expect_retry_problem(second, 429);
  // a forged chain changes nothing either
  auto third = get_from("127.0.0.2", p, "/api/status?as_of=2010-01-03",
                        "X-Forwarded-For: 198.51.100.9, 127.0.0.1\r\nX-Forwarded-For: 10.1.1.1\r\n");
  expect_retry_problem(third, 429);
  gate->open();
  EXPECT_EQ(first.get().status, 200);
}

// (c) behind --trusted-proxy 127.0.0.2: its X-Forwarded-For names the client; the same header
// from another peer is ignored.
TEST_F(LimitsTest, ForwardedForHonouredOnlyFromTheTrustedProxy) {
  auto gate = std::make_shared<Gate>();
  auto s = serve(
      [](ServerOptions& o) {
        o.heavy.workers = 4;
        o.heavy.per_client = 1;
        o.trusted_proxies = {"127.0.0.2"};
      },
      gate);
  const uint16_t p = s->port();
  std::vector<std::future<Reply>> running;
  // two clients behind the proxy: both admitted, each within its own limit of 1
  for (const char* xff : {"203.0.113.1", "203.0.113.2"})
    running.push_back(std::async(std::launch::async, [p, xff] {
      return get_from("127.0.0.2", p, "/api/status?as_of=2009-03-0" + std::string(xff).substr(10),
                      "X-Forwarded-For: " + std::string(xff) + "\r\n");
    }));
  ASSERT_TRUE(gate->wait_entered(2)) << "a client behind the trusted proxy was refused";
  // the first client again (through the proxy, with a spoofed entry to its left): refused
  auto again = get_from("127.0.0.2", p, "/api/status?as_of=2009-04-01",
                        "X-Forwarded-For: 192.0.2.66, 203.0.113.1\r\n");
  expect_retry_problem(again, 429);
  // an untrusted peer's header is ignored: its two "clients" are one
  running.push_back(std::async(std::launch::async, [p] {
    return get_from("127.0.0.3", p, "/api/status?as_of=2009-05-01",
                    "X-Forwarded-For: 203.0.113.7\r\n");
  }));
  ASSERT_TRUE(gate->wait_entered(3));
  auto spoof = get_from("127.0.0.3", p, "/api/status?as_of=2009-05-02",
                        "X-Forwarded-For: 203.0.113.8\r\n");
  expect_retry_problem(spoof, 429);
  gate->open();
  for (auto& f : running) EXPECT_EQ(f.get().status, 200);
}

// The pool's order: clients in turn, a signed-in (priority) client's job before anonymous ones.
TEST_F(LimitsTest, PoolServesClientsInTurnAndSignedInUsersFirst) {
  auto gate = std::make_shared<Gate>();
  HeavyPoolOptions o;
  o.workers = 1;
  o.per_client = 3;
  o.max_pending = 10;
  o.before_job = [gate] { gate->pass(); };
  HeavyPool pool(o);
  std::vector<std::unique_ptr<app::Application>> services;
  auto st = storage::open_store(db_);
  ASSERT_TRUE(st) << st.error().message;
  services.push_back(std::make_unique<app::Application>(std::move(*st)));
  pool.start(std::move(services));
  std::mutex mu;
  std::vector<std::string> order;
  const auto job = [&](std::string label) {
    return [&mu, &order, label](app::Application&) -> std::function<void()> {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(label);
      return {};
    };
  };
  ASSERT_EQ(pool.submit("addr:a", job("a1")), HeavyPool::Admission::kAccepted);
  ASSERT_TRUE(gate->wait_entered(1));  // a1 running (held)
  ASSERT_EQ(pool.submit("addr:a", job("a2")), HeavyPool::Admission::kAccepted);
  ASSERT_EQ(pool.submit("addr:a", job("a3")), HeavyPool::Admission::kAccepted);
  EXPECT_EQ(pool.submit("addr:a", job("a4")), HeavyPool::Admission::kClientLimit);
  ASSERT_EQ(pool.submit("addr:b", job("b1")), HeavyPool::Admission::kAccepted);
  ASSERT_EQ(pool.submit("user:u", job("u1"), true), HeavyPool::Admission::kAccepted);
  EXPECT_EQ(pool.pending(), 5u);
  EXPECT_EQ(pool.pending("addr:a"), 3u);
  gate->open();
  pool.stop();  // lets every queued job run
  EXPECT_EQ(order, (std::vector<std::string>{"a1", "u1", "a2", "b1", "a3"}));
  EXPECT_EQ(pool.submit("addr:c", job("c1")), HeavyPool::Admission::kStopped);
}

TEST(TrustedProxies, ClientAddressFromTheRightMostUntrustedHop) {
  auto none = TrustedProxies::parse({});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->client_address("192.0.2.1", "203.0.113.5"), "192.0.2.1");

  auto t = TrustedProxies::parse({"10.0.0.0/8, 192.0.2.1", "2001:db8::/32"});
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->client_address("192.0.2.1", ""), "192.0.2.1");  // no header: the proxy itself
  EXPECT_EQ(t->client_address("192.0.2.1", "203.0.113.5"), "203.0.113.5");
  EXPECT_EQ(t->client_address("192.0.2.1", "198.51.100.1, 203.0.113.5, 10.2.3.4"), "203.0.113.5");
  EXPECT_EQ(t->client_address("192.0.2.2", "203.0.113.5"), "192.0.2.2");  // untrusted peer
  EXPECT_EQ(t->client_address("::ffff:192.0.2.1", "203.0.113.5"), "203.0.113.5");
  EXPECT_EQ(t->client_address("2001:db8::7", "[2001:db8:1::9]:443, 203.0.113.6:5050"),
            "203.0.113.6");
  // garbage stops the walk at the last trusted hop
  EXPECT_EQ(t->client_address("192.0.2.1", "203.0.113.5, unknown, 10.0.0.1"), "10.0.0.1");
  // every entry trusted: the left-most
  EXPECT_EQ(t->client_address("192.0.2.1", "10.0.0.3, 10.0.0.2"), "10.0.0.3");

  for (const char* bad : {"10.0.0.0/33", "example.org", "10.0.0.1/", "::1/129", "1.2.3"}) {
    auto b = TrustedProxies::parse({bad});
    ASSERT_FALSE(b) << bad;
    EXPECT_EQ(b.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(b.error().message.find(bad), std::string::npos) << b.error().message;
  }
  EXPECT_EQ(client_limit_key("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(client_limit_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(client_limit_key("2001:db8:1:2::1"), client_limit_key("2001:db8:1:2:ffff::9"));
  EXPECT_NE(client_limit_key("2001:db8:1:2::1"), client_limit_key("2001:db8:1:3::1"));
}

/// Every "href" in a JSON document.
void collect_hrefs(const json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "href" && it->is_string()) out.push_back(it->get<std::string>());
      collect_hrefs(*it, out);
    }
  } else if (j.is_array()) {
    for (const auto& x : j) collect_hrefs(x, out);
  }
}

// (d) OGC links, TileJSON and the OpenAPI server come from --public-url; a hostile Host header is
// never echoed.
TEST_F(LimitsTest, LinksUsePublicUrlNeverTheHostHeader) {
  const std::string hostile = "evil.example.net\"><script>";
  for (const std::string& public_url : {std::string("https://mine-action.example.org/reclaim/"), std::string()}) {
    SCOPED_TRACE("public url '" + public_url + "'");
    auto s = serve([&](ServerOptions& o) { o.router.public_url = public_url; });
    const uint16_t p = s->port();
    const std::string base = public_url.empty() ? "http://127.0.0.1:" + std::to_string(p)
                                                : "https://mine-action.example.org/reclaim";
    auto first = get_from("", p, "/ogc/collections/hazards/items?limit=1").js();
    ASSERT_TRUE(first.contains("features") && !first["features"].empty());
    const std::string item = "/ogc/collections/hazards/items/" +
                             first["features"][0]["id"].get<std::string>();
    for (const std::string& host : {hostile, std::string("attacker.example:8080"), std::string()}) {
      for (const std::string& target :
           {std::string("/ogc"), std::string("/ogc/collections"),
            std::string("/ogc/collections/hazards"),
            std::string("/ogc/collections/hazards/items?limit=3"), item,
            std::string("/api/openapi.json"), std::string("/tiles/hazards.json")}) {
        SCOPED_TRACE(target + " Host: " + host);
        const std::string raw = "GET " + target + " HTTP/1.1\r\n" +
                                (host.empty() ? "" : "Host: " + host + "\r\n") +
                                "Connection: close\r\n\r\n";
        auto r = send_raw(p, raw);
        if (r.status != 200 && target == "/tiles/hazards.json")
          continue;  // built without vector tiles
        ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
        EXPECT_EQ(r.body.find("evil.example"), std::string::npos);
        EXPECT_EQ(r.body.find("attacker.example"), std::string::npos);
        auto j = r.js();
        ASSERT_FALSE(j.is_discarded());
        std::vector<std::string> hrefs;
        collect_hrefs(j, hrefs);
        if (j.contains("tiles")) hrefs.push_back(j["tiles"].at(0).get<std::string>());
        if (j.contains("servers")) hrefs.push_back(j["servers"].at(0)["url"].get<std::string>());
        if (target != item) {
          EXPECT_FALSE(hrefs.empty()) << r.body.substr(0, 300);
        }
        for (const auto& h : hrefs) EXPECT_EQ(h.rfind(base, 0), 0u) << h;
      }
    }
  }
}

TEST_F(LimitsTest, BadPublicUrlIsRefusedAtStart) {
  for (const char* bad : {"ftp://example.org", "https://user@example.org", "https://example.org/?q=1",
                          "https://exa mple.org", "https://example.org:99999", "example.org",
                          "https://"}) {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.router.public_url = bad;
    const std::string db = db_;
    Server s(
        o,
        [db]() -> Result<std::unique_ptr<app::Application>> {
          auto st = storage::open_store(db);
          if (!st) return fail(st.error());
          return std::make_unique<app::Application>(std::move(*st));
        },
        std::make_shared<BearerResolver>());
    auto r = s.start();
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
  }
}

// (e) invalid UTF-8 anywhere in a request (path, query name and value, body) comes back as a
// problem whose body is valid UTF-8 and valid JSON.
TEST_F(LimitsTest, InvalidUtf8InTheRequestGivesAValidJsonProblem) {
  auto s = serve([](ServerOptions&) {}, nullptr,
                 std::make_shared<FixedResolver>(
                     auth::Principal{"op", auth::Role::kOperatorDataOfficer, "HALO", true}));
  const uint16_t p = s->port();
  const std::vector<std::string> targets = {
      "/api/hazards/%FF%FE%C3%28",           // percent-encoded in a record id
      "/api/hazards/\xFF\xFE\xC3\x28",       // raw bytes in the path
      "/api/%ED%A0%80nothing",               // an encoded surrogate
      "/ogc/collections/%F5%80%80%80/items", // above U+10FFFF
      "/api/hazards?status=%C3%28",
      "/api/hazards?%FF%C0%AF=1",            // an overlong '/' in a parameter name
      "/api/hazards?province=%E2%82",        // truncated sequence
      "/api/status?as_of=%F0%9F%92",
      "/ogc/collections/hazards/items?datetime=%80%80",
      "/tiles/%FF.json",
  };
  const auto check = [](const Reply& r, const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_GE(r.status, 400) << r.body;
    EXPECT_LT(r.status, 500) << r.body;
    EXPECT_TRUE(valid_utf8(r.body)) << r.body;
    json j;
    ASSERT_NO_THROW(j = json::parse(r.body)) << r.body;  // strict: throws on invalid UTF-8
    EXPECT_EQ(j["status"], r.status);
    // and it survives a re-serialisation that refuses invalid UTF-8
    EXPECT_NO_THROW((void)j.dump());
  };
  for (const auto& t : targets) check(get_from("", p, t), t);
  const std::vector<std::string> bodies = {
      "{\"entity\":\"hazards\",\"record\":{\"name\":\"\xC3\x28\"}}",
      "{\"ent\xFFity\":\"hazards\"}",
      "{\"entity\":\"haz\xED\xA0\x80" "ards\"}",
      "{\"entity\":\"\\ud800\"}",
      "\xFF\xFE{}",
  };
  for (const auto& b : bodies) {
    const std::string raw = "POST /api/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Content-Type: application/json\r\nContent-Length: " +
                            std::to_string(b.size()) + "\r\nConnection: close\r\n\r\n" + b;
    check(send_raw(p, raw), "body " + b);
  }
}

}  // namespace
}  // namespace reclaim::http
