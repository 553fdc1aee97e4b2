#pragma once
// The schemas of every entity Reclaim records (docs/domain.md), and the enumerations' vocabularies.
#include <string_view>
#include <vector>

#include "core/record.hpp"

namespace reclaim::core {

/// Entity names, also the GeoPackage table / layer names.
namespace entity {
inline constexpr std::string_view kHazards = "hazards";
inline constexpr std::string_view kActivities = "activities";
inline constexpr std::string_view kEoFinds = "eo_finds";
inline constexpr std::string_view kAccidents = "accidents";
inline constexpr std::string_view kCasualties = "casualties";
inline constexpr std::string_view kAssistance = "assistance";
inline constexpr std::string_view kEoreSessions = "eore_sessions";
inline constexpr std::string_view kQmVisits = "qm_visits";
inline constexpr std::string_view kOrganisations = "organisations";
inline constexpr std::string_view kFunding = "funding";
inline constexpr std::string_view kDevices = "devices";
inline constexpr std::string_view kUsers = "users";              // internal
inline constexpr std::string_view kSubmissions = "submissions";  // internal: the workflow
inline constexpr std::string_view kAccessLog = "access_log";     // internal: personal-data reads
}  // namespace entity

/// All schemas, in dependency order (a record may reference only entities listed before it).
const std::vector<EntitySchema>& all_schemas();
/// The schema of an entity, or nullptr.
const EntitySchema* find_schema(std::string_view name);
const EntitySchema& schema(std::string_view name);  // throws std::out_of_range on a bad name

}  // namespace reclaim::core
