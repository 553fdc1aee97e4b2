// GpkgStore's reads: records, ids, counts, history, the gazetteer, settings, the generation.
#include <unordered_set>

#include "storage/sql/rows.hpp"
#include "storage/sqlite/gpkg_impl.hpp"

namespace reclaim::storage {

using gpkg::Stmt;
using sql::label;

Result<std::optional<core::Record>> GpkgStore::get(const core::EntitySchema& s,
                                                   std::string_view id) {
  Impl& db = *impl_;
  auto t = db.table(s);
  if (!t) return fail(t.error());
  auto st = db.use((*t)->by_id_stmt, (*t)->sql.by_id);
  if (!st) return fail(st.error());
  st->bind_text(1, id);
  const int rc = st->step();
  if (rc == SQLITE_DONE) return std::optional<core::Record>{};
  if (rc != SQLITE_ROW) return fail(db.db_error(rc, label(s, id, "")));
  auto r = sql::read_record((*t)->sql, *st, db.path);
  if (!r) return fail(r.error());
  return std::optional<core::Record>(std::move(*r));
}

Result<void> GpkgStore::scan(const core::EntitySchema& s,
                             const std::function<bool(core::Record&&)>& fn) {
  Impl& db = *impl_;
  auto t = db.table(s);
  if (!t) return fail(t.error());
  auto st = db.use((*t)->scan_stmt, (*t)->scan);
  if (!st) return fail(st.error());
  return db.each_row(*st, db.path + ": cannot read " + s.name, [&](const Stmt& row) -> Result<bool> {
    auto r = sql::read_record((*t)->sql, row, db.path);
    if (!r) return fail(r.error());
    return fn(std::move(*r));
  });
}

Result<std::vector<std::string>> GpkgStore::existing_ids(const core::EntitySchema& s,
                                                         const std::vector<std::string>& ids) {
  Impl& db = *impl_;
  auto t = db.table(s);
  if (!t) return fail(t.error());
  std::vector<std::string> found;
  std::unordered_set<std::string_view> seen;
  for (const auto& id : ids) {
    if (!seen.insert(id).second) continue;
    auto st = db.use((*t)->exists_stmt, (*t)->exists);
    if (!st) return fail(st.error());
    st->bind_text(1, id);
    const int rc = st->step();
    if (rc == SQLITE_ROW) {
      found.push_back(id);
    } else if (rc != SQLITE_DONE) {
      return fail(db.db_error(rc, label(s, id, "")));
    }
  }
  return found;
}

Result<int64_t> GpkgStore::count(const core::EntitySchema& s) {
  Impl& db = *impl_;
  auto t = db.table(s);
  if (!t) return fail(t.error());
  auto st = db.use((*t)->count_stmt, (*t)->sql.count);
  if (!st) return fail(st.error());
  const int rc = st->step();
  if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot count " + s.name));
  return st->int64(0);
}

namespace {

/// The history rows of `st`, in its order.
Result<std::vector<HistoryEntry>> history_rows(GpkgStore::Impl& db, Stmt& st,
                                               std::string_view what) {
  std::vector<HistoryEntry> out;
  auto r = db.each_row(st, what, [&](const Stmt& row) -> Result<bool> {
    out.push_back(sql::read_history(row));
    return true;
  });
  if (!r) return fail(r.error());
  return out;
}

}  // namespace

Result<std::vector<HistoryEntry>> GpkgStore::history(const core::EntitySchema& s,
                                                     std::string_view id) {
  Impl& db = *impl_;
  auto st = db.prepare(db.fixed.history_select + " WHERE entity = ? AND record_id = ? ORDER BY seq");
  if (!st) return fail(st.error());
  st->bind_text(1, s.name);
  st->bind_text(2, id);
  return history_rows(db, *st, label(s, id, "") + ": cannot read history");
}

Result<std::vector<HistoryEntry>> GpkgStore::direct_edits(int64_t limit) {
  Impl& db = *impl_;
  auto st = db.prepare(db.fixed.history_select + " WHERE reason = " + sql::lit(kDirectEditReason) +
                       " ORDER BY seq DESC LIMIT ?");
  if (!st) return fail(st.error());
  st->bind_int(1, std::max<int64_t>(0, limit));
  return history_rows(db, *st, db.path + ": cannot read the history");
}

Result<void> GpkgStore::scan_history(const std::function<bool(HistoryEntry&&)>& fn) {
  Impl& db = *impl_;
  auto st = db.prepare(db.fixed.history_select + " ORDER BY seq");
  if (!st) return fail(st.error());
  return db.each_row(*st, db.path + ": cannot read the history",
                     [&](const Stmt& row) -> Result<bool> { return fn(sql::read_history(row)); });
}

Result<std::vector<core::AdminUnit>> GpkgStore::admin_units() {
  Impl& db = *impl_;
  auto st = db.prepare(db.fixed.unit_select);
  if (!st) return fail(st.error());
  std::vector<core::AdminUnit> out;
  auto r = db.each_row(*st, db.path + ": cannot read admin_units",
                       [&](const Stmt& row) -> Result<bool> {
                         auto u = sql::read_admin_unit(row);
                         if (!u) return fail(u.error());
                         out.push_back(std::move(*u));
                         return true;
                       });
  if (!r) return fail(r.error());
  return out;
}

Result<std::vector<core::AdminBoundary>> GpkgStore::admin_boundaries() {
  Impl& db = *impl_;
  auto st = db.prepare(db.fixed.boundary_select);
  if (!st) return fail(st.error());
  std::vector<core::AdminBoundary> out;
  auto r = db.each_row(*st, db.path + ": cannot read admin_boundaries",
                       [&](const Stmt& row) -> Result<bool> {
                         auto b = sql::read_boundary(row, db.path);
                         if (!b) return fail(b.error());
                         out.push_back(std::move(*b));
                         return true;
                       });
  if (!r) return fail(r.error());
  return out;
}

Result<std::optional<std::string>> GpkgStore::meta(std::string_view key) {
  Impl& db = *impl_;
  auto st = db.prepare(db.fixed.meta_select);
  if (!st) return fail(st.error());
  st->bind_text(1, key);
  const int rc = st->step();
  if (rc == SQLITE_DONE) return std::optional<std::string>{};
  if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot read setting"));
  return std::optional<std::string>(st->text(0));
}

Result<std::vector<std::pair<std::string, std::string>>> GpkgStore::meta_entries() {
  Impl& db = *impl_;
  auto st = db.prepare(db.fixed.meta_entries);
  if (!st) return fail(st.error());
  std::vector<std::pair<std::string, std::string>> out;
  auto r = db.each_row(*st, db.path + ": cannot read the settings",
                       [&](const Stmt& row) -> Result<bool> {
                         out.emplace_back(row.text(0), row.text(1));
                         return true;
                       });
  if (!r) return fail(r.error());
  return out;
}

Result<int64_t> GpkgStore::generation() {
  Impl& db = *impl_;
  auto st = db.prepare("PRAGMA data_version");
  if (!st) return fail(st.error());
  const int rc = st->step();
  if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot read data_version"));
  const int64_t v = st->int64(0);
  return v + static_cast<int64_t>(sqlite3_total_changes64(db.db.get()));
}

}  // namespace reclaim::storage
