#pragma once
// The numbered migrations of an adapter: its embedded SQL files (named NNNN_*.sql) plus the step
// generated from core::all_schemas(), in version order. Shared by the GeoPackage and PostgreSQL
// adapters, which differ only in their SQL.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace reclaim::storage {

/// One embedded SQL file of an adapter: name without extension ("0001_geopackage_core"; the first
/// four digits are its migration number) and its text.
struct SqlFile {
  std::string_view name;
  std::string_view sql;
};

struct MigrationStep {
  int version;
  std::string name;
  std::string_view sql;  // empty for the generated step
};

/// The migrations generated in C++ from core::all_schemas() (their sql is empty): the adapter
/// runs them by number.
inline constexpr int kEntityTablesStep = 3;  ///< the entity tables
inline constexpr int kDirectEditsStep = 5;   ///< triggers recording direct (non-Reclaim) edits

template <class Files>
std::vector<MigrationStep> migration_steps(const Files& files, int generated_version) {
  std::vector<MigrationStep> steps;
  for (const auto& f : files) {
    const int v = std::stoi(std::string(f.name.substr(0, 4)));
    steps.push_back({v, std::string(f.name), f.sql});
  }
  steps.push_back({generated_version, "0003_entity_tables (generated from core::all_schemas())", {}});
  steps.push_back({kDirectEditsStep, "0005_direct_edits (generated from core::all_schemas())", {}});
  std::sort(steps.begin(), steps.end(),
            [](const MigrationStep& a, const MigrationStep& b) { return a.version < b.version; });
  return steps;
}

}  // namespace reclaim::storage
