// The report workflow on a temporary GeoPackage: every report type's full path, the role rules,
// reconciliation (duplicates, date of information, land release), concurrency, history and the
// personal-data access log.
#include "storage/open/open.hpp"
#include "workflow/workflow.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <filesystem>
#include <memory>
#include <thread>

#include "core/entities.hpp"
#include "geo/geodesic.hpp"
#include "geo/wkb.hpp"
#include "workflow/access_log.hpp"

namespace reclaim::workflow {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using auth::Principal;
using auth::Role;

const Principal kDara{"dara", Role::kOperatorDataOfficer, "CMAC", false};
const Principal kChan{"chan", Role::kOperatorDataOfficer, "CMAC", false};  // dara's colleague
const Principal kKim{"kim", Role::kOperatorDataOfficer, "HALO", false};
const Principal kLina{"lina", Role::kOperatorDataOfficer, "HALO", false};  // kim's colleague
const Principal kSophea{"sophea", Role::kNationalDataManager, "", false};
const Principal kVanna{"vanna", Role::kNationalDataManager, "", false};
const Principal kAdmin{"admin", Role::kAdministrator, "", false};
const Principal kAnalyst{"bopha", Role::kAnalyst, "", false};

core::AdminUnit unit(std::string code, std::string parent, core::AdminLevel level) {
  core::AdminUnit u;
  u.code = std::move(code);
  u.parent_code = std::move(parent);
  u.level = level;
  u.name_latin = "unit " + u.code;
  return u;
}

/// A square `side_m` metres a side with its south-west corner at (lon, lat), as WKT.
std::string square_wkt(double lon, double lat, double side_m) {
  const geo::Point sw{lon, lat};
  const geo::Point se = geo::destination(sw, 90, side_m);
  const geo::Point nw = geo::destination(sw, 0, side_m);
  const geo::Point ne = geo::destination(nw, 90, side_m);
  geo::Geometry g;
  g.type = geo::GeometryType::kPolygon;
  g.polygons.push_back(geo::Polygon{{{sw, se, ne, nw, sw}}});
  return geo::to_wkt(g);
}

std::string hazard_payload(const std::string& id, const std::string& wkt,
                           const std::string& extra = "") {
  return R"({"id":")" + id +
         R"(","hazard_type":"CHA","contamination":"AP","province_code":"01",)"
         R"("village_code":"01020101","date_recorded":"2025-01-15",)" +
         extra + R"("geometry":")" + wkt + R"("})";
}

class WorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    path_ = fs::temp_directory_path() /
            ("reclaim_wf_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + ".gpkg");
    remove_files();
    auto s = storage::open_store(path_.string());
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    using core::AdminLevel;
    auto box = geo::from_wkt("POLYGON((102.8 13.4, 103.2 13.4, 103.2 13.8, 102.8 13.8, 102.8 13.4))");
    ASSERT_TRUE(store_->replace_admin_units(
        {unit("01", "", AdminLevel::kProvince), unit("0102", "01", AdminLevel::kDistrict),
         unit("010201", "0102", AdminLevel::kCommune),
         unit("01020101", "010201", AdminLevel::kVillage)},
        {core::AdminBoundary{"01", AdminLevel::kProvince, *box}}));
    wf_ = std::make_unique<Workflow>(*store_, [this] { return now_; });
  }
  void TearDown() override {
    wf_.reset();
    store_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_.string() + suffix);
  }

  SubmissionView submit(const Principal& who, const std::string& entity,
                        const std::string& payload, const std::string& info = "2025-05-01",
                        const std::string& action = "create", const std::string& target = "") {
    auto s = wf_->submit(who, {entity, action, target, payload, info});
    EXPECT_TRUE(s) << s.error().message;
    return s ? *s : SubmissionView{};
  }
  /// Submit by dara (CMAC), verify by chan (CMAC), approve by sophea.
  ApprovalResult through(const std::string& entity, const std::string& payload,
                         const std::string& info = "2025-05-01", ApproveOptions opt = {},
                         const std::string& action = "create", const std::string& target = "") {
    SubmissionView s = submit(kDara, entity, payload, info, action, target);
    auto v = wf_->verify(kChan, s.id);
    EXPECT_TRUE(v) << v.error().message;
    auto a = wf_->approve(kSophea, s.id, opt);
    EXPECT_TRUE(a) << a.error().message;
    return a ? *a : ApprovalResult{};
  }
  std::optional<core::Record> get(std::string_view entity, const std::string& id) {
    return *store_->get(core::schema(entity), id);
  }
  int64_t access_log_count() { return *store_->count(core::schema(core::entity::kAccessLog)); }

  fs::path path_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Workflow> wf_;
  int64_t now_ = 1751271300;
};

