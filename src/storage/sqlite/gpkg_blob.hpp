#pragma once
// GeoPackage geometry blobs (GeoPackage 1.3, clause 2.1.3): envelopes read from the header or the
// WKB, the column encoding of polygons as MULTIPOLYGON, and the SQL functions the R-tree
// triggers and bbox queries call (ST_IsEmpty, ST_MinX ... ST_MaxY, reclaim_intersects_box).
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "common/error.hpp"
#include "geo/geometry.hpp"

namespace reclaim::storage::gpkg {

/// A lon/lat envelope; empty until a coordinate is added.
struct Env {
  double min_x = std::numeric_limits<double>::infinity();
  double max_x = -std::numeric_limits<double>::infinity();
  double min_y = std::numeric_limits<double>::infinity();
  double max_y = -std::numeric_limits<double>::infinity();
  bool empty() const noexcept { return !(min_x <= max_x); }
  void add(double x, double y) noexcept {
    if (std::isnan(x) || std::isnan(y)) return;  // WKB's empty point
    min_x = std::min(min_x, x);
    max_x = std::max(max_x, x);
    min_y = std::min(min_y, y);
    max_y = std::max(max_y, y);
  }
  void add(const Env& e) noexcept {
    if (e.empty()) return;
    add(e.min_x, e.min_y);
    add(e.max_x, e.max_y);
  }
};

enum class BlobKind { kInvalid, kEmpty, kGeometry };

/// Reads the envelope of a GeoPackage geometry blob into env.
BlobKind blob_envelope(const uint8_t* p, size_t n, Env& env);

/// The GeoPackage blob of a geometry as stored in its column: a lone polygon is written as a
/// MULTIPOLYGON of one (GeoPackage Requirement 32: values match the column's type).
std::vector<uint8_t> column_blob(const geo::Geometry& g);

/// Reads a column's blob back: a MULTIPOLYGON of one polygon is returned as a POLYGON, so what
/// was written as a polygon reads back as one.
Result<geo::Geometry> read_column_blob(const uint8_t* p, size_t n);

/// Registers ST_IsEmpty, ST_MinX/MaxX/MinY/MaxY and reclaim_intersects_box on a connection.
/// Returns SQLITE_OK or SQLite's error code.
int register_functions(sqlite3* db);

}  // namespace reclaim::storage::gpkg
