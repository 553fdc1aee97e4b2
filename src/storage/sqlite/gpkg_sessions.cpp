// GpkgStore's server-side sessions (migration 6). Single statements: each is its own
// transaction.
#include "storage/sql/rows.hpp"
#include "storage/sqlite/gpkg_impl.hpp"

namespace reclaim::storage {

namespace {

/// Runs a DELETE on sessions; the number of rows it removed.
Result<int64_t> delete_rows(GpkgStore::Impl& db, gpkg::Stmt& st, std::string_view what) {
  if (auto r = db.done(st, what); !r) return fail(r.error());
  return static_cast<int64_t>(sqlite3_changes64(db.db.get()));
}

}  // namespace

Result<void> GpkgStore::insert_session(const SessionRow& row) {
  Impl& db = *impl_;
  auto st = db.prepare(db.fixed.session_insert);
  if (!st) return fail(st.error());
  gpkg::Binder p(*st);
  sql::bind_session(p, row);
  const int rc = st->step();
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    return fail(ErrorCode::kAlreadyExists, db.path + ": the session exists already");
  if (rc != SQLITE_DONE) return fail(db.db_error(rc, db.path + ": cannot record the session"));
  return {};
}

Result<std::optional<SessionRow>> GpkgStore::find_session(std::string_view id_hash) {
  Impl& db = *impl_;
  auto st = db.prepare(db.fixed.session_select);
  if (!st) return fail(st.error());
  st->bind_text(1, id_hash);
  const int rc = st->step();
  if (rc == SQLITE_DONE) return std::optional<SessionRow>{};
  if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot read the session"));
  return std::optional<SessionRow>(sql::read_session(*st, id_hash));
}

Result<void> GpkgStore::touch_session(std::string_view id_hash, int64_t last_seen_unix) {
  Impl& db = *impl_;
  auto st = db.prepare(db.fixed.session_touch);
  if (!st) return fail(st.error());
  st->bind_int(1, last_seen_unix);
  st->bind_text(2, id_hash);
  return db.done(*st, db.path + ": cannot update the session");
}

Result<int64_t> GpkgStore::delete_session(std::string_view id_hash) {
  Impl& db = *impl_;
  auto st = db.prepare(db.fixed.session_delete);
  if (!st) return fail(st.error());
  st->bind_text(1, id_hash);
  return delete_rows(db, *st, db.path + ": cannot end the session");
}

Result<int64_t> GpkgStore::delete_user_sessions(std::string_view user,
                                                std::string_view except_id_hash) {
  Impl& db = *impl_;
  auto st = db.prepare(db.fixed.session_delete_user);
  if (!st) return fail(st.error());
  st->bind_text(1, user);
  st->bind_text(2, except_id_hash);
  return delete_rows(db, *st, db.path + ": cannot end the sessions of " + std::string(user));
}

Result<int64_t> GpkgStore::delete_stale_sessions(int64_t now_unix, int64_t idle_before_unix) {
  Impl& db = *impl_;
  auto st = db.prepare(db.fixed.session_delete_stale);
  if (!st) return fail(st.error());
  st->bind_int(1, now_unix);
  st->bind_int(2, idle_before_unix);
  return delete_rows(db, *st, db.path + ": cannot remove ended sessions");
}

}  // namespace reclaim::storage
