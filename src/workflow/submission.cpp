#include "workflow/submission.hpp"

namespace reclaim::workflow {
namespace {

using auth::Role;

std::string who(const auth::Principal& p) {
  return std::string(auth::role_name(p.role)) + " '" + p.user + "'";
}

Result<void> deny(const auth::Principal& p, const std::string& what, const std::string& why) {
  return fail(ErrorCode::kPermissionDenied,
              "not allowed: " + who(p) + " may not " + what + ": " + why);
}

Result<void> wrong_state(const SubmissionFacts& s, const std::string& what, Status needed) {
  return fail(ErrorCode::kFailedPrecondition,
              "submission " + s.id + " is " + status_name(s.status) + ": only a " +
                  status_name(needed) + " report can be " + what);
}

}  // namespace

const char* status_name(Status s) noexcept {
  switch (s) {
    case Status::kSubmitted: return "submitted";
    case Status::kVerified: return "verified";
    case Status::kApproved: return "approved";
    case Status::kRejected: return "rejected";
  }
  return "submitted";
}

std::optional<Status> parse_status(std::string_view s) noexcept {
  for (Status st : {Status::kSubmitted, Status::kVerified, Status::kApproved, Status::kRejected})
    if (s == status_name(st)) return st;
  return std::nullopt;
}

std::string submitting_org(const auth::Principal& p) {
  if (!p.org.empty()) return p.org;
  if (p.role == Role::kProvincialPlanner && !p.province.empty()) return "province " + p.province;
  return "national";
}

namespace {

constexpr const char* kNational = "national";

/// Four eyes: nobody verifies or approves what they submitted, whatever their role.
Result<void> not_own(const auth::Principal& p, const SubmissionFacts& s, const std::string& what) {
  if (s.submitted_by != p.user) return {};
  const std::string other = s.verify_by == kNational || what == "approve"
                                ? std::string("national data manager")
                                : s.verify_by + " data officer";
  return deny(p, what + " submission " + s.id,
              "four eyes: nobody verifies or approves their own submission (" + s.id +
                  " was submitted by " + p.user + "); another " + other + " must " + what +
                  " it");
}

std::string routed_to(const SubmissionFacts& s) {
  return s.verify_by == kNational ? std::string("the national data managers")
                                  : "organisation " + s.verify_by;
}

/// May p act as the verifier of s (verify, or reject before verification)?
Result<void> verifier(const auth::Principal& p, const SubmissionFacts& s, const std::string& what) {
  switch (p.role) {
    case Role::kAdministrator:
      return {};
    case Role::kOperatorDataOfficer:
      if (s.verify_by == p.org) return {};
      return deny(p, what + " submission " + s.id,
                  "organisation boundary: it is verified by " + routed_to(s) + ", not by " +
                      (p.org.empty() ? std::string("an officer without organisation") : p.org) +
                      (s.verify_by == kNational && s.org == p.org
                           ? " (it is about another organisation's record)"
                           : ""));
    case Role::kNationalDataManager:
      if (s.verify_by == kNational) return {};
      return deny(p, what + " submission " + s.id,
                  "organisation boundary: " + routed_to(s) +
                      " verifies it; national data managers approve or reject it once verified");
    default:
      return deny(p, what + " submission " + s.id,
                  "verification is for data officers and national data managers");
  }
}

}  // namespace

Result<void> may_submit(const auth::Principal& p) {
  if (!p.authenticated() || !auth::allowed(p, auth::Action::kSubmit))
    return deny(p, "submit reports",
                "submitting needs a data officer, planner, manager or administrator");
  if (p.role == Role::kOperatorDataOfficer && p.org.empty())
    return deny(p, "submit reports", "the account has no organisation");
  if (p.role == Role::kProvincialPlanner && p.province.empty())
    return deny(p, "submit reports", "the account has no province");
  return {};
}

Result<void> may_verify(const auth::Principal& p, const SubmissionFacts& s) {
  if (!p.authenticated() || !auth::allowed(p, auth::Action::kVerify))
    return deny(p, "verify submission " + s.id,
                "verification is for data officers and national data managers");
  if (auto ok = not_own(p, s, "verify"); !ok) return ok;
  if (auto ok = verifier(p, s, "verify"); !ok) return ok;
  if (s.status != Status::kSubmitted) return wrong_state(s, "verified", Status::kSubmitted);
  return {};
}

Result<void> may_reject(const auth::Principal& p, const SubmissionFacts& s) {
  if (!p.authenticated()) return deny(p, "reject submission " + s.id, "not signed in");
  if (auth::allowed(p, auth::Action::kApprove)) {
    if (s.status != Status::kSubmitted && s.status != Status::kVerified)
      return wrong_state(s, "rejected", Status::kVerified);
    return {};
  }
  if (p.role == Role::kOperatorDataOfficer) {
    if (auto ok = verifier(p, s, "reject"); !ok) return ok;
    if (s.status != Status::kSubmitted)
      return wrong_state(s, "rejected by its organisation", Status::kSubmitted);
    return {};
  }
  return deny(p, "reject submission " + s.id, "rejecting needs a data officer or manager");
}

Result<void> may_approve(const auth::Principal& p, const SubmissionFacts& s) {
  if (!p.authenticated() || !auth::allowed(p, auth::Action::kApprove))
    return deny(p, "approve submission " + s.id,
                "approval is for national data managers and administrators");
  if (auto ok = not_own(p, s, "approve"); !ok) return ok;
  if (s.status != Status::kVerified) return wrong_state(s, "approved", Status::kVerified);
  return {};
}

bool takes_part(const auth::Principal& p) noexcept {
  return p.authenticated() && p.role != Role::kDonor && p.role != Role::kPublic;
}

bool may_view(const auth::Principal& p, const SubmissionFacts& s) noexcept {
  if (!p.authenticated()) return false;
  switch (p.role) {
    case Role::kAdministrator:
    case Role::kNationalDataManager:
    case Role::kAnalyst:
      return true;
    case Role::kOperatorDataOfficer:
      return !p.org.empty() && (p.org == s.org || p.org == s.verify_by) &&
             s.status != Status::kApproved;
    case Role::kProvincialPlanner:
      return s.submitted_by == p.user;
    case Role::kDonor:
    case Role::kPublic:
      return false;
  }
  return false;
}

bool in_inbox(const auth::Principal& p, const SubmissionFacts& s) noexcept {
  if (!p.authenticated()) return false;
  const bool own = s.submitted_by == p.user;
  const bool to_verify = s.status == Status::kSubmitted && !own;
  switch (p.role) {
    case Role::kOperatorDataOfficer:
      return (to_verify && !p.org.empty() && s.verify_by == p.org) ||
             (s.status == Status::kRejected && !p.org.empty() && s.org == p.org);
    case Role::kNationalDataManager:
      return (to_verify && s.verify_by == kNational) || (s.status == Status::kVerified && !own);
    case Role::kAdministrator:
      return to_verify || (s.status == Status::kVerified && !own);
    case Role::kProvincialPlanner:
      return own && s.status == Status::kRejected;
    default:
      return false;
  }
}

}  // namespace reclaim::workflow
