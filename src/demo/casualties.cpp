// Phase 6, accidents and casualties 1979–2024 following the published yearly totals (the
// reference figures, interpolated), with the kind of device and where it lay moving from mines
// in the K5 belt to ERW over the years; the injured receive assistance (assistance.cpp).
#include <algorithm>
#include <cmath>
#include <utility>

#include "core/devices.hpp"
#include "demo/generator.hpp"

namespace reclaim::demo::detail {
namespace {

using core::AdminUnit;
using core::Record;

std::string device_model(Rng& rng, const std::string& category) {
  static const std::map<std::string, std::vector<std::string>> kByCat = [] {
    std::map<std::string, std::vector<std::string>> m;
    for (const auto& d : core::cambodia_devices()) m[d.category].push_back(d.model);
    return m;
  }();
  auto it = kByCat.find(category);
  if (it == kByCat.end() || it->second.empty()) return "unknown";
  return rng.pick(it->second);
}

std::string injury(Rng& rng, const std::string& cat) {
  double u = rng.uniform();
  if (cat == "ap_blast")
    return u < 0.5 ? "amputation below knee"
                   : (u < 0.75 ? "amputation above knee" : "fragmentation wounds to the legs");
  if (cat == "ap_fragmentation" || cat == "submunition")
    return u < 0.5 ? "fragmentation wounds"
                   : (u < 0.7 ? "multiple injuries"
                              : (u < 0.85 ? "loss of sight" : "amputation below elbow"));
  if (cat == "at")
    return u < 0.5 ? "multiple injuries" : (u < 0.8 ? "fractures" : "amputation above knee");
  return u < 0.4 ? "fragmentation wounds"
                 : (u < 0.6 ? "burns"
                            : (u < 0.75 ? "amputation below elbow"
                                        : (u < 0.9 ? "loss of sight" : "hearing loss")));
}

}  // namespace

void make_casualties(const Context& cx, DemoData& out) {
  Rng rng(stream_seed(cx.seed, kStreamCasualties));
  Rng arng(stream_seed(cx.seed, kStreamAssistance));
  std::vector<Record> accidents, casualties, assistance;
  casualties.reserve(70000);
  const auto years = casualty_years(cx.ref);
  static const std::vector<std::string> kCategories = {
      "ap_blast", "ap_fragmentation", "at", "submunition", "uxo", "axo", "unknown"};
  for (const auto& [year, fig] : years) {
    if (fig.total <= 0) continue;
    double t = static_cast<double>(year - kFirstCasualtyYear) /
               static_cast<double>(kLastCasualtyYear - kFirstCasualtyYear);
    auto lerp = [&](double a, double b) { return a + (b - a) * t; };
    std::vector<double> cat_w = {lerp(0.40, 0.20), lerp(0.18, 0.08), lerp(0.06, 0.12),
                                 lerp(0.04, 0.12), lerp(0.27, 0.42), lerp(0.01, 0.03),
                                 lerp(0.04, 0.03)};
    int killed = fig.killed ? *fig.killed : static_cast<int>(std::lround(0.2 * fig.total));
    killed = std::clamp(killed, 0, fig.total);
    std::vector<char> outcome(static_cast<size_t>(fig.total), 0);
    std::fill(outcome.begin(), outcome.begin() + killed, 1);
    for (size_t i = outcome.size(); i > 1; --i) std::swap(outcome[i - 1], outcome[rng.index(i)]);
    double child_share = year < 2005 ? 0.15 + 0.15 * (year - kFirstCasualtyYear) / 26.0
                                     : 0.30 + 0.12 * (year - 2005) / 19.0;
    size_t next = 0;
    const Date y0 = date_from_ymd(year, 1, 1), y1 = date_from_ymd(year, 12, 31);
    while (next < outcome.size()) {
      double u = rng.uniform();
      size_t size = std::min<size_t>(outcome.size() - next, u < 0.62 ? 1 : (u < 0.87 ? 2 : 3));
      const std::string cat = kCategories[rng.weighted(cat_w)];
      const ProvinceWeights& pw = (cat == "ap_blast" || cat == "ap_fragmentation" || cat == "at")
                                      ? cx.mine_w
                                  : cat == "submunition" ? cx.cmr_w
                                                         : cx.erw_w;
      Group g = &pw == &cx.mine_w ? Group::kMine : (&pw == &cx.cmr_w ? Group::kCmr : Group::kErw);
      size_t prov = pw.pick(rng);
      auto at = cx.world.sample_point(rng, prov, bias_for(g), 2 * bias_scale_km(g));
      if (!at) continue;
      const AdminUnit* village = cx.world.village_near(rng, prov, *at);
      std::string device = cat == "unknown" ? "unknown" : device_model(rng, cat);
      Date date = rng.date(y0, y1);
      double v = rng.uniform();
      bool demining = year >= 1993 && v < 0.015;
      bool military = !demining && v < (year < 1999 ? 0.09 : 0.025);
      bool child_group = !demining && !military && rng.chance(child_share * 0.9);
      std::string activity =
          demining   ? "demining"
          : military ? "patrolling"
          : child_group
              ? rng.pick(std::vector<std::string>{"playing", "herding animals",
                                                  "collecting scrap metal", "collecting firewood"})
              : rng.pick(std::vector<std::string>{
                    "farming", "farming", "collecting firewood", "clearing land",
                    "collecting scrap metal", "travelling", "fishing", "tampering with a device"});
      std::string acc_id = make_id("KH-AX", accidents.size() + 1, 6);
      Builder ab(core::entity::kAccidents);
      ab.set("id", S(acc_id))
          .set("date", S(date.iso()))
          .set("province_code", S(cx.world.province(prov).code))
          .set("village_code", S(village->code))
          .set("device_category", S(cat))
          .set("device", S(device))
          .set("activity_at_time", S(activity))
          .set("demining_accident", B(demining));
      accidents.push_back(ab.geometry(point_geometry(*at)).take());
      for (size_t k = 0; k < size; ++k, ++next) {
        bool dead = outcome[next] == 1;
        bool child = child_group ? rng.chance(0.8)
                                 : (!demining && !military && rng.chance(child_share * 0.3));
        int age =
            child ? rng.irange(5, 17) : (rng.chance(0.9) ? rng.irange(18, 59) : rng.irange(60, 80));
        bool male = demining || military ? rng.chance(0.95) : rng.chance(child ? 0.75 : 0.8);
        std::string cid = make_id("KH-CA", casualties.size() + 1, 6);
        Builder cb(core::entity::kCasualties);
        cb.set("id", S(cid))
            .set("accident_id", S(acc_id))
            .set("date", S(date.iso()))
            .set("province_code", S(cx.world.province(prov).code))
            .set("village_code", S(village->code))
            .set("outcome", S(dead ? "killed" : "injured"))
            .set("sex", S(male ? "male" : "female"))
            .set("age", I(age))
            .set("category", S(demining ? "deminer" : (military ? "military" : "civilian")))
            .set("device", S(device));
        if (!dead) cb.set("injuries", S(injury(rng, cat)));
        casualties.push_back(cb.take());
        if (!dead) make_assistance(arng, cid, date, year, assistance);
      }
    }
  }
  out.records[std::string(core::entity::kAccidents)] = std::move(accidents);
  out.records[std::string(core::entity::kCasualties)] = std::move(casualties);
  out.records[std::string(core::entity::kAssistance)] = std::move(assistance);
}

}  // namespace reclaim::demo::detail
