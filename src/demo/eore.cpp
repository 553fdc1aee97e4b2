// Phase 7, explosive ordnance risk education: sessions 2010–2024 in contaminated villages.
#include "demo/generator.hpp"

namespace reclaim::demo::detail {

using core::AdminUnit;
using core::Record;

constexpr int kEoreSessions = 4000;

std::vector<Record> make_eore(const Context& cx, const std::vector<const AdminUnit*>& villages) {
  Rng rng(stream_seed(cx.seed, kStreamEore));
  std::vector<Record> sessions;
  static const std::vector<std::string> kOrgs = {
      "CMAC", "CMAC", "HALO", "MAG", "NPA", "CMAA", "Cambodian Red Cross", "Spirit of Soccer"};
  static const std::vector<std::string> kMethods = {
      "community_meeting", "community_meeting", "school",  "school",
      "house_to_house",    "mass_media",        "digital", "other"};
  static const std::vector<std::string> kMaterials = {
      "posters, leaflets", "flip chart, leaflets",   "school booklet",    "sample inert devices",
      "radio spot",        "video on mobile phones", "T-shirts, stickers"};
  for (int i = 0; i < kEoreSessions; ++i) {
    const AdminUnit* v = rng.pick(villages);
    const std::string method = rng.pick(kMethods);
    auto n = [&](int lo, int hi) { return I(rng.irange(lo, hi)); };
    Builder b(core::entity::kEoreSessions);
    b.set("id", S(make_id("KH-RE", static_cast<size_t>(i) + 1, 6)))
        .set("date", S(rng.date(date_from_ymd(2010, 1, 1), date_from_ymd(2024, 12, 31)).iso()))
        .set("province_code", S(cx.world.gazetteer().province_of(v->code)))
        .set("village_code", S(v->code))
        .set("org", S(rng.pick(kOrgs)))
        .set("method", S(method))
        .set("materials", S(rng.pick(kMaterials)));
    if (method == "school") {
      b.set("men", n(0, 3)).set("women", n(0, 4)).set("boys", n(20, 120)).set("girls", n(20, 120));
    } else if (method == "house_to_house") {
      b.set("men", n(1, 8)).set("women", n(1, 10)).set("boys", n(0, 8)).set("girls", n(0, 8));
    } else {
      b.set("men", n(5, 60)).set("women", n(5, 70)).set("boys", n(3, 50)).set("girls", n(3, 50));
    }
    sessions.push_back(b.take());
  }
  return sessions;
}

}  // namespace reclaim::demo::detail
