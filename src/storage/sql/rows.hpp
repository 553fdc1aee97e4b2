#pragma once
// The row shapes both adapters write and read, once: which value goes to which parameter and
// which column holds what, for records, admin units, boundaries, history and sessions (the
// statements are in table_sql.hpp). Templates over two small adapter types:
//
//   Sink (parameters of one statement, in order):
//     null(); ref(const std::string&) (borrowed: it outlives the statement's execution);
//     integer(int64_t); real(double); geometry(const geo::Geometry&) (as the column stores it);
//     Result<void> value(core::FieldType, const core::Value&) (a field's value; the error says
//     why the value does not fit, without the record's label).
//   Row (one result row, columns from 0):
//     bool is_null(int); int64_t int64(int); double real(int); std::string text(int);
//     core::Value value(int, core::FieldType) (normalised with stored_value);
//     Result<geo::Geometry> geometry(int) (a MULTIPOLYGON of one part reads as a POLYGON).
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "storage/sql/sql_text.hpp"
#include "storage/sql/table_sql.hpp"
#include "storage/store.hpp"

namespace reclaim::storage::sql {

// ---- writing ----

template <class Sink>
void text_or_null(Sink& p, const std::string& s) {
  if (s.empty()) {
    p.null();
  } else {
    p.ref(s);
  }
}

template <class Sink>
void real_or_null(Sink& p, const std::optional<double>& v) {
  if (v) {
    p.real(*v);
  } else {
    p.null();
  }
}

/// A record's fields have the schema's count, it has an id, and its geometry fits the table.
/// Errors: kInvalidArgument naming the record.
Result<void> check_record(const core::EntitySchema& s, const core::Record& r,
                          std::string_view source);

/// The parameters of TableSql::insert / restore / update: geometry (if any), then the fields.
template <class Sink>
Result<void> bind_record(Sink& p, const TableSql& t, const core::Record& r,
                         std::string_view source) {
  const core::EntitySchema& s = *t.schema;
  if (auto ok = check_record(s, r, source); !ok) return ok;
  if (t.features) {
    if (r.geometry.empty()) {
      p.null();
    } else {
      p.geometry(r.geometry);
    }
  }
  for (size_t i = 0; i < s.fields.size(); ++i) {
    if (auto v = p.value(s.fields[i].type, r.values[i]); !v)
      return fail(ErrorCode::kInvalidArgument,
                  label(s, r.id(), source) + ": " + s.fields[i].name + ": " + v.error().message);
  }
  return {};
}

/// FixedSql::unit_insert.
template <class Sink>
void bind_admin_unit(Sink& p, const core::AdminUnit& u) {
  p.ref(u.code);
  text_or_null(p, u.parent_code);
  p.integer(static_cast<int>(u.level));
  p.ref(u.name_latin);
  p.ref(u.name_km);
  real_or_null(p, u.lat);
  real_or_null(p, u.lon);
}

/// FixedSql::boundary_insert. Errors: kInvalidArgument (a point is no boundary).
template <class Sink>
Result<void> bind_boundary(Sink& p, const core::AdminBoundary& b) {
  if (b.geometry.type == geo::GeometryType::kPoint)
    return fail(ErrorCode::kInvalidArgument,
                "boundary of " + b.code + ": geometry must be a polygon");
  if (b.geometry.empty()) {
    p.null();
  } else {
    p.geometry(b.geometry);
  }
  p.ref(b.code);
  p.integer(static_cast<int>(b.level));
  return {};
}

/// The history entry of a change (seq is the database's).
HistoryEntry history_of(const Change& c, const ChangeSource& src, const std::string& at,
                        std::string before_json, std::string after_json);

/// FixedSql::history_insert, or history_restore with the seq first. An empty before_json (an
/// insert's) is NULL.
template <class Sink>
void bind_history(Sink& p, const HistoryEntry& h, bool with_seq) {
  if (with_seq) p.integer(h.seq);
  for (const std::string* s : {&h.entity, &h.record_id, &h.op, &h.at, &h.user, &h.file,
                               &h.source_record, &h.reason})
    p.ref(*s);
  text_or_null(p, h.before_json);
  p.ref(h.after_json);
}

/// FixedSql::session_insert.
template <class Sink>
void bind_session(Sink& p, const SessionRow& row) {
  p.ref(row.id_hash);
  p.ref(row.user);
  p.integer(row.created_unix);
  p.integer(row.last_seen_unix);
  p.integer(row.expires_unix);
  p.ref(row.device);
  p.ref(row.ip);
}

// ---- reading ----

/// A row of TableSql::select. `where` (the database) starts the message of an unreadable
/// geometry.
template <class Row>
Result<core::Record> read_record(const TableSql& t, const Row& row, std::string_view where) {
  const core::EntitySchema& s = *t.schema;
  core::Record r;
  r.values.reserve(s.fields.size());
  for (size_t i = 0; i < s.fields.size(); ++i)
    r.values.push_back(row.value(kColFirstField + static_cast<int>(i), s.fields[i].type));
  r.version = row.int64(kColVersion);
  if (t.features && !row.is_null(kColGeom)) {
    auto g = row.geometry(kColGeom);
    if (!g)
      return fail(ErrorCode::kIo, std::string(where) + ": " + label(s, r.id(), "") +
                                      ": stored geometry is unreadable: " + g.error().message);
    r.geometry = std::move(*g);
  }
  return r;
}

/// A row of FixedSql::unit_select. Errors: kIo (a level that is not 1 to 4).
template <class Row>
Result<core::AdminUnit> read_admin_unit(const Row& row) {
  core::AdminUnit u;
  u.code = row.text(0);
  u.parent_code = row.text(1);
  auto level = admin_level(row.int64(2), u.code);
  if (!level) return fail(level.error());
  u.level = *level;
  u.name_latin = row.text(3);
  u.name_km = row.text(4);
  if (!row.is_null(5)) u.lat = row.real(5);
  if (!row.is_null(6)) u.lon = row.real(6);
  return u;
}

/// A row of FixedSql::boundary_select. Errors: kIo (bad level, unreadable geometry).
template <class Row>
Result<core::AdminBoundary> read_boundary(const Row& row, std::string_view where) {
  core::AdminBoundary b;
  b.code = row.text(0);
  auto level = admin_level(row.int64(1), b.code);
  if (!level) return fail(level.error());
  b.level = *level;
  if (!row.is_null(2)) {
    auto g = row.geometry(2);
    if (!g)
      return fail(ErrorCode::kIo, std::string(where) + ": boundary of " + b.code +
                                      " is unreadable: " + g.error().message);
    b.geometry = std::move(*g);
  }
  return b;
}

/// A row of FixedSql::history_select (a NULL before_json reads as "").
template <class Row>
HistoryEntry read_history(const Row& row) {
  HistoryEntry h;
  h.seq = row.int64(0);
  std::string* cols[] = {&h.entity, &h.record_id,     &h.op,     &h.at,          &h.user,
                         &h.file,   &h.source_record, &h.reason, &h.before_json, &h.after_json};
  for (int i = 0; i < 10; ++i) *cols[i] = row.text(i + 1);
  return h;
}

/// A row of FixedSql::session_select.
template <class Row>
SessionRow read_session(const Row& row, std::string_view id_hash) {
  return SessionRow{std::string(id_hash), row.text(0), row.int64(1), row.int64(2),
                    row.int64(3),         row.text(4), row.text(5)};
}

}  // namespace reclaim::storage::sql
