#pragma once
// The demo generator's shared state and phases (internal to the demo module; demo.hpp is the
// public header). generate() in demo.cpp runs the phases in this order, each in its own file:
//   reference.cpp      1. reference figures (remaining km² by contamination, casualties by year)
//                         from the caller's reference tables;
//   world.cpp          2. places: province outlines, a point-in-province locator, communes
//                         with coordinates and their villages;
//   organisations.cpp  3. the registers: organisations (and the device library from core);
//   hazards.cpp        4. current hazards (open / worked on), placed inside their province and
//                         sized so that the remaining area by contamination matches the
//                         reference figures times the scale; historical hazards released
//                         entirely, sized so that the area released per year follows the
//                         national pattern (placement.cpp: shapes, overlap grid, calibration);
//   activities.cpp     5. activities (NTS / TS / clearance) applied to their hazards in
//                         end-date order with core::apply_activity; EO finds for clearance;
//                         QM visits;
//   casualties.cpp     6. accidents and casualties 1979–2024 following the published yearly
//   assistance.cpp        totals, with victim assistance for the injured;
//   eore.cpp           7. risk education sessions in contaminated villages;
//   funding.cpp        8. funding 2010–2025.
// Each phase draws from its own random stream (rng.hpp), so the output depends only on the
// seed, the scale and the input data.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/date.hpp"
#include "common/error.hpp"
#include "core/entities.hpp"
#include "core/record.hpp"
#include "demo/demo.hpp"
#include "demo/rng.hpp"
#include "demo/world.hpp"
#include "geo/geometry.hpp"

namespace reclaim::demo::detail {

// ------------------------------------------------------------------ constants
constexpr double kM2PerKm2 = 1e6;
constexpr int kFirstCasualtyYear = 1979;
constexpr int kLastCasualtyYear = 2024;
inline Date last_date() { return date_from_ymd(2025, 6, 30); }  // no record is dated after this

// ------------------------------------------------------------------ 1. reference figures
struct YearFigures {
  int total = 0;
  std::optional<int> killed, injured;
};
struct Reference {
  double landmines_m2 = 0, cmr_m2 = 0, erw_m2 = 0;
  std::map<int, YearFigures> casualties;  ///< years listed in the table
};
/// The figures of the two tables. Errors: kInvalidArgument naming the table, row and field.
Result<Reference> parse_reference(const ReferenceTable& contamination,
                                  const ReferenceTable& casualties);
/// Casualties per year 1979–2024 (the listed years as given, the others interpolated).
std::map<int, YearFigures> casualty_years(const Reference& ref);

// ------------------------------------------------------------------ the generator state
/// What every phase reads: the options, the figures, the places, and where each kind of
/// contamination lies.
struct Context {
  uint64_t seed = 1;
  size_t scale = 1;
  const Reference& ref;
  const World& world;
  ProvinceWeights mine_w, cmr_w, erw_w;
};

enum class Group { kMine = 0, kCmr = 1, kErw = 2 };

inline Bias bias_for(Group g) {
  switch (g) {
    case Group::kMine:
      return Bias::kThaiBorder;
    case Group::kCmr:
      return Bias::kEastBorder;
    case Group::kErw:
      break;
  }
  return Bias::kNone;
}
inline double bias_scale_km(Group g) { return g == Group::kMine ? 30.0 : 70.0; }

// ------------------------------------------------------------------ hazard plans
/// An irregular star-shaped outline around a centre: azimuths sorted, radii near 1.
struct Shape {
  int n = 0;
  std::array<double, 14> az{}, r{};
  double unit_area = 0;  ///< planar area for unit radius scale
  double min_r = 1;      ///< inscribed radius factor (a disk of min_r*scale lies inside)
  double max_r = 1;
};

struct ActivityPlan {
  std::string type;  ///< activity type
  double cancelled = 0, reduced = 0, cleared = 0;
  Date start, end;
  std::string org, team, method;
  double depth_cm = 0;
  int64_t ap = 0, at = 0, erw = 0;
  bool last_of_closed = false;  ///< releases the rest: the land is handed over
  int64_t handover_men = 0, handover_women = 0;
};

struct HazardPlan {
  Group group = Group::kMine;
  std::string contamination;
  size_t province = 0;
  double unit_area = 1;      ///< log-normal size factor
  size_t cal_group = 0;      ///< calibration group (type for current, year for closed)
  double weight = 1;         ///< share of the area counted towards the calibration target
  double release_share = 0;  ///< share of the area released (1 for closed hazards)
  bool closed = false;
  int close_year = 0;
  Date recorded;
  // placement
  Shape shape;
  geo::Point centre;
  double scale_m = 0;
  geo::Geometry geometry;
  double area_m2 = 0;
  // output
  std::vector<ActivityPlan> activities;
  const core::AdminUnit* village = nullptr;
  std::string id;
};

/// The hazards as planned and as records: records[pos] is the hazard plans[order[pos]] (ids in
/// order of date recorded), with its derived fields still at "nothing released".
struct Hazards {
  std::vector<HazardPlan> plans;
  std::vector<size_t> order;
  std::vector<core::Record> records;
};

// ------------------------------------------------------------------ records
inline core::Value S(std::string s) { return core::Value{std::move(s)}; }
inline core::Value I(int64_t v) { return core::Value{v}; }
inline core::Value D(double v) { return core::Value{v}; }
inline core::Value B(bool v) { return core::Value{int64_t{v ? 1 : 0}}; }

/// A record of an entity, field by field.
class Builder {
 public:
  explicit Builder(std::string_view entity) : s_(core::schema(entity)), r_(core::make_record(s_)) {}
  Builder& set(std::string_view field, core::Value v) {
    core::set(s_, r_, field, std::move(v));
    return *this;
  }
  Builder& geometry(geo::Geometry g) {
    r_.geometry = std::move(g);
    return *this;
  }
  core::Record take() { return std::move(r_); }

 private:
  const core::EntitySchema& s_;
  core::Record r_;
};

/// "KH-HZ-000042" for make_id("KH-HZ", 42, 6).
std::string make_id(const char* prefix, size_t n, int width);
geo::Geometry point_geometry(geo::Point p);

// ------------------------------------------------------------------ the phases
/// 3. The organisations: the authority, the operators, the donors.
std::vector<core::Record> make_organisations();
/// 4. Current and historical hazards, placed, with their activities planned (activities.cpp).
Hazards make_hazards(const Context& cx);
/// 5. Builds the activities of a hazard with end dates in [from, to], in order.
void plan_activities(const Context& cx, Rng& rng, HazardPlan& h, Date from, Date to);
/// 5. The activity, EO find and QM visit records; applies each activity to its hazard's record
/// (core::apply_activity) in end-date order. Throws std::logic_error on a broken invariant.
void make_activities(const Context& cx, Hazards& hz, DemoData& out);
/// 6. Accidents, casualties and (make_assistance) the assistance of the injured.
void make_casualties(const Context& cx, DemoData& out);
/// 6. The assistance a casualty received (none, or up to three kinds), appended to `out`.
void make_assistance(Rng& rng, const std::string& cid, Date date, int year,
                     std::vector<core::Record>& out);
/// 7. Risk education sessions in the villages of the hazards (one entry per hazard).
std::vector<core::Record> make_eore(const Context& cx,
                                    const std::vector<const core::AdminUnit*>& villages);
/// 8. Pledged and disbursed funding by donor, recipient and year.
std::vector<core::Record> make_funding(const Context& cx);

}  // namespace reclaim::demo::detail
