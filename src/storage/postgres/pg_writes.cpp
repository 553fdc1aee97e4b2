// PgStore's writes: commit (inserts pipelined in batches, updates run at once under a row lock,
// a history row for each), the gazetteer and settings.
#include "common/date.hpp"
#include "core/record_json.hpp"
#include "storage/postgres/pg_impl.hpp"
#include "storage/sql/rows.hpp"

namespace reclaim::storage {

using pg::Params;
using sql::label;

namespace {

/// The history row of a change, queued on `batch` (which keeps the entry until it is sent).
Result<void> queue_history(PgStore::Impl::Batch& batch, const sql::FixedSql& fixed,
                           HistoryEntry h, const std::string& what) {
  const HistoryEntry& kept = batch.history.emplace_back(std::move(h));
  Queued q;
  q.sql = &fixed.history_insert;
  q.what = what + ": cannot write history";
  sql::bind_history(q.params, kept, false);
  return batch.add(std::move(q));
}

}  // namespace

Result<void> PgStore::Impl::update(PgTable& t, const Change& c, const ChangeSource& src,
                                   const std::string& at, Batch& batch) {
  const core::EntitySchema& s = *t.sql.schema;
  const std::string& id = c.record.id();
  const std::string what = label(s, id, c.source_record);
  std::string who = s.singular + " " + id;
  if (!c.source_record.empty()) who += " (" + c.source_record + ")";
  Params key;
  key.ref(id);
  auto sel = run(t.lock, key, what);
  if (!sel) return fail(sel.error());
  if (PQntuples(sel->get()) == 0)
    return fail(ErrorCode::kNotFound,
                what + ": there is no " + s.singular + " " + id + " to update");
  auto before = sql::read_record(t.sql, pg::PgRow{sel->get(), 0}, shown);
  if (!before) return fail(before.error());
  if (before->version != c.record.version)
    return fail(ErrorCode::kConflict,
                who + " was changed by someone else (version " + std::to_string(before->version) +
                    ", you had " + std::to_string(c.record.version) + "): reload and try again");
  Params p;
  if (auto b = sql::bind_record(p, t.sql, c.record, c.source_record); !b) return b;
  p.ref(id);
  p.integer(c.record.version);
  auto up = run(t.sql.update, p, what);
  if (!up) {
    if (last_sqlstate == "23505")
      return fail(ErrorCode::kAlreadyExists, what + ": " + s.id_field().name + " already exists");
    return fail(up.error());
  }
  if (pg::affected(up->get()) == 0)
    return fail(ErrorCode::kConflict, who + " was changed by someone else (you had version " +
                                          std::to_string(c.record.version) +
                                          "): reload and try again");
  core::Record after = c.record;
  after.version = before->version + 1;
  return queue_history(batch, fixed,
                       sql::history_of(c, src, at, core::record_to_json(s, *before),
                                       core::record_to_json(s, after)),
                       what);
}

Result<void> PgStore::Impl::commit_changes(const ChangeSet& cs) {
  auto txn = Transaction::begin(*this);
  if (!txn) return fail(txn.error());
  const std::string now = utc_now();
  Batch batch(*this);
  // An error found before sending: the statements already queued go first (their error, if
  // any, is the earlier one).
  auto stop = [&](Error e) -> Result<void> {
    if (auto f = batch.flush(); !f) return f;
    return fail(std::move(e));
  };
  for (const Change& c : cs.changes) {
    if (c.schema == nullptr)
      return stop(Error{ErrorCode::kInvalidArgument,
                        "change " + c.source_record + " names no entity (schema is null)"});
    auto t = table(*c.schema);
    if (!t) return stop(t.error());
    const core::EntitySchema& s = *(*t)->sql.schema;
    if (c.op == ChangeOp::kInsert) {
      Queued ins;
      ins.sql = &(*t)->sql.insert;
      ins.what = label(s, c.record.id(), c.source_record);
      ins.duplicate = s.id_field().name + " already exists";
      if (auto b = sql::bind_record(ins.params, (*t)->sql, c.record, c.source_record); !b)
        return stop(b.error());
      core::Record after = c.record;
      after.version = 1;
      std::string what = ins.what;
      if (auto r = batch.add(std::move(ins)); !r) return r;
      auto h = sql::history_of(c, cs.source, now, "", core::record_to_json(s, after));
      if (auto r = queue_history(batch, fixed, std::move(h), what); !r) return r;
    } else {
      if (auto f = batch.flush(); !f) return f;  // it may update a record inserted just before
      if (auto u = update(**t, c, cs.source, now, batch); !u) return stop(u.error());
    }
  }
  if (auto f = batch.flush(); !f) return f;
  return txn->commit();
}

Result<void> PgStore::Impl::queue_unit(Batch& batch, const core::AdminUnit& u) {
  Queued item;
  item.sql = &fixed.unit_insert;
  item.what = "admin unit " + u.code;
  item.duplicate = "code appears twice";
  sql::bind_admin_unit(item.params, u);
  return batch.add(std::move(item));
}

Result<void> PgStore::Impl::queue_boundary(Batch& batch, const core::AdminBoundary& b) {
  Queued item;
  item.sql = &fixed.boundary_insert;
  item.what = "boundary of " + b.code;
  if (auto r = sql::bind_boundary(item.params, b); !r) return r;
  return batch.add(std::move(item));
}

Result<void> PgStore::Impl::upsert_meta(const std::string& key, const std::string& value) {
  Params p;
  p.ref(key);
  p.ref(value);
  auto r = run(fixed.meta_upsert, p, shown + ": cannot write setting " + key);
  if (!r) return fail(r.error());
  return {};
}

Result<void> PgStore::commit(const ChangeSet& changes) {
  Impl& db = *impl_;
  if (changes.changes.empty()) return {};
  if (auto c = db.ensure_connected(); !c) return c;
  db.last_lost = db.last_cancelled = db.committing = false;
  return db.explain_write(
      db.commit_changes(changes),
      "during the import; the transaction was rolled back, nothing was written",
      "while committing: the changes may or may not have been written; reload and check before "
      "trying again");
}

Result<void> PgStore::replace_admin_units(const std::vector<core::AdminUnit>& units,
                                          const std::vector<core::AdminBoundary>& bounds) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return c;
  for (const auto& b : bounds)
    if (b.geometry.type == geo::GeometryType::kPoint)
      return fail(ErrorCode::kInvalidArgument,
                  "boundary of " + b.code + ": geometry must be a polygon");
  auto txn = Impl::Transaction::begin(db);
  if (!txn) return fail(txn.error());
  if (auto r = db.exec("DELETE FROM admin_units; DELETE FROM admin_boundaries",
                       db.shown + ": cannot clear the gazetteer");
      !r)
    return r;
  Impl::Batch batch(db);
  for (const auto& u : units)
    if (auto r = db.queue_unit(batch, u); !r) return r;
  for (const auto& b : bounds)
    if (auto r = db.queue_boundary(batch, b); !r) return r;
  if (auto r = batch.flush(); !r) return r;
  return txn->commit();
}

Result<void> PgStore::set_meta(std::string_view key, std::string_view value) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return c;
  return db.upsert_meta(std::string(key), std::string(value));
}

}  // namespace reclaim::storage
