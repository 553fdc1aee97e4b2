// GpkgStore::restore_from: the shared copy (storage/sql/restore) into one BEGIN IMMEDIATE
// transaction, each row inserted at once and each table's gpkg_contents entry updated after it.
#include <unordered_map>

#include "common/date.hpp"
#include "storage/sql/restore.hpp"
#include "storage/sql/rows.hpp"
#include "storage/sqlite/gpkg_impl.hpp"

namespace reclaim::storage {
namespace {

class GpkgTarget final : public sql::RestoreTarget {
 public:
  explicit GpkgTarget(GpkgStore::Impl& db) : db_(db), now_(utc_now()) {}

  const std::string& where() const override { return db_.path; }
  Result<int64_t> count_rows(const std::string& table) override {
    return db_.query_int("SELECT count(*) FROM " + sql::q(table));
  }
  Result<void> insert_unit(const core::AdminUnit& u) override { return db_.insert_unit(u); }
  Result<void> insert_boundary(const core::AdminBoundary& b) override {
    return db_.insert_boundary(b, envs_["admin_boundaries"]);
  }
  Result<void> insert_record(const core::EntitySchema& s, core::Record&& r) override {
    auto t = db_.table(s);
    if (!t) return fail(t.error());
    auto st = db_.prepare((*t)->sql.restore);
    if (!st) return fail(st.error());
    gpkg::Binder p(*st, &envs_[s.name]);
    if (auto b = sql::bind_record(p, (*t)->sql, r, ""); !b) return b;
    p.integer(r.version);
    const int rc = st->step();
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
      return fail(ErrorCode::kAlreadyExists,
                  sql::label(s, r.id(), "") + ": " + s.id_field().name + " appears twice");
    if (rc != SQLITE_DONE) return fail(db_.db_error(rc, sql::label(s, r.id(), "")));
    return {};
  }
  Result<void> insert_history(HistoryEntry&& h) override {
    return db_.write_history(h, true, db_.path + ": history entry " + std::to_string(h.seq) +
                                          " (" + h.entity + " " + h.record_id + ")");
  }
  Result<void> end_table(const std::string& table) override {
    // the boundaries' bbox is theirs alone; the other tables widen theirs (an empty one: none)
    return db_.touch_contents(table, envs_[table], now_, table == "admin_boundaries");
  }
  Result<void> set_meta(const std::string& key, const std::string& value) override {
    return db_.upsert_meta(key, value);
  }

 private:
  GpkgStore::Impl& db_;
  std::string now_;
  std::unordered_map<std::string, gpkg::Env> envs_;  ///< what each table's rows cover
};

}  // namespace

Result<void> GpkgStore::restore_from(Store& source) {
  Impl& db = *impl_;
  if (&source == this)
    return fail(ErrorCode::kInvalidArgument, db.path + ": cannot copy a database into itself");
  auto txn = Impl::Transaction::begin(db);  // BEGIN IMMEDIATE: no other writer meanwhile
  if (!txn) return fail(txn.error());
  GpkgTarget target(db);
  if (auto r = sql::copy_store(source, target); !r) return r;
  return txn->commit();
}

}  // namespace reclaim::storage
