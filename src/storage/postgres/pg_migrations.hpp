#pragma once
// The numbered schema migrations of the PostgreSQL store. Fixed DDL lives in
// migrations/NNNN_name.sql (embedded at build time by embed_pg_sql.cmake); the per-entity tables
// are generated from core::all_schemas() as a numbered step of their own (pg_store.cpp).
#include <span>
#include <string_view>

#include "storage/migration_steps.hpp"  // SqlFile

namespace reclaim::storage::pg_detail {

using storage::SqlFile;

/// The SQL files under postgres/migrations/, in file-name order.
std::span<const SqlFile> embedded_migration_files() noexcept;

}  // namespace reclaim::storage::pg_detail
