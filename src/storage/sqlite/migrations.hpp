#pragma once
// The numbered schema migrations of the GeoPackage store. Fixed DDL lives in
// migrations/NNNN_name.sql (embedded into the binary at build time by embed_sql.cmake); the
// per-entity tables are generated from core::all_schemas() as a numbered step of their own.
#include <span>
#include <string_view>

#include "storage/migration_steps.hpp"  // SqlFile

namespace reclaim::storage::detail {

using storage::SqlFile;

/// The SQL files under migrations/, in file-name order.
std::span<const SqlFile> embedded_migration_files() noexcept;

}  // namespace reclaim::storage::detail
