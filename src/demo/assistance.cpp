// Phase 6, victim assistance: what an injured casualty received, when and from whom.
#include "demo/generator.hpp"

namespace reclaim::demo::detail {

using core::Record;

void make_assistance(Rng& rng, const std::string& cid, Date date, int year,
                     std::vector<Record>& out) {
  if (!rng.chance(year >= 2005 ? 0.55 : 0.3)) return;
  struct Kind {
    const char* type;
    int lo, hi;  // days after the accident
    std::vector<std::string> providers;
  };
  static const std::vector<Kind> kKinds = {
      {"emergency_medical",
       0,
       3,
       {"Provincial referral hospital", "Emergency Hospital for War Victims", "Military hospital"}},
      {"physical_rehabilitation",
       30,
       720,
       {"Exceed Worldwide", "Humanity & Inclusion", "ICRC-supported rehabilitation centre",
        "Veterans International Cambodia"}},
      {"psychosocial", 10, 365, {"TPO Cambodia", "Humanity & Inclusion"}},
      {"socio_economic",
       180,
       1800,
       {"Cambodian Red Cross", "Humanity & Inclusion", "MoSVY", "CMAC community development"}},
      {"rights_promotion",
       365,
       3650,
       {"Cambodian Disabled People's Organisation", "CMAA Victim Assistance Department"}},
  };
  static const std::vector<std::string> kReferrals = {
      "self", "CMAC", "HALO", "MAG", "health centre", "CMAA victim register"};
  int n = rng.irange(1, 3);
  size_t first = rng.index(kKinds.size());
  for (int k = 0; k < n; ++k) {
    const Kind& kind = kKinds[(first + static_cast<size_t>(k) * 2) % kKinds.size()];
    Date d{date.days + rng.irange(kind.lo, kind.hi)};
    if (d > last_date()) continue;
    Builder b(core::entity::kAssistance);
    b.set("id", S(make_id("KH-VA", out.size() + 1, 6)))
        .set("casualty_id", S(cid))
        .set("type", S(kind.type))
        .set("provider", S(rng.pick(kind.providers)))
        .set("date", S(d.iso()))
        .set("referral", S(rng.pick(kReferrals)));
    Date f{d.days + rng.irange(90, 365)};
    if (rng.chance(0.5) && f <= last_date()) b.set("follow_up_date", S(f.iso()));
    out.push_back(b.take());
  }
}

}  // namespace reclaim::demo::detail
