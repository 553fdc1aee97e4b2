#include "core/land_release.hpp"

#include <cmath>
#include <cstdio>

#include "core/entities.hpp"

namespace reclaim::core {
namespace {
std::string m2(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f m²", v);
  return buf;
}
}  // namespace

const char* release_field(const Record& activity) {
  const EntitySchema& as = schema(entity::kActivities);
  const char* field = "cleared_m2";
  double most = 0;
  for (const char* f : {"cancelled_m2", "reduced_m2", "cleared_m2"}) {
    if (const double v = get_real(as, activity, f); v > most) {
      most = v;
      field = f;
    }
  }
  return field;
}

double remaining_m2(const Record& hazard) {
  return get_real(schema(entity::kHazards), hazard, "remaining_m2");
}

Result<void> apply_activity(Record& hazard, const Record& activity) {
  const EntitySchema& hs = schema(entity::kHazards);
  const EntitySchema& as = schema(entity::kActivities);
  const std::string& hid = hazard.id();
  const std::string& aid = activity.id();
  if (get_text(as, activity, "hazard_id") != hid)
    return fail(ErrorCode::kInvalidArgument,
                "activity " + aid + " is for hazard " + get_text(as, activity, "hazard_id") +
                    ", not " + hid);
  double cancelled = get_real(as, activity, "cancelled_m2");
  double reduced = get_real(as, activity, "reduced_m2");
  double cleared = get_real(as, activity, "cleared_m2");
  double released = cancelled + reduced + cleared;

  auto status = parse_status(get_text(hs, hazard, "status"));
  if (!status) return fail(status.error());
  if (released > 0 && is_released(*status))
    return fail(ErrorCode::kFailedPrecondition,
                "activity " + aid + " releases " + m2(released) + " but hazard " + hid + " is " +
                    status_name(*status) + "; reopen it first if contamination was found");

  double baseline = get_real(hs, hazard, "estimated_area_m2");
  double prior = get_real(hs, hazard, "cancelled_m2") + get_real(hs, hazard, "reduced_m2") +
                 get_real(hs, hazard, "cleared_m2");
  double remaining = baseline - prior - released;
  if (remaining < -kAreaToleranceM2)
    return fail(ErrorCode::kFailedPrecondition,
                "activity " + aid + " releases " + m2(released) + " but hazard " + hid +
                    " has only " + m2(baseline - prior) + " remaining (baseline " + m2(baseline) +
                    ")");
  if (remaining < kAreaToleranceM2) remaining = 0;

  set(hs, hazard, "cancelled_m2", get_real(hs, hazard, "cancelled_m2") + cancelled);
  set(hs, hazard, "reduced_m2", get_real(hs, hazard, "reduced_m2") + reduced);
  set(hs, hazard, "cleared_m2", get_real(hs, hazard, "cleared_m2") + cleared);
  set(hs, hazard, "remaining_m2", remaining);
  std::string end = get_text(as, activity, "end_date");
  if (end > get_text(hs, hazard, "last_activity_date"))
    set(hs, hazard, "last_activity_date", end);

  HazardStatus next = *status;
  if (released > 0 || *status == HazardStatus::kOpen) {
    std::string type = get_text(as, activity, "type");
    bool works_on = type != "post_clearance_inspection";
    if (remaining == 0 && released > 0) next = HazardStatus::kClosed;
    else if (*status == HazardStatus::kOpen && works_on) next = HazardStatus::kWorkedOn;
  }
  if (auto t = check_transition(*status, next); !t)
    return fail(ErrorCode::kFailedPrecondition, "hazard " + hid + ": " + t.error().message);
  set(hs, hazard, "status", std::string(status_name(next)));
  return {};
}

}  // namespace reclaim::core
