#pragma once
// The GeoPackage adapter's SQL: its Dialect for the shared statements and DDL (storage/sql), the
// GeoPackage R-tree index with its triggers, and migration 5's direct-edit triggers.
#include <string>
#include <string_view>

#include "storage/sql/table_sql.hpp"

namespace reclaim::storage::gpkg {

/// "?" parameters, GeoPackage blobs as they are, SQLite column types, the R-tree extension.
extern const sql::Dialect kDialect;

/// The statements on the fixed tables in this dialect (made once).
const sql::FixedSql& fixed_sql();

/// "POINT" or "MULTIPOLYGON" (gpkg_geometry_columns and the column type).
const char* geometry_type_name(core::GeometryKind k);

/// Migration 5: the direct-edit triggers on every entity table and the history's rebuilt op
/// check (see the comment in gpkg_sql.cpp).
std::string direct_edits_ddl();

}  // namespace reclaim::storage::gpkg