// ---------------------------------------------------------------- every report type

TEST_F(WorkflowTest, ANewHazardGoesSubmittedVerifiedApprovedWithEveryStepInTheHistory) {
  SubmissionView s = submit(kDara, "hazards", hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 100)));
  EXPECT_EQ(s.status, "submitted");
  EXPECT_EQ(s.org, "CMAC");
  EXPECT_EQ(s.verify_by, "CMAC");
  EXPECT_TRUE(wf_->inbox(kDara)->empty());  // nothing for dara to do: a colleague verifies
  ASSERT_EQ(wf_->inbox(kChan)->size(), 1u);
  EXPECT_TRUE(wf_->inbox(kSophea)->empty());
  auto v = wf_->verify(kChan, s.id);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->status, "verified");
  EXPECT_TRUE(wf_->inbox(kChan)->empty());
  ASSERT_EQ(wf_->inbox(kSophea)->size(), 1u);
  auto a = wf_->approve(kSophea, s.id, {"looks right", {}, false, ""});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->submission.status, "approved");
  EXPECT_EQ(a->submission.result_id, "KH-HZ-1");
  EXPECT_THAT(a->created, ::testing::ElementsAre("hazards/KH-HZ-1"));
  EXPECT_TRUE(a->changed_current_state);
  auto h = get(core::entity::kHazards, "KH-HZ-1");
  ASSERT_TRUE(h);
  EXPECT_NEAR(core::get_real(core::schema("hazards"), *h, "remaining_m2"), 10'000, 5);
  EXPECT_TRUE(wf_->inbox(kSophea)->empty());

  auto sh = store_->history(core::schema(core::entity::kSubmissions), s.id);
  ASSERT_TRUE(sh);
  ASSERT_EQ(sh->size(), 3u);
  EXPECT_EQ((*sh)[0].user, "dara");
  EXPECT_THAT((*sh)[1].reason, HasSubstr("verified"));
  EXPECT_EQ((*sh)[2].user, "sophea");
  EXPECT_THAT((*sh)[2].reason, HasSubstr("approved"));
  auto hh = store_->history(core::schema(core::entity::kHazards), "KH-HZ-1");
  ASSERT_EQ(hh->size(), 1u);
  EXPECT_THAT((*hh)[0].reason, HasSubstr("submission " + s.id));
  EXPECT_THAT((*hh)[0].reason, HasSubstr("information of 2025-05-01"));
}

TEST_F(WorkflowTest, AnActivityReportReleasesLandOnItsHazard) {
  through("hazards", hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 100),
                                    R"("estimated_area_m2":10000,)"));
  auto a = through("activities",
                   R"({"activity_id":"AC-1","hazard_id":"KH-HZ-1","type":"clearance","org":"CMAC",)"
                   R"("start_date":"2025-03-01","end_date":"2025-03-20","cleared_m2":4000})");
  EXPECT_THAT(a.updated, ::testing::ElementsAre("hazards/KH-HZ-1"));
  const auto& hs = core::schema(core::entity::kHazards);
  auto h = get(core::entity::kHazards, "KH-HZ-1");
  EXPECT_DOUBLE_EQ(core::get_real(hs, *h, "remaining_m2"), 6000);
  EXPECT_EQ(core::get_text(hs, *h, "status"), "worked_on");
  EXPECT_TRUE(get(core::entity::kActivities, "AC-1"));
}

TEST_F(WorkflowTest, AnActivityThatWouldTakeRemainingBelowZeroIsRefusedAtApproval) {
  through("hazards", hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 100),
                                    R"("estimated_area_m2":10000,)"));
  auto act = [](const std::string& id) {
    return R"({"activity_id":")" + id +
           R"(","hazard_id":"KH-HZ-1","type":"clearance","org":"CMAC",)"
           R"("start_date":"2025-03-01","end_date":"2025-03-20","cleared_m2":6000})";
  };
  // both fit on their own when submitted; the second no longer fits once the first is approved
  SubmissionView s1 = submit(kDara, "activities", act("AC-1"));
  SubmissionView s2 = submit(kDara, "activities", act("AC-2"));
  ASSERT_TRUE(wf_->verify(kChan, s1.id));
  ASSERT_TRUE(wf_->verify(kChan, s2.id));
  ASSERT_TRUE(wf_->approve(kSophea, s1.id));
  auto r = wf_->approve(kSophea, s2.id);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(r.error().message, HasSubstr("hazard KH-HZ-1 has only"));
  EXPECT_THAT(r.error().message, HasSubstr("remaining"));
  EXPECT_EQ(wf_->get(kSophea, s2.id, "test")->status, "verified");  // nothing changed
  EXPECT_FALSE(get(core::entity::kActivities, "AC-2"));
}

