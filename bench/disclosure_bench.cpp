// The cost of the disclosure rule: the public status (primary + complementary suppression, LP
// audit) against the official status JSON of the same computed status, in CPU time of this
// process, median of several runs. Usage: disclosure_bench DB.gpkg [runs]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "analysis/status.hpp"
#include "app/service.hpp"
#include "storage/open/open.hpp"

namespace {
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DB.gpkg [runs]\n", argv[0]);
    return 2;
  }
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  auto store = reclaim::storage::open_store(argv[1]);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 1;
  }
  reclaim::app::Service svc(std::move(*store));
  double t0 = cpu_ms();
  auto st = svc.status(std::nullopt);
  if (!st) {
    std::fprintf(stderr, "%s\n", st.error().message.c_str());
    return 1;
  }
  const double status_ms = cpu_ms() - t0;
  std::vector<double> official, pub;
  for (int i = 0; i < runs; ++i) {
    t0 = cpu_ms();
    const std::string a = reclaim::analysis::status_to_json(*st);
    official.push_back(cpu_ms() - t0);
    t0 = cpu_ms();
    const std::string b =
        reclaim::analysis::status_to_json(*st, reclaim::analysis::Audience::kPublic);
    pub.push_back(cpu_ms() - t0);
  }
  size_t cells = 0, hidden = 0;
  for (const auto& [key, h] : reclaim::analysis::public_casualty_mask(*st)) {
    cells += h.size();
    hidden += static_cast<size_t>(std::count(h.begin(), h.end(), true));
  }
  std::printf("status computed in %.0f ms CPU; casualty cells %zu, hidden for the public %zu\n",
              status_ms, cells, hidden);
  std::printf("status JSON official %.1f ms, public %.1f ms CPU (median of %d)\n", median(official),
              median(pub), runs);
  return 0;
}
