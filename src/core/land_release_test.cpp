// Land release arithmetic (IMAS 07.11) and the hazard status lifecycle.
//   remaining = baseline − cancelled − reduced − cleared, never below zero (within 0.5 m²).
#include "core/land_release.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <string>
#include <utility>

#include "core/entities.hpp"

namespace reclaim::core {
namespace {

using ::testing::HasSubstr;

const EntitySchema& hs() { return schema(entity::kHazards); }
const EntitySchema& as() { return schema(entity::kActivities); }

/// An open hazard as parse_record leaves it: baseline = remaining, nothing released yet.
Record hazard(const std::string& id, double baseline_m2, const std::string& status = "open") {
  Record h = make_record(hs());
  set(hs(), h, "id", id);
  set(hs(), h, "hazard_type", std::string("CHA"));
  set(hs(), h, "contamination", std::string("AP"));
  set(hs(), h, "status", status);
  set(hs(), h, "province_code", std::string("01"));
  set(hs(), h, "village_code", std::string("01020101"));
  set(hs(), h, "date_recorded", std::string("2020-01-10"));
  set(hs(), h, "estimated_area_m2", baseline_m2);
  set(hs(), h, "cancelled_m2", 0.0);
  set(hs(), h, "reduced_m2", 0.0);
  set(hs(), h, "cleared_m2", 0.0);
  const bool done = status == "closed" || status == "handed_over";
  set(hs(), h, "remaining_m2", done ? 0.0 : baseline_m2);
  return h;
}

struct Released {
  double cancelled_m2 = 0, reduced_m2 = 0, cleared_m2 = 0;
};

Record activity(const std::string& id, const std::string& hazard_id, const std::string& type,
                Released m2, const std::string& end_date = "2024-03-31") {
  Record a = make_record(as());
  set(as(), a, "activity_id", id);
  set(as(), a, "hazard_id", hazard_id);
  set(as(), a, "type", type);
  set(as(), a, "org", std::string("HALO"));
  set(as(), a, "start_date", std::string("2024-01-02"));
  set(as(), a, "end_date", end_date);
  if (m2.cancelled_m2 > 0) set(as(), a, "cancelled_m2", m2.cancelled_m2);
  if (m2.reduced_m2 > 0) set(as(), a, "reduced_m2", m2.reduced_m2);
  if (m2.cleared_m2 > 0) set(as(), a, "cleared_m2", m2.cleared_m2);
  return a;
}

std::string status_of(const Record& h) { return get_text(hs(), h, "status"); }

TEST(ApplyActivity, RemainingIsBaselineLessCancelledReducedAndCleared) {
  Record h = hazard("KH-HZ-000001", 50000);
  ASSERT_TRUE(apply_activity(h, activity("A1", "KH-HZ-000001", "non_technical_survey",
                                         {.cancelled_m2 = 12000}, "2023-05-10")));
  ASSERT_TRUE(apply_activity(h, activity("A2", "KH-HZ-000001", "technical_survey",
                                         {.reduced_m2 = 8000.5}, "2023-11-30")));
  ASSERT_TRUE(apply_activity(h, activity("A3", "KH-HZ-000001", "clearance",
                                         {.cleared_m2 = 4250.25}, "2024-02-14")));
  EXPECT_DOUBLE_EQ(get_real(hs(), h, "cancelled_m2"), 12000);
  EXPECT_DOUBLE_EQ(get_real(hs(), h, "reduced_m2"), 8000.5);
  EXPECT_DOUBLE_EQ(get_real(hs(), h, "cleared_m2"), 4250.25);
  EXPECT_DOUBLE_EQ(remaining_m2(h), 50000 - 12000 - 8000.5 - 4250.25);  // 25,749.25 m²
  EXPECT_DOUBLE_EQ(get_real(hs(), h, "estimated_area_m2"), 50000) << "the baseline is kept";
  EXPECT_EQ(status_of(h), "worked_on");
  EXPECT_EQ(get_text(hs(), h, "last_activity_date"), "2024-02-14");
}

TEST(ApplyActivity, AnEarlierReportDoesNotMoveLastActivityDateBack) {
  Record h = hazard("H", 10000);
  ASSERT_TRUE(apply_activity(h, activity("A1", "H", "clearance", {.cleared_m2 = 100}, "2024-05-01")));
  ASSERT_TRUE(apply_activity(h, activity("A2", "H", "clearance", {.cleared_m2 = 100}, "2024-04-01")));
  EXPECT_EQ(get_text(hs(), h, "last_activity_date"), "2024-05-01");
}

TEST(ApplyActivity, ReleasingExactlyTheRemainderClosesTheHazard) {
  Record h = hazard("H", 10000);
  ASSERT_TRUE(apply_activity(h, activity("A1", "H", "technical_survey", {.reduced_m2 = 6000})));
  EXPECT_EQ(status_of(h), "worked_on");
  ASSERT_TRUE(apply_activity(h, activity("A2", "H", "clearance", {.cleared_m2 = 4000})));
  EXPECT_EQ(remaining_m2(h), 0.0);
  EXPECT_EQ(status_of(h), "closed");
}

TEST(ApplyActivity, CancellingAWholeSuspectedAreaClosesItDirectly) {
  Record h = hazard("H", 7500);
  ASSERT_TRUE(apply_activity(h, activity("A1", "H", "non_technical_survey", {.cancelled_m2 = 7500})));
  EXPECT_EQ(status_of(h), "closed") << "open → closed without being worked on";
  EXPECT_EQ(remaining_m2(h), 0.0);
}

TEST(ApplyActivity, ARemainderWithinHalfASquareMetreCountsAsZero) {
  // Field reports round: 9,999.6 m² cleared of a 10,000 m² hazard leaves 0.4 m² (< 0.5 m²).
  Record h = hazard("H", 10000);
  ASSERT_TRUE(apply_activity(h, activity("A1", "H", "clearance", {.cleared_m2 = 9999.6})));
  EXPECT_EQ(remaining_m2(h), 0.0);
  EXPECT_EQ(status_of(h), "closed");

  // 0.4 m² too much is also within tolerance.
  Record h2 = hazard("H2", 10000);
  ASSERT_TRUE(apply_activity(h2, activity("A1", "H2", "clearance", {.cleared_m2 = 10000.4})));
  EXPECT_EQ(remaining_m2(h2), 0.0) << "not negative";
  EXPECT_EQ(status_of(h2), "closed");

  // 0.6 m² left is real land, still contaminated.
  Record h3 = hazard("H3", 10000);
  ASSERT_TRUE(apply_activity(h3, activity("A1", "H3", "clearance", {.cleared_m2 = 9999.4})));
  EXPECT_NEAR(remaining_m2(h3), 0.6, 1e-6);  // m²
  EXPECT_EQ(status_of(h3), "worked_on");
}

TEST(ApplyActivity, RejectsOverReleaseAndLeavesTheHazardUnchanged) {
  Record h = hazard("KH-HZ-000042", 8200);
  ASSERT_TRUE(apply_activity(h, activity("A1", "KH-HZ-000042", "technical_survey",
                                         {.reduced_m2 = 5000}, "2024-01-31")));
  const Record before = h;
  auto r = apply_activity(h, activity("KH-ACT-000077", "KH-HZ-000042", "clearance",
                                      {.cleared_m2 = 3200.6}, "2024-06-30"));
  ASSERT_FALSE(r.has_value()) << "3,200.6 m² cleared of 3,200 m² remaining (0.6 m² over)";
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(r.error().message, HasSubstr("activity KH-ACT-000077 releases 3200.6 m²"));
  EXPECT_THAT(r.error().message, HasSubstr("hazard KH-HZ-000042 has only 3200.0 m² remaining"));
  EXPECT_EQ(h.values, before.values) << "nothing applied, nothing clipped";
  EXPECT_EQ(status_of(h), "worked_on");
}

TEST(ApplyActivity, RejectsReleaseOnAClosedHazard) {
  for (const char* closed : {"closed", "handed_over"}) {
    Record h = hazard("H", 10000, closed);
    const Record before = h;
    auto r = apply_activity(h, activity("A9", "H", "clearance", {.cleared_m2 = 50}));
    ASSERT_FALSE(r.has_value()) << closed;
    EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_THAT(r.error().message, HasSubstr(std::string("hazard H is ") + closed));
    EXPECT_THAT(r.error().message, HasSubstr("reopen"));
    EXPECT_EQ(h.values, before.values);
  }
}

TEST(ApplyActivity, PostClearanceInspectionOfAClosedHazardIsAllowed) {
  Record h = hazard("H", 10000);
  ASSERT_TRUE(apply_activity(h, activity("A1", "H", "clearance", {.cleared_m2 = 10000})));
  auto r = apply_activity(h, activity("QC1", "H", "post_clearance_inspection", {}, "2024-09-01"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(status_of(h), "closed");
  EXPECT_EQ(get_text(hs(), h, "last_activity_date"), "2024-09-01");
}

TEST(ApplyActivity, AnEodSpotTaskMarksTheHazardWorkedOn) {
  Record h = hazard("H", 10000);
  ASSERT_TRUE(apply_activity(h, activity("E1", "H", "eod_spot_task", {})));
  EXPECT_EQ(status_of(h), "worked_on");
  EXPECT_DOUBLE_EQ(remaining_m2(h), 10000);
}

TEST(ApplyActivity, RejectsAnActivityOfAnotherHazard) {
  Record h = hazard("KH-HZ-000001", 10000);
  const Record before = h;
  auto r = apply_activity(h, activity("A1", "KH-HZ-000002", "clearance", {.cleared_m2 = 10}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(r.error().message, HasSubstr("activity A1 is for hazard KH-HZ-000002, not KH-HZ-000001"));
  EXPECT_EQ(h.values, before.values);
}

TEST(ReleaseField, AnOverReleaseIsReportedUnderTheFieldThatReleasesIt) {
  EXPECT_STREQ(release_field(activity("A1", "H1", "non_technical_survey", {999999, 0, 0})),
               "cancelled_m2");
  EXPECT_STREQ(release_field(activity("A2", "H1", "technical_survey", {0, 5000, 0})),
               "reduced_m2");
  EXPECT_STREQ(release_field(activity("A3", "H1", "clearance", {0, 0, 700})), "cleared_m2");
  // several: the largest; nothing released: cleared_m2
  EXPECT_STREQ(release_field(activity("A4", "H1", "technical_survey", {100, 9000, 0})),
               "reduced_m2");
  EXPECT_STREQ(release_field(activity("A5", "H1", "eod_spot_task", {})), "cleared_m2");
}

TEST(HazardStatus, NamesRoundTrip) {
  for (auto s : {HazardStatus::kOpen, HazardStatus::kWorkedOn, HazardStatus::kClosed,
                 HazardStatus::kHandedOver}) {
    auto back = parse_status(status_name(s));
    ASSERT_TRUE(back.has_value()) << status_name(s);
    EXPECT_EQ(*back, s);
  }
  auto bad = parse_status("cleared");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(bad.error().message, HasSubstr("'cleared'"));
}

TEST(HazardStatus, TransitionTable) {
  using S = HazardStatus;
  const S all[] = {S::kOpen, S::kWorkedOn, S::kClosed, S::kHandedOver};
  // from → to: allowed?   (rows: from; columns: open, worked_on, closed, handed_over)
  const std::map<S, std::array<bool, 4>> allowed = {
      {S::kOpen, {true, true, true, false}},         // cancelled whole → closed
      {S::kWorkedOn, {false, true, true, false}},    // no going back to "open"
      {S::kClosed, {true, false, true, true}},       // residual contamination reopens
      {S::kHandedOver, {true, false, false, true}},  // residual contamination reopens
  };
  for (S from : all) {
    for (size_t i = 0; i < 4; ++i) {
      const S to = all[i];
      auto r = check_transition(from, to);
      EXPECT_EQ(r.has_value(), allowed.at(from)[i]) << status_name(from) << " → " << status_name(to);
      if (!r) {
        EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
        EXPECT_THAT(r.error().message, HasSubstr(std::string("from ") + status_name(from) +
                                                 " to " + status_name(to)));
      }
    }
  }
}

TEST(HazardStatus, ReleasedMeansClosedOrHandedOver) {
  EXPECT_FALSE(is_released(HazardStatus::kOpen));
  EXPECT_FALSE(is_released(HazardStatus::kWorkedOn));
  EXPECT_TRUE(is_released(HazardStatus::kClosed));
  EXPECT_TRUE(is_released(HazardStatus::kHandedOver));
  EXPECT_EQ(released_status_names(), (std::vector<std::string>{"closed", "handed_over"}));
  EXPECT_TRUE(is_active_status("open"));
  EXPECT_TRUE(is_active_status("worked_on"));
  EXPECT_FALSE(is_active_status("closed"));
  EXPECT_FALSE(is_active_status("handed_over"));
  EXPECT_FALSE(is_active_status("")) << "an empty status (a direct edit) is not active";
}

TEST(HazardStatus, TheSchemaAllowsExactlyTheLifecycleNames) {
  const auto& f = hs().fields[static_cast<size_t>(hs().index_of("status"))];
  EXPECT_EQ(f.allowed,
            (std::vector<std::string>{"open", "worked_on", "closed", "handed_over"}));
}

TEST(HazardStatus, ToleranceIsHalfASquareMetre) { EXPECT_EQ(kAreaToleranceM2, 0.5); }

}  // namespace
}  // namespace reclaim::core