TEST_F(WorkflowTest, AnAccidentReportCreatesTheAccidentAndItsCasualties) {
  auto a = through("accidents",
                   R"({"accident":{"id":"ACC-1","date":"2025-04-02","province_code":"01",)"
                   R"("village_code":"01020101","device_category":"ap_blast"},)"
                   R"("casualties":[{"id":"CAS-1","date":"2025-04-02","province_code":"01",)"
                   R"("village_code":"01020101","outcome":"injured","sex":"male","age":34,)"
                   R"("category":"civilian","name":"Sok Chea"},)"
                   R"({"id":"CAS-2","date":"2025-04-02","province_code":"01",)"
                   R"("village_code":"01020101","outcome":"killed","sex":"female","age":12,)"
                   R"("category":"civilian"}]})");
  EXPECT_EQ(a.created.size(), 3u);
  auto c = get(core::entity::kCasualties, "CAS-2");
  ASSERT_TRUE(c);
  EXPECT_EQ(core::get_text(core::schema("casualties"), *c, "accident_id"), "ACC-1");
}

TEST_F(WorkflowTest, EoreSessionsAndAssistanceRecordsGoThroughToo) {
  through("eore_sessions",
          R"({"id":"EORE-1","date":"2025-04-10","province_code":"01","village_code":"01020101",)"
          R"("org":"CMAC","method":"school","boys":40,"girls":38})");
  EXPECT_TRUE(get(core::entity::kEoreSessions, "EORE-1"));
  through("casualties",
          R"({"id":"CAS-9","date":"2025-02-02","province_code":"01","village_code":"01020101",)"
          R"("outcome":"injured","sex":"male","age":40,"category":"civilian"})");
  through("assistance",
          R"({"id":"VA-1","casualty_id":"CAS-9","type":"physical_rehabilitation",)"
          R"("provider":"PRC Battambang","date":"2025-04-20"})");
  EXPECT_TRUE(get(core::entity::kAssistance, "VA-1"));
}

// ---------------------------------------------------------------- validation at submission

TEST_F(WorkflowTest, AnInvalidPayloadIsRejectedWithFieldErrors) {
  auto r = wf_->submit(kDara, {"hazards", "create", "",
                               R"({"id":"KH-HZ-2","hazard_type":"XYZ","province_code":"01",)"
                               R"("village_code":"99999999","date_recorded":"2025-01-15",)"
                               R"("colour":"red"})",
                               "2025-05-01"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(r.error().message, HasSubstr("colour"));  // unknown fields are caught first
  r = wf_->submit(kDara, {"hazards", "create", "",
                          R"({"id":"KH-HZ-2","hazard_type":"XYZ","province_code":"01",)"
                          R"("village_code":"99999999","date_recorded":"2025-01-15"})",
                          "2025-05-01"});
  ASSERT_FALSE(r);
  std::set<std::string> fields;
  for (const auto& d : r.error().details) fields.insert(d.field);
  EXPECT_TRUE(fields.count("hazard_type"));
  EXPECT_TRUE(fields.count("village_code"));
  EXPECT_TRUE(fields.count("geometry"));
  EXPECT_EQ(*store_->count(core::schema(core::entity::kSubmissions)), 0);
  auto dangling = wf_->submit(
      kDara, {"assistance", "create", "",
              R"({"id":"VA-2","casualty_id":"NOBODY","type":"psychosocial","date":"2025-04-20"})",
              "2025-05-01"});
  ASSERT_FALSE(dangling);
  EXPECT_THAT(dangling.error().message, HasSubstr("unknown casualty 'NOBODY'"));
}

// ---------------------------------------------------------------- who may do what

TEST_F(WorkflowTest, RejectionNeedsACommentAndReturnsTheReportToItsOrganisation) {
  SubmissionView s = submit(kDara, "hazards", hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 100)));
  ASSERT_TRUE(wf_->verify(kChan, s.id));
  auto empty = wf_->reject(kSophea, s.id, "  ");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  auto r = wf_->reject(kSophea, s.id, "polygon crosses the road; resurvey the south edge");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, "rejected");
  EXPECT_EQ(r->comment, "polygon crosses the road; resurvey the south edge");
  auto inbox = wf_->inbox(kDara);
  ASSERT_EQ(inbox->size(), 1u);
  EXPECT_EQ((*inbox)[0].status, "rejected");
  EXPECT_FALSE(wf_->approve(kSophea, s.id));
  EXPECT_FALSE(get(core::entity::kHazards, "KH-HZ-1"));
}

