// PgStore's reads: records (scans in pages of ids), ids, counts, history, the gazetteer,
// settings, the generation.
#include <unordered_set>

#include "storage/postgres/pg_impl.hpp"
#include "storage/sql/rows.hpp"

namespace reclaim::storage {

using pg::Params;
using pg::PgRow;
using sql::label;

namespace {

constexpr size_t kIdsPerQuery = 10000;  // ids per existing_ids query

/// fn(PgRow) -> Result<void> for every row of r.
template <class Fn>
Result<void> each_row(const PGresult* r, Fn&& fn) {
  for (int row = 0; row < PQntuples(r); ++row)
    if (auto ok = fn(PgRow{r, row}); !ok) return ok;
  return {};
}

}  // namespace

Result<std::optional<core::Record>> PgStore::get(const core::EntitySchema& s, std::string_view id) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  auto t = db.table(s);
  if (!t) return fail(t.error());
  Params p;
  p.text(std::string(id));
  auto r = db.run((*t)->sql.by_id, p, label(s, id, ""));
  if (!r) return fail(r.error());
  if (PQntuples(r->get()) == 0) return std::optional<core::Record>{};
  auto rec = sql::read_record((*t)->sql, PgRow{r->get(), 0}, db.shown);
  if (!rec) return fail(rec.error());
  return std::optional<core::Record>(std::move(*rec));
}

Result<void> PgStore::scan(const core::EntitySchema& s,
                           const std::function<bool(core::Record&&)>& fn) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return c;
  auto t = db.table(s);
  if (!t) return fail(t.error());
  std::string last;
  for (bool first = true;; first = false) {
    Params p;
    if (!first) p.text(last);
    auto r =
        db.run(first ? (*t)->first_page : (*t)->next_page, p, db.shown + ": cannot read " + s.name);
    if (!r) return fail(r.error());
    const int rows = PQntuples(r->get());
    for (int row = 0; row < rows; ++row) {
      auto rec = sql::read_record((*t)->sql, PgRow{r->get(), row}, db.shown);
      if (!rec) return fail(rec.error());
      last = rec->id();
      if (!fn(std::move(*rec))) return {};
    }
    if (rows < kPgScanPage) return {};
  }
}

Result<std::vector<std::string>> PgStore::existing_ids(const core::EntitySchema& s,
                                                       const std::vector<std::string>& ids) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  auto t = db.table(s);
  if (!t) return fail(t.error());
  std::vector<std::string_view> unique;
  std::unordered_set<std::string_view> seen;
  for (const auto& id : ids)
    if (seen.insert(id).second) unique.push_back(id);
  std::unordered_set<std::string> stored;
  for (size_t from = 0; from < unique.size(); from += kIdsPerQuery) {
    const size_t to = std::min(unique.size(), from + kIdsPerQuery);
    Params p;
    p.text(pg::text_array(
        std::vector<std::string_view>(unique.begin() + static_cast<std::ptrdiff_t>(from),
                                      unique.begin() + static_cast<std::ptrdiff_t>(to))));
    auto r = db.run((*t)->exists, p, db.shown + ": cannot look up " + s.name + " ids");
    if (!r) return fail(r.error());
    for (int row = 0; row < PQntuples(r->get()); ++row) stored.insert(PgRow{r->get(), row}.text(0));
  }
  std::vector<std::string> found;
  for (std::string_view id : unique)
    if (stored.contains(std::string(id))) found.emplace_back(id);
  return found;
}

Result<int64_t> PgStore::count(const core::EntitySchema& s) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  auto t = db.table(s);
  if (!t) return fail(t.error());
  Params none;
  auto r = db.run((*t)->sql.count, none, db.shown + ": cannot count " + s.name);
  if (!r) return fail(r.error());
  return PgRow{r->get(), 0}.int64(0);
}

