#pragma once
// The report workflow on a Store: submit -> verify -> approve | reject, inboxes, duplicate
// candidates and reconciliation on approval. Every step is a Store::commit whose ChangeSource
// names the submission, so the submission's and the affected records' histories tell the story.
//
// Approval (approve):
//   * re-validates the payload (core::parse_record, references) against today's record;
//   * refuses while duplicate candidates exist unless the approver says they were reviewed
//     (duplicates_reviewed) or merges into one (update_target);
//   * create: inserts the record(s); activity: also applies it to its hazard
//     (core::apply_activity; a release beyond the remaining area is refused with that message);
//   * update: changes current state only if the report's date_of_information is newer than what
//     the record already knew (known_information_date); otherwise the report is approved as
//     historical and the record is left unchanged (ApprovalResult says so);
//   * the submission's status change and the record changes land in one transaction, and the
//     submission update carries the version read, so of two concurrent approvals exactly one
//     succeeds (the other gets kConflict).
//
// Authorisation errors are kPermissionDenied with a message starting "not allowed:" that names
// the rule (four eyes, organisation boundary, role); the rules are in submission.hpp and
// boundary.hpp and hold for every entry point (HTTP, CLI, tests).
// Thread rules: like the Store, one thread at a time.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/clock.hpp"
#include "auth/policy.hpp"
#include "common/error.hpp"
#include "storage/store.hpp"
#include "workflow/reconcile.hpp"
#include "workflow/submission.hpp"

namespace reclaim::workflow {

/// What a data officer submits.
struct Report {
  /// hazards | activities | accidents (optionally with casualties) | casualties | eore_sessions
  /// | assistance | eo_finds
  std::string entity;
  std::string action = "create";  ///< create | update
  std::string target_id;          ///< the record an update changes
  std::string payload_json;       ///< see payload.hpp
  std::string date_of_information;  ///< YYYY-MM-DD: when the facts were true
};

struct SubmissionView {
  std::string id, entity, action, target_id, date_of_information, status, org, submitted_by,
      submitted_at, verified_by, verified_at, decided_by, decided_at, comment, result_id;
  std::string payload_json;  ///< empty in listings (inbox); filled by get()
  int64_t version = 0;       ///< pass back as expected_version to act on what you saw
  std::string verify_by = {};  ///< who verifies: an organisation code or "national" (boundary.hpp)
};

struct ApproveOptions {
  std::string comment;
  std::optional<int64_t> expected_version;  ///< kConflict if the submission changed since
  bool duplicates_reviewed = false;         ///< the approver saw the candidates: create anyway
  std::string update_target;  ///< merge: apply the report as an update of this existing record
};

struct ApprovalResult {
  SubmissionView submission;
  std::vector<std::string> created;  ///< "hazards/KH-HZ-000001"
  std::vector<std::string> updated;
  bool changed_current_state = true;
  std::string note;  ///< e.g. why the report was recorded as historical only
};

class Workflow {
 public:
  explicit Workflow(storage::Store& store, auth::Clock clock = {});
  ~Workflow();

  /// Validates the payload as an import would (field errors in Error::details) and records a
  /// submitted report for the principal's organisation, routed for verification to that
  /// organisation or to the national data managers (boundary.hpp).
  /// Errors: kInvalidArgument (payload, entity, action, date), kNotFound (update target),
  /// kAlreadyExists (create of an existing id), kFailedPrecondition (not allowed; land release).
  Result<SubmissionView> submit(const auth::Principal& who, const Report& report);
  Result<SubmissionView> verify(const auth::Principal& who, const std::string& id,
                                std::optional<int64_t> expected_version = {});
  /// Errors: kInvalidArgument when the comment is empty.
  Result<SubmissionView> reject(const auth::Principal& who, const std::string& id,
                                const std::string& comment,
                                std::optional<int64_t> expected_version = {});
  Result<std::vector<DuplicateCandidate>> duplicate_candidates(const auth::Principal& who,
                                                               const std::string& id);
  Result<ApprovalResult> approve(const auth::Principal& who, const std::string& id,
                                 const ApproveOptions& options = {});

  /// The reports waiting for `who` (officer: submitted ones routed to its organisation, except
  /// its own, and its organisation's rejected ones; manager: submitted ones routed nationally
  /// and verified ones, except its own; administrator: submitted and verified, except its own),
  /// oldest first, without payloads.
  Result<std::vector<SubmissionView>> inbox(const auth::Principal& who);
  /// Every submission `who` may see, without payloads.
  Result<std::vector<SubmissionView>> list(const auth::Principal& who);
  /// One submission with its payload. A payload with personal data is logged in access_log.
  /// Errors: kNotFound (also when `who` may not see it).
  Result<SubmissionView> get(const auth::Principal& who, const std::string& id,
                             const std::string& purpose);

 private:
  struct Plan;
  struct Context;
  Result<Plan> plan(const SubmissionView& sub, const ApproveOptions& options, bool for_approval);
  Result<core::Record> load(const std::string& id);
  Result<void> load_context();

  storage::Store& store_;
  auth::Clock clock_;
  std::unique_ptr<Context> ctx_;
};

}  // namespace reclaim::workflow