TEST_F(WorkflowTest, AnOfficerCannotVerifyOrSeeAnotherOrganisationsReport) {
  SubmissionView s = submit(kDara, "hazards", hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 100)));
  auto v = wf_->verify(kKim, s.id);
  ASSERT_FALSE(v);
  EXPECT_THAT(v.error().message, HasSubstr("not allowed"));
  EXPECT_THAT(v.error().message, HasSubstr("CMAC"));
  EXPECT_TRUE(wf_->inbox(kKim)->empty());
  EXPECT_TRUE(wf_->list(kKim)->empty());
  EXPECT_EQ(wf_->get(kKim, s.id, "test").error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(wf_->approve(kDara, s.id));  // officers do not approve
}

TEST_F(WorkflowTest, AnOfficerNoLongerSeesApprovedReports) {
  ApprovalResult a = through("hazards", hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 100)));
  EXPECT_TRUE(wf_->list(kDara)->empty());
  EXPECT_EQ(wf_->list(kSophea)->size(), 1u);
  EXPECT_EQ(wf_->list(kAnalyst)->size(), 1u);
}

TEST_F(WorkflowTest, AManagerCannotApproveTheirOwnSubmission) {
  SubmissionView s = submit(kSophea, "hazards", hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 100)));
  ASSERT_TRUE(wf_->verify(kAdmin, s.id));
  auto own = wf_->approve(kSophea, s.id);
  ASSERT_FALSE(own);
  EXPECT_THAT(own.error().message, HasSubstr("own submission"));
  EXPECT_TRUE(wf_->approve(kVanna, s.id));
}

TEST_F(WorkflowTest, NobodyVerifiesOrApprovesTheirOwnSubmissionNotEvenAnAdministrator) {
  // an officer: not their own report, even though it is routed to their organisation
  SubmissionView mine = submit(kDara, "hazards", hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 100)));
  auto self = wf_->verify(kDara, mine.id);
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(self.error().message, HasSubstr("four eyes"));
  EXPECT_THAT(self.error().message, HasSubstr("another CMAC data officer"));
  EXPECT_EQ(wf_->get(kSophea, mine.id, "test")->status, "submitted");
  // an administrator: neither step on their own report
  SubmissionView s = submit(kAdmin, "hazards", hazard_payload("KH-HZ-2", square_wkt(103.01, 13.6, 100)));
  EXPECT_EQ(s.verify_by, "national");
  auto v = wf_->verify(kAdmin, s.id);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(v.error().message, HasSubstr("four eyes"));
  EXPECT_TRUE(wf_->inbox(kAdmin)->size() == 1u && wf_->inbox(kAdmin)->front().id == mine.id);
  ASSERT_TRUE(wf_->verify(kSophea, s.id));  // national data managers verify national reports
  auto a = wf_->approve(kAdmin, s.id);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(a.error().message, HasSubstr("own submission"));
  EXPECT_FALSE(get(core::entity::kHazards, "KH-HZ-2"));
  EXPECT_TRUE(wf_->approve(kVanna, s.id));
}

// ---------------------------------------------------------------- organisation boundaries

