#pragma once
// Mapbox Vector Tiles 2.1 from our geometries (protozero), in Web Mercator tiles z/x/y.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/record.hpp"
#include "geo/geometry.hpp"

namespace reclaim::tiles {

struct TileId {
  int z = 0;
  uint32_t x = 0, y = 0;
};

/// Is z/x/y a real tile (0 <= z <= 22, x and y < 2^z)?
bool valid(TileId t) noexcept;
/// The tile's bounds in WGS84 lon/lat, grown on each side by buffer_fraction of its width.
geo::Envelope tile_bounds(TileId t, double buffer_fraction = 0.0) noexcept;

struct Feature {
  uint64_t id = 0;
  const geo::Geometry* geometry = nullptr;
  std::vector<std::pair<std::string, core::Value>> properties;
};

/// Encodes one layer (extent 4096, geometry clipped to the tile plus a 64-unit buffer, polygons
/// with exterior rings clockwise in tile coordinates as MVT 2.1 requires, degenerate parts
/// dropped). Returns the uncompressed protobuf bytes ("" when no feature falls in the tile).
std::string encode_tile(TileId t, std::string_view layer, const std::vector<Feature>& features);

/// TileJSON 3.0.0 for a layer served at `tiles_url` (e.g.
/// "http://127.0.0.1:8080/tiles/hazards/{z}/{x}/{y}.mvt").
std::string tilejson(std::string_view layer, std::string_view tiles_url,
                     const std::vector<std::string>& fields, int minzoom, int maxzoom,
                     const geo::Envelope& bounds);

}  // namespace reclaim::tiles
