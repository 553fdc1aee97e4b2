// Concurrent writers on PostgreSQL (issue #3): W writers, each on its own connection
// (storage::open_store), submit N activity reports each. A report is one transaction: insert the
// activity and update its hazard's land-release totals with the row version read just before
// (optimistic concurrency); a kConflict (someone else updated the hazard meanwhile) re-reads and
// retries. The writers share a small set of hazards so that they collide. Afterwards every
// hazard's cleared total must have grown by exactly the sum of its new activities: no update lost.
//
//   pg_writers URL [WRITERS=8] [REPORTS=1000] [HAZARDS=64]
// Prints throughput, retries and the verification; exit 1 if an update was lost.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/entities.hpp"
#include "core/land_release.hpp"
#include "core/record.hpp"
#include "storage/open/open.hpp"
#include "storage/store.hpp"

namespace {

using namespace reclaim;

constexpr double kClearedPerReportM2 = 1.0;

struct Totals {
  std::atomic<int64_t> committed{0}, conflicts{0}, failed{0};
};

void writer(const std::string& url, const std::string& tag, int w, int reports,
            const std::vector<std::string>& hazards, Totals& totals) {
  auto store = storage::open_store(url);
  if (!store) {
    std::fprintf(stderr, "writer %d: %s\n", w, store.error().message.c_str());
    totals.failed += reports;
    return;
  }
  const auto& hs = core::schema(core::entity::kHazards);
  const auto& as = core::schema(core::entity::kActivities);
  for (int i = 0; i < reports; ++i) {
    const std::string& hid = hazards[static_cast<size_t>(w * 7919 + i) % hazards.size()];
    core::Record act = core::make_record(as);
    core::set(as, act, "activity_id", tag + "-" + std::to_string(w) + "-" + std::to_string(i));
    core::set(as, act, "hazard_id", hid);
    core::set(as, act, "type", std::string("clearance"));
    core::set(as, act, "org", std::string("CMAC"));
    core::set(as, act, "start_date", std::string("2025-12-01"));
    core::set(as, act, "end_date", std::string("2025-12-02"));
    core::set(as, act, "cleared_m2", kClearedPerReportM2);
    for (;;) {
      auto h = (*store)->get(hs, hid);
      if (!h || !*h) {
        std::fprintf(stderr, "writer %d: cannot read hazard %s\n", w, hid.c_str());
        ++totals.failed;
        break;
      }
      core::Record hazard = std::move(**h);
      if (auto ok = core::apply_activity(hazard, act); !ok) {
        std::fprintf(stderr, "writer %d: %s\n", w, ok.error().message.c_str());
        ++totals.failed;
        break;
      }
      storage::ChangeSet cs;
      cs.source = {"bench", "", "pg_writers"};
      cs.changes.push_back({storage::ChangeOp::kInsert, &as, act, "report " + std::to_string(i)});
      cs.changes.push_back({storage::ChangeOp::kUpdate, &hs, std::move(hazard), "land release"});
      auto r = (*store)->commit(cs);
      if (r) {
        ++totals.committed;
        break;
      }
      if (r.error().code == ErrorCode::kConflict) {
        ++totals.conflicts;  // someone updated the hazard since we read it: reload and retry
        continue;
      }
      std::fprintf(stderr, "writer %d: %s\n", w, r.error().message.c_str());
      ++totals.failed;
      break;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s URL [WRITERS=8] [REPORTS=1000] [HAZARDS=64]\n", argv[0]);
    return 2;
  }
  const std::string url = argv[1];
  const int writers = argc > 2 ? std::atoi(argv[2]) : 8;
  const int reports = argc > 3 ? std::atoi(argv[3]) : 1000;
  const size_t n_hazards = argc > 4 ? static_cast<size_t>(std::atoi(argv[4])) : 64;
  const double needed_m2 =
      kClearedPerReportM2 * writers * reports / static_cast<double>(n_hazards) + 100;

  auto store = storage::open_store(url);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 1;
  }
  const auto& hs = core::schema(core::entity::kHazards);
  const auto& as = core::schema(core::entity::kActivities);
  std::vector<std::string> hazards;
  std::map<std::string, double> cleared_before;
  auto picked = (*store)->scan(hs, [&](core::Record&& h) {
    const std::string status = core::get_text(hs, h, "status");
    if ((status == "open" || status == "worked_on") && core::remaining_m2(h) > needed_m2) {
      hazards.push_back(h.id());
      cleared_before[h.id()] = core::get_real(hs, h, "cleared_m2");
    }
    return hazards.size() < n_hazards;
  });
  if (!picked || hazards.size() < n_hazards) {
    std::fprintf(stderr, "need %zu open hazards with %.0f m2 remaining (run demo first)\n",
                 n_hazards, needed_m2);
    return 1;
  }
  const std::string tag = "KH-AC-BW" + std::to_string(getpid());

  Totals totals;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w)
    threads.emplace_back(writer, std::cref(url), std::cref(tag), w, reports, std::cref(hazards),
                         std::ref(totals));
  for (auto& t : threads) t.join();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Verification: hazard cleared total grew by exactly the sum of its new activities.
  std::map<std::string, double> added;
  int64_t found = 0;
  auto scanned = (*store)->scan(as, [&](core::Record&& a) {
    if (a.id().starts_with(tag + "-")) {
      ++found;
      added[core::get_text(as, a, "hazard_id")] += core::get_real(as, a, "cleared_m2");
    }
    return true;
  });
  if (!scanned) {
    std::fprintf(stderr, "%s\n", scanned.error().message.c_str());
    return 1;
  }
  int lost = 0;
  for (const auto& hid : hazards) {
    auto h = (*store)->get(hs, hid);
    if (!h || !*h) return 1;
    const double delta = core::get_real(hs, **h, "cleared_m2") - cleared_before[hid];
    if (std::fabs(delta - added[hid]) > 1e-6) {
      std::fprintf(stderr, "LOST UPDATE: hazard %s cleared +%.3f m2, its activities %.3f m2\n",
                   hid.c_str(), delta, added[hid]);
      ++lost;
    }
  }
  const int64_t committed = totals.committed.load();
  std::printf(
      "writers %d x %d reports on %zu hazards: %lld committed in %.2f s = %.0f reports/s; "
      "%lld conflict retries; %lld failed; activities found %lld; hazards with a lost update: "
      "%d\n",
      writers, reports, hazards.size(), static_cast<long long>(committed), secs,
      static_cast<double>(committed) / secs, static_cast<long long>(totals.conflicts.load()),
      static_cast<long long>(totals.failed.load()), static_cast<long long>(found), lost);
  return lost == 0 && totals.failed == 0 && found == committed &&
                 committed == static_cast<int64_t>(writers) * reports
             ? 0
             : 1;
}