TEST_F(WorkflowTest, ClosingAnotherOrganisationsHazardGoesToTheNationalDataManagers) {
  // HALO's hazard, reported, verified and approved the HALO way
  SubmissionView h = submit(kKim, "hazards",
                            hazard_payload("KH-HZ-7", square_wkt(103, 13.6, 100),
                                           R"("recording_org":"HALO",)"));
  EXPECT_EQ(h.verify_by, "HALO");
  ASSERT_TRUE(wf_->verify(kLina, h.id));
  ASSERT_TRUE(wf_->approve(kSophea, h.id));
  // the reproduction: a CMAC officer closes it, then tries to verify the report themselves
  SubmissionView s = submit(kDara, "hazards",
                            hazard_payload("KH-HZ-7", square_wkt(103, 13.6, 100),
                                           R"("recording_org":"HALO","status":"closed",)"),
                            "2025-06-01", "update", "KH-HZ-7");
  EXPECT_EQ(s.org, "CMAC");
  EXPECT_EQ(s.verify_by, "national");
  for (const Principal* p : {&kDara, &kChan, &kKim}) {
    auto v = wf_->verify(*p, s.id);
    ASSERT_FALSE(v) << p->user;
    EXPECT_EQ(v.error().code, ErrorCode::kPermissionDenied) << p->user;
    EXPECT_THAT(v.error().message, HasSubstr("not allowed")) << p->user;
  }
  EXPECT_THAT(wf_->verify(kDara, s.id).error().message, HasSubstr("four eyes"));
  EXPECT_THAT(wf_->verify(kChan, s.id).error().message,
              HasSubstr("organisation boundary: it is verified by the national data managers"));
  EXPECT_FALSE(wf_->reject(kChan, s.id, "fine by us"));  // nor rejected by CMAC
  // nobody in CMAC is asked to verify it; HALO does not see a CMAC submission at all
  EXPECT_TRUE(wf_->inbox(kChan)->empty());
  EXPECT_TRUE(wf_->inbox(kKim)->empty());
  EXPECT_EQ(wf_->get(kKim, s.id, "test").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(wf_->get(kDara, s.id, "test")->status, "submitted");  // the submitter follows it
  ASSERT_EQ(wf_->inbox(kSophea)->size(), 1u);
  EXPECT_EQ(wf_->inbox(kSophea)->front().id, s.id);
  const auto& hs = core::schema(core::entity::kHazards);
  EXPECT_EQ(core::get_text(hs, *get(core::entity::kHazards, "KH-HZ-7"), "status"), "open");
  // the national data managers verify and approve it
  ASSERT_TRUE(wf_->verify(kSophea, s.id));
  auto a = wf_->approve(kVanna, s.id);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(core::get_text(hs, *get(core::entity::kHazards, "KH-HZ-7"), "status"), "closed");
  auto sh = store_->history(core::schema(core::entity::kSubmissions), s.id);
  ASSERT_TRUE(sh && !sh->empty());
  EXPECT_THAT((*sh)[0].reason, HasSubstr("hazard KH-HZ-7 belongs to HALO, not CMAC"));
}

TEST_F(WorkflowTest, AHazardAssignedToTheOrganisationIsVerifiedByIt) {
  SubmissionView h = submit(kKim, "hazards",
                            hazard_payload("KH-HZ-8", square_wkt(103, 13.6, 100),
                                           R"("recording_org":"HALO",)"));
  ASSERT_TRUE(wf_->verify(kLina, h.id));
  ASSERT_TRUE(wf_->approve(kSophea, h.id));
  // the national data managers task CMAC with it
  SubmissionView task = submit(kSophea, "hazards",
                               hazard_payload("KH-HZ-8", square_wkt(103, 13.6, 100),
                                              R"("recording_org":"HALO","assigned_org":"CMAC",)"),
                               "2025-05-02", "update", "KH-HZ-8");
  EXPECT_EQ(task.verify_by, "national");
  ASSERT_TRUE(wf_->verify(kVanna, task.id));
  ASSERT_TRUE(wf_->approve(kAdmin, task.id));
  // now a CMAC clearance on it is CMAC's own work; a HALO one is not HALO's to verify
  const std::string act =
      R"({"activity_id":"AC-8","hazard_id":"KH-HZ-8","type":"clearance","org":"CMAC",)"
      R"("start_date":"2025-05-03","end_date":"2025-05-20","cleared_m2":4000})";
  SubmissionView mine = submit(kDara, "activities", act);
  EXPECT_EQ(mine.verify_by, "CMAC");
  EXPECT_TRUE(wf_->verify(kChan, mine.id));
  SubmissionView theirs = submit(kKim, "activities",
                                 R"({"activity_id":"AC-9","hazard_id":"KH-HZ-8","type":"clearance",)"
                                 R"("org":"HALO","start_date":"2025-05-03","end_date":"2025-05-20",)"
                                 R"("cleared_m2":1000})");
  EXPECT_EQ(theirs.verify_by, "national");
  EXPECT_EQ(wf_->verify(kLina, theirs.id).error().code, ErrorCode::kPermissionDenied);
  // reporting another organisation's work is not one's own either
  SubmissionView other_work = submit(kDara, "eore_sessions",
                                     R"({"id":"EORE-8","date":"2025-04-10","province_code":"01",)"
                                     R"("village_code":"01020101","org":"HALO","boys":4})");
  EXPECT_EQ(other_work.verify_by, "national");
  // a national record that belongs to no organisation: an update is verified nationally
  through("casualties",
          R"({"id":"CAS-8","date":"2025-02-02","province_code":"01","village_code":"01020101",)"
          R"("outcome":"injured","sex":"male","age":40,"category":"civilian"})");
  SubmissionView fix = submit(kDara, "casualties",
                              R"({"id":"CAS-8","date":"2025-02-02","province_code":"01",)"
                              R"("village_code":"01020101","outcome":"injured","sex":"male",)"
                              R"("age":41,"category":"civilian"})",
                              "2025-06-01", "update", "CAS-8");
  EXPECT_EQ(fix.verify_by, "national");
}

TEST_F(WorkflowTest, AProvincialPlannerSubmitsCommunityRequestsOfItsProvinceOnly) {
  Principal planner{"mapu01", Role::kProvincialPlanner, "", false, "01"};
  SubmissionView s = submit(planner, "hazards", hazard_payload("KH-HZ-5", square_wkt(103, 13.6, 100)));
  EXPECT_EQ(s.verify_by, "national");
  EXPECT_EQ(s.org, "province 01");
  EXPECT_EQ(wf_->list(planner)->size(), 1u);
  EXPECT_EQ(wf_->verify(planner, s.id).error().code, ErrorCode::kPermissionDenied);
  ASSERT_TRUE(wf_->verify(kSophea, s.id));
  ASSERT_TRUE(wf_->approve(kVanna, s.id));
  EXPECT_TRUE(get(core::entity::kHazards, "KH-HZ-5"));
  Principal elsewhere{"mapu02", Role::kProvincialPlanner, "", false, "02"};
  auto other = wf_->submit(elsewhere, {"hazards", "create", "",
                                       hazard_payload("KH-HZ-6", square_wkt(103.01, 13.6, 100)),
                                       "2025-05-01"});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(other.error().message, HasSubstr("own province (02)"));
  auto activity = wf_->submit(
      planner, {"eore_sessions", "create", "",
                R"({"id":"EORE-5","date":"2025-04-10","province_code":"01","village_code":"01020101"})",
                "2025-05-01"});
  ASSERT_FALSE(activity);
  EXPECT_THAT(activity.error().message, HasSubstr("community requests"));
  EXPECT_TRUE(wf_->list(elsewhere)->empty());
  Principal donor{"usaid", Role::kDonor, "USAID", false};
  EXPECT_EQ(wf_->submit(donor, {"hazards", "create", "",
                                hazard_payload("KH-HZ-9", square_wkt(103.02, 13.6, 100)),
                                "2025-05-01"})
                .error()
                .code,
            ErrorCode::kPermissionDenied);
  EXPECT_TRUE(wf_->list(donor)->empty());
}

TEST_F(WorkflowTest, ApprovingAReportThatIsNotVerifiedFails) {
  SubmissionView s = submit(kDara, "hazards", hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 100)));
  auto r = wf_->approve(kSophea, s.id);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(r.error().message, HasSubstr("is submitted: only a verified report"));
}

