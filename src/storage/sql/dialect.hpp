#pragma once
// The few ways the adapters' SQL differs, as data: each adapter defines one Dialect
// (sqlite/gpkg_sql.cpp, postgres/pg_sql.cpp) and the shared code (table_sql, statements) builds
// every statement and table from it.
#include <string>
#include <string_view>

#include "core/entities.hpp"

namespace reclaim::storage::sql {

struct Dialect {
  /// The n-th parameter (1-based) of a statement; `cast` names the type where the server
  /// cannot infer it ("bigint": PostgreSQL "$3::bigint", SQLite "?").
  std::string (*param)(int n, std::string_view cast);
  /// The n-th parameter as a value of a geometry column of `kind` (SQLite: the GeoPackage blob
  /// as is; PostGIS: ST_GeomFromWKB of the WKB, ST_Multi for polygons).
  std::string (*geometry_param)(int n, core::GeometryKind kind);
  /// The geometry column as the adapter reads it back ("geom", "ST_AsBinary(geom)").
  std::string_view geometry_select;
  /// What a table without geometry selects in its place ("NULL", "NULL::bytea").
  std::string_view no_geometry_select;
  /// Appended to a text column to compare and sort it bytewise ("", " COLLATE \"C\"").
  std::string_view bytewise;

  // ---- DDL of the entity tables (migration 3) ----
  /// The column type of a field.
  const char* (*column_type)(core::FieldType t);
  /// The row key column: "fid INTEGER PRIMARY KEY AUTOINCREMENT", "fid bigserial PRIMARY KEY".
  std::string_view fid_column;
  /// The geometry column's definition ("geom MULTIPOLYGON", "geom geometry(Point, 4326)").
  std::string (*geometry_column)(core::GeometryKind kind);
  /// Appended to the id field's type ("NOT NULL"; PostgreSQL sorts ids bytewise with
  /// COLLATE "C", as SQLite does).
  std::string_view id_constraint;
  /// The version column's type.
  std::string_view version_type;
  /// The spatial index of table.geom with whatever keeps it current (R-tree and triggers, GiST).
  std::string (*spatial_index)(std::string_view table);
};

}  // namespace reclaim::storage::sql
