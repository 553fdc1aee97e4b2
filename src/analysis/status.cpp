#include "analysis/status.hpp"

#include "analysis/disclosure.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "common/plural.hpp"
#include "core/entities.hpp"
#include "core/land_release.hpp"
#include "geo/geodesic.hpp"
#include "geo/overlay.hpp"

namespace reclaim::analysis {
namespace {

using core::get_int;
using core::get_real;
using core::get_text;


int year_of(const std::string& iso) { return iso.size() >= 4 ? std::stoi(iso.substr(0, 4)) : 0; }

bool known_by(const std::optional<Date>& as_of, const std::string& iso) {
  return !as_of || (!iso.empty() && iso <= as_of->iso());
}

/// The hazards as they stood at as_of: recorded by then, with the activities ended by then
/// replayed in date order.
std::vector<core::Record> hazards_at(const StatusInput& in, const std::optional<Date>& as_of) {
  const auto& hs = core::schema(core::entity::kHazards);
  const auto& as = core::schema(core::entity::kActivities);
  if (!as_of) return in.hazards;
  std::vector<core::Record> out;
  std::unordered_map<std::string, size_t> index;
  std::unordered_map<std::string, int> activity_count;
  for (const auto& a : in.activities) ++activity_count[get_text(as, a, "hazard_id")];
  for (const auto& h : in.hazards) {
    if (!known_by(as_of, get_text(hs, h, "date_recorded"))) continue;
    core::Record r = h;
    double base = get_real(hs, r, "estimated_area_m2");
    core::set(hs, r, "cancelled_m2", 0.0);
    core::set(hs, r, "reduced_m2", 0.0);
    core::set(hs, r, "cleared_m2", 0.0);
    core::set(hs, r, "last_activity_date", core::Value{});
    if (activity_count.count(h.id())) {
      core::set(hs, r, "status", std::string(core::status_name(core::HazardStatus::kOpen)));
      core::set(hs, r, "remaining_m2", base);
    }
    index[r.id()] = out.size();
    out.push_back(std::move(r));
  }
  std::vector<const core::Record*> acts;
  for (const auto& a : in.activities)
    if (known_by(as_of, get_text(as, a, "end_date"))) acts.push_back(&a);
  std::stable_sort(acts.begin(), acts.end(), [&](const core::Record* a, const core::Record* b) {
    return get_text(as, *a, "end_date") < get_text(as, *b, "end_date");
  });
  for (const auto* a : acts) {
    auto it = index.find(get_text(as, *a, "hazard_id"));
    if (it == index.end()) continue;
    // Stored activities passed these rules when they were imported; a failure here would mean
    // an activity dated before its hazard was recorded, which is then simply not counted.
    (void)core::apply_activity(out[it->second], *a);
  }
  return out;
}

struct Group {
  AreaSummary summary;
  std::map<std::string, std::vector<const geo::Geometry*>> geoms_by_type;
  std::vector<const geo::Geometry*> geoms_all;
};

}  // namespace

Status compute_status(const StatusInput& in, std::optional<Date> as_of) {
  const auto& hs = core::schema(core::entity::kHazards);
  const auto& as = core::schema(core::entity::kActivities);
  const auto& es = core::schema(core::entity::kEoFinds);
  const auto& cs = core::schema(core::entity::kCasualties);
  Status st;
  st.as_of = as_of;
  std::vector<core::Record> hazards = hazards_at(in, as_of);

  Group national;
  std::map<std::string, Group> provinces;
  auto province = [&](const std::string& code) -> Group& {
    Group& g = provinces[code];
    if (g.summary.code.empty()) {
      g.summary.code = code;
      if (in.gazetteer)
        if (const auto* u = in.gazetteer->find(code)) g.summary.name = u->name_latin;
    }
    return g;
  };
  std::unordered_map<std::string, std::string> hazard_province;

  for (const auto& h : hazards) {
    std::string pcode = get_text(hs, h, "province_code");
    hazard_province[h.id()] = pcode;
    std::string cls = get_text(hs, h, "hazard_type");
    std::string status = get_text(hs, h, "status");
    std::string type = get_text(hs, h, "contamination");
    for (Group* g : {&national, &province(pcode)}) {
      ++g->summary.hazards_by_class_status[cls][status];
      if (!core::is_active_status(status)) continue;
      double area = geo::area_m2(h.geometry);
      for (RemainingByType* r : {&g->summary.remaining[type], &g->summary.remaining_all}) {
        ++r->hazards;
        r->remaining_m2 += get_real(hs, h, "remaining_m2");
        r->polygon_area_m2 += area;
      }
      if (!h.geometry.empty()) {
        g->geoms_by_type[type].push_back(&h.geometry);
        g->geoms_all.push_back(&h.geometry);
      }
    }
  }
  auto finish_union = [](Group& g) {
    for (auto& [type, geoms] : g.geoms_by_type)
      g.summary.remaining[type].union_area_m2 = geo::union_area_m2(geoms);
    g.summary.remaining_all.union_area_m2 = geo::union_area_m2(g.geoms_all);
  };
  finish_union(national);
  for (auto& [code, g] : provinces) finish_union(g);

  for (const auto& a : in.activities) {
    std::string end = get_text(as, a, "end_date");
    if (!known_by(as_of, end)) continue;
    auto hp = hazard_province.find(get_text(as, a, "hazard_id"));
    if (hp == hazard_province.end()) continue;
    int y = year_of(end);
    for (Group* g : {&national, &province(hp->second)}) {
      ReleasedYear& r = g->summary.released_by_year[y];
      r.cancelled_m2 += get_real(as, a, "cancelled_m2");
      r.reduced_m2 += get_real(as, a, "reduced_m2");
      r.cleared_m2 += get_real(as, a, "cleared_m2");
      EoYear& e = g->summary.eo_destroyed_by_year[y];
      e.ap_mines += get_int(as, a, "ap_mines");
      e.at_mines += get_int(as, a, "at_mines");
      e.erw_items += get_int(as, a, "erw_items");
    }
  }
  for (const auto& e : in.eo_finds) {
    if (!known_by(as_of, get_text(es, e, "date"))) continue;
    st.eo_finds_by_category[get_text(es, e, "category")] += get_int(es, e, "count", 1);
  }
  for (const auto& c : in.casualties) {
    std::string date = get_text(cs, c, "date");
    if (!known_by(as_of, date)) continue;
    int y = year_of(date);
    for (Group* g : {&national, &province(get_text(cs, c, "province_code"))}) {
      CasualtyYear& cy = g->summary.casualties_by_year[y];
      (get_text(cs, c, "outcome") == "killed" ? cy.killed : cy.injured)++;
      std::string sex = get_text(cs, c, "sex");
      (sex == "male" ? cy.male : sex == "female" ? cy.female : cy.sex_unknown)++;
      int64_t age = get_int(cs, c, "age", -1);
      (age < 0 ? cy.age_unknown : age < 18 ? cy.child : cy.adult)++;
    }
  }
  // mine-free villages: villages that ever had a hazard, and those with none active now
  std::map<std::string, std::pair<std::string, bool>> villages;  // code -> (province, any active)
  for (const auto& h : hazards) {
    auto& v = villages[get_text(hs, h, "village_code")];
    v.first = get_text(hs, h, "province_code");
    v.second = v.second || core::is_active_status(get_text(hs, h, "status"));
  }
  for (const auto& [code, v] : villages) {
    for (Group* g : {&national, &province(v.first)}) {
      ++g->summary.villages_affected;
      if (!v.second) ++g->summary.villages_mine_free;
    }
  }

  st.national = std::move(national.summary);
  for (auto& [code, g] : provinces) st.provinces.push_back(std::move(g.summary));
  return st;
}

// ---------------------------------------------------------------- output
namespace {
nlohmann::ordered_json remaining_json(const RemainingByType& r) {
  return {{"hazards", r.hazards},
          {"remaining_m2", r.remaining_m2},
          {"polygon_area_m2", r.polygon_area_m2},
          {"union_area_m2", r.union_area_m2},
          {"overlap_m2", r.overlap_m2()}};
}
/// The hidden figures of one area, by year (nullptr: official output, nothing hidden).
using AreaMask = std::map<int, std::array<bool, 9>>;

nlohmann::ordered_json area_json(const AreaSummary& a, const AreaMask* hide) {
  nlohmann::ordered_json j;
  if (!a.code.empty()) {
    j["code"] = a.code;
    j["name"] = a.name;
  }
  j["hazards"] = a.hazards_by_class_status;
  nlohmann::ordered_json rem = nlohmann::ordered_json::object();
  for (const auto& [type, r] : a.remaining) rem[type] = remaining_json(r);
  j["remaining_by_contamination"] = rem;
  j["remaining_total"] = remaining_json(a.remaining_all);
  nlohmann::ordered_json rel = nlohmann::ordered_json::object();
  for (const auto& [y, r] : a.released_by_year)
    rel[std::to_string(y)] = {{"cancelled_m2", r.cancelled_m2},
                              {"reduced_m2", r.reduced_m2},
                              {"cleared_m2", r.cleared_m2},
                              {"released_m2", r.released_m2()}};
  j["released_by_year"] = rel;
  nlohmann::ordered_json eo = nlohmann::ordered_json::object();
  for (const auto& [y, e] : a.eo_destroyed_by_year)
    eo[std::to_string(y)] = {
        {"ap_mines", e.ap_mines}, {"at_mines", e.at_mines}, {"erw_items", e.erw_items}};
  j["eo_destroyed_by_year"] = eo;
  nlohmann::ordered_json cas = nlohmann::ordered_json::object();
  for (const auto& [y, c] : a.casualties_by_year) {
    const std::array<int, 9> v = casualty_figures(c);
    const std::array<bool, 9>* h = nullptr;
    if (hide)
      if (auto it = hide->find(y); it != hide->end()) h = &it->second;
    nlohmann::ordered_json fig;
    bool any = false;
    for (size_t k = 0; k < v.size(); ++k) {
      if (h && (*h)[k]) {
        fig[kCasualtyFigures[k]] = nullptr;
        any = true;
      } else {
        fig[kCasualtyFigures[k]] = v[k];
      }
    }
    if (hide) fig["suppressed"] = any;
    cas[std::to_string(y)] = std::move(fig);
  }
  j["casualties_by_year"] = cas;
  j["villages_affected"] = a.villages_affected;
  j["villages_mine_free"] = a.villages_mine_free;
  return j;
}
std::string km2(double m2) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", m2 / 1e6);
  return b;
}
}  // namespace

