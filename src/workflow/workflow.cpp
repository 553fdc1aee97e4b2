#include "workflow/workflow.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/entities.hpp"
#include "core/land_release.hpp"
#include "core/validate.hpp"
#include "workflow/access_log.hpp"
#include "workflow/boundary.hpp"
#include "workflow/payload.hpp"

namespace reclaim::workflow {
namespace {

const core::EntitySchema& subs() { return core::schema(core::entity::kSubmissions); }

constexpr std::string_view kReportEntities[] = {
    core::entity::kHazards,    core::entity::kActivities,   core::entity::kAccidents,
    core::entity::kCasualties, core::entity::kEoreSessions, core::entity::kAssistance,
    core::entity::kEoFinds};

SubmissionView view_of(const core::Record& r, bool with_payload) {
  const auto& s = subs();
  auto t = [&](const char* f) { return core::get_text(s, r, f); };
  SubmissionView v{r.id(),          t("entity"),      t("action"),      t("target_id"),
                   t("date_of_information"), t("status"), t("org"),     t("submitted_by"),
                   t("submitted_at"), t("verified_by"), t("verified_at"), t("decided_by"),
                   t("decided_at"),  t("comment"),     t("result_id"),   "", r.version};
  if (with_payload) v.payload_json = t("payload");
  v.verify_by = t("verify_by");
  if (v.verify_by.empty()) v.verify_by = v.org;  // written before routing existed
  return v;
}

SubmissionFacts facts_of(const SubmissionView& v) {
  return {v.id, parse_status(v.status).value_or(Status::kSubmitted), v.org, v.submitted_by,
          v.verify_by};
}

/// A provincial planner submits community requests: new hazard reports of its own province.
/// Checked before the payload is validated (a payload it cannot read is plan()'s to report).
Result<void> planner_may_submit(const auth::Principal& who, const Report& report) {
  if (who.role != auth::Role::kProvincialPlanner) return {};
  const std::string what = std::string("not allowed: provincial_planner '") + who.user + "' ";
  if (report.entity != core::entity::kHazards || report.action != "create")
    return fail(ErrorCode::kPermissionDenied,
                what + "may not submit a " + report.action + " of " + report.entity +
                    ": provincial planners submit community requests (new hazard reports)");
  auto parts = payload_to_raw(core::schema(core::entity::kHazards), report.payload_json);
  if (!parts || parts->empty()) return {};
  std::string province;
  for (const auto& [name, value] : parts->front().raw.fields)
    if (name == "province_code") province = value;
  if (province != who.province)
    return fail(Error{ErrorCode::kPermissionDenied,
                      what + "may not report in province " + province +
                          ": planners report in their own province (" + who.province + ")",
                      {{"report", "province_code", "is not the planner's province " +
                                                       who.province}}});
  return {};
}

std::string label(const core::EntitySchema& s, const std::string& id) {
  return s.singular + " " + id;
}

std::string m2(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f m²", v);
  return buf;
}

/// An update keeps what Reclaim derived (land-release totals) and what the report left out of
/// the hazard's status; the rest of the record is the report's.
Result<core::Record> merge_update(const core::EntitySchema& s, const core::Record& existing,
                                  core::Record report, const core::RawRecord& raw) {
  report.version = existing.version;
  for (size_t i = 0; i < s.fields.size(); ++i)
    if (s.fields[i].derived) report.values[i] = existing.values[i];
  if (s.name != core::entity::kHazards) return report;
  const bool gave_status = std::any_of(raw.fields.begin(), raw.fields.end(), [](const auto& kv) {
    return kv.first == "status" && !kv.second.empty();
  });
  if (!gave_status) core::set(s, report, "status", core::get(s, existing, "status"));
  // the schema has checked the report's status; the stored one may be empty (a direct edit)
  const auto from = core::parse_status(core::get_text(s, existing, "status"));
  const auto to = core::parse_status(core::get_text(s, report, "status"));
  if (from && to)
    if (auto t = core::check_transition(*from, *to); !t)
      return fail(Error{ErrorCode::kFailedPrecondition,
                        label(s, report.id()) + ": status: " + t.error().message,
                        {{label(s, report.id()), "status", t.error().message}}});
  const double baseline = core::get_real(s, report, "estimated_area_m2");
  const double released = core::get_real(s, report, "cancelled_m2") +
                          core::get_real(s, report, "reduced_m2") +
                          core::get_real(s, report, "cleared_m2");
  double remaining = baseline - released;
  if (remaining < -core::kAreaToleranceM2)
    return fail(ErrorCode::kFailedPrecondition,
                "hazard " + report.id() + ": the reported estimated area " + m2(baseline) +
                    " is less than the " + m2(released) + " already released");
  if (remaining < core::kAreaToleranceM2 || (to && core::is_released(*to))) remaining = 0;
  core::set(s, report, "remaining_m2", remaining);
  return report;
}

}  // namespace

struct Workflow::Context {
  core::Gazetteer gazetteer;
  std::unique_ptr<core::ProvinceLocator> provinces;
};

struct Workflow::Plan {
  std::vector<storage::Change> changes;
  std::vector<std::string> created, updated;
  std::vector<DuplicateCandidate> duplicates;
  bool changes_current = true;
  std::string note;
  std::string result_id;
};

Workflow::Workflow(storage::Store& store, auth::Clock clock)
    : store_(store), clock_(auth::or_system(std::move(clock))) {}
Workflow::~Workflow() = default;

Result<void> Workflow::load_context() {
  if (ctx_) return {};
  auto units = store_.admin_units();
  if (!units) return fail(units.error());
  if (units->empty())
    return fail(ErrorCode::kFailedPrecondition,
                "the database has no gazetteer: run `reclaim init` first");
  auto bounds = store_.admin_boundaries();
  if (!bounds) return fail(bounds.error());
  auto c = std::make_unique<Context>();
  c->gazetteer = core::Gazetteer(std::move(*units));
  if (!bounds->empty()) c->provinces = std::make_unique<core::ProvinceLocator>(*bounds);
  ctx_ = std::move(c);
  return {};
}

Result<core::Record> Workflow::load(const std::string& id) {
  auto r = store_.get(subs(), id);
  if (!r) return fail(r.error());
  if (!*r) return fail(ErrorCode::kNotFound, "submission " + id + " does not exist");
  return std::move(**r);
}

Result<Workflow::Plan> Workflow::plan(const SubmissionView& sub, const ApproveOptions& opt,
                                      bool for_approval) {
  const core::EntitySchema* sp = core::find_schema(sub.entity);
  if (!sp || std::find(std::begin(kReportEntities), std::end(kReportEntities), sp->name) ==
                 std::end(kReportEntities))
    return fail(ErrorCode::kInvalidArgument, "reports cannot be of entity '" + sub.entity + "'");
  const core::EntitySchema& s = *sp;
  auto info_date = parse_date(sub.date_of_information);
  if (!info_date) return fail(info_date.error());
  if (auto ok = load_context(); !ok) return fail(ok.error());

  auto parts = payload_to_raw(s, sub.payload_json);
  if (!parts) return fail(parts.error());
  core::ValidationContext vctx{&ctx_->gazetteer, ctx_->provinces.get(), today(), 3000};
  std::vector<core::Record> recs;
  std::vector<FieldError> errors;
  for (const auto& part : *parts) {
    auto r = core::parse_record(*part.schema, part.raw, vctx);
    if (!r) {
      for (auto& d : r.error().details) errors.push_back(std::move(d));
      recs.push_back(core::make_record(*part.schema));
    } else {
      recs.push_back(std::move(*r));
    }
  }
  auto invalid = [&](std::vector<FieldError> errs) {
    std::string msg = s.singular + " report " + (sub.id.empty() ? "" : sub.id + " ") +
                      "is invalid: " + errs.front().record + ": " + errs.front().field + " " +
                      errs.front().message;
    if (errs.size() > 1) msg += " (and " + std::to_string(errs.size() - 1) + " more)";
    return fail(Error{ErrorCode::kInvalidArgument, msg, std::move(errs)});
  };
  if (!errors.empty()) return invalid(std::move(errors));

  core::Record& main = recs.front();
  // An accident report's casualties belong to its accident.
  const auto& cas = core::schema(core::entity::kCasualties);
  for (size_t i = 1; i < recs.size(); ++i) {
    const std::string aid = core::get_text(cas, recs[i], "accident_id");
    if (aid.empty()) core::set(cas, recs[i], "accident_id", main.id());
    else if (aid != main.id())
      errors.push_back({label(cas, recs[i].id()), "accident_id",
                        "is " + aid + " but the report is for accident " + main.id()});
  }

  std::string action = sub.action;
  std::string target = sub.target_id;
  if (!opt.update_target.empty()) {
    if (recs.size() != 1 || s.name == core::entity::kActivities)
      return fail(ErrorCode::kInvalidArgument,
                  "only a single-record report other than an activity can be merged into an "
                  "existing record");
    action = "update";
    target = opt.update_target;
    core::set(s, main, s.id_field().name, target);
  }

  std::set<std::pair<std::string, std::string>> pending;
  if (action == "create")
    for (size_t i = 0; i < recs.size(); ++i)
      pending.insert({(*parts)[i].schema->name, recs[i].id()});
  for (size_t i = 0; i < recs.size(); ++i) {
    const auto& ps = *(*parts)[i].schema;
    auto missing = missing_references(store_, ps, recs[i], label(ps, recs[i].id()), pending);
    if (!missing) return fail(missing.error());
    for (auto& e : *missing) errors.push_back(std::move(e));
  }
  if (!errors.empty()) return invalid(std::move(errors));

  Plan p;
  p.result_id = action == "update" ? target : main.id();
  const std::string src = "submission " + sub.id;

  if (s.name == core::entity::kActivities) {
    if (action != "create")
      return fail(ErrorCode::kUnsupported,
                  "activity reports create activities; correct an activity with a new report");
    auto have = store_.existing_ids(s, {main.id()});
    if (!have) return fail(have.error());
    if (!have->empty())
      return fail(ErrorCode::kAlreadyExists, "activity " + main.id() + " already exists");
    const auto& hs = core::schema(core::entity::kHazards);
    const std::string hid = core::get_text(s, main, "hazard_id");
    auto hazard = store_.get(hs, hid);
    if (!hazard) return fail(hazard.error());
    if (!*hazard) return fail(ErrorCode::kNotFound, "hazard " + hid + " does not exist");
    core::Record h = std::move(**hazard);
    if (auto ok = core::apply_activity(h, main); !ok)
      return fail(Error{ok.error().code, ok.error().message,
                        {{label(s, main.id()), core::release_field(main), ok.error().message}}});
    p.created.push_back(s.name + "/" + main.id());
    p.updated.push_back(hs.name + "/" + hid);
    p.changes.push_back({storage::ChangeOp::kInsert, &s, std::move(main), src});
    p.changes.push_back({storage::ChangeOp::kUpdate, &hs, std::move(h), src});
    return p;
  }

  if (action == "create") {
    for (size_t i = 0; i < recs.size(); ++i) {
      const auto& ps = *(*parts)[i].schema;
      auto have = store_.existing_ids(ps, {recs[i].id()});
      if (!have) return fail(have.error());
      if (!have->empty())
        return fail(ErrorCode::kAlreadyExists,
                    label(ps, recs[i].id()) + " already exists: submit an update (action update, "
                                              "target_id " + recs[i].id() + ")");
      if (for_approval) {
        Result<std::vector<DuplicateCandidate>> d = std::vector<DuplicateCandidate>{};
        if (ps.name == core::entity::kHazards) d = hazard_duplicates(store_, recs[i]);
        else if (ps.name == core::entity::kCasualties) d = casualty_duplicates(store_, recs[i]);
        if (!d) return fail(d.error());
        for (auto& c : *d) p.duplicates.push_back(std::move(c));
      }
    }
    for (size_t i = 0; i < recs.size(); ++i) {
      const auto& ps = *(*parts)[i].schema;
      p.created.push_back(ps.name + "/" + recs[i].id());
      p.changes.push_back({storage::ChangeOp::kInsert, &ps, std::move(recs[i]), src});
    }
    return p;
  }

  // update
  if (recs.size() != 1)
    return fail(ErrorCode::kInvalidArgument,
                "an update changes one record: send the accident and its casualties separately");
  if (target.empty())
    return fail(ErrorCode::kInvalidArgument, "an update report needs target_id");
  if (main.id() != target)
    return fail(Error{ErrorCode::kInvalidArgument,
                      s.singular + " report: payload id " + main.id() + " is not target_id " +
                          target,
                      {{label(s, main.id()), s.id_field().name, "differs from target_id"}}});
  auto existing = store_.get(s, target);
  if (!existing) return fail(existing.error());
  if (!*existing) return fail(ErrorCode::kNotFound, label(s, target) + " does not exist");
  auto known = known_information_date(store_, s, **existing);
  if (!known) return fail(known.error());
  if (*known && !(*info_date > **known)) {
    p.changes_current = false;
    p.note = "the report's information of " + info_date->iso() + " is not newer than what " +
             label(s, target) + " already knows (" + (*known)->iso() +
             "): approved as historical; current state unchanged";
    return p;
  }
  auto merged = merge_update(s, **existing, std::move(main), (*parts)[0].raw);
  if (!merged) return fail(merged.error());
  p.updated.push_back(s.name + "/" + target);
  p.changes.push_back({storage::ChangeOp::kUpdate, &s, std::move(*merged), src});
  return p;
}

Result<SubmissionView> Workflow::submit(const auth::Principal& who, const Report& report) {
  if (auto ok = may_submit(who); !ok) return fail(ok.error());
  if (auto ok = planner_may_submit(who, report); !ok) return fail(ok.error());
  if (report.action != "create" && report.action != "update")
    return fail(ErrorCode::kInvalidArgument,
                "action must be create or update, not '" + report.action + "'");
  if (report.action == "update" && report.target_id.empty())
    return fail(ErrorCode::kInvalidArgument, "an update report needs target_id");
  auto info = parse_date(report.date_of_information);
  if (!info)
    return fail(Error{ErrorCode::kInvalidArgument,
                      "date_of_information: " + info.error().message,
                      {{"report", "date_of_information", info.error().message}}});
  if (*info > today())
    return fail(Error{ErrorCode::kInvalidArgument,
                      "date_of_information " + info->iso() + " is in the future",
                      {{"report", "date_of_information", "is in the future"}}});

  SubmissionView v;
  v.entity = report.entity;
  v.action = report.action;
  v.target_id = report.target_id;
  v.payload_json = report.payload_json;
  v.date_of_information = info->iso();
  auto p = plan(v, {}, false);  // the same checks as at approval, duplicates aside
  if (!p) return fail(p.error());
  const core::EntitySchema& es = core::schema(v.entity);  // plan() checked the entity
  auto parts = payload_to_raw(es, v.payload_json);
  if (!parts) return fail(parts.error());
  auto routing = route_report(store_, who, es, v.action, v.target_id, *parts);
  if (!routing) return fail(routing.error());

  const auto& s = subs();
  const std::string now = auth::iso_utc(clock_());
  core::Record r = core::make_record(s);
  core::set(s, r, "entity", v.entity);
  core::set(s, r, "action", v.action);
  if (!v.target_id.empty()) core::set(s, r, "target_id", v.target_id);
  core::set(s, r, "payload", v.payload_json);
  core::set(s, r, "date_of_information", v.date_of_information);
  core::set(s, r, "status", std::string(status_name(Status::kSubmitted)));
  core::set(s, r, "org", submitting_org(who));
  core::set(s, r, "submitted_by", who.user);
  core::set(s, r, "submitted_at", now);
  core::set(s, r, "verify_by", routing->verify_by);
  auto n = store_.count(s);
  if (!n) return fail(n.error());
  for (int64_t next = *n + 1, tries = 0; tries < 20; ++next, ++tries) {
    char id[32];
    std::snprintf(id, sizeof id, "SUB-%06lld", static_cast<long long>(next));
    core::set(s, r, "id", std::string(id));
    storage::ChangeSet cs{{who.user, "", std::string("submission ") + id + " submitted (" +
                                             v.entity + ", " + v.action + "); " +
                                             routing->reason},
                          {{storage::ChangeOp::kInsert, &s, r, "workflow"}}};
    auto c = store_.commit(cs);
    if (c) {
      r.version = 1;
      return view_of(r, true);
    }
    if (c.error().code != ErrorCode::kAlreadyExists) return fail(c.error());
  }
  return fail(ErrorCode::kConflict, "could not allocate a submission id: try again");
}

Result<SubmissionView> Workflow::verify(const auth::Principal& who, const std::string& id,
                                        std::optional<int64_t> expected_version) {
  auto r = load(id);
  if (!r) return fail(r.error());
  SubmissionView v = view_of(*r, false);
  if (expected_version && *expected_version != r->version)
    return fail(ErrorCode::kConflict, "submission " + id + " changed since it was read");
  if (auto ok = may_verify(who, facts_of(v)); !ok) return fail(ok.error());
  const auto& s = subs();
  core::set(s, *r, "status", std::string(status_name(Status::kVerified)));
  core::set(s, *r, "verified_by", who.user);
  core::set(s, *r, "verified_at", auth::iso_utc(clock_()));
  storage::ChangeSet cs{{who.user, "", "submission " + id + " verified"},
                        {{storage::ChangeOp::kUpdate, &s, *r, "workflow"}}};
  if (auto c = store_.commit(cs); !c) return fail(c.error());
  ++r->version;
  return view_of(*r, false);
}

Result<SubmissionView> Workflow::reject(const auth::Principal& who, const std::string& id,
                                        const std::string& comment,
                                        std::optional<int64_t> expected_version) {
  if (comment.find_first_not_of(" \t\r\n") == std::string::npos)
    return fail(Error{ErrorCode::kInvalidArgument, "a rejection needs a comment saying why",
                      {{id, "comment", "is missing (required to reject)"}}});
  auto r = load(id);
  if (!r) return fail(r.error());
  SubmissionView v = view_of(*r, false);
  if (expected_version && *expected_version != r->version)
    return fail(ErrorCode::kConflict, "submission " + id + " changed since it was read");
  if (auto ok = may_reject(who, facts_of(v)); !ok) return fail(ok.error());
  const auto& s = subs();
  core::set(s, *r, "status", std::string(status_name(Status::kRejected)));
  core::set(s, *r, "decided_by", who.user);
  core::set(s, *r, "decided_at", auth::iso_utc(clock_()));
  core::set(s, *r, "comment", comment);
  storage::ChangeSet cs{{who.user, "", "submission " + id + " rejected: " + comment},
                        {{storage::ChangeOp::kUpdate, &s, *r, "workflow"}}};
  if (auto c = store_.commit(cs); !c) return fail(c.error());
  ++r->version;
  return view_of(*r, false);
}

Result<std::vector<DuplicateCandidate>> Workflow::duplicate_candidates(
    const auth::Principal& who, const std::string& id) {
  auto r = load(id);
  if (!r) return fail(r.error());
  SubmissionView v = view_of(*r, true);
  if (!may_view(who, facts_of(v)))
    return fail(ErrorCode::kNotFound, "submission " + id + " does not exist");
  if (v.action != "create") return std::vector<DuplicateCandidate>{};
  auto p = plan(v, {}, true);
  if (!p) return fail(p.error());
  return std::move(p->duplicates);
}

Result<ApprovalResult> Workflow::approve(const auth::Principal& who, const std::string& id,
                                         const ApproveOptions& opt) {
  auto r = load(id);
  if (!r) return fail(r.error());
  SubmissionView v = view_of(*r, true);
  if (opt.expected_version && *opt.expected_version != r->version)
    return fail(ErrorCode::kConflict, "submission " + id + " changed since it was read (version " +
                                          std::to_string(r->version) + ", expected " +
                                          std::to_string(*opt.expected_version) + ")");
  if (auto ok = may_approve(who, facts_of(v)); !ok) return fail(ok.error());
  auto p = plan(v, opt, true);
  // A concurrent approval may have landed while this one was planning (its new record then
  // looks like a duplicate or a clash): report it as the conflict it is.
  if (auto again = load(id); again && again->version != r->version)
    return fail(ErrorCode::kConflict, "submission " + id + " was changed by someone else while " +
                                          "it was being approved (version " +
                                          std::to_string(again->version) + ", you had " +
                                          std::to_string(r->version) + "): reload it");
  if (!p) return fail(p.error());
  if (!p->duplicates.empty() && !opt.duplicates_reviewed && opt.update_target.empty()) {
    std::vector<FieldError> details;
    std::string list;
    for (const auto& d : p->duplicates) {
      details.push_back({d.report_record, "duplicate", d.entity + " " + d.id + ": " + d.reason});
      list += (list.empty() ? "" : ", ") + d.entity + " " + d.id;
    }
    return fail(Error{ErrorCode::kFailedPrecondition,
                      "submission " + id + " has " + std::to_string(p->duplicates.size()) +
                          " duplicate candidate(s) (" + list +
                          "): review them, then approve as new (duplicates reviewed) or merge "
                          "into one (update target)",
                      std::move(details)});
  }

  const auto& s = subs();
  core::set(s, *r, "status", std::string(status_name(Status::kApproved)));
  core::set(s, *r, "decided_by", who.user);
  core::set(s, *r, "decided_at", auth::iso_utc(clock_()));
  if (!opt.comment.empty()) core::set(s, *r, "comment", opt.comment);
  core::set(s, *r, "result_id", p->result_id);
  std::string reason = "submission " + id + " approved; " +
                       information_tag(*parse_date(v.date_of_information));
  if (!p->changes_current) reason += "; historical: current state unchanged";
  storage::ChangeSet cs;
  cs.source = {who.user, "", reason};
  // The submission first: a concurrent approval fails here with kConflict before anything else.
  cs.changes.push_back({storage::ChangeOp::kUpdate, &s, *r, "workflow"});
  for (auto& c : p->changes) cs.changes.push_back(std::move(c));
  if (auto c = store_.commit(cs); !c) return fail(c.error());
  ++r->version;
  ApprovalResult out;
  out.submission = view_of(*r, false);
  out.created = std::move(p->created);
  out.updated = std::move(p->updated);
  out.changed_current_state = p->changes_current;
  out.note = std::move(p->note);
  return out;
}

Result<std::vector<SubmissionView>> Workflow::list(const auth::Principal& who) {
  std::vector<SubmissionView> out;
  auto r = store_.scan(subs(), [&](core::Record&& rec) {
    SubmissionView v = view_of(rec, false);
    if (may_view(who, facts_of(v))) out.push_back(std::move(v));
    return true;
  });
  if (!r) return fail(r.error());
  return out;
}

Result<std::vector<SubmissionView>> Workflow::inbox(const auth::Principal& who) {
  std::vector<SubmissionView> out;
  auto r = store_.scan(subs(), [&](core::Record&& rec) {
    SubmissionView v = view_of(rec, false);
    if (in_inbox(who, facts_of(v))) out.push_back(std::move(v));
    return true;
  });
  if (!r) return fail(r.error());
  return out;
}

Result<SubmissionView> Workflow::get(const auth::Principal& who, const std::string& id,
                                     const std::string& purpose) {
  auto r = load(id);
  if (!r) return fail(r.error());
  SubmissionView v = view_of(*r, true);
  if (!may_view(who, facts_of(v)))
    return fail(ErrorCode::kNotFound, "submission " + id + " does not exist");
  const core::EntitySchema* sp = core::find_schema(v.entity);
  bool personal = false;
  if (sp)
    if (auto parts = payload_to_raw(*sp, v.payload_json))
      for (const auto& part : *parts)
        for (const auto& [name, value] : part.raw.fields) {
          const int idx = part.schema->index_of(name);
          if (idx >= 0 && part.schema->fields[static_cast<size_t>(idx)].personal &&
              !value.empty())
            personal = true;
        }
  if (personal)
    if (auto logged = log_personal_access(store_, who, subs().name, id, purpose, clock_); !logged)
      return fail(logged.error());
  return v;
}

}  // namespace reclaim::workflow
