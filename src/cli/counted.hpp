#pragma once
// "1 hazard", "3 activities": a count of an entity's records in a CLI message, named by the
// entity's schema (common/plural.hpp does the English).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/plural.hpp"
#include "core/entities.hpp"

namespace reclaim::cli {

/// A count of records of `entity` (its table name, "hazards"), e.g. "1 hazard", "2 EO finds";
/// an unknown entity name is printed as given.
inline std::string counted(int64_t n, std::string_view entity) {
  const auto* schema = core::find_schema(entity);
  return schema ? plural(n, schema->singular) : std::to_string(n) + " " + std::string(entity);
}
inline std::string counted(size_t n, std::string_view entity) {
  return counted(static_cast<int64_t>(n), entity);
}

}  // namespace reclaim::cli