std::array<int, 9> casualty_figures(const CasualtyYear& c) noexcept {
  return {c.total(), c.killed, c.injured,     c.male,       c.female,
          c.sex_unknown, c.adult,  c.child, c.age_unknown};
}

CasualtyMask public_casualty_mask(const Status& s) {
  std::vector<const AreaSummary*> areas{&s.national};
  for (const auto& p : s.provinces) areas.push_back(&p);
  std::set<int> years;
  for (const auto* a : areas)
    for (const auto& [y, c] : a->casualties_by_year) years.insert(y);
  CasualtyMask mask;
  for (const int y : years) {
    disclosure::Table t;
    // cell[area][figure], or nothing when the area has no casualties that year (all zero)
    std::vector<std::optional<std::array<size_t, 9>>> cell(areas.size());
    for (size_t a = 0; a < areas.size(); ++a) {
      auto it = areas[a]->casualties_by_year.find(y);
      if (it == areas[a]->casualties_by_year.end()) continue;
      const std::array<int, 9> v = casualty_figures(it->second);
      std::array<size_t, 9> idx{};
      for (size_t k = 0; k < v.size(); ++k) idx[k] = t.add_cell(v[k]);
      t.add_sum(idx[0], {idx[1], idx[2]});          // killed + injured
      t.add_sum(idx[0], {idx[3], idx[4], idx[5]});  // by sex
      t.add_sum(idx[0], {idx[6], idx[7], idx[8]});  // by age
      cell[a] = idx;
    }
    if (cell[0]) {
      for (size_t k = 0; k < kCasualtyFigures.size(); ++k) {  // national = Σ provinces
        std::vector<size_t> parts;
        for (size_t a = 1; a < areas.size(); ++a)
          if (cell[a]) parts.push_back((*cell[a])[k]);
        t.add_sum((*cell[0])[k], std::move(parts));
      }
    }
    const std::vector<bool> hidden = disclosure::protect(t);
    for (size_t a = 0; a < areas.size(); ++a) {
      if (!cell[a]) continue;
      std::array<bool, 9> h{};
      for (size_t k = 0; k < h.size(); ++k) h[k] = hidden[(*cell[a])[k]];
      mask[{a, y}] = h;
    }
  }
  return mask;
}

