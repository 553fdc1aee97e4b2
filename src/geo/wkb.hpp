#pragma once
// ISO WKB (little-endian, 2D) and WKT for our geometry types, and the GeoPackage binary header.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "geo/geometry.hpp"

namespace reclaim::geo {

std::vector<uint8_t> to_wkb(const Geometry& g);
/// Errors: kInvalidArgument for truncated/unknown WKB or unsupported geometry types.
Result<Geometry> from_wkb(const uint8_t* data, size_t size);

std::string to_wkt(const Geometry& g);
/// Accepts POINT, POLYGON, MULTIPOLYGON (2D; Z/M dropped).  Errors: kInvalidArgument.
Result<Geometry> from_wkt(std::string_view wkt);

/// GeoPackage geometry blob: "GP" header, version 0, flags (little-endian, envelope [minx,maxx,
/// miny,maxy] for non-points, empty flag), srs_id, then WKB.
std::vector<uint8_t> to_gpkg_blob(const Geometry& g, int32_t srs_id = 4326);
/// Errors: kInvalidArgument for a blob that is not a GeoPackage geometry.
Result<Geometry> from_gpkg_blob(const uint8_t* data, size_t size);

}  // namespace reclaim::geo