TEST_F(WorkflowTest, OfTwoConcurrentApprovalsExactlyOneSucceeds) {
  SubmissionView s = submit(kDara, "hazards", hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 100)));
  auto v = wf_->verify(kChan, s.id);
  ASSERT_TRUE(v);
  // two server processes: two connections to the same file, both acting on the version they saw
  auto other = storage::open_store(path_.string());
  ASSERT_TRUE(other);
  Workflow wf2(**other);
  std::barrier sync(2);
  Result<ApprovalResult> r1 = fail(ErrorCode::kInternal, ""), r2 = r1;
  std::thread t1([&] {
    sync.arrive_and_wait();
    r1 = wf_->approve(kSophea, s.id, {"", v->version, false, ""});
  });
  std::thread t2([&] {
    sync.arrive_and_wait();
    r2 = wf2.approve(kVanna, s.id, {"", v->version, false, ""});
  });
  t1.join();
  t2.join();
  EXPECT_NE(r1.has_value(), r2.has_value());
  const auto& loser = r1 ? r2 : r1;
  ASSERT_FALSE(loser);
  EXPECT_EQ(loser.error().code, ErrorCode::kConflict) << loser.error().message;
  EXPECT_EQ(store_->history(core::schema(core::entity::kHazards), "KH-HZ-1")->size(), 1u);
}

// ---------------------------------------------------------------- reconciliation

