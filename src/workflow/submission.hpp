#pragma once
// The submission state machine and who may do what. Pure rules: no storage.
//
//   submitted --verify--> verified --approve--> approved
//       |                    |
//       +------reject--------+------reject----> rejected (with a comment)
//
//   operator data officer   submits its organisation's work and reports on hazards assigned to
//                           it; verifies and rejects the submitted reports routed to its
//                           organisation (boundary.hpp: a report about another organisation's
//                           record goes to the national data managers); sees its organisation's
//                           reports (submitted by it or routed to it) until they are approved
//   national data manager   verifies the reports routed nationally; approves or rejects
//                           verified reports
//   provincial planner      submits community requests (hazard reports of its province), sees
//                           its own submissions
//   administrator           everything a manager and an officer may do
//   analyst                 reads every submission; acts on none
//   donor, public           see no submissions
//
// Four eyes, for every role: nobody verifies or approves a submission they made.
#include <optional>
#include <string>
#include <string_view>

#include "auth/policy.hpp"
#include "common/error.hpp"

namespace reclaim::workflow {

enum class Status { kSubmitted, kVerified, kApproved, kRejected };

const char* status_name(Status s) noexcept;
std::optional<Status> parse_status(std::string_view s) noexcept;

/// What the rules need to know about a submission.
struct SubmissionFacts {
  std::string id;
  Status status = Status::kSubmitted;
  std::string org;
  std::string submitted_by;
  std::string verify_by;  ///< an organisation code or "national" (boundary.hpp)
};

/// Errors: kPermissionDenied, the message starting "not allowed:" and naming the rule (four
/// eyes, organisation boundary, role), or kFailedPrecondition when the report is in the wrong
/// state.
Result<void> may_submit(const auth::Principal& p);
Result<void> may_verify(const auth::Principal& p, const SubmissionFacts& s);
Result<void> may_reject(const auth::Principal& p, const SubmissionFacts& s);
Result<void> may_approve(const auth::Principal& p, const SubmissionFacts& s);
/// Does p take part in the report workflow at all (donors and the public do not)?
bool takes_part(const auth::Principal& p) noexcept;
/// May p see this submission (and its payload)?
bool may_view(const auth::Principal& p, const SubmissionFacts& s) noexcept;
/// Is it in p's inbox (waiting for p to act, or returned to p's organisation)?
bool in_inbox(const auth::Principal& p, const SubmissionFacts& s) noexcept;

/// The organisation a principal submits for ("national" for national roles without one; a
/// provincial planner without one submits for "province XX").
std::string submitting_org(const auth::Principal& p);

}  // namespace reclaim::workflow
