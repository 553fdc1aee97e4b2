#include "workflow/access_log.hpp"

#include "auth/crypto.hpp"
#include "core/entities.hpp"

namespace reclaim::workflow {

bool has_personal_values(const core::EntitySchema& s, const core::Record& r) {
  for (size_t i = 0; i < s.fields.size() && i < r.values.size(); ++i)
    if (s.fields[i].personal) {
      const auto* t = std::get_if<std::string>(&r.values[i]);
      if (t ? !t->empty() : !std::holds_alternative<std::monostate>(r.values[i])) return true;
    }
  return false;
}

void redact_personal(const core::EntitySchema& s, core::Record& r) {
  for (size_t i = 0; i < s.fields.size() && i < r.values.size(); ++i)
    if (s.fields[i].personal) r.values[i] = core::Value{};
}

Result<void> log_personal_access(storage::Store& store, const auth::Principal& who,
                                 const std::string& entity, const std::string& record_id,
                                 const std::string& purpose, const auth::Clock& clock) {
  const auto& ls = core::schema(core::entity::kAccessLog);
  const std::string at = auth::iso_utc(clock ? clock() : auth::system_now());
  core::Record e = core::make_record(ls);
  core::set(ls, e, "id", "AL-" + at + "-" + auth::base64url_encode(auth::random_bytes(6)));
  core::set(ls, e, "at", at);
  core::set(ls, e, "user", who.user.empty() ? std::string("anonymous") : who.user);
  core::set(ls, e, "entity", entity);
  if (!record_id.empty()) core::set(ls, e, "record_id", record_id);
  if (!purpose.empty()) core::set(ls, e, "purpose", purpose);
  storage::ChangeSet cs{{who.user, "", "personal data read"},
                        {{storage::ChangeOp::kInsert, &ls, std::move(e), "access"}}};
  return store.commit(cs);
}

Result<std::optional<core::Record>> read_record(storage::Store& store, const auth::Principal& who,
                                                const core::EntitySchema& s,
                                                const std::string& id, const std::string& purpose,
                                                const auth::Clock& clock) {
  if (s.internal)
    return fail(ErrorCode::kInvalidArgument, s.name + " is internal: not readable here");
  if (!auth::allowed(who, auth::Action::kReadRecords))
    return fail(ErrorCode::kPermissionDenied,
                std::string("not allowed: ") + auth::role_name(who.role) + " may not read " +
                    s.name + " records");
  auto r = store.get(s, id);
  if (!r) return fail(r.error());
  if (!*r || !has_personal_values(s, **r)) return r;
  if (!auth::allowed(who, auth::Action::kReadPersonal)) {
    redact_personal(s, **r);
    return r;
  }
  if (auto logged = log_personal_access(store, who, s.name, id, purpose, clock); !logged)
    return fail(logged.error());
  return r;
}

}  // namespace reclaim::workflow
