#pragma once
// The GeoPackage adapter's SQLite handles: RAII owners, Stmt (a cached statement in use, also a
// Row of storage/sql/rows.hpp) and Binder (a Sink of rows.hpp over a Stmt).
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/record.hpp"
#include "storage/sql/sql_text.hpp"
#include "storage/sqlite/gpkg_blob.hpp"

namespace reclaim::storage::gpkg {

struct DbCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

/// A prepared statement in use: binds, steps, reads columns; resets and clears its bindings
/// when it goes out of scope so the cached statement is ready for the next use. Text and blobs
/// are bound without copying: they must outlive the last step().
class Stmt {
 public:
  Stmt(sqlite3_stmt* s, StmtPtr owned) : s_(s), owned_(std::move(owned)) {}
  Stmt(Stmt&& o) noexcept : s_(std::exchange(o.s_, nullptr)), owned_(std::move(o.owned_)) {}
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() {
    if (s_ != nullptr) {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
  }

  void bind_null(int i) { keep(sqlite3_bind_null(s_, i)); }
  void bind_int(int i, int64_t v) { keep(sqlite3_bind_int64(s_, i, v)); }
  void bind_real(int i, double v) { keep(sqlite3_bind_double(s_, i, v)); }
  void bind_text(int i, std::string_view t) {
    // A default string_view has no data pointer, which SQLite would bind as NULL.
    const char* p = t.data() != nullptr ? t.data() : "";
    keep(sqlite3_bind_text64(s_, i, p, t.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  /// "" binds NULL.
  void bind_text_or_null(int i, std::string_view t) {
    if (t.empty()) {
      bind_null(i);
    } else {
      bind_text(i, t);
    }
  }
  void bind_blob(int i, const std::vector<uint8_t>& b) {
    keep(sqlite3_bind_blob64(s_, i, b.data(), b.size(), SQLITE_STATIC));
  }
  void bind_value(int i, const core::Value& v) {
    if (const auto* n = std::get_if<int64_t>(&v)) {
      bind_int(i, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      bind_real(i, *d);
    } else if (const auto* t = std::get_if<std::string>(&v)) {
      bind_text(i, *t);
    } else {
      bind_null(i);
    }
  }

  /// SQLITE_ROW, SQLITE_DONE or an (extended) error code.
  int step() {
    if (bind_rc_ != SQLITE_OK) return bind_rc_;
    return sqlite3_step(s_);
  }

  bool is_null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  int type(int c) const { return sqlite3_column_type(s_, c); }
  int64_t int64(int c) const { return sqlite3_column_int64(s_, c); }
  double real(int c) const { return sqlite3_column_double(s_, c); }
  std::string text(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
    if (p == nullptr) return {};
    return std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, c)));
  }
  std::pair<const uint8_t*, size_t> blob(int c) const {
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(s_, c));
    return {p, static_cast<size_t>(sqlite3_column_bytes(s_, c))};
  }
  /// A column as a field of type t (a Row of storage/sql/rows.hpp).
  core::Value value(int c, core::FieldType t) const {
    switch (type(c)) {
      case SQLITE_NULL:
        return std::monostate{};
      case SQLITE_INTEGER:
        return sql::stored_value(int64(c), t);
      case SQLITE_FLOAT:
        return sql::stored_value(real(c), t);
      default:
        return text(c);
    }
  }
  Result<geo::Geometry> geometry(int c) const {
    auto [p, n] = blob(c);
    return read_column_blob(p, n);
  }

 private:
  void keep(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }
  sqlite3_stmt* s_;
  StmtPtr owned_;  // set when the cached statement was busy and a fresh one was prepared
  int bind_rc_ = SQLITE_OK;
};

/// The parameters of one statement from 1 on, as storage/sql/rows.hpp writes them. Text is bound
/// without copying (it must outlive the step); one geometry per statement, its envelope added
/// to `env` if given.
class Binder {
 public:
  explicit Binder(Stmt& st, Env* env = nullptr) : st_(st), env_(env) {}
  void null() { st_.bind_null(i_++); }
  void ref(const std::string& s) { st_.bind_text(i_++, s); }
  void integer(int64_t v) { st_.bind_int(i_++, v); }
  void real(double v) { st_.bind_real(i_++, v); }
  void geometry(const geo::Geometry& g) {
    blob_ = column_blob(g);
    if (env_ != nullptr) blob_envelope(blob_.data(), blob_.size(), *env_);
    st_.bind_blob(i_++, blob_);
  }
  /// SQLite keeps any value in any column (its type affinity converts).
  Result<void> value(core::FieldType, const core::Value& v) {
    st_.bind_value(i_++, v);
    return {};
  }
  int next() const noexcept { return i_; }

 private:
  Stmt& st_;
  Env* env_;
  int i_ = 1;
  std::vector<uint8_t> blob_;
};

}  // namespace reclaim::storage::gpkg