std::string status_to_json(const Status& s, Audience audience) {
  const bool pub = audience == Audience::kPublic;
  std::vector<AreaMask> masks(pub ? s.provinces.size() + 1 : 0);
  if (pub)
    for (const auto& [key, h] : public_casualty_mask(s)) masks[key.first][key.second] = h;
  auto mask_of = [&](size_t area) { return pub ? &masks[area] : nullptr; };
  nlohmann::ordered_json j;
  j["as_of"] = s.as_of ? nlohmann::ordered_json(s.as_of->iso()) : nlohmann::ordered_json(nullptr);
  j["national"] = area_json(s.national, mask_of(0));
  j["eo_finds_by_category"] = s.eo_finds_by_category;
  nlohmann::ordered_json p = nlohmann::ordered_json::array();
  for (size_t i = 0; i < s.provinces.size(); ++i) p.push_back(area_json(s.provinces[i], mask_of(i + 1)));
  j["provinces"] = p;
  if (pub) {
    j["small_counts_suppressed"] = true;
    j["suppression_threshold"] = disclosure::kThreshold;
  }
  return j.dump(2);
}

bool nothing_recorded(const Status& s) {
  const AreaSummary& n = s.national;
  return n.hazards_by_class_status.empty() && n.released_by_year.empty() &&
         n.eo_destroyed_by_year.empty() && n.casualties_by_year.empty() &&
         s.eo_finds_by_category.empty() && s.provinces.empty();
}