TEST_F(WorkflowTest, ANearIdenticalHazardPolygonIsADuplicateCandidate) {
  through("hazards", hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 100)));
  // the same minefield walked again: 2 m further east (98 % overlap)
  SubmissionView s = submit(kDara, "hazards",
                            hazard_payload("KH-HZ-2", square_wkt(103.0000185, 13.6, 100)),
                            "2025-05-10");
  ASSERT_TRUE(wf_->verify(kChan, s.id));
  auto d = wf_->duplicate_candidates(kSophea, s.id);
  ASSERT_TRUE(d) << d.error().message;
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].id, "KH-HZ-1");
  EXPECT_THAT((*d)[0].reason, HasSubstr("intersection/union"));
  auto blind = wf_->approve(kSophea, s.id);
  ASSERT_FALSE(blind);
  EXPECT_THAT(blind.error().message, HasSubstr("duplicate candidate"));
  EXPECT_THAT(blind.error().message, HasSubstr("KH-HZ-1"));
  // merge: the report updates the existing hazard instead of creating a second one
  auto merged = wf_->approve(kSophea, s.id, {"same field", {}, false, "KH-HZ-1"});
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_THAT(merged->updated, ::testing::ElementsAre("hazards/KH-HZ-1"));
  EXPECT_FALSE(get(core::entity::kHazards, "KH-HZ-2"));
}

TEST_F(WorkflowTest, AHazardNextDoorIsNotADuplicate) {
  through("hazards", hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 100)));
  SubmissionView s = submit(kDara, "hazards",
                            hazard_payload("KH-HZ-2", square_wkt(103.0005, 13.6, 100)));  // 54 m east
  ASSERT_TRUE(wf_->verify(kChan, s.id));
  EXPECT_TRUE(wf_->duplicate_candidates(kSophea, s.id)->empty());
  EXPECT_TRUE(wf_->approve(kSophea, s.id));
}

TEST_F(WorkflowTest, TheSamePersonReportedTwiceIsADuplicateCandidate) {
  const std::string cas =
      R"({"id":"%ID%","date":"2025-04-02","province_code":"01","village_code":"01020101",)"
      R"("outcome":"injured","sex":"female","age":%AGE%,"category":"civilian"})";
  auto with = [&](std::string id, std::string age) {
    std::string p = cas;
    p.replace(p.find("%ID%"), 4, id);
    p.replace(p.find("%AGE%"), 5, age);
    return p;
  };
  through("casualties", with("CAS-1", "30"));
  SubmissionView s = submit(kDara, "casualties", with("CAS-2", "31"));
  SubmissionView other = submit(kDara, "casualties", with("CAS-3", "35"));
  ASSERT_TRUE(wf_->verify(kChan, s.id));
  ASSERT_TRUE(wf_->verify(kChan, other.id));
  auto d = wf_->duplicate_candidates(kSophea, s.id);
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].id, "CAS-1");
  EXPECT_THAT((*d)[0].reason, HasSubstr("same sex (female)"));
  EXPECT_TRUE(wf_->duplicate_candidates(kSophea, other.id)->empty());
  auto reviewed = wf_->approve(kSophea, s.id, {"two sisters, checked by phone", {}, true, ""});
  EXPECT_TRUE(reviewed) << reviewed.error().message;
}

TEST_F(WorkflowTest, AnOlderDateOfInformationDoesNotOverwriteNewerState) {
  // CMAC's hazard (recording_org), so that CMAC verifies the updates
  through("hazards", hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 100), R"("name":"May survey","recording_org":"CMAC",)"),
          "2025-05-01");
  const auto& hs = core::schema(core::entity::kHazards);
  // a report of March arrives late: approved, but only as history
  auto old = through("hazards",
                     hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 80), R"("name":"March survey","recording_org":"CMAC",)"),
                     "2025-03-01", {}, "update", "KH-HZ-1");
  EXPECT_EQ(old.submission.status, "approved");
  EXPECT_FALSE(old.changed_current_state);
  EXPECT_THAT(old.note, HasSubstr("not newer"));
  EXPECT_THAT(old.note, HasSubstr("2025-05-01"));
  EXPECT_EQ(core::get_text(hs, *get(core::entity::kHazards, "KH-HZ-1"), "name"), "May survey");
  // a June report moves it forward
  auto newer = through("hazards",
                       hazard_payload("KH-HZ-1", square_wkt(103, 13.6, 80), R"("name":"June survey","recording_org":"CMAC",)"),
                       "2025-06-01", {}, "update", "KH-HZ-1");
  EXPECT_TRUE(newer.changed_current_state);
  auto h = get(core::entity::kHazards, "KH-HZ-1");
  EXPECT_EQ(core::get_text(hs, *h, "name"), "June survey");
  EXPECT_NEAR(core::get_real(hs, *h, "remaining_m2"), 6400, 5);
  EXPECT_EQ(core::get_text(hs, *h, "status"), "open");
}

