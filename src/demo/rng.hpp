#pragma once
// The demo's random numbers (internal to the module). Determinism: every draw comes from
// std::mt19937_64 through our own transforms (no std::*_distribution), and each phase (and each
// hazard's placement) has its own stream, so the output depends only on the seed, the scale and
// the input data.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <numeric>
#include <random>
#include <vector>

#include "common/date.hpp"

namespace reclaim::demo::detail {

/// Stream tags for the per-phase random generators (values are part of the output: never
/// renumber them).
enum Stream : uint64_t {
  kStreamPlanCurrent = 1,
  kStreamPlaceCurrent,
  kStreamActivities,
  kStreamPlanClosed,
  kStreamPlaceClosed,
  kStreamFinds,
  kStreamQm,
  kStreamHazardFields,
  kStreamCasualties,
  kStreamAssistance,
  kStreamEore,
  kStreamFunding,
  kStreamYearJitter,
};

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
/// The seed of stream `stream` (and of its `index`-th sub-stream) for a demo seed.
inline uint64_t stream_seed(uint64_t seed, uint64_t stream, uint64_t index = 0) {
  return splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ index);
}

/// Portable random numbers: only the raw mt19937_64 output is used.
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  /// Uniform integer in [lo, hi].
  int64_t range(int64_t lo, int64_t hi) {
    auto span = static_cast<double>(hi - lo + 1);
    auto k = static_cast<int64_t>(uniform() * span);
    return std::min(lo + k, hi);
  }
  int irange(int lo, int hi) { return static_cast<int>(range(lo, hi)); }
  size_t index(size_t n) { return static_cast<size_t>(range(0, static_cast<int64_t>(n) - 1)); }
  bool chance(double p) { return uniform() < p; }
  /// Standard normal (Box–Muller, one value per call).
  double normal() {
    double u1 = 1.0 - uniform();  // (0, 1]
    double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  double lognormal(double mu, double sigma) { return std::exp(mu + sigma * normal()); }
  size_t weighted(const std::vector<double>& w) {
    double total = std::accumulate(w.begin(), w.end(), 0.0);
    double x = uniform() * total;
    for (size_t i = 0; i < w.size(); ++i) {
      if (x < w[i]) return i;
      x -= w[i];
    }
    for (size_t i = w.size(); i-- > 0;)
      if (w[i] > 0) return i;
    return 0;
  }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[index(v.size())];
  }
  Date date(Date from, Date to) {
    if (to.days <= from.days) return from;
    return Date{static_cast<int32_t>(range(from.days, to.days))};
  }

 private:
  std::mt19937_64 gen_;
};

}  // namespace reclaim::demo::detail
