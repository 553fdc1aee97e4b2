// PgStore::restore_from: the shared copy (storage/sql/restore) in one transaction that locks the
// history (concurrent writers wait), the rows sent in pipelined batches; afterwards the history
// sequence continues after the copied seq numbers.
#include "storage/postgres/pg_impl.hpp"
#include "storage/sql/restore.hpp"
#include "storage/sql/rows.hpp"

namespace reclaim::storage {
namespace {

constexpr const char* kAppearsTwice = "appears twice in the source";

class PgTarget final : public sql::RestoreTarget {
 public:
  explicit PgTarget(PgStore::Impl& db) : db_(db), batch_(db) {}

  const std::string& where() const override { return db_.shown; }
  Result<int64_t> count_rows(const std::string& table) override {
    pg::Params none;
    auto n = db_.query("SELECT count(*) FROM " + sql::q(table), none,
                       db_.shown + ": cannot count " + table);
    if (!n) return fail(n.error());
    return pg::PgRow{n->get(), 0}.int64(0);
  }
  Result<void> insert_unit(const core::AdminUnit& u) override {
    return db_.queue_unit(batch_, u);
  }
  Result<void> insert_boundary(const core::AdminBoundary& b) override {
    return db_.queue_boundary(batch_, b);
  }
  Result<void> insert_record(const core::EntitySchema& s, core::Record&& rec) override {
    auto t = db_.table(s);
    if (!t) return fail(t.error());
    const core::Record& r = batch_.records.emplace_back(std::move(rec));
    Queued item;
    item.sql = &(*t)->sql.restore;
    item.what = sql::label(s, r.id(), "");
    item.duplicate = kAppearsTwice;
    if (auto b = sql::bind_record(item.params, (*t)->sql, r, ""); !b) return b;
    item.params.integer(r.version);
    return batch_.add(std::move(item));
  }
  Result<void> insert_history(HistoryEntry&& entry) override {
    const HistoryEntry& h = batch_.history.emplace_back(std::move(entry));
    Queued item;
    item.sql = &db_.fixed.history_restore;
    item.what = db_.shown + ": history entry " + std::to_string(h.seq);
    item.duplicate = kAppearsTwice;
    sql::bind_history(item.params, h, true);
    return batch_.add(std::move(item));
  }
  Result<void> end_table(const std::string& table) override {
    if (auto r = batch_.flush(); !r) return r;
    if (table != "history") return {};
    return db_.exec(
        "SELECT setval(pg_get_serial_sequence('history', 'seq'), COALESCE(max(seq), 0) + 1, "
        "false) FROM history",
        db_.shown + ": cannot move the history sequence");
  }
  Result<void> set_meta(const std::string& key, const std::string& value) override {
    return db_.upsert_meta(key, value);
  }

 private:
  PgStore::Impl& db_;
  PgStore::Impl::Batch batch_;
};

}  // namespace

Result<void> PgStore::restore_from(Store& source) {
  Impl& db = *impl_;
  if (&source == this)
    return fail(ErrorCode::kInvalidArgument, db.shown + ": cannot copy a database into itself");
  if (auto c = db.ensure_connected(); !c) return c;
  db.last_lost = db.last_cancelled = db.committing = false;
  auto copy = [&]() -> Result<void> {
    auto txn = Impl::Transaction::begin(db);
    if (!txn) return fail(txn.error());
    // Every commit writes history: concurrent writers wait until the copy is done.
    if (auto r = db.exec("LOCK TABLE history, admin_units, admin_boundaries IN EXCLUSIVE MODE",
                         db.shown + ": cannot lock the database for the copy");
        !r)
      return r;
    PgTarget target(db);
    if (auto r = sql::copy_store(source, target); !r) return r;
    return txn->commit();
  };
  return db.explain_write(
      copy(), "during the copy; the transaction was rolled back, nothing was written",
      "while committing the copy: it may or may not have been written");
}

}  // namespace reclaim::storage