std::string status_to_text(const Status& s) {
  std::string out;
  char line[256];
  const AreaSummary& n = s.national;
  out += "Reclaim — national mine action status";
  out += s.as_of ? " as of " + s.as_of->iso() + "\n" : std::string("\n");
  // "on or before 1990-01-01" with --as-of, else "" (what a "none" line refers to)
  const std::string by_date = s.as_of ? " on or before " + s.as_of->iso() : std::string();
  if (nothing_recorded(s)) {
    out += "\nno records" + (s.as_of ? by_date : std::string(" yet")) + "\n";
    return out;
  }
  out += "\nHazards (count by class and status)\n";
  for (const auto& [cls, m] : n.hazards_by_class_status) {
    out += "  " + cls + ":";
    for (const auto& [status, c] : m) out += "  " + status + " " + std::to_string(c);
    out += "\n";
  }
  out += "\nRemaining contamination (open + worked on), km²\n";
  std::snprintf(line, sizeof line, "  %-6s %8s %12s %14s %12s\n", "type", "hazards", "remaining",
                "union(polygons)", "overlap");
  out += line;
  auto row = [&](const std::string& type, const RemainingByType& r) {
    std::snprintf(line, sizeof line, "  %-6s %8d %12s %14s %12s\n", type.c_str(), r.hazards,
                  km2(r.remaining_m2).c_str(), km2(r.union_area_m2).c_str(),
                  km2(r.overlap_m2()).c_str());
    out += line;
  };
  for (const char* t : kContaminations)
    if (auto it = n.remaining.find(t); it != n.remaining.end()) row(t, it->second);
  row("all", n.remaining_all);
  out += "\nLand released per year, km² (cancelled / reduced / cleared)\n";
  if (n.released_by_year.empty()) out += "  no land released" + by_date + "\n";
  for (const auto& [y, r] : n.released_by_year) {
    std::snprintf(line, sizeof line, "  %d  %8s  %8s  %8s   total %8s\n", y,
                  km2(r.cancelled_m2).c_str(), km2(r.reduced_m2).c_str(),
                  km2(r.cleared_m2).c_str(), km2(r.released_m2()).c_str());
    out += line;
  }
  long ap = 0, at = 0, erw = 0;
  for (const auto& [y, e] : n.eo_destroyed_by_year) {
    ap += e.ap_mines;
    at += e.at_mines;
    erw += e.erw_items;
  }
  out += "\nEO destroyed: " + plural(ap, "AP mine") + ", " + plural(at, "AT mine") + ", " +
         plural(erw, "ERW item") + "\n";
  out += "\nCasualties per year (total: killed/injured; male/female; adult/child)\n";
  int total = 0;
  for (const auto& [y, c] : n.casualties_by_year) {
    total += c.total();
    if (y < 2005) continue;
    std::snprintf(line, sizeof line, "  %d  %5d: %4d/%-5d %4d/%-4d %4d/%-4d\n", y, c.total(),
                  c.killed, c.injured, c.male, c.female, c.adult, c.child);
    out += line;
  }
  out += "  all years: " + plural(total, "casualty") + " recorded\n";
  std::snprintf(line, sizeof line, "\nVillages affected: %d, of which mine-free now: %d\n",
                n.villages_affected, n.villages_mine_free);
  out += line;
  out += "\nBy province (remaining km², union of polygons; casualties all years)\n";
  for (const auto& p : s.provinces) {
    int cas = 0;
    for (const auto& [y, c] : p.casualties_by_year) cas += c.total();
    // pad by characters, not bytes ("Kratié" is 7 bytes, 6 characters)
    std::string name = p.name;
    size_t chars = 0;
    for (unsigned char ch : name) chars += (ch & 0xC0) != 0x80;
    if (chars < 18) name.append(18 - chars, ' ');
    std::snprintf(line, sizeof line, "  %s %s hazards %6d  remaining %9s  union %9s  casualties %6d\n",
                  p.code.c_str(), name.c_str(), p.remaining_all.hazards,
                  km2(p.remaining_all.remaining_m2).c_str(),
                  km2(p.remaining_all.union_area_m2).c_str(), cas);
    out += line;
  }
  return out;
}

}  // namespace reclaim::analysis
