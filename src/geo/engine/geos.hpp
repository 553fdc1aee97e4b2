#pragma once
// Private to geo: the only header that includes geos_c.h. RAII owners for GEOS handles and the
// conversions between our value types and GEOS geometries. Nothing outside src/geo includes this.
#include <geos_c.h>

#include <memory>
#include <string>
#include <vector>

#include "geo/geometry.hpp"

namespace reclaim::geo::engine {

/// A GEOS context (GEOS_init_r / GEOS_finish_r) whose error and notice handlers store the last
/// message. Not copyable or movable: handlers hold a pointer to it. Heap-allocate to move it.
class GeosContext {
 public:
  GeosContext();
  ~GeosContext();
  GeosContext(const GeosContext&) = delete;
  GeosContext& operator=(const GeosContext&) = delete;

  GEOSContextHandle_t get() const noexcept { return handle_; }
  /// The last error GEOS reported on this context ("" if none since clear_error()).
  const std::string& last_error() const noexcept { return error_; }
  void clear_error() noexcept { error_.clear(); }

  /// One context per thread, for free functions.
  static GeosContext& for_this_thread();

 private:
  static void on_error(const char* message, void* self);
  static void on_notice(const char* message, void* self);

  GEOSContextHandle_t handle_ = nullptr;
  std::string error_;
};

struct GeomDeleter {
  GEOSContextHandle_t ctx = nullptr;
  void operator()(GEOSGeometry* g) const noexcept { GEOSGeom_destroy_r(ctx, g); }
};
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;

struct PreparedDeleter {
  GEOSContextHandle_t ctx = nullptr;
  void operator()(const GEOSPreparedGeometry* p) const noexcept {
    GEOSPreparedGeom_destroy_r(ctx, p);
  }
};
using PreparedPtr = std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter>;

struct TreeDeleter {
  GEOSContextHandle_t ctx = nullptr;
  void operator()(GEOSSTRtree* t) const noexcept { GEOSSTRtree_destroy_r(ctx, t); }
};
using TreePtr = std::unique_ptr<GEOSSTRtree, TreeDeleter>;

struct CoordSeqDeleter {
  GEOSContextHandle_t ctx = nullptr;
  void operator()(GEOSCoordSequence* s) const noexcept { GEOSCoordSeq_destroy_r(ctx, s); }
};
using CoordSeqPtr = std::unique_ptr<GEOSCoordSequence, CoordSeqDeleter>;

/// Frees a string GEOS allocated (GEOSFree_r).
struct GeosFree {
  GEOSContextHandle_t ctx = nullptr;
  void operator()(char* s) const noexcept { GEOSFree_r(ctx, s); }
};
using GeosString = std::unique_ptr<char, GeosFree>;

inline GeomPtr own(const GeosContext& c, GEOSGeometry* g) noexcept {
  return GeomPtr(g, GeomDeleter{c.get()});
}

/// A GEOS polygon from ours. An unclosed ring is closed on the fly; returns null when GEOS
/// refuses (a shell with fewer than 4 points); holes GEOS refuses are left out.
GeomPtr make_polygon(const GeosContext& c, const Polygon& p);
/// A GEOS point, polygon or multipolygon; null for kNone or when GEOS refuses.
GeomPtr make_geometry(const GeosContext& c, const Geometry& g);
/// The polygons of a GEOS geometry (polygonal parts only: points and lines are dropped;
/// collections are walked).
std::vector<Polygon> to_polygons(const GeosContext& c, const GEOSGeometry* g);
/// A GEOS coordinate sequence's points (2D).
Ring to_ring(const GeosContext& c, const GEOSCoordSequence* seq);

}  // namespace reclaim::geo::engine
