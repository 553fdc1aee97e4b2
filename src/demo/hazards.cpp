// Phase 4, the hazards: current hazards (open / worked on) whose remaining area by
// contamination matches the reference figures times the scale, and historical hazards released
// entirely, sized so that the area released per year follows the national pattern (55–150 km² a
// year in 2015–2019, ~240 km² in 2023). Their activities are planned here (activities.cpp) and
// applied in phase 5.
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <utility>

#include "demo/generator.hpp"
#include "demo/placement.hpp"

namespace reclaim::demo::detail {
namespace {

using core::Record;

constexpr int kCurrentHazardsPerScale = 1400;  ///< open / worked-on hazards at scale 1
constexpr int kClosedHazardsPerScale = 800;    ///< historical hazards released entirely

/// Land released per year (km², all types) at scale 1: the pattern of docs/domain.md (55–150 km²
/// a year in 2015–2019, about 240 km² in 2023; 2025 is the first half only).
constexpr std::array<std::pair<int, double>, 16> kReleaseKm2ByYear = {{
    {2010, 52},
    {2011, 55},
    {2012, 58},
    {2013, 62},
    {2014, 60},
    {2015, 65},
    {2016, 85},
    {2017, 110},
    {2018, 135},
    {2019, 150},
    {2020, 165},
    {2021, 185},
    {2022, 200},
    {2023, 240},
    {2024, 230},
    {2025, 95},
}};

HazardPlan plan_hazard(const Context& cx, Rng& rng, Group g) {
  HazardPlan h;
  h.group = g;
  switch (g) {
    case Group::kMine: {
      double u = rng.uniform();
      h.contamination = u < 0.6 ? "AP" : (u < 0.68 ? "AT" : "MIXED");
      h.province = cx.mine_w.pick(rng);
      h.unit_area = std::min(20.0, rng.lognormal(0, 1.1));
      break;
    }
    case Group::kCmr:
      h.contamination = "CMR";
      h.province = cx.cmr_w.pick(rng);
      h.unit_area = std::min(20.0, rng.lognormal(0, 1.0));
      break;
    case Group::kErw:
      h.contamination = "ERW";
      h.province = cx.erw_w.pick(rng);
      h.unit_area = std::min(20.0, rng.lognormal(0, 1.2));
      break;
  }
  return h;
}

Date recorded_date(Rng& rng, int last_year) {
  double u = rng.uniform();
  int lo = 1992, hi = last_year;
  if (u < 0.25)
    hi = std::min(last_year, 2001);
  else if (u < 0.45)
    lo = 2002, hi = std::min(last_year, 2008);
  else if (u < 0.85)
    lo = 2009, hi = std::min(last_year, 2012);
  else
    lo = 2013;
  if (lo > hi) lo = 1992, hi = last_year;
  return rng.date(date_from_ymd(lo, 1, 1), date_from_ymd(hi, 12, 31));
}

Record hazard_record(const Context& cx, Rng& rng, const HazardPlan& h) {
  Builder b(core::entity::kHazards);
  const bool cha = h.closed ? rng.chance(0.35) : rng.chance(0.42);
  static const std::vector<std::string> kMineWords = {"minefield", "mined area", "mine belt",
                                                      "K5 belt section"};
  static const std::vector<std::string> kCmrWords = {"CMR strike area", "cluster strike zone",
                                                     "bombed area"};
  static const std::vector<std::string> kErwWords = {"ERW area", "battle area",
                                                     "former artillery position", "UXO site"};
  const auto& words = h.group == Group::kMine  ? kMineWords
                      : h.group == Group::kCmr ? kCmrWords
                                               : kErwWords;
  std::string evidence;
  if (cha) {
    static const std::vector<std::string> kObserved = {
        "observed; EO on surface", "observed; EO, marking", "observed; EO, accidents",
        "observed; craters, EO", "records; EO found by villagers"};
    evidence = rng.pick(kObserved);
  } else {
    static const std::vector<std::string> kIndirect = {
        "verbal; former front line", "verbal; accidents", "records; baseline survey",
        "verbal; livestock killed", "records; military records"};
    evidence = rng.pick(kIndirect);
  }
  static const std::vector<std::string> kLandUse = {
      "agriculture", "agriculture", "agriculture, roads",   "housing", "agriculture, water",
      "roads",       "schools",     "agriculture, housing", "forest"};
  static const std::vector<std::string> kRecorders = {"CMAC", "CMAC", "HALO", "MAG", "CMAA", "NPA"};
  std::string recorder = rng.pick(kRecorders);
  if (h.group == Group::kMine && recorder == "NPA") recorder = "HALO";
  if (h.group != Group::kMine && recorder == "HALO") recorder = "CMAC";
  auto beneficiaries = static_cast<int64_t>(
      std::round(20 + 40 * std::sqrt(h.area_m2 / 1e4) * rng.lognormal(0, 0.5)));
  b.set("id", S(h.id))
      .set("name", S(h.village->name_latin + " " + rng.pick(words)))
      .set("hazard_type", S(cha ? "CHA" : "SHA"))
      .set("contamination", S(h.contamination))
      .set("status", S("open"))
      .set("province_code", S(cx.world.province(h.province).code))
      .set("village_code", S(h.village->code))
      .set("date_recorded", S(h.recorded.iso()))
      .set("estimated_area_m2", D(h.area_m2))
      .set("evidence", S(evidence))
      .set("land_use_blocked", S(rng.pick(kLandUse)))
      .set("beneficiaries", I(std::min<int64_t>(beneficiaries, 1000000)))
      .set("recording_org", S(recorder))
      .set("cancelled_m2", D(0.0))
      .set("reduced_m2", D(0.0))
      .set("cleared_m2", D(0.0))
      .set("remaining_m2", D(h.area_m2));
  return b.geometry(h.geometry).take();
}

}  // namespace

Hazards make_hazards(const Context& cx) {
  const size_t scale = cx.scale;
  Hazards hz;
  std::vector<HazardPlan>& plans = hz.plans;
  OccupancyGrid grid;
  PlacedIndex placed;

  // Current hazards: remaining area by contamination calibrated to the reference figures.
  {
    Rng rng(stream_seed(cx.seed, kStreamPlanCurrent));
    const size_t n = kCurrentHazardsPerScale * scale;
    for (size_t i = 0; i < n; ++i) {
      double u = rng.uniform();
      Group g = u < 0.45 ? Group::kMine : (u < 0.70 ? Group::kCmr : Group::kErw);
      HazardPlan h = plan_hazard(cx, rng, g);
      h.cal_group = static_cast<size_t>(g);
      if (rng.chance(0.45)) h.release_share = rng.uniform(0.1, 0.7);
      h.weight = 1 - h.release_share;
      h.recorded = recorded_date(rng, h.release_share > 0 ? 2023 : 2024);
      plans.push_back(std::move(h));
    }
    double k = static_cast<double>(scale);
    std::vector<double> target = {cx.ref.landmines_m2 * k, cx.ref.cmr_m2 * k, cx.ref.erw_m2 * k};
    place_calibrated(cx.world, cx.seed, kStreamPlaceCurrent, plans, 0, n, target, grid, placed);
  }
  const size_t n_current = plans.size();
  Rng act_rng(stream_seed(cx.seed, kStreamActivities));
  std::map<int, double> released_by_year;
  for (size_t i = 0; i < n_current; ++i) {
    HazardPlan& h = plans[i];
    if (h.release_share <= 0) continue;
    Date from{std::max(date_from_ymd(2010, 1, 1).days, h.recorded.days + 60)};
    plan_activities(cx, act_rng, h, from, last_date());
    for (const auto& a : h.activities)
      released_by_year[a.end.year()] += a.cancelled + a.reduced + a.cleared;
  }

  // Historical hazards, released entirely: the rest of each year's release.
  {
    std::vector<double> residual;
    std::vector<int> years;
    // The national pattern is a shape, not a figure to reproduce: each year varies ±7 %.
    Rng jitter(stream_seed(cx.seed, kStreamYearJitter));
    for (const auto& [y, km2] : kReleaseKm2ByYear) {
      double want = km2 * kM2PerKm2 * static_cast<double>(scale) * (0.93 + 0.14 * jitter.uniform());
      years.push_back(y);
      residual.push_back(std::max(0.1 * want, want - released_by_year[y]));
    }
    const size_t n = kClosedHazardsPerScale * scale;
    double total = std::accumulate(residual.begin(), residual.end(), 0.0);
    // Hazards per year by largest remainder, at least one per year.
    std::vector<size_t> count(years.size(), 1);
    std::vector<std::pair<double, size_t>> rem;
    size_t assigned = years.size();
    for (size_t y = 0; y < years.size(); ++y) {
      double exact = static_cast<double>(n - years.size()) * residual[y] / total;
      auto whole = static_cast<size_t>(exact);
      count[y] += whole;
      assigned += whole;
      rem.emplace_back(-(exact - static_cast<double>(whole)), y);
    }
    std::sort(rem.begin(), rem.end());
    for (size_t k = 0; assigned < n && k < rem.size(); ++k, ++assigned) ++count[rem[k].second];

    Rng rng(stream_seed(cx.seed, kStreamPlanClosed));
    for (size_t y = 0; y < years.size(); ++y)
      for (size_t k = 0; k < count[y]; ++k) {
        double u = rng.uniform();
        Group g = u < 0.5 ? Group::kMine : (u < 0.7 ? Group::kCmr : Group::kErw);
        HazardPlan h = plan_hazard(cx, rng, g);
        h.closed = true;
        h.close_year = years[y];
        h.cal_group = y;
        h.release_share = 1;
        h.weight = 1;
        h.recorded = recorded_date(rng, years[y] - 1);
        plans.push_back(std::move(h));
      }
    place_calibrated(cx.world, cx.seed, kStreamPlaceClosed, plans, n_current, plans.size(),
                     residual, grid, placed);
    for (size_t i = n_current; i < plans.size(); ++i) {
      HazardPlan& h = plans[i];
      Date from{std::max(date_from_ymd(h.close_year, 1, 1).days, h.recorded.days + 30)};
      Date to = std::min(date_from_ymd(h.close_year, 12, 31), last_date());
      plan_activities(cx, act_rng, h, from, to);
    }
  }

  // Villages, then ids in order of date recorded.
  Rng field_rng(stream_seed(cx.seed, kStreamHazardFields));
  for (auto& h : plans) h.village = cx.world.village_near(field_rng, h.province, h.centre);
  std::vector<size_t>& order = hz.order;
  order.resize(plans.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return plans[a].recorded < plans[b].recorded; });
  for (size_t k = 0; k < order.size(); ++k) plans[order[k]].id = make_id("KH-HZ", k + 1, 6);

  // Hazard records.
  hz.records.reserve(plans.size());
  for (size_t k : order) hz.records.push_back(hazard_record(cx, field_rng, plans[k]));
  return hz;
}

}  // namespace reclaim::demo::detail
