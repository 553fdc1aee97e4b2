// GpkgStore's writes: commit (records and their history, one transaction), the gazetteer,
// settings, and the gpkg_contents bookkeeping (bbox and last_change) of every write.
#include <unordered_map>

#include "common/date.hpp"
#include "core/record_json.hpp"
#include "storage/sql/rows.hpp"
#include "storage/sqlite/gpkg_impl.hpp"

namespace reclaim::storage {

using gpkg::Binder;
using gpkg::Env;
using sql::label;

Result<void> GpkgStore::Impl::write_history(const HistoryEntry& h, bool with_seq,
                                            std::string_view what) {
  auto st = prepare(with_seq ? fixed.history_restore : fixed.history_insert);
  if (!st) return fail(st.error());
  Binder p(*st);
  sql::bind_history(p, h, with_seq);
  return done(*st, what);
}

namespace {

/// The step's result when a unique key (the record's id) is there already.
bool is_duplicate(int rc) {
  return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

}  // namespace

Result<void> GpkgStore::Impl::insert(GpkgTable& t, const Change& c, const ChangeSource& src,
                                     const std::string& at, Env& env) {
  const core::EntitySchema& s = *t.sql.schema;
  const std::string what = label(s, c.record.id(), c.source_record);
  {
    auto st = use(t.insert_stmt, t.sql.insert);
    if (!st) return fail(st.error());
    Binder p(*st, &env);
    if (auto b = sql::bind_record(p, t.sql, c.record, c.source_record); !b) return b;
    const int rc = st->step();
    if (is_duplicate(rc))
      return fail(ErrorCode::kAlreadyExists, what + ": " + s.id_field().name + " already exists");
    if (rc != SQLITE_DONE) return fail(db_error(rc, what));
  }
  core::Record after = c.record;
  after.version = 1;
  return write_history(sql::history_of(c, src, at, "", core::record_to_json(s, after)), false,
                       what + ": cannot write history");
}

Result<void> GpkgStore::Impl::update(GpkgTable& t, const Change& c, const ChangeSource& src,
                                     const std::string& at, Env& env) {
  const core::EntitySchema& s = *t.sql.schema;
  const std::string& id = c.record.id();
  const std::string what = label(s, id, c.source_record);
  core::Record before;
  {
    auto sel = use(t.by_id_stmt, t.sql.by_id);
    if (!sel) return fail(sel.error());
    sel->bind_text(1, id);
    const int rc = sel->step();
    if (rc == SQLITE_DONE)
      return fail(ErrorCode::kNotFound,
                  what + ": there is no " + s.singular + " " + id + " to update");
    if (rc != SQLITE_ROW) return fail(db_error(rc, what));
    auto rec = sql::read_record(t.sql, *sel, path);
    if (!rec) return fail(rec.error());
    before = std::move(*rec);
  }
  if (before.version != c.record.version) {
    std::string who = s.singular + " " + id;
    if (!c.source_record.empty()) who += " (" + c.source_record + ")";
    return fail(ErrorCode::kConflict,
                who + " was changed by someone else (version " + std::to_string(before.version) +
                    ", you had " + std::to_string(c.record.version) + "): reload and try again");
  }
  {
    auto st = use(t.update_stmt, t.sql.update);
    if (!st) return fail(st.error());
    Binder p(*st, &env);
    if (auto b = sql::bind_record(p, t.sql, c.record, c.source_record); !b) return b;
    p.ref(id);
    p.integer(before.version);  // the write lock is held: it is still this version
    const int rc = st->step();
    if (is_duplicate(rc))
      return fail(ErrorCode::kAlreadyExists, what + ": " + s.id_field().name + " already exists");
    if (rc != SQLITE_DONE) return fail(db_error(rc, what));
  }
  core::Record after = c.record;
  after.version = before.version + 1;
  return write_history(sql::history_of(c, src, at, core::record_to_json(s, before),
                                       core::record_to_json(s, after)),
                       false, what + ": cannot write history");
}

Result<void> GpkgStore::Impl::insert_unit(const core::AdminUnit& u) {
  auto st = prepare(fixed.unit_insert);
  if (!st) return fail(st.error());
  Binder p(*st);
  sql::bind_admin_unit(p, u);
  const int rc = st->step();
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    return fail(ErrorCode::kAlreadyExists, "admin unit " + u.code + ": code appears twice");
  if (rc != SQLITE_DONE) return fail(db_error(rc, "admin unit " + u.code));
  return {};
}

Result<void> GpkgStore::Impl::insert_boundary(const core::AdminBoundary& b, Env& env) {
  auto st = prepare(fixed.boundary_insert);
  if (!st) return fail(st.error());
  Binder p(*st, &env);
  if (auto r = sql::bind_boundary(p, b); !r) return r;
  return done(*st, "boundary of " + b.code);
}

Result<void> GpkgStore::Impl::upsert_meta(const std::string& key, const std::string& value) {
  auto st = prepare(fixed.meta_upsert);
  if (!st) return fail(st.error());
  st->bind_text(1, key);
  st->bind_text(2, value);
  return done(*st, path + ": cannot write setting " + key);
}

Result<void> GpkgStore::Impl::touch_contents(const std::string& table, const Env& env,
                                           const std::string& at, bool replace_bbox) {
  static const std::string kStamp =
      "UPDATE gpkg_contents SET last_change = ?1 WHERE table_name = ?2";
  static const std::string kWiden =
      "UPDATE gpkg_contents SET last_change = ?1, min_x = MIN(COALESCE(min_x, ?3), ?3), "
      "max_x = MAX(COALESCE(max_x, ?4), ?4), min_y = MIN(COALESCE(min_y, ?5), ?5), "
      "max_y = MAX(COALESCE(max_y, ?6), ?6) WHERE table_name = ?2";
  static const std::string kReplace =
      "UPDATE gpkg_contents SET last_change = ?1, min_x = ?3, max_x = ?4, min_y = ?5, "
      "max_y = ?6 WHERE table_name = ?2";
  auto st = prepare(replace_bbox ? kReplace : (env.empty() ? kStamp : kWiden));
  if (!st) return fail(st.error());
  st->bind_text(1, at);
  st->bind_text(2, table);
  if (replace_bbox && env.empty()) {
    for (int i = 3; i <= 6; ++i) st->bind_null(i);
  } else if (!env.empty()) {
    st->bind_real(3, env.min_x);
    st->bind_real(4, env.max_x);
    st->bind_real(5, env.min_y);
    st->bind_real(6, env.max_y);
  }
  const int rc = st->step();
  if (rc != SQLITE_DONE) return fail(db_error(rc, path + ": cannot update gpkg_contents"));
  return {};
}

Result<void> GpkgStore::commit(const ChangeSet& changes) {
  Impl& db = *impl_;
  if (changes.changes.empty()) return {};
  auto txn = Impl::Transaction::begin(db);
  if (!txn) return fail(txn.error());
  const std::string now = utc_now();
  std::unordered_map<GpkgTable*, Env> touched;
  for (const Change& c : changes.changes) {
    if (c.schema == nullptr)
      return fail(ErrorCode::kInvalidArgument,
                  "change " + c.source_record + " names no entity (schema is null)");
    auto t = db.table(*c.schema);
    if (!t) return fail(t.error());
    Env& env = touched[*t];
    auto r = c.op == ChangeOp::kInsert ? db.insert(**t, c, changes.source, now, env)
                                       : db.update(**t, c, changes.source, now, env);
    if (!r) return r;  // the transaction rolls back
  }
  for (const auto& [t, env] : touched) {
    if (auto r = db.touch_contents(t->sql.schema->name, env, now, false); !r) return r;
  }
  if (auto r = db.touch_contents("history", Env{}, now, false); !r) return r;
  return txn->commit();
}

Result<void> GpkgStore::replace_admin_units(const std::vector<core::AdminUnit>& units,
                                            const std::vector<core::AdminBoundary>& bounds) {
  Impl& db = *impl_;
  auto txn = Impl::Transaction::begin(db);
  if (!txn) return fail(txn.error());
  for (const char* sql : {"DELETE FROM admin_units", "DELETE FROM admin_boundaries"}) {
    if (auto r = db.exec(sql, db.path + ": cannot clear the gazetteer"); !r) return r;
  }
  for (const auto& u : units)
    if (auto r = db.insert_unit(u); !r) return r;
  Env env;
  for (const auto& b : bounds)
    if (auto r = db.insert_boundary(b, env); !r) return r;
  const std::string now = utc_now();
  if (auto r = db.touch_contents("admin_units", Env{}, now, false); !r) return r;
  if (auto r = db.touch_contents("admin_boundaries", env, now, true); !r) return r;
  return txn->commit();
}

Result<void> GpkgStore::set_meta(std::string_view key, std::string_view value) {
  return impl_->upsert_meta(std::string(key), std::string(value));
}

}  // namespace reclaim::storage