Result<std::vector<HistoryEntry>> PgStore::history(const core::EntitySchema& s,
                                                   std::string_view id) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  static const std::string kSql =
      pg::fixed_sql().history_select + " WHERE entity = $1 AND record_id = $2 ORDER BY seq";
  Params p;
  p.ref(s.name);
  p.text(std::string(id));
  auto r = db.run(kSql, p, label(s, id, "") + ": cannot read history");
  if (!r) return fail(r.error());
  std::vector<HistoryEntry> out;
  out.reserve(static_cast<size_t>(PQntuples(r->get())));
  (void)each_row(r->get(), [&](const PgRow& row) -> Result<void> {
    out.push_back(sql::read_history(row));
    return {};
  });
  return out;
}

Result<void> PgStore::scan_history(const std::function<bool(HistoryEntry&&)>& fn) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return c;
  static const std::string kSql = pg::fixed_sql().history_select +
                                  " WHERE seq > $1::bigint ORDER BY seq LIMIT " +
                                  std::to_string(kPgScanPage);
  int64_t last = 0;
  for (;;) {
    Params p;
    p.integer(last);  // seq starts at 1
    auto r = db.run(kSql, p, db.shown + ": cannot read the history");
    if (!r) return fail(r.error());
    const int rows = PQntuples(r->get());
    for (int row = 0; row < rows; ++row) {
      HistoryEntry h = sql::read_history(PgRow{r->get(), row});
      last = h.seq;
      if (!fn(std::move(h))) return {};
    }
    if (rows < kPgScanPage) return {};
  }
}

Result<std::vector<core::AdminUnit>> PgStore::admin_units() {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params none;
  auto r = db.query(db.fixed.unit_select, none, db.shown + ": cannot read admin_units");
  if (!r) return fail(r.error());
  std::vector<core::AdminUnit> out;
  out.reserve(static_cast<size_t>(PQntuples(r->get())));
  auto ok = each_row(r->get(), [&](const PgRow& row) -> Result<void> {
    auto u = sql::read_admin_unit(row);
    if (!u) return fail(u.error());
    out.push_back(std::move(*u));
    return {};
  });
  if (!ok) return fail(ok.error());
  return out;
}

Result<std::vector<core::AdminBoundary>> PgStore::admin_boundaries() {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params none;
  auto r = db.query(db.fixed.boundary_select, none, db.shown + ": cannot read admin_boundaries");
  if (!r) return fail(r.error());
  std::vector<core::AdminBoundary> out;
  out.reserve(static_cast<size_t>(PQntuples(r->get())));
  auto ok = each_row(r->get(), [&](const PgRow& row) -> Result<void> {
    auto b = sql::read_boundary(row, db.shown);
    if (!b) return fail(b.error());
    out.push_back(std::move(*b));
    return {};
  });
  if (!ok) return fail(ok.error());
  return out;
}

Result<std::optional<std::string>> PgStore::meta(std::string_view key) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params p;
  p.text(std::string(key));
  auto r = db.run(db.fixed.meta_select, p, db.shown + ": cannot read setting " + std::string(key));
  if (!r) return fail(r.error());
  if (PQntuples(r->get()) == 0) return std::optional<std::string>{};
  return std::optional<std::string>(PgRow{r->get(), 0}.text(0));
}

Result<std::vector<std::pair<std::string, std::string>>> PgStore::meta_entries() {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params none;
  auto r = db.query(db.fixed.meta_entries, none, db.shown + ": cannot read the settings");
  if (!r) return fail(r.error());
  std::vector<std::pair<std::string, std::string>> out;
  for (int row = 0; row < PQntuples(r->get()); ++row)
    out.emplace_back(PgRow{r->get(), row}.text(0), PgRow{r->get(), row}.text(1));
  return out;
}

Result<int64_t> PgStore::generation() {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  static const std::string kSql = pg::kGenerationSql;
  Params none;
  auto r = db.run(kSql, none, db.shown + ": cannot read the data generation");
  if (!r) return fail(r.error());
  return PgRow{r->get(), 0}.int64(0);
}

}  // namespace reclaim::storage
