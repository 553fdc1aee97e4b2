#pragma once
// The national status: what is left, what was released, what was found, who was hurt —
// nationally and per province, computed from the records (never copied from reference figures).
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/date.hpp"
#include "core/gazetteer.hpp"
#include "core/record.hpp"

namespace reclaim::analysis {

/// Contamination types in reporting order.
inline const std::array<const char*, 6> kContaminations = {"AP", "AT", "MIXED", "CMR", "ERW", "IED"};

struct RemainingByType {
  int hazards = 0;                ///< open + worked on
  double remaining_m2 = 0;        ///< Σ per-hazard remaining (IMAS 07.11 arithmetic)
  double polygon_area_m2 = 0;     ///< Σ geodesic polygon areas of the active hazards
  double union_area_m2 = 0;       ///< geodesic area of their union: overlaps counted once
  double overlap_m2() const noexcept { return polygon_area_m2 - union_area_m2; }
};

struct ReleasedYear {
  double cancelled_m2 = 0, reduced_m2 = 0, cleared_m2 = 0;
  double released_m2() const noexcept { return cancelled_m2 + reduced_m2 + cleared_m2; }
};

struct CasualtyYear {
  int killed = 0, injured = 0;
  int male = 0, female = 0, sex_unknown = 0;
  int adult = 0, child = 0, age_unknown = 0;
  int total() const noexcept { return killed + injured; }
};

/// The figures of a CasualtyYear in output order (the JSON keys). A reader knows that
/// total = killed + injured = male + female + sex_unknown = adult + child + age_unknown.
inline constexpr std::array<const char*, 9> kCasualtyFigures = {
    "total", "killed", "injured", "male", "female", "sex_unknown", "adult", "child", "age_unknown"};
std::array<int, 9> casualty_figures(const CasualtyYear& c) noexcept;

struct EoYear {
  long ap_mines = 0, at_mines = 0, erw_items = 0;
};

struct AreaSummary {
  std::string code;  ///< "" for national
  std::string name;
  /// class (SHA|CHA) -> status -> count
  std::map<std::string, std::map<std::string, int>> hazards_by_class_status;
  std::map<std::string, RemainingByType> remaining;  ///< by contamination type
  RemainingByType remaining_all;                     ///< all types together (union of all)
  std::map<int, ReleasedYear> released_by_year;
  std::map<int, EoYear> eo_destroyed_by_year;
  std::map<int, CasualtyYear> casualties_by_year;
  int villages_affected = 0, villages_mine_free = 0;  ///< villages that ever had a hazard
};

struct Status {
  std::optional<Date> as_of;
  AreaSummary national;
  std::vector<AreaSummary> provinces;  ///< provinces with any record, by code
  std::map<std::string, long> eo_finds_by_category;
};

struct StatusInput {
  const core::Gazetteer* gazetteer = nullptr;
  std::vector<core::Record> hazards, activities, eo_finds, casualties;
};

/// Computes the status. With as_of, only what was known at that date counts: hazards recorded
/// by then, activities ended by then (replayed through the land-release rules), casualties and
/// finds dated by then.
Status compute_status(const StatusInput& in, std::optional<Date> as_of);

/// Who reads an output. Official: the CLI and signed-in roles that read records (every figure).
/// Public: anonymous callers and roles limited to public data; casualty figures go through the
/// disclosure rule (analysis/disclosure.hpp).
enum class Audience { kOfficial, kPublic };

/// The casualty figures the public view hides: (area, year) -> one flag per kCasualtyFigures,
/// area 0 the national summary, area i + 1 provinces[i]. Each year is one linked table: every
/// area's nine figures with their three breakdowns of the total, and national = Σ provinces for
/// each figure (a province without casualties that year counts as published zeros). Years are
/// not linked: no public output gives totals over years.
using CasualtyMask = std::map<std::pair<size_t, int>, std::array<bool, 9>>;
CasualtyMask public_casualty_mask(const Status& s);

/// The status as JSON. For the public, hidden figures are null, each year carries
/// "suppressed": true when any of its figures is hidden, and the top carries
/// "small_counts_suppressed": true and "suppression_threshold".
std::string status_to_json(const Status& s, Audience audience = Audience::kOfficial);
/// The status as text for a terminal. When nothing was recorded (by the as-of date) it says so
/// ("no records on or before 1990-01-01", "no records yet") instead of printing empty tables;
/// an empty per-year section says "no land released on or before …".
std::string status_to_text(const Status& s);
/// True when the status counts no hazard, release, EO, casualty or province at all.
bool nothing_recorded(const Status& s);

}  // namespace reclaim::analysis
