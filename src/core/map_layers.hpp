#pragma once
// The map layers: the one table that the vector tiles (/tiles/{layer}), the OGC API – Features
// collections (/ogc/collections/{id}) and the app's tile builder read. A layer is an entity of
// entities.hpp (its records, filtered by the caller's visibility) or the administrative
// boundaries of the gazetteer.
#include <string>
#include <string_view>
#include <vector>

namespace reclaim::core {

/// The layer of the gazetteer's boundaries (not an entity: every role may read it).
inline constexpr std::string_view kAdminBoundariesLayer = "admin_boundaries";

struct MapLayer {
  std::string_view id;           ///< the layer and collection id; an entity name, or kAdminBoundariesLayer
  std::string_view title;        ///< OGC collection title
  std::string_view description;  ///< OGC collection description
  /// The properties a vector tile of the layer carries (small: the map styles and popups need
  /// these); for an entity layer, field names of its schema.
  std::vector<std::string> tile_fields;

  /// Is it the records of an entity (core::find_schema(id))? False for the boundaries.
  [[nodiscard]] bool is_entity() const noexcept { return id != kAdminBoundariesLayer; }
};

/// Every map layer, in the order the OGC collection list shows them.
const std::vector<MapLayer>& map_layers();
/// The layer with this id, or nullptr.
const MapLayer* find_map_layer(std::string_view id) noexcept;

}  // namespace reclaim::core
