// PgStore's server-side sessions (migration 6).
#include "storage/postgres/pg_impl.hpp"
#include "storage/sql/rows.hpp"

namespace reclaim::storage {

using pg::Params;

namespace {

/// Runs a statement on sessions; the number of rows it changed.
Result<int64_t> run_count(PgStore::Impl& db, const std::string& sql, Params& p,
                          std::string_view what) {
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  auto r = db.run(sql, p, std::string(db.shown) + ": " + std::string(what));
  if (!r) return fail(r.error());
  return pg::affected(r->get());
}

}  // namespace

Result<void> PgStore::insert_session(const SessionRow& row) {
  Params p;
  sql::bind_session(p, row);
  auto r = run_count(*impl_, impl_->fixed.session_insert, p, "cannot record the session");
  if (!r) return fail(r.error());
  return {};
}

Result<std::optional<SessionRow>> PgStore::find_session(std::string_view id_hash) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params p;
  p.text(std::string(id_hash));
  auto r = db.run(db.fixed.session_select, p, db.shown + ": cannot read the session");
  if (!r) return fail(r.error());
  if (PQntuples(r->get()) == 0) return std::optional<SessionRow>{};
  return std::optional<SessionRow>(sql::read_session(pg::PgRow{r->get(), 0}, id_hash));
}

Result<void> PgStore::touch_session(std::string_view id_hash, int64_t last_seen_unix) {
  Params p;
  p.integer(last_seen_unix);
  p.text(std::string(id_hash));
  auto r = run_count(*impl_, impl_->fixed.session_touch, p, "cannot update the session");
  if (!r) return fail(r.error());
  return {};
}

Result<int64_t> PgStore::delete_session(std::string_view id_hash) {
  Params p;
  p.text(std::string(id_hash));
  return run_count(*impl_, impl_->fixed.session_delete, p, "cannot end the session");
}

Result<int64_t> PgStore::delete_user_sessions(std::string_view user,
                                              std::string_view except_id_hash) {
  Params p;
  p.text(std::string(user));
  p.text(std::string(except_id_hash));
  return run_count(*impl_, impl_->fixed.session_delete_user, p,
                   "cannot end the sessions of " + std::string(user));
}

Result<int64_t> PgStore::delete_stale_sessions(int64_t now_unix, int64_t idle_before_unix) {
  Params p;
  p.integer(now_unix);
  p.integer(idle_before_unix);
  return run_count(*impl_, impl_->fixed.session_delete_stale, p, "cannot remove ended sessions");
}

}  // namespace reclaim::storage
