#pragma once
// The submission state machine and who may do what. Pure rules: no storage.
//
//   submitted --verify--> verified --approve--> approved
//       |                    |
//       +------reject--------+------reject----> rejected (with a comment)
//
//   operator data officer   submits for its own organisation; verifies and rejects its own
//                           organisation's submitted reports; sees only its own organisation's
//                           reports that are not yet approved
//   national data manager   approves or rejects verified reports, but not its own submissions
//                           (four eyes: auth::may_approve_own)
//   administrator           everything
//   analyst                 reads every submission; acts on none
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
};

/// Errors (all kFailedPrecondition, the message saying who may not do what and why):
Result<void> may_submit(const auth::Principal& p);
Result<void> may_verify(const auth::Principal& p, const SubmissionFacts& s);
Result<void> may_reject(const auth::Principal& p, const SubmissionFacts& s);
Result<void> may_approve(const auth::Principal& p, const SubmissionFacts& s);
/// May p see this submission (and its payload)?
bool may_view(const auth::Principal& p, const SubmissionFacts& s) noexcept;
/// Is it in p's inbox (waiting for p to act, or returned to p's organisation)?
bool in_inbox(const auth::Principal& p, const SubmissionFacts& s) noexcept;

/// The organisation a principal submits for ("national" for national roles without one).
std::string submitting_org(const auth::Principal& p);

}  // namespace reclaim::workflow
