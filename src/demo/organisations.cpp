// Phase 3, the registers: the mine action authority, the operators (with their accreditation
// and size) and the donors. (The device library is core::device_records().)
#include "demo/generator.hpp"

namespace reclaim::demo::detail {

using core::Record;

std::vector<Record> make_organisations() {
  struct Org {
    const char* id;
    const char* name;
    const char* type;
    int accredited;  // -1 = not applicable
    int year;
    int teams, staff;
  };
  static const Org kOrgs[] = {
      {"CMAA", "Cambodian Mine Action and Victim Assistance Authority", "authority", -1, 0, 12,
       150},
      {"CMAC", "Cambodian Mine Action Centre", "operator", 1, 2006, 180, 1700},
      {"HALO", "The HALO Trust", "operator", 1, 2006, 120, 1150},
      {"MAG", "Mines Advisory Group", "operator", 1, 2006, 45, 420},
      {"NPMEC", "National Centre for Peacekeeping Forces, Mines and ERW Clearance", "operator", 1,
       2008, 30, 320},
      {"APOPO", "APOPO (mine detection rats)", "operator", 1, 2015, 16, 160},
      {"NPA", "Norwegian People's Aid", "operator", 1, 2012, 20, 190},
      {"RCAF", "Royal Cambodian Armed Forces demining units", "operator", 1, 2007, 40, 600},
      {"USA", "United States of America (Department of State, PM/WRA)", "donor", -1, 0, 0, 0},
      {"JPN", "Government of Japan (JICA)", "donor", -1, 0, 0, 0},
      {"GBR", "United Kingdom (FCDO)", "donor", -1, 0, 0, 0},
      {"DEU", "Germany (Federal Foreign Office)", "donor", -1, 0, 0, 0},
      {"AUS", "Australia (DFAT)", "donor", -1, 0, 0, 0},
      {"NOR", "Norway", "donor", -1, 0, 0, 0},
      {"CAN", "Canada", "donor", -1, 0, 0, 0},
      {"CHE", "Switzerland", "donor", -1, 0, 0, 0},
      {"NZL", "New Zealand", "donor", -1, 0, 0, 0},
      {"KOR", "Republic of Korea (KOICA)", "donor", -1, 0, 0, 0},
      {"EU", "European Union", "donor", -1, 0, 0, 0},
      {"UNDP", "United Nations Development Programme (Clearing for Results)", "un_agency", -1, 0, 0,
       0},
  };
  std::vector<Record> out;
  for (const Org& o : kOrgs) {
    Builder b(core::entity::kOrganisations);
    b.set("id", S(o.id)).set("name", S(o.name)).set("type", S(o.type));
    if (o.accredited >= 0) {
      b.set("accredited", B(o.accredited == 1));
      b.set("accreditation_date", S(date_from_ymd(o.year, 3, 1).iso()));
    }
    if (o.teams > 0) b.set("teams", I(o.teams));
    if (o.staff > 0) b.set("staff", I(o.staff));
    out.push_back(b.take());
  }
  return out;
}

}  // namespace reclaim::demo::detail
