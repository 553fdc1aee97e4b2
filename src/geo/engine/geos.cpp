#include "geo/engine/geos.hpp"

#include <stdexcept>

namespace reclaim::geo::engine {

GeosContext::GeosContext() : handle_(GEOS_init_r()) {
  if (handle_ == nullptr) throw std::runtime_error("GEOS_init_r failed");
  GEOSContext_setErrorMessageHandler_r(handle_, &GeosContext::on_error, this);
  GEOSContext_setNoticeMessageHandler_r(handle_, &GeosContext::on_notice, this);
}

GeosContext::~GeosContext() { GEOS_finish_r(handle_); }

GeosContext& GeosContext::for_this_thread() {
  thread_local GeosContext context;
  return context;
}

void GeosContext::on_error(const char* message, void* self) {
  static_cast<GeosContext*>(self)->error_ = message != nullptr ? message : "unknown GEOS error";
}

void GeosContext::on_notice(const char* message, void* self) {
  // Notices (e.g. "Self-intersection at or near point ...") are informational; keep the last one
  // only when no error is pending so an error is never overwritten.
  auto* c = static_cast<GeosContext*>(self);
  if (c->error_.empty() && message != nullptr) c->error_ = message;
}

namespace {

GEOSGeometry* make_ring(const GeosContext& c, const Ring& ring) {
  if (ring.empty()) return nullptr;
  std::vector<double> buf;
  buf.reserve(2 * (ring.size() + 1));
  for (const Point& p : ring) {
    buf.push_back(p.lon);
    buf.push_back(p.lat);
  }
  if (!(ring.front() == ring.back())) {
    buf.push_back(ring.front().lon);
    buf.push_back(ring.front().lat);
  }
  const auto n = static_cast<unsigned>(buf.size() / 2);
  if (n < 4) return nullptr;
  GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(c.get(), buf.data(), n, 0, 0);
  if (seq == nullptr) return nullptr;
  return GEOSGeom_createLinearRing_r(c.get(), seq);  // takes the sequence, even on failure
}

void collect_polygons(const GeosContext& c, const GEOSGeometry* g, std::vector<Polygon>& out) {
  const GEOSContextHandle_t h = c.get();
  const int type = GEOSGeomTypeId_r(h, g);
  if (type == GEOS_POLYGON) {
    if (GEOSisEmpty_r(h, g) != 0) return;
    Polygon p;
    const GEOSGeometry* shell = GEOSGetExteriorRing_r(h, g);
    if (shell == nullptr) return;
    p.rings.push_back(to_ring(c, GEOSGeom_getCoordSeq_r(h, shell)));
    const int holes = GEOSGetNumInteriorRings_r(h, g);
    for (int i = 0; i < holes; ++i) {
      const GEOSGeometry* hole = GEOSGetInteriorRingN_r(h, g, i);
      if (hole != nullptr) p.rings.push_back(to_ring(c, GEOSGeom_getCoordSeq_r(h, hole)));
    }
    out.push_back(std::move(p));
  } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; ++i) {
      const GEOSGeometry* part = GEOSGetGeometryN_r(h, g, i);
      if (part != nullptr) collect_polygons(c, part, out);
    }
  }
}

}  // namespace

Ring to_ring(const GeosContext& c, const GEOSCoordSequence* seq) {
  Ring ring;
  if (seq == nullptr) return ring;
  unsigned size = 0;
  if (GEOSCoordSeq_getSize_r(c.get(), seq, &size) == 0 || size == 0) return ring;
  std::vector<double> buf(2 * static_cast<size_t>(size));
  if (GEOSCoordSeq_copyToBuffer_r(c.get(), seq, buf.data(), 0, 0) == 0) return ring;
  ring.reserve(size);
  for (size_t i = 0; i < size; ++i) ring.push_back(Point{buf[2 * i], buf[2 * i + 1]});
  return ring;
}

GeomPtr make_polygon(const GeosContext& c, const Polygon& p) {
  const GEOSContextHandle_t h = c.get();
  if (p.rings.empty()) return own(c, GEOSGeom_createEmptyPolygon_r(h));
  GeomPtr shell = own(c, make_ring(c, p.rings[0]));
  if (!shell) return own(c, nullptr);
  std::vector<GeomPtr> holes;
  for (size_t i = 1; i < p.rings.size(); ++i) {
    GeomPtr hole = own(c, make_ring(c, p.rings[i]));
    if (hole) holes.push_back(std::move(hole));
  }
  std::vector<GEOSGeometry*> raw;
  raw.reserve(holes.size());
  for (GeomPtr& hole : holes) raw.push_back(hole.get());
  GEOSGeometry* poly = GEOSGeom_createPolygon_r(h, shell.get(), raw.empty() ? nullptr : raw.data(),
                                                static_cast<unsigned>(raw.size()));
  if (poly != nullptr) {  // the polygon now owns the rings
    (void)shell.release();
    for (GeomPtr& hole : holes) (void)hole.release();
  }
  return own(c, poly);
}

GeomPtr make_geometry(const GeosContext& c, const Geometry& g) {
  const GEOSContextHandle_t h = c.get();
  switch (g.type) {
    case GeometryType::kNone:
      return own(c, nullptr);
    case GeometryType::kPoint:
      return own(c, GEOSGeom_createPointFromXY_r(h, g.point.lon, g.point.lat));
    case GeometryType::kPolygon:
      if (g.polygons.size() == 1) return make_polygon(c, g.polygons[0]);
      [[fallthrough]];
    case GeometryType::kMultiPolygon: {
      std::vector<GeomPtr> parts;
      for (const Polygon& p : g.polygons) {
        GeomPtr part = make_polygon(c, p);
        if (!part) return own(c, nullptr);
        parts.push_back(std::move(part));
      }
      std::vector<GEOSGeometry*> raw;
      raw.reserve(parts.size());
      for (GeomPtr& part : parts) raw.push_back(part.get());
      GEOSGeometry* multi =
          GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, raw.empty() ? nullptr : raw.data(),
                                      static_cast<unsigned>(raw.size()));
      if (multi != nullptr) {
        for (GeomPtr& part : parts) (void)part.release();
      }
      return own(c, multi);
    }
  }
  return own(c, nullptr);
}

std::vector<Polygon> to_polygons(const GeosContext& c, const GEOSGeometry* g) {
  std::vector<Polygon> out;
  if (g != nullptr) collect_polygons(c, g, out);
  return out;
}

}  // namespace reclaim::geo::engine
