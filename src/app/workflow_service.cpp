#include "app/workflow_service.hpp"

#include "app/service.hpp"
#include "workflow/access_log.hpp"

namespace reclaim::app {

WorkflowService::WorkflowService(storage::Store& store, auth::Clock clock)
    : store_(store), clock_(auth::or_system(std::move(clock))), workflow_(store, clock_) {}

Result<workflow::SubmissionView> WorkflowService::submit(const auth::Principal& who,
                                                         const workflow::Report& report) {
  return workflow_.submit(who, report);
}
Result<workflow::SubmissionView> WorkflowService::verify(const auth::Principal& who,
                                                         const std::string& id,
                                                         std::optional<int64_t> v) {
  return workflow_.verify(who, id, v);
}
Result<workflow::SubmissionView> WorkflowService::reject(const auth::Principal& who,
                                                         const std::string& id,
                                                         const std::string& comment,
                                                         std::optional<int64_t> v) {
  return workflow_.reject(who, id, comment, v);
}
Result<std::vector<workflow::DuplicateCandidate>> WorkflowService::duplicate_candidates(
    const auth::Principal& who, const std::string& id) {
  return workflow_.duplicate_candidates(who, id);
}
Result<workflow::ApprovalResult> WorkflowService::approve(const auth::Principal& who,
                                                          const std::string& id,
                                                          const workflow::ApproveOptions& o) {
  return workflow_.approve(who, id, o);
}
Result<std::vector<workflow::SubmissionView>> WorkflowService::inbox(const auth::Principal& who) {
  return workflow_.inbox(who);
}
Result<std::vector<workflow::SubmissionView>> WorkflowService::submissions(
    const auth::Principal& who) {
  return workflow_.list(who);
}
Result<workflow::SubmissionView> WorkflowService::submission(const auth::Principal& who,
                                                             const std::string& id,
                                                             const std::string& purpose) {
  return workflow_.get(who, id, purpose);
}

Result<std::optional<core::Record>> WorkflowService::read_record(const auth::Principal& who,
                                                                 const std::string& entity,
                                                                 const std::string& id,
                                                                 const std::string& purpose) {
  auto sp = entity_schema(entity);
  if (!sp) return fail(sp.error());
  return workflow::read_record(store_, who, **sp, id, purpose, clock_);
}

}  // namespace reclaim::app
