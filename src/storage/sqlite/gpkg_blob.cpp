#include "storage/sqlite/gpkg_blob.hpp"

#include <array>
#include <cstring>

#include "geo/overlay.hpp"
#include "geo/wkb.hpp"

namespace reclaim::storage::gpkg {
namespace {

class WkbScanner {
 public:
  WkbScanner(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  /// Adds the coordinates of one geometry (any OGC simple-feature type, 2D/Z/M/ZM, ISO or EWKB
  /// flags) to env. False for truncated or unknown WKB.
  bool geometry(Env& env, int depth = 0) {
    if (depth > 32 || end_ - p_ < 5) return false;
    const bool le = *p_++ == 1;
    uint32_t type = u32(le);
    int dims = 2;
    if ((type & 0xE0000000u) != 0) {  // EWKB flags
      dims += ((type & 0x80000000u) != 0 ? 1 : 0) + ((type & 0x40000000u) != 0 ? 1 : 0);
      if ((type & 0x20000000u) != 0) {
        if (end_ - p_ < 4) return false;
        p_ += 4;  // srid
      }
      type &= 0x0FFFFFFFu;
    } else {
      const uint32_t iso = type / 1000;
      dims += iso == 3 ? 2 : (iso == 1 || iso == 2 ? 1 : 0);
      type %= 1000;
    }
    switch (type) {
      case 1:
        return points(le, dims, 1, env);
      case 2:
        return counted_points(le, dims, env);
      case 3: {
        uint32_t rings = 0;
        if (!count(le, rings)) return false;
        for (uint32_t i = 0; i < rings; ++i)
          if (!counted_points(le, dims, env)) return false;
        return true;
      }
      case 4:
      case 5:
      case 6:
      case 7: {
        uint32_t parts = 0;
        if (!count(le, parts)) return false;
        for (uint32_t i = 0; i < parts; ++i)
          if (!geometry(env, depth + 1)) return false;
        return true;
      }
      default:
        return false;
    }
  }

 private:
  uint32_t u32(bool le) {
    uint32_t v = 0;
    std::memcpy(&v, p_, 4);
    p_ += 4;
    if (!le) v = __builtin_bswap32(v);
    return v;
  }
  double f64(bool le) {
    uint64_t v = 0;
    std::memcpy(&v, p_, 8);
    p_ += 8;
    if (!le) v = __builtin_bswap64(v);
    double d = 0;
    std::memcpy(&d, &v, 8);
    return d;
  }
  bool count(bool le, uint32_t& n) {
    if (end_ - p_ < 4) return false;
    n = u32(le);
    return true;
  }
  bool counted_points(bool le, int dims, Env& env) {
    uint32_t n = 0;
    return count(le, n) && points(le, dims, n, env);
  }
  bool points(bool le, int dims, uint32_t n, Env& env) {
    const size_t bytes = static_cast<size_t>(n) * static_cast<size_t>(dims) * 8;
    if (static_cast<size_t>(end_ - p_) < bytes) return false;
    for (uint32_t i = 0; i < n; ++i) {
      const double x = f64(le);
      const double y = f64(le);
      p_ += static_cast<size_t>(dims - 2) * 8;
      env.add(x, y);
    }
    return true;
  }
  const uint8_t* p_;
  const uint8_t* end_;
};


}  // namespace

BlobKind blob_envelope(const uint8_t* p, size_t n, Env& env) {
  if (p == nullptr || n < 8 || p[0] != 'G' || p[1] != 'P') return BlobKind::kInvalid;
  const uint8_t flags = p[3];
  if ((flags & 0x20) != 0) return BlobKind::kInvalid;  // extended types: not ours to read
  const bool le = (flags & 0x01) != 0;
  const unsigned indicator = (flags >> 1) & 0x07u;
  static constexpr std::array<size_t, 5> kEnvelopeBytes = {0, 32, 48, 48, 64};
  if (indicator > 4) return BlobKind::kInvalid;
  const size_t header = 8 + kEnvelopeBytes[indicator];
  if (n < header) return BlobKind::kInvalid;
  if ((flags & 0x10) != 0) return BlobKind::kEmpty;
  if (indicator != 0) {
    std::array<double, 4> e{};
    for (size_t i = 0; i < 4; ++i) {
      uint64_t v = 0;
      std::memcpy(&v, p + 8 + 8 * i, 8);
      if (!le) v = __builtin_bswap64(v);
      std::memcpy(&e[i], &v, 8);
    }
    env.add(e[0], e[2]);
    env.add(e[1], e[3]);
  } else if (!WkbScanner(p + header, n - header).geometry(env)) {
    return BlobKind::kInvalid;
  }
  return env.empty() ? BlobKind::kEmpty : BlobKind::kGeometry;
}

/// The GeoPackage blob of a geometry as stored in its column: a lone polygon is written as a
/// MULTIPOLYGON of one (GeoPackage Requirement 32: values match the column's type), by
/// splicing a MultiPolygon WKB header in front of the polygon's WKB.
std::vector<uint8_t> column_blob(const geo::Geometry& g) {
  std::vector<uint8_t> blob = geo::to_gpkg_blob(g);
  if (g.type != geo::GeometryType::kPolygon || blob.size() < 8) return blob;
  static constexpr std::array<size_t, 5> kEnvelopeBytes = {0, 32, 48, 48, 64};
  const unsigned indicator = (blob[3] >> 1) & 0x07u;
  if (indicator > 4) return blob;
  const size_t header = 8 + kEnvelopeBytes[indicator];
  static constexpr std::array<uint8_t, 9> kMulti = {1, 6, 0, 0, 0, 1, 0, 0, 0};  // LE, 6, n=1
  blob.insert(blob.begin() + static_cast<std::ptrdiff_t>(header), kMulti.begin(), kMulti.end());
  return blob;
}

/// Reads a column's blob back: a MULTIPOLYGON of one polygon is returned as a POLYGON, so what
/// was written as a polygon reads back as one.
Result<geo::Geometry> read_column_blob(const uint8_t* p, size_t n) {
  auto g = geo::from_gpkg_blob(p, n);
  if (g && g->type == geo::GeometryType::kMultiPolygon && g->polygons.size() == 1)
    g->type = geo::GeometryType::kPolygon;
  return g;
}

namespace {

// ST_IsEmpty / ST_MinX / ST_MaxX / ST_MinY / ST_MaxY for the GeoPackage R-tree triggers.
void st_is_empty(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) return sqlite3_result_null(ctx);
  const auto* p = static_cast<const uint8_t*>(sqlite3_value_blob(argv[0]));
  const auto n = static_cast<size_t>(sqlite3_value_bytes(argv[0]));
  Env env;
  switch (blob_envelope(p, n, env)) {
    case BlobKind::kInvalid:
      return sqlite3_result_null(ctx);
    case BlobKind::kEmpty:
      return sqlite3_result_int(ctx, 1);
    case BlobKind::kGeometry:
      return sqlite3_result_int(ctx, 0);
  }
}

enum Bound { kMinX, kMaxX, kMinY, kMaxY };
constexpr std::array<Bound, 4> kBounds = {kMinX, kMaxX, kMinY, kMaxY};

void st_bound(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) return sqlite3_result_null(ctx);
  const auto* p = static_cast<const uint8_t*>(sqlite3_value_blob(argv[0]));
  const auto n = static_cast<size_t>(sqlite3_value_bytes(argv[0]));
  Env env;
  if (blob_envelope(p, n, env) != BlobKind::kGeometry) return sqlite3_result_null(ctx);
  switch (*static_cast<const Bound*>(sqlite3_user_data(ctx))) {
    case kMinX:
      return sqlite3_result_double(ctx, env.min_x);
    case kMaxX:
      return sqlite3_result_double(ctx, env.max_x);
    case kMinY:
      return sqlite3_result_double(ctx, env.min_y);
    case kMaxY:
      return sqlite3_result_double(ctx, env.max_y);
  }
}

// reclaim_intersects_box(geom, minx, miny, maxx, maxy): the exact test after the R-tree
// prefilter of a bbox query (a box inside a hole does not meet the polygon). Registered on
// Reclaim's own connections only; used in queries, never in triggers or views.
void intersects_box(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) return sqlite3_result_int(ctx, 0);
  const auto* p = static_cast<const uint8_t*>(sqlite3_value_blob(argv[0]));
  const auto n = static_cast<size_t>(sqlite3_value_bytes(argv[0]));
  auto g = geo::from_gpkg_blob(p, n);
  if (!g) return sqlite3_result_int(ctx, 0);
  const geo::Envelope box{sqlite3_value_double(argv[1]), sqlite3_value_double(argv[2]),
                          sqlite3_value_double(argv[3]), sqlite3_value_double(argv[4])};
  sqlite3_result_int(ctx, geo::intersects_box(*g, box) ? 1 : 0);
}

}  // namespace

int register_functions(sqlite3* db) {
  constexpr int kFlags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  int rc = sqlite3_create_function_v2(db, "ST_IsEmpty", 1, kFlags, nullptr, st_is_empty, nullptr,
                                      nullptr, nullptr);
  constexpr std::array<const char*, 4> kNames = {"ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"};
  for (size_t i = 0; i < kNames.size() && rc == SQLITE_OK; ++i) {
    rc = sqlite3_create_function_v2(db, kNames[i], 1, kFlags, const_cast<Bound*>(&kBounds[i]),
                                    st_bound, nullptr, nullptr, nullptr);
  }
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2(db, "reclaim_intersects_box", 5, kFlags, nullptr,
                                    intersects_box, nullptr, nullptr, nullptr);
  return rc;
}

}  // namespace reclaim::storage::gpkg
