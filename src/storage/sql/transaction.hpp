#pragma once
// A write transaction of either adapter: begun by begin(), rolled back when it goes out of scope
// unless commit() succeeded. Db provides begin_transaction(), commit_transaction() (both
// Result<void>) and rollback_transaction() noexcept (best effort: nothing to report).
#include <utility>

#include "common/error.hpp"

namespace reclaim::storage::sql {

template <class Db>
class Transaction {
 public:
  static Result<Transaction> begin(Db& db) {
    if (auto r = db.begin_transaction(); !r) return fail(r.error());
    return Transaction(db);
  }
  Transaction(Transaction&& o) noexcept : db_(o.db_), open_(std::exchange(o.open_, false)) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction() {
    if (open_) db_.rollback_transaction();
  }
  Result<void> commit() {
    auto r = db_.commit_transaction();
    if (r) open_ = false;
    return r;
  }

 private:
  explicit Transaction(Db& db) : db_(db), open_(true) {}
  Db& db_;
  bool open_;
};

}  // namespace reclaim::storage::sql
