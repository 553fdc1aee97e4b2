#pragma once
// The report workflow as the facade offers it to the HTTP server and the CLI: submit, verify,
// approve or reject, inboxes, duplicate candidates, and record reads that protect personal data
// (blanked for roles that may not see it, logged in access_log for those that may).
// The rules themselves live in workflow/ (workflow.hpp states them).
// Thread rules: like the Store it is given, one thread at a time.
#include <optional>
#include <string>
#include <vector>

#include "auth/clock.hpp"
#include "auth/policy.hpp"
#include "common/error.hpp"
#include "storage/store.hpp"
#include "workflow/workflow.hpp"

namespace reclaim::app {

class WorkflowService {
 public:
  explicit WorkflowService(storage::Store& store, auth::Clock clock = {});

  Result<workflow::SubmissionView> submit(const auth::Principal& who,
                                          const workflow::Report& report);
  Result<workflow::SubmissionView> verify(const auth::Principal& who, const std::string& id,
                                          std::optional<int64_t> expected_version = {});
  Result<workflow::SubmissionView> reject(const auth::Principal& who, const std::string& id,
                                          const std::string& comment,
                                          std::optional<int64_t> expected_version = {});
  Result<std::vector<workflow::DuplicateCandidate>> duplicate_candidates(
      const auth::Principal& who, const std::string& id);
  Result<workflow::ApprovalResult> approve(const auth::Principal& who, const std::string& id,
                                           const workflow::ApproveOptions& options = {});
  Result<std::vector<workflow::SubmissionView>> inbox(const auth::Principal& who);
  Result<std::vector<workflow::SubmissionView>> submissions(const auth::Principal& who);
  Result<workflow::SubmissionView> submission(const auth::Principal& who, const std::string& id,
                                              const std::string& purpose);

  /// A record of a public entity ("casualties", also "casualty") for `who`: personal fields
  /// blanked unless who may read personal data, in which case the read is logged (who, when,
  /// entity, record, purpose). Errors: kInvalidArgument (entity), kFailedPrecondition (role).
  Result<std::optional<core::Record>> read_record(const auth::Principal& who,
                                                  const std::string& entity,
                                                  const std::string& id,
                                                  const std::string& purpose);

 private:
  storage::Store& store_;
  auth::Clock clock_;
  workflow::Workflow workflow_;
};

}  // namespace reclaim::app
