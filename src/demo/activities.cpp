// Phase 5, the activities: non-technical survey, technical survey and clearance on each hazard
// (planned in phase 4 by plan_activities), applied to their hazards in end-date order with
// core::apply_activity; EO finds for clearance; QA / QC visits.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "core/devices.hpp"
#include "core/land_release.hpp"
#include "demo/generator.hpp"

namespace reclaim::demo::detail {
namespace {

using core::Record;

/// A random point inside a star-shaped hazard: in one triangle (centre, v_k, v_k+1).
geo::Point point_in_hazard(Rng& rng, const HazardPlan& h) {
  const geo::Ring& ring = h.geometry.polygons.front().rings.front();
  size_t n = ring.size() - 1;
  size_t k = rng.index(n);
  double u = rng.uniform(0.05, 0.85), w = rng.uniform(0.05, 0.85);
  if (u + w > 0.9) {
    u = 0.9 - u * 0.5;
    w = 0.9 - u;
  }
  const geo::Point& a = ring[k];
  const geo::Point& b = ring[k + 1];
  return geo::Point{h.centre.lon + u * (a.lon - h.centre.lon) + w * (b.lon - h.centre.lon),
                    h.centre.lat + u * (a.lat - h.centre.lat) + w * (b.lat - h.centre.lat)};
}

std::vector<std::string> models_of(std::initializer_list<const char*> categories) {
  std::vector<std::string> out;
  for (const auto& d : core::cambodia_devices())
    for (const char* c : categories)
      if (d.category == c) out.push_back(d.model);
  return out;
}
std::string category_of(const std::string& model) {
  for (const auto& d : core::cambodia_devices())
    if (d.model == model) return d.category;
  return "uxo";
}

struct Operators {
  std::vector<std::string> codes;
  std::vector<double> weights;
};

Operators operators_for(Group g, const std::string& province) {
  static const std::vector<std::string> kNorthWest = {"01", "02", "22", "24", "15", "17", "13"};
  bool nw = std::find(kNorthWest.begin(), kNorthWest.end(), province) != kNorthWest.end();
  switch (g) {
    case Group::kMine:
      return {{"HALO", "CMAC", "MAG", "APOPO", "NPMEC", "RCAF"}, {34, 36, 10, 8, 5, 7}};
    case Group::kCmr:
      return {{"CMAC", "NPA", "MAG", "APOPO"}, {32, 30, 30, 8}};
    case Group::kErw:
      if (nw) return {{"CMAC", "HALO", "MAG", "NPMEC", "RCAF"}, {45, 25, 15, 8, 7}};
      return {{"CMAC", "MAG", "NPA", "NPMEC"}, {50, 20, 20, 10}};
  }
  return {{"CMAC"}, {1}};
}

std::string clearance_method(Rng& rng, const std::string& org, Group g) {
  if (org == "APOPO") return rng.chance(0.7) ? "mdr" : "combined";
  if (g == Group::kCmr)
    return rng.pick(std::vector<std::string>{"manual", "manual", "mechanical", "combined"});
  static const std::vector<std::string> kMethods = {"manual",     "manual",     "manual",  "mdd",
                                                    "mechanical", "mechanical", "combined"};
  return rng.pick(kMethods);
}

/// Activity sequence for a hazard: types and shares of the area they release.
std::vector<std::pair<std::string, double>> sequence(Rng& rng, const HazardPlan& h, double share) {
  const bool area_clearance = h.group != Group::kMine;
  const std::string clear =
      area_clearance && rng.chance(0.6) ? "battle_area_clearance" : "clearance";
  std::vector<std::pair<std::string, double>> seq;
  double u = rng.uniform();
  if (h.closed) {
    if (u < 0.3) {
      seq = {{"non_technical_survey", 1.0}};
    } else if (u < 0.55) {
      double a = rng.uniform(0.2, 0.6), b = rng.uniform(0.1, 0.5) * (1 - a);
      seq = {{"non_technical_survey", a}, {"technical_survey", b}, {clear, 1 - a - b}};
    } else if (u < 0.75) {
      double a = rng.uniform(0.3, 0.8);
      seq = {{"technical_survey", a}, {clear, 1 - a}};
    } else {
      seq = {{clear, 1.0}};
    }
  } else {
    if (u < 0.35) {
      seq = {{"non_technical_survey", share}};
    } else if (u < 0.6) {
      double a = rng.uniform(0.3, 0.7);
      seq = {{"non_technical_survey", share * a}, {"technical_survey", share * (1 - a)}};
    } else if (u < 0.75) {
      seq = {{"technical_survey", share}};
    } else if (u < 0.9) {
      seq = {{clear, share}};
    } else {
      double a = rng.uniform(0.2, 0.5), b = rng.uniform(0.2, 0.5) * (1 - a);
      seq = {{"non_technical_survey", share * a},
             {"technical_survey", share * b},
             {clear, share * (1 - a - b)}};
    }
  }
  return seq;
}

void finds_counts(Rng& rng, const HazardPlan& h, ActivityPlan& a) {
  double km2 = a.cleared / kM2PerKm2;
  auto count = [&](double per_km2) {
    if (per_km2 <= 0) return int64_t{0};
    return static_cast<int64_t>(std::floor(per_km2 * km2 * rng.lognormal(0, 0.8) + rng.uniform()));
  };
  const std::string& c = h.contamination;
  if (c == "AP") {
    a.ap = count(60);
    a.erw = count(6);
    a.depth_cm = 13;
  } else if (c == "AT") {
    a.at = count(10);
    a.erw = count(6);
    a.depth_cm = 20;
  } else if (c == "MIXED") {
    a.ap = count(40);
    a.at = count(6);
    a.erw = count(8);
    a.depth_cm = 20;
  } else if (c == "CMR") {
    a.erw = count(180);
    a.depth_cm = rng.chance(0.5) ? 25 : 30;
  } else {
    a.erw = count(35);
    a.depth_cm = rng.chance(0.6) ? 30 : 50;
  }
}

Record activity_record(const HazardPlan& h, const ActivityPlan& a, const std::string& aid) {
  Builder b(core::entity::kActivities);
  b.set("activity_id", S(aid))
      .set("hazard_id", S(h.id))
      .set("type", S(a.type))
      .set("org", S(a.org))
      .set("team", S(a.team))
      .set("start_date", S(a.start.iso()))
      .set("end_date", S(a.end.iso()));
  if (!a.method.empty()) b.set("method", S(a.method));
  if (a.type == "non_technical_survey") b.set("cancelled_m2", D(a.cancelled));
  if (a.type == "technical_survey") b.set("reduced_m2", D(a.reduced));
  if (a.type == "clearance" || a.type == "battle_area_clearance") {
    b.set("cleared_m2", D(a.cleared)).set("depth_cm", D(a.depth_cm));
    b.set("ap_mines", I(a.ap)).set("at_mines", I(a.at)).set("erw_items", I(a.erw));
  }
  if (a.last_of_closed)
    b.set("handover_men", I(a.handover_men)).set("handover_women", I(a.handover_women));
  return b.take();
}

void make_eo_finds(const Context& cx, Rng& rng, const HazardPlan& h, const ActivityPlan& a,
                   const std::string& aid, std::vector<Record>& out) {
  static const std::vector<std::string> kAp = models_of({"ap_blast", "ap_fragmentation"});
  static const std::vector<std::string> kAt = models_of({"at"});
  static const std::vector<std::string> kSub = models_of({"submunition"});
  static const std::vector<std::string> kUxo = models_of({"uxo"});
  static const std::vector<std::string> kAxo = models_of({"axo"});
  auto emit = [&](int64_t total, auto&& model_for) {
    if (total <= 0) return;
    int parts = static_cast<int>(std::min<int64_t>(total, rng.irange(1, 3)));
    int64_t left = total;
    for (int p = 0; p < parts; ++p) {
      int64_t c =
          p + 1 == parts ? left : std::max<int64_t>(1, rng.range(1, left - (parts - p - 1)));
      left -= c;
      std::string model = model_for();
      Builder b(core::entity::kEoFinds);
      b.set("id", S(make_id("KH-EO", out.size() + 1, 7)))
          .set("activity_id", S(aid))
          .set("hazard_id", S(h.id))
          .set("date", S(rng.date(a.start, a.end).iso()))
          .set("category", S(category_of(model)))
          .set("model", S(model))
          .set("count", I(c))
          .set("condition",
               S(rng.chance(0.7) ? "armed" : (rng.chance(0.5) ? "unarmed" : "unknown")))
          .set("depth_cm", D(std::round(rng.uniform(0, a.depth_cm))))
          .set("disposal", S(rng.chance(0.7)    ? "destroyed_in_situ"
                             : rng.chance(0.85) ? "removed_and_destroyed"
                                                : "rendered_safe"))
          .set("province_code", S(cx.world.province(h.province).code))
          .set("village_code", S(h.village->code));
      out.push_back(b.geometry(point_geometry(point_in_hazard(rng, h))).take());
    }
  };
  emit(a.ap, [&] { return rng.pick(kAp); });
  emit(a.at, [&] { return rng.pick(kAt); });
  emit(a.erw, [&] {
    if (h.group == Group::kCmr) return rng.chance(0.8) ? rng.pick(kSub) : rng.pick(kUxo);
    if (h.group == Group::kErw && rng.chance(0.05)) return rng.pick(kAxo);
    if (h.group == Group::kErw && rng.chance(0.1)) return rng.pick(kSub);
    return rng.pick(kUxo);
  });
}

void make_qm_visit(Rng& rng, const HazardPlan& h, const ActivityPlan& a, const std::string& aid,
                   std::vector<Record>& out) {
  if (a.type == "non_technical_survey" || !rng.chance(0.3)) return;
  bool qa = rng.chance(0.5);
  Date d =
      qa ? rng.date(a.start, a.end) : rng.date(a.end, std::min(last_date(), Date{a.end.days + 60}));
  double u = rng.uniform();
  std::string result = u < 0.85 ? "pass" : (u < 0.95 ? "conditional" : "fail");
  int nc = result == "pass"          ? (rng.chance(0.2) ? 1 : 0)
           : result == "conditional" ? rng.irange(1, 3)
                                     : rng.irange(2, 6);
  static const std::vector<std::string> kActions = {
      "re-clear the failed sample lanes", "retrain the team on detector drills",
      "correct the marking of the worksite", "update the site map and benchmark",
      "repeat the quality control sampling"};
  Builder b(core::entity::kQmVisits);
  b.set("id", S(make_id("KH-QM", out.size() + 1, 6)))
      .set("type", S(qa ? "qa" : "qc"))
      .set("org", S(a.org))
      .set("hazard_id", S(h.id))
      .set("activity_id", S(aid))
      .set("date", S(d.iso()))
      .set("result", S(result))
      .set("nonconformities", I(nc));
  if (nc > 0) b.set("corrective_action", S(rng.pick(kActions)));
  out.push_back(b.take());
}

}  // namespace

void plan_activities(const Context& cx, Rng& rng, HazardPlan& h, Date from, Date to) {
  auto seq = sequence(rng, h, h.release_share);
  size_t n = seq.size();
  // Strictly increasing end dates in the window.
  std::vector<int32_t> ends;
  int32_t span = std::max<int32_t>(static_cast<int32_t>(n), to.days - from.days);
  for (size_t k = 0; k < n; ++k) {
    double u = rng.uniform();
    if (!h.closed) u = std::pow(u, 0.6);  // recent work is more common
    ends.push_back(from.days + static_cast<int32_t>(u * span));
  }
  std::sort(ends.begin(), ends.end());
  for (size_t k = 1; k < n; ++k) ends[k] = std::max(ends[k], ends[k - 1] + 1);
  int32_t shift = std::max(0, ends.back() - to.days);
  for (auto& e : ends) e -= shift;

  const Operators ops = operators_for(h.group, cx.world.province(h.province).code);
  double prior = 0;
  for (size_t k = 0; k < n; ++k) {
    ActivityPlan a;
    a.type = seq[k].first;
    a.org = ops.codes[rng.weighted(ops.weights)];
    if (a.type != "non_technical_survey" && a.org == "APOPO" && h.group == Group::kErw)
      a.org = "CMAC";
    a.team = a.org + "-" + (a.type == "non_technical_survey" ? "NTS" : "T") +
             std::to_string(rng.irange(1, 40));
    a.end = Date{ends[k]};
    int dur = a.type == "non_technical_survey" ? rng.irange(1, 10)
              : a.type == "technical_survey"   ? rng.irange(7, 90)
                                               : rng.irange(20, 300);
    a.start = Date{std::max(a.end.days - dur, std::min(a.end.days, h.recorded.days + 1))};
    double amount;
    if (h.closed && k + 1 == n) {
      amount = std::round((h.area_m2 - prior) * 100.0) / 100.0;
      a.last_of_closed = true;
      a.handover_men = rng.irange(3, 15);
      a.handover_women = rng.irange(2, 12);
    } else {
      amount = std::floor(h.area_m2 * seq[k].second);
    }
    amount = std::max(0.0, amount);
    prior += amount;
    if (a.type == "non_technical_survey") {
      a.cancelled = amount;
    } else if (a.type == "technical_survey") {
      a.reduced = amount;
      a.method = rng.chance(0.5) ? "manual" : (rng.chance(0.5) ? "mechanical" : "mdd");
      if (a.org == "APOPO") a.method = "mdr";
    } else {
      a.cleared = amount;
      a.method = clearance_method(rng, a.org, h.group);
      finds_counts(rng, h, a);
    }
    h.activities.push_back(std::move(a));
  }
}

void make_activities(const Context& cx, Hazards& hz, DemoData& out) {
  // Activities in end-date order, applied to their hazards.
  struct Ref {
    size_t hazard, activity;  // hazard index in `order` position, activity index
  };
  std::vector<Ref> refs;
  for (size_t pos = 0; pos < hz.order.size(); ++pos)
    for (size_t a = 0; a < hz.plans[hz.order[pos]].activities.size(); ++a) refs.push_back({pos, a});
  std::stable_sort(refs.begin(), refs.end(), [&](const Ref& x, const Ref& y) {
    return hz.plans[hz.order[x.hazard]].activities[x.activity].end <
           hz.plans[hz.order[y.hazard]].activities[y.activity].end;
  });
  std::vector<Record> activities, finds, visits;
  activities.reserve(refs.size());
  Rng find_rng(stream_seed(cx.seed, kStreamFinds));
  Rng qm_rng(stream_seed(cx.seed, kStreamQm));
  for (size_t k = 0; k < refs.size(); ++k) {
    const HazardPlan& h = hz.plans[hz.order[refs[k].hazard]];
    const ActivityPlan& a = h.activities[refs[k].activity];
    std::string aid = make_id("KH-AC", k + 1, 7);
    Record rec = activity_record(h, a, aid);
    if (auto ok = core::apply_activity(hz.records[refs[k].hazard], rec); !ok)
      throw std::logic_error("demo: " + ok.error().message);
    activities.push_back(std::move(rec));
    make_eo_finds(cx, find_rng, h, a, aid, finds);
    make_qm_visit(qm_rng, h, a, aid, visits);
  }
  for (size_t pos = 0; pos < hz.order.size(); ++pos) {
    const HazardPlan& h = hz.plans[hz.order[pos]];
    std::string st =
        core::get_text(core::schema(core::entity::kHazards), hz.records[pos], "status");
    if ((st == "closed") != h.closed)
      throw std::logic_error("demo: hazard " + h.id + " ended " + st);
  }
  out.records[std::string(core::entity::kHazards)] = std::move(hz.records);
  out.records[std::string(core::entity::kActivities)] = std::move(activities);
  out.records[std::string(core::entity::kEoFinds)] = std::move(finds);
  out.records[std::string(core::entity::kQmVisits)] = std::move(visits);
}

}  // namespace reclaim::demo::detail
