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

/// Is z/x/y a real tile (0 <= z <= 22, x and y < 2^z)? Web Mercator (EPSG:3857), XYZ scheme:
/// y = 0 is the northernmost row.
bool valid(TileId t) noexcept;
/// The tile's bounds in WGS84 lon/lat, grown on each side by buffer_fraction of its width (the
/// growth is in Mercator, so 64.0 / 4096 is exactly the encoder's clip buffer; a buffered edge
/// of an edge tile may pass ±180° / ±85.0511°). Tile 0/0/0 is ±180, ±85.0511. An invalid tile
/// gives an all-zero envelope.
geo::Envelope tile_bounds(TileId t, double buffer_fraction = 0.0) noexcept;

/// One feature to encode. The geometry and the properties are borrowed: they must outlive the
/// encode_tile() call. Property values are strings, int64 or doubles (core::Value has no bool;
/// store booleans as 0/1 integers as records do); nulls are left out of the tile.
struct Feature {
  uint64_t id = 0;
  const geo::Geometry* geometry = nullptr;
  std::vector<std::pair<std::string, core::Value>> properties;
};

/// Encodes one layer, MVT 2.1: version 2, extent 4096, keys and values deduplicated, the
/// feature id always written. Points outside the tile plus a 64-unit buffer are left out;
/// polygons are clipped (planar, in tile units) to that buffered square, quantised to integer
/// tile units with consecutive duplicates removed, and rings with fewer than 3 distinct points
/// or no area are dropped (a polygon whose exterior is dropped loses its holes too). Exterior
/// rings are clockwise in tile (screen, y-down) coordinates, i.e. positive surveyor's area, and
/// holes counter-clockwise: the reverse of the OGC order our geometries use, whatever order the
/// input rings come in. Features
/// without a geometry, or with nothing left after clipping, are left out.
/// Returns the uncompressed protobuf bytes: "" when the tile is invalid or no feature remains.
/// Thread-safe for distinct inputs (GEOS runs on a per-thread context).
std::string encode_tile(TileId t, std::string_view layer, const std::vector<Feature>& features);

/// TileJSON 3.0.0 for a layer served at `tiles_url` (e.g.
/// "http://127.0.0.1:8080/tiles/hazards/{z}/{x}/{y}.mvt"): tilejson, name, tiles, minzoom,
/// maxzoom, bounds [w, s, e, n], center [lon, lat, minzoom] and one vector layer {id, fields
/// (each name mapped to an empty description), minzoom, maxzoom}. Zooms are clamped to 0..22
/// and maxzoom to at least minzoom.
std::string tilejson(std::string_view layer, std::string_view tiles_url,
                     const std::vector<std::string>& fields, int minzoom, int maxzoom,
                     const geo::Envelope& bounds);

}  // namespace reclaim::tiles
