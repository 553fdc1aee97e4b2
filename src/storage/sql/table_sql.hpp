#pragma once
// The SQL generated from the built-in schemas, written once for both adapters and parameterised
// by their Dialect: the entity tables' DDL (migration 3), each table's statements, and the
// statements on the fixed tables (history, gazetteer, settings, sessions, migrations).
// Identifiers come only from core::all_schemas() and are quoted; every value is a parameter.
#include <string>

#include "common/error.hpp"

#include "storage/sql/dialect.hpp"

namespace reclaim::storage::sql {

/// CREATE TABLE (fid, geom if any, the fields not added by a later migration, version), the
/// unique index on the id and the spatial index.
std::string entity_table_ddl(const core::EntitySchema& s, const Dialect& d);

/// The statements of one built-in entity table. Parameters of insert, restore and update: the
/// geometry (if the entity has one), then the fields in schema order; update adds the id and
/// the version read, restore the row version.
struct TableSql {
  const core::EntitySchema* schema = nullptr;
  bool features = false;
  std::string select;   ///< SELECT fid, version, geom, fields FROM table (columns kCol*)
  std::string insert;   ///< version 1
  std::string restore;  ///< version from the last parameter (a whole-database copy)
  std::string update;   ///< version + 1 WHERE id = ? AND version = ?; 0 rows: someone else's
  std::string by_id;    ///< select WHERE id = (parameter 1)
  std::string count;    ///< SELECT count(*)
  int record_params = 0;  ///< parameters of a record: geometry (if any) and fields
};

// Columns of TableSql::select.
inline constexpr int kColFid = 0;
inline constexpr int kColVersion = 1;
inline constexpr int kColGeom = 2;
inline constexpr int kColFirstField = 3;

TableSql make_table_sql(const core::EntitySchema& s, const Dialect& d);

/// The built-in schema a caller's `s` names (tables are made from it, never from the caller's).
/// Errors: kInvalidArgument (no such entity, or a schema that differs from the built-in one).
Result<const core::EntitySchema*> builtin_schema(const core::EntitySchema& s);

/// The statements on the fixed tables, in the parameter order of the binders in rows.hpp.
struct FixedSql {
  std::string history_insert;   ///< the history columns without seq (bind_history)
  std::string history_restore;  ///< with seq first
  std::string history_select;   ///< SELECT the history columns FROM history (read_history)
  std::string unit_insert;      ///< bind_admin_unit
  std::string unit_select;      ///< read_admin_unit, in insertion order
  std::string boundary_insert;  ///< bind_boundary
  std::string boundary_select;  ///< read_boundary, in insertion order
  std::string meta_select;      ///< key
  std::string meta_upsert;      ///< key, value
  std::string meta_entries;     ///< key, value by key
  std::string session_insert;   ///< bind_session
  std::string session_select;   ///< id_hash; read_session
  std::string session_touch;    ///< last_seen, id_hash
  std::string session_delete;   ///< id_hash
  std::string session_delete_user;   ///< user, except id_hash
  std::string session_delete_stale;  ///< now, idle before
  std::string migration_insert;      ///< version, name, applied_at
};

FixedSql make_fixed_sql(const Dialect& d);

}  // namespace reclaim::storage::sql
