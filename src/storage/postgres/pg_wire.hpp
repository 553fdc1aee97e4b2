#pragma once
// The PostgreSQL adapter's libpq plumbing: RAII owners, Params (a statement's parameters, also
// a Sink of storage/sql/rows.hpp), PgRow (a result row, also a Row of rows.hpp), messages.
#include <libpq-fe.h>

#include <charconv>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "core/record.hpp"
#include "geo/wkb.hpp"

namespace reclaim::storage::pg {

struct ConnCloser {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct ResultClearer {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnCloser>;
using ResPtr = std::unique_ptr<PGresult, ResultClearer>;

/// Parameters of one statement: text (format 0, NUL-terminated) or binary (format 1) values.
/// ref() keeps a pointer to the caller's string, which must outlive the statement's sending.
class Params {
 public:
  void null() { slots_.push_back(Slot{Kind::kNull, 0, nullptr}); }
  void ref(const std::string& s) { slots_.push_back(Slot{Kind::kRef, 0, &s}); }
  void text(std::string s) {
    owned_.push_back(std::move(s));
    slots_.push_back(Slot{Kind::kOwned, owned_.size() - 1, nullptr});
  }
  void binary(const std::vector<uint8_t>& b) {
    owned_.emplace_back(reinterpret_cast<const char*>(b.data()), b.size());
    slots_.push_back(Slot{Kind::kBinary, owned_.size() - 1, nullptr});
  }
  void integer(int64_t v) { text(std::to_string(v)); }
  void real(double v) {
    char buf[40];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact round trip
    text(std::string(buf, res.ptr));
  }

  /// As storage/sql/rows.hpp's Sink: a geometry column's value is its WKB.
  void geometry(const geo::Geometry& g) { binary(geo::to_wkb(g)); }
  /// A field's value as its column's type (a whole double for an integer column; text for a
  /// text column). Errors: kInvalidArgument (a fraction for an integer column).
  Result<void> value(core::FieldType type, const core::Value& v);

  int size() const noexcept { return static_cast<int>(slots_.size()); }
  /// Fixes the pointer arrays; valid until the Params change or move.
  void resolve() {
    values_.assign(slots_.size(), nullptr);
    lengths_.assign(slots_.size(), 0);
    formats_.assign(slots_.size(), 0);
    for (size_t i = 0; i < slots_.size(); ++i) {
      const Slot& s = slots_[i];
      switch (s.kind) {
        case Kind::kNull:
          break;
        case Kind::kRef:
          values_[i] = s.ref->c_str();
          lengths_[i] = static_cast<int>(s.ref->size());
          break;
        case Kind::kOwned:
          values_[i] = owned_[s.index].c_str();
          lengths_[i] = static_cast<int>(owned_[s.index].size());
          break;
        case Kind::kBinary:
          values_[i] = owned_[s.index].data();
          lengths_[i] = static_cast<int>(owned_[s.index].size());
          formats_[i] = 1;
          break;
      }
    }
  }
  const char* const* values() const noexcept { return values_.data(); }
  const int* lengths() const noexcept { return lengths_.data(); }
  const int* formats() const noexcept { return formats_.data(); }

 private:
  enum class Kind { kNull, kRef, kOwned, kBinary };
  struct Slot {
    Kind kind;
    size_t index;
    const std::string* ref;
  };
  std::vector<Slot> slots_;
  std::vector<std::string> owned_;
  std::vector<const char*> values_;
  std::vector<int> lengths_, formats_;
};

/// One row of a (binary or text) result, as storage/sql/rows.hpp reads rows.
struct PgRow {
  const PGresult* r;
  int row;
  bool is_null(int c) const { return PQgetisnull(r, row, c) != 0; }
  int64_t int64(int c) const;
  double real(int c) const;
  std::string text(int c) const {
    return std::string(PQgetvalue(r, row, c), static_cast<size_t>(PQgetlength(r, row, c)));
  }
  /// A stored value, normalised to the field's type exactly as the GeoPackage adapter does.
  core::Value value(int c, core::FieldType t) const;
  /// From ST_AsBinary: a MULTIPOLYGON of one polygon reads back as a POLYGON.
  Result<geo::Geometry> geometry(int c) const;
};

/// The rows affected by a command ("DELETE 3").
int64_t affected(const PGresult* r);

/// libpq's multi-line message on one line, without the trailing newline.
std::string one_line(std::string_view s);

/// The SQLSTATE of a failed result ("" for none).
std::string sqlstate_of(const PGresult* r);

/// A Postgres array literal of text values: {"a","b\"c"}.
std::string text_array(const std::vector<std::string_view>& items);

}  // namespace reclaim::storage::pg
