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

std::string submitting_org(const auth::Principal& p) { return p.org.empty() ? "national" : p.org; }

Result<void> may_submit(const auth::Principal& p) {
  if (!p.authenticated() || !auth::allowed(p, auth::Action::kSubmit))
    return deny(p, "submit reports", "submitting needs a data officer, manager or administrator");
  if (p.role == Role::kOperatorDataOfficer && p.org.empty())
    return deny(p, "submit reports", "the account has no organisation");
  return {};
}

Result<void> may_verify(const auth::Principal& p, const SubmissionFacts& s) {
  if (!p.authenticated() || !auth::allowed(p, auth::Action::kVerify))
    return deny(p, "verify submission " + s.id, "verification is for operator data officers");
  if (p.role == Role::kOperatorDataOfficer && p.org != s.org)
    return deny(p, "verify submission " + s.id,
                "it belongs to organisation " + s.org + ", not " + p.org);
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
    if (p.org != s.org)
      return deny(p, "reject submission " + s.id,
                  "it belongs to organisation " + s.org + ", not " + p.org);
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
  if (s.submitted_by == p.user && !auth::may_approve_own(p.role))
    return deny(p, "approve submission " + s.id,
                "it is their own submission (four eyes: another manager must approve it)");
  if (s.status != Status::kVerified) return wrong_state(s, "approved", Status::kVerified);
  return {};
}

bool may_view(const auth::Principal& p, const SubmissionFacts& s) noexcept {
  switch (p.role) {
    case Role::kAdministrator:
    case Role::kNationalDataManager:
    case Role::kAnalyst:
      return p.authenticated();
    case Role::kOperatorDataOfficer:
      return p.authenticated() && p.org == s.org && s.status != Status::kApproved;
    case Role::kPublic:
      return false;
  }
  return false;
}

bool in_inbox(const auth::Principal& p, const SubmissionFacts& s) noexcept {
  if (!p.authenticated()) return false;
  switch (p.role) {
    case Role::kOperatorDataOfficer:
      return p.org == s.org && (s.status == Status::kSubmitted || s.status == Status::kRejected);
    case Role::kNationalDataManager:
      return s.status == Status::kVerified;
    case Role::kAdministrator:
      return s.status == Status::kSubmitted || s.status == Status::kVerified;
    default:
      return false;
  }
}

}  // namespace reclaim::workflow
