#pragma once
// The PostgreSQL adapter's SQL: its Dialect for the shared statements and DDL (storage/sql) and
// migration 5's direct-edit triggers.
#include <string>

#include "storage/sql/table_sql.hpp"

namespace reclaim::storage::pg {

/// "$n" parameters (cast where the server cannot infer the type), WKB through PostGIS, GiST.
extern const sql::Dialect kDialect;

/// The statements on the fixed tables in this dialect (made once).
const sql::FixedSql& fixed_sql();

/// The history's last seq (every record change, direct edits included) plus the settings
/// change counter of migration 5.
inline constexpr const char* kGenerationSql =
    "SELECT coalesce((SELECT max(seq) FROM history), 0) + "
    "coalesce((SELECT n FROM reclaim_changes WHERE id = 1), 0)";

/// Migration 5 (see the comment in pg_sql.cpp).
std::string direct_edits_ddl();

}  // namespace reclaim::storage::pg
