#include "workflow/reconcile.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/entities.hpp"
#include "geo/geodesic.hpp"
#include "geo/overlay.hpp"

namespace reclaim::workflow {
namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

bool near_identical(const geo::Geometry& a, const geo::Geometry& b, std::string* why) {
  const double area_a = geo::area_m2(a), area_b = geo::area_m2(b);
  if (area_a <= 0 || area_b <= 0) return false;
  const double inter = geo::intersection_area_m2(a, b);
  if (inter <= 0) return false;
  const double uni = area_a + area_b - inter;
  const double sym = std::max(0.0, uni - inter);
  const double iou = inter / uni;
  const bool same = sym < kMaxSymmetricDifferenceShare * std::min(area_a, area_b) ||
                    iou > kMinIntersectionOverUnion;
  if (same && why)
    *why = "polygons near-identical: intersection/union " + fixed(iou, 3) +
           ", symmetric difference " + fixed(sym, 0) + " m² (" +
           fixed(100 * sym / std::min(area_a, area_b), 1) + " % of the smaller)";
  return same;
}

Result<std::vector<DuplicateCandidate>> hazard_duplicates(storage::Store& store,
                                                          const core::Record& hazard) {
  std::vector<DuplicateCandidate> out;
  if (hazard.geometry.empty()) return out;
  const auto& hs = core::schema(core::entity::kHazards);
  const geo::Envelope box = geo::envelope(hazard.geometry);
  // A scan with an envelope pre-filter: the store has no spatial query port yet.
  auto r = store.scan(hs, [&](core::Record&& h) {
    if (h.id() == hazard.id() || h.geometry.empty()) return true;
    if (!geo::envelope(h.geometry).intersects(box)) return true;
    std::string why;
    if (near_identical(hazard.geometry, h.geometry, &why))
      out.push_back({hs.name, h.id(), "hazard " + hazard.id(), why});
    return true;
  });
  if (!r) return fail(r.error());
  return out;
}

Result<std::vector<DuplicateCandidate>> casualty_duplicates(storage::Store& store,
                                                            const core::Record& casualty) {
  std::vector<DuplicateCandidate> out;
  const auto& cs = core::schema(core::entity::kCasualties);
  const std::string sex = core::get_text(cs, casualty, "sex");
  const std::string date = core::get_text(cs, casualty, "date");
  const std::string village = core::get_text(cs, casualty, "village_code");
  const auto& age_v = core::get(cs, casualty, "age");
  const int64_t* age = std::get_if<int64_t>(&age_v);
  if (sex.empty() || date.empty() || village.empty()) return out;
  auto r = store.scan(cs, [&](core::Record&& c) {
    if (c.id() == casualty.id()) return true;
    if (core::get_text(cs, c, "sex") != sex || core::get_text(cs, c, "date") != date ||
        core::get_text(cs, c, "village_code") != village)
      return true;
    const auto& other_v = core::get(cs, c, "age");
    const int64_t* other = std::get_if<int64_t>(&other_v);
    if ((age == nullptr) != (other == nullptr)) return true;
    if (age && std::llabs(*age - *other) > 1) return true;
    out.push_back({cs.name, c.id(), "casualty " + casualty.id(),
                   "same sex (" + sex + "), age " + (other ? std::to_string(*other) : "unknown") +
                       " vs " + (age ? std::to_string(*age) : "unknown") + ", same date " + date +
                       " and village " + village});
    return true;
  });
  if (!r) return fail(r.error());
  return out;
}

std::string information_tag(Date d) { return "information of " + d.iso(); }

Result<std::optional<Date>> known_information_date(storage::Store& store,
                                                   const core::EntitySchema& s,
                                                   const core::Record& r) {
  std::optional<Date> known;
  auto later = [&](std::optional<Date> d) {
    if (d && (!known || *d > *known)) known = d;
  };
  for (const char* f : {"date_recorded", "date", "end_date", "last_activity_date"})
    if (s.index_of(f) >= 0) later(core::get_date(s, r, f));
  auto h = store.history(s, r.id());
  if (!h) return fail(h.error());
  static const std::string kTag = "information of ";
  for (const auto& e : *h) {
    const size_t at = e.reason.rfind(kTag);
    if (at == std::string::npos) continue;
    auto d = parse_date(std::string_view(e.reason).substr(at + kTag.size(), 10));
    if (d) later(*d);
  }
  return known;
}

Result<std::vector<FieldError>> missing_references(
    storage::Store& store, const core::EntitySchema& s, const core::Record& r,
    const std::string& record_name,
    const std::set<std::pair<std::string, std::string>>& pending) {
  std::vector<FieldError> out;
  for (size_t i = 0; i < s.fields.size(); ++i) {
    const core::FieldDef& f = s.fields[i];
    if (f.type != core::FieldType::kReference) continue;
    const auto* id = std::get_if<std::string>(&r.values[i]);
    if (!id || id->empty() || pending.count({f.references, *id})) continue;
    const core::EntitySchema& target = core::schema(f.references);
    auto found = store.existing_ids(target, {*id});
    if (!found) return fail(found.error());
    if (found->empty()) out.push_back({record_name, f.name, "unknown " + target.singular + " '" + *id + "'"});
  }
  return out;
}

}  // namespace reclaim::workflow