TEST_F(WorkflowTest, AnUpdateThatSkipsTheStatusLifecycleIsRefusedNamingTheHazardAndField) {
  const auto& hs = core::schema(core::entity::kHazards);
  const std::string wkt = square_wkt(103, 13.6, 100);
  through("hazards", hazard_payload("KH-HZ-1", wkt, R"("recording_org":"CMAC",)"), "2025-05-01");
  // open → handed_over: the land must be closed (released) before it is handed over; the
  // report is refused when it is submitted (and would be again at approval)
  auto a = wf_->submit(kDara, {"hazards", "update", "KH-HZ-1",
                               hazard_payload("KH-HZ-1", wkt,
                                              R"("recording_org":"CMAC","status":"handed_over",)"),
                               "2025-06-01"});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(a.error().message,
              HasSubstr("hazard KH-HZ-1: status: a hazard cannot go from open to handed_over"));
  ASSERT_EQ(a.error().details.size(), 1u);
  EXPECT_EQ(a.error().details[0].record, "hazard KH-HZ-1");
  EXPECT_EQ(a.error().details[0].field, "status");
  EXPECT_EQ(core::get_text(hs, *get(core::entity::kHazards, "KH-HZ-1"), "status"), "open");
  // the allowed path: closed (remaining becomes 0), then handed over
  auto closed = through("hazards",
                        hazard_payload("KH-HZ-1", wkt, R"("recording_org":"CMAC","status":"closed",)"),
                        "2025-06-02", {}, "update", "KH-HZ-1");
  EXPECT_TRUE(closed.changed_current_state);
  EXPECT_EQ(core::get_real(hs, *get(core::entity::kHazards, "KH-HZ-1"), "remaining_m2"), 0);
  auto handed = through("hazards",
                        hazard_payload("KH-HZ-1", wkt,
                                       R"("recording_org":"CMAC","status":"handed_over",)"),
                        "2025-06-03", {}, "update", "KH-HZ-1");
  EXPECT_TRUE(handed.changed_current_state);
  EXPECT_EQ(core::get_text(hs, *get(core::entity::kHazards, "KH-HZ-1"), "status"), "handed_over");
}

// ---------------------------------------------------------------- personal data

TEST_F(WorkflowTest, PersonalFieldReadsAreLoggedAndHiddenFromRolesWithoutAccess) {
  through("casualties",
          R"({"id":"CAS-1","date":"2025-04-02","province_code":"01","village_code":"01020101",)"
          R"("outcome":"injured","sex":"male","age":30,"category":"civilian",)"
          R"("name":"Sok Chea","contact":"012 345 678"})");
  const auto& cs = core::schema(core::entity::kCasualties);
  const int64_t before = access_log_count();
  auto officer = read_record(*store_, kDara, cs, "CAS-1", "dashboard", [this] { return now_; });
  ASSERT_TRUE(officer && *officer);
  EXPECT_EQ(core::get_text(cs, **officer, "name"), "");
  EXPECT_EQ(access_log_count(), before);
  auto analyst = read_record(*store_, kAnalyst, cs, "CAS-1", "victim assistance follow-up",
                             [this] { return now_; });
  ASSERT_TRUE(analyst && *analyst);
  EXPECT_EQ(core::get_text(cs, **analyst, "name"), "Sok Chea");
  EXPECT_EQ(access_log_count(), before + 1);
  bool found = false;
  const auto& ls = core::schema(core::entity::kAccessLog);
  ASSERT_TRUE(store_->scan(ls, [&](core::Record&& e) {
    found = found || (core::get_text(ls, e, "user") == "bopha" &&
                      core::get_text(ls, e, "record_id") == "CAS-1" &&
                      core::get_text(ls, e, "entity") == "casualties" &&
                      core::get_text(ls, e, "purpose") == "victim assistance follow-up" &&
                      core::get_text(ls, e, "at") == "2025-06-30T08:15:00Z");
    return true;
  }));
  EXPECT_TRUE(found);
  auto anon = read_record(*store_, Principal{}, cs, "CAS-1", "", {});
  EXPECT_FALSE(anon);
}

TEST_F(WorkflowTest, ReadingASubmissionWithPersonalDataIsLogged) {
  SubmissionView s = submit(kDara, "casualties",
                            R"({"id":"CAS-1","date":"2025-04-02","province_code":"01",)"
                            R"("village_code":"01020101","outcome":"injured","sex":"male",)"
                            R"("category":"civilian","residence":"house 12, Ou Thum"})");
  const int64_t before = access_log_count();
  auto got = wf_->get(kDara, s.id, "verification");
  ASSERT_TRUE(got);
  EXPECT_THAT(got->payload_json, HasSubstr("house 12"));
  EXPECT_EQ(access_log_count(), before + 1);
  EXPECT_TRUE(wf_->inbox(kChan)->front().payload_json.empty());  // listings carry no payload
}

}  // namespace
}  // namespace reclaim::workflow
