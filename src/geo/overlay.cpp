#include "geo/overlay.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>

#include "geo/engine/geos.hpp"
#include "geo/geodesic.hpp"

namespace reclaim::geo {

namespace {

using engine::GeomPtr;
using engine::GeosContext;

/// STRtree items are void*: store index + 1 so that index 0 is not a null pointer.
void* to_item(size_t i) noexcept { return reinterpret_cast<void*>(static_cast<uintptr_t>(i) + 1); }
size_t from_item(void* item) noexcept { return reinterpret_cast<uintptr_t>(item) - 1; }

void collect_index(void* item, void* userdata) {
  static_cast<std::vector<size_t>*>(userdata)->push_back(from_item(item));
}

bool polygonal(const Geometry* g) {
  return g != nullptr &&
         (g->type == GeometryType::kPolygon || g->type == GeometryType::kMultiPolygon) &&
         !g->polygons.empty();
}

Envelope ring_envelope(const Ring& r) {
  Envelope e{r[0].lon, r[0].lat, r[0].lon, r[0].lat};
  for (const Point& v : r) {
    e.min_lon = std::min(e.min_lon, v.lon);
    e.min_lat = std::min(e.min_lat, v.lat);
    e.max_lon = std::max(e.max_lon, v.lon);
    e.max_lat = std::max(e.max_lat, v.lat);
  }
  return e;
}

struct DisjointSets {
  std::vector<size_t> parent;
  explicit DisjointSets(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  size_t find(size_t x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }
  void join(size_t a, size_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

double geodesic_area_of(const GeosContext& ctx, const GEOSGeometry* g) {
  double area = 0;
  for (const Polygon& p : engine::to_polygons(ctx, g)) area += polygon_area_m2(p);
  return area;
}

/// Union of a cluster of polygons; null if GEOS fails even after repairing the inputs.
GeomPtr union_of(GeosContext& ctx, const std::vector<const Polygon*>& members, bool repair) {
  std::vector<GeomPtr> parts;
  parts.reserve(members.size());
  for (const Polygon* p : members) {
    GeomPtr g = engine::make_polygon(ctx, *p);
    if (!g) continue;
    if (repair) {
      GeomPtr fixed = engine::own(ctx, GEOSMakeValid_r(ctx.get(), g.get()));
      if (!fixed) continue;
      g = std::move(fixed);
    }
    parts.push_back(std::move(g));
  }
  std::vector<GEOSGeometry*> raw;
  raw.reserve(parts.size());
  for (GeomPtr& g : parts) raw.push_back(g.get());
  GeomPtr collection =
      engine::own(ctx, GEOSGeom_createCollection_r(ctx.get(), GEOS_GEOMETRYCOLLECTION,
                                                   raw.empty() ? nullptr : raw.data(),
                                                   static_cast<unsigned>(raw.size())));
  if (!collection) return collection;
  for (GeomPtr& g : parts) (void)g.release();  // owned by the collection now
  return engine::own(ctx, GEOSUnaryUnion_r(ctx.get(), collection.get()));
}

}  // namespace

double union_area_m2(const std::vector<const Geometry*>& geoms) {
  struct Item {
    const Polygon* polygon;
    Envelope box;
  };
  std::vector<Item> items;
  for (const Geometry* g : geoms) {
    if (!polygonal(g)) continue;
    for (const Polygon& p : g->polygons) {
      if (p.rings.empty() || p.rings[0].empty()) continue;
      items.push_back(Item{&p, ring_envelope(p.rings[0])});
    }
  }
  // Connected clusters of overlapping envelopes: sort by west edge and sweep west to east,
  // keeping the boxes whose east edge has not yet been passed.
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return items[a].box.min_lon < items[b].box.min_lon; });
  DisjointSets sets(items.size());
  std::vector<size_t> active;
  for (size_t i : order) {
    const Envelope& box = items[i].box;
    size_t kept = 0;
    for (size_t j : active) {
      const Envelope& other = items[j].box;
      if (other.max_lon < box.min_lon) continue;  // passed: drop from the sweep
      active[kept++] = j;
      if (other.min_lat <= box.max_lat && box.min_lat <= other.max_lat) sets.join(i, j);
    }
    active.resize(kept);
    active.push_back(i);
  }
  std::vector<std::vector<const Polygon*>> clusters(items.size());
  for (size_t i = 0; i < items.size(); ++i) clusters[sets.find(i)].push_back(items[i].polygon);

  GeosContext& ctx = GeosContext::for_this_thread();
  double total = 0;
  for (const auto& members : clusters) {
    if (members.empty()) continue;
    if (members.size() == 1) {  // nothing overlaps it: its own geodesic area
      total += polygon_area_m2(*members[0]);
      continue;
    }
    ctx.clear_error();
    GeomPtr u = union_of(ctx, members, false);
    if (!u) u = union_of(ctx, members, true);  // e.g. a self-intersecting input: repair, retry
    if (u) {
      total += geodesic_area_of(ctx, u.get());
    } else {  // GEOS cannot union them at all: count each once (an over-estimate)
      for (const Polygon* p : members) total += polygon_area_m2(*p);
    }
  }
  return total;
}

double intersection_area_m2(const Geometry& a, const Geometry& b) {
  if (!polygonal(&a) || !polygonal(&b) || !envelope(a).intersects(envelope(b))) return 0.0;
  GeosContext& ctx = GeosContext::for_this_thread();
  const GEOSContextHandle_t h = ctx.get();
  GeomPtr ga = engine::make_geometry(ctx, a);
  GeomPtr gb = engine::make_geometry(ctx, b);
  if (!ga || !gb) return 0.0;
  GeomPtr common = engine::own(ctx, GEOSIntersection_r(h, ga.get(), gb.get()));
  if (!common) {  // a topology error on an invalid input: repair both and retry once
    ctx.clear_error();
    ga = engine::own(ctx, GEOSMakeValid_r(h, ga.get()));
    gb = engine::own(ctx, GEOSMakeValid_r(h, gb.get()));
    if (!ga || !gb) return 0.0;
    common = engine::own(ctx, GEOSIntersection_r(h, ga.get(), gb.get()));
  }
  return common ? geodesic_area_of(ctx, common.get()) : 0.0;
}

std::vector<OverlapPair> find_overlaps(const std::vector<const Geometry*>& geoms) {
  GeosContext& ctx = GeosContext::for_this_thread();
  const GEOSContextHandle_t h = ctx.get();
  std::vector<GeomPtr> g(geoms.size());
  std::vector<Envelope> boxes(geoms.size());
  engine::TreePtr tree(GEOSSTRtree_create_r(h, 10), engine::TreeDeleter{h});
  if (!tree) return {};
  for (size_t i = 0; i < geoms.size(); ++i) {
    if (!polygonal(geoms[i])) continue;
    g[i] = engine::make_geometry(ctx, *geoms[i]);
    if (!g[i]) continue;
    boxes[i] = envelope(*geoms[i]);
    GEOSSTRtree_insert_r(h, tree.get(), g[i].get(), to_item(i));
  }
  std::vector<OverlapPair> pairs;
  std::vector<size_t> candidates;
  for (size_t i = 0; i < geoms.size(); ++i) {
    if (!g[i]) continue;
    candidates.clear();
    GEOSSTRtree_query_r(h, tree.get(), g[i].get(), &collect_index, &candidates);
    std::sort(candidates.begin(), candidates.end());
    engine::PreparedPtr prepared;
    for (size_t j : candidates) {
      if (j <= i || !boxes[i].intersects(boxes[j])) continue;
      if (!prepared) {
        prepared = engine::PreparedPtr(GEOSPrepare_r(h, g[i].get()), engine::PreparedDeleter{h});
        if (!prepared) break;
      }
      if (GEOSPreparedIntersects_r(h, prepared.get(), g[j].get()) != 1) continue;
      // Interiors overlap (a shared edge or corner does not count).
      if (GEOSRelatePattern_r(h, g[i].get(), g[j].get(), "T********") != 1) continue;
      GeomPtr common = engine::own(ctx, GEOSIntersection_r(h, g[i].get(), g[j].get()));
      const double area = common ? geodesic_area_of(ctx, common.get()) : 0.0;
      pairs.push_back(OverlapPair{i, j, area});
    }
  }
  return pairs;
}

// ---------------------------------------------------------------------------------------------

struct SpatialIndex::Impl {
  std::unique_ptr<GeosContext> ctx = std::make_unique<GeosContext>();  // destroyed last
  std::vector<GeomPtr> boxes;
  engine::TreePtr tree;
};

namespace {
GeomPtr rectangle(const GeosContext& ctx, const Envelope& e) {
  return engine::own(
      ctx, GEOSGeom_createRectangle_r(ctx.get(), e.min_lon, e.min_lat, e.max_lon, e.max_lat));
}
}  // namespace

bool intersects_box(const Geometry& g, const Envelope& box) {
  if (g.empty() || !envelope(g).intersects(box)) return false;
  if (g.type == GeometryType::kPoint)  // the envelope of a point is the point
    return true;
  // Cheap exact answers first (a tile or a wide box holds most shapes whole): a shape whose
  // envelope lies in the box, or with a vertex in it, meets it. Only the rest go to GEOS.
  const Envelope e = envelope(g);
  if (e.min_lon >= box.min_lon && e.max_lon <= box.max_lon && e.min_lat >= box.min_lat &&
      e.max_lat <= box.max_lat)
    return true;
  for (const Polygon& poly : g.polygons)
    for (const Ring& ring : poly.rings)
      for (const Point& v : ring)
        if (v.lon >= box.min_lon && v.lon <= box.max_lon && v.lat >= box.min_lat &&
            v.lat <= box.max_lat)
          return true;
  GeosContext& ctx = GeosContext::for_this_thread();
  const GeomPtr shape = engine::make_geometry(ctx, g);
  const GeomPtr rect = rectangle(ctx, box);
  if (!shape || !rect) return true;  // GEOS refused the shape: keep what the prefilter found
  return GEOSIntersects_r(ctx.get(), shape.get(), rect.get()) == 1;
}

SpatialIndex::SpatialIndex(const std::vector<Envelope>& boxes) : impl_(std::make_unique<Impl>()) {
  const GEOSContextHandle_t h = impl_->ctx->get();
  impl_->tree = engine::TreePtr(GEOSSTRtree_create_r(h, 10), engine::TreeDeleter{h});
  impl_->boxes.reserve(boxes.size());
  for (size_t i = 0; i < boxes.size(); ++i) {
    GeomPtr r = rectangle(*impl_->ctx, boxes[i]);
    if (r && impl_->tree) GEOSSTRtree_insert_r(h, impl_->tree.get(), r.get(), to_item(i));
    impl_->boxes.push_back(std::move(r));
  }
}

SpatialIndex::~SpatialIndex() = default;
SpatialIndex::SpatialIndex(SpatialIndex&&) noexcept = default;
SpatialIndex& SpatialIndex::operator=(SpatialIndex&&) noexcept = default;

std::vector<size_t> SpatialIndex::query(const Envelope& box) const {
  std::vector<size_t> out;
  if (!impl_ || !impl_->tree) return out;
  GeomPtr q = rectangle(*impl_->ctx, box);
  if (!q) return out;
  GEOSSTRtree_query_r(impl_->ctx->get(), impl_->tree.get(), q.get(), &collect_index, &out);
  std::sort(out.begin(), out.end());
  return out;
}

// ---------------------------------------------------------------------------------------------

struct RegionLocator::Impl {
  std::unique_ptr<GeosContext> ctx = std::make_unique<GeosContext>();  // destroyed last
  std::vector<GeomPtr> geoms;
  std::vector<engine::PreparedPtr> prepared;  // destroyed before the geometries they prepare
  std::vector<Envelope> boxes;
};

RegionLocator::RegionLocator(const std::vector<Geometry>& regions)
    : impl_(std::make_unique<Impl>()) {
  const GEOSContextHandle_t h = impl_->ctx->get();
  for (const Geometry& region : regions) {
    GeomPtr g = polygonal(&region) ? engine::make_geometry(*impl_->ctx, region) : nullptr;
    engine::PreparedPtr p(g ? GEOSPrepare_r(h, g.get()) : nullptr, engine::PreparedDeleter{h});
    impl_->boxes.push_back(g ? envelope(region) : Envelope{1, 1, -1, -1});  // empty box
    impl_->geoms.push_back(std::move(g));
    impl_->prepared.push_back(std::move(p));
  }
}

RegionLocator::~RegionLocator() = default;
RegionLocator::RegionLocator(RegionLocator&&) noexcept = default;
RegionLocator& RegionLocator::operator=(RegionLocator&&) noexcept = default;

size_t RegionLocator::size() const noexcept { return impl_ ? impl_->geoms.size() : 0; }

long RegionLocator::locate(Point p) const {
  if (!impl_) return -1;
  const GEOSContextHandle_t h = impl_->ctx->get();
  const Envelope at{p.lon, p.lat, p.lon, p.lat};
  GeomPtr point;
  for (size_t i = 0; i < impl_->prepared.size(); ++i) {
    if (!impl_->prepared[i] || !impl_->boxes[i].intersects(at)) continue;
    if (!point) {
      point = engine::own(*impl_->ctx, GEOSGeom_createPointFromXY_r(h, p.lon, p.lat));
      if (!point) return -1;
    }
    // Intersects, not contains: a point on a shared border belongs to the first region.
    if (GEOSPreparedIntersects_r(h, impl_->prepared[i].get(), point.get()) == 1) {
      return static_cast<long>(i);
    }
  }
  return -1;
}

double RegionLocator::distance_m(Point p, size_t i) const {
  constexpr double kUnknown = std::numeric_limits<double>::infinity();
  if (!impl_ || i >= impl_->prepared.size() || !impl_->prepared[i]) return kUnknown;
  const GEOSContextHandle_t h = impl_->ctx->get();
  GeomPtr point = engine::own(*impl_->ctx, GEOSGeom_createPointFromXY_r(h, p.lon, p.lat));
  if (!point) return kUnknown;
  if (GEOSPreparedIntersects_r(h, impl_->prepared[i].get(), point.get()) == 1) return 0;
  // The nearest point of the region in planar degrees, then the geodesic distance to it: the
  // only approximation is the choice of nearest point (longitude degrees are ~3% shorter).
  engine::CoordSeqPtr nearest(GEOSPreparedNearestPoints_r(h, impl_->prepared[i].get(), point.get()),
                              engine::CoordSeqDeleter{h});
  if (!nearest) return kUnknown;
  const Ring pts = engine::to_ring(*impl_->ctx, nearest.get());
  if (pts.empty()) return kUnknown;
  return geo::distance_m(p, pts[0]);
}

// ---------------------------------------------------------------------------------------------

Point interior_point(const Geometry& g) {
  if (g.type == GeometryType::kPoint) return g.point;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!polygonal(&g)) return Point{nan, nan};
  GeosContext& ctx = GeosContext::for_this_thread();
  GeomPtr geom = engine::make_geometry(ctx, g);
  if (geom) {
    GeomPtr inner = engine::own(ctx, GEOSPointOnSurface_r(ctx.get(), geom.get()));
    double x = 0;
    double y = 0;
    if (inner && GEOSisEmpty_r(ctx.get(), inner.get()) == 0 &&
        GEOSGeomGetX_r(ctx.get(), inner.get(), &x) == 1 &&
        GEOSGeomGetY_r(ctx.get(), inner.get(), &y) == 1) {
      return Point{x, y};
    }
  }
  // GEOS could not (e.g. a degenerate ring): fall back to the first vertex.
  for (const Polygon& p : g.polygons) {
    if (!p.rings.empty() && !p.rings[0].empty()) return p.rings[0][0];
  }
  return Point{nan, nan};
}

// ---------------------------------------------------------------------------------------------

Geometry clip_to_box(const Geometry& g, const Envelope& box) {
  Geometry out;
  if (g.type == GeometryType::kPoint) {
    const Point& p = g.point;
    if (p.lon >= box.min_lon && p.lon <= box.max_lon && p.lat >= box.min_lat &&
        p.lat <= box.max_lat) {
      out = g;
    }
    return out;
  }
  if (!polygonal(&g)) return out;
  GeosContext& ctx = GeosContext::for_this_thread();
  const GEOSContextHandle_t h = ctx.get();
  ctx.clear_error();
  GeomPtr geom = engine::make_geometry(ctx, g);
  if (!geom) return out;
  auto clip = [&](const GEOSGeometry* in) {
    return engine::own(
        ctx, GEOSClipByRect_r(h, in, box.min_lon, box.min_lat, box.max_lon, box.max_lat));
  };
  GeomPtr clipped = clip(geom.get());
  if (!clipped) {  // e.g. a self-intersecting ring: repair, retry
    GeomPtr fixed = engine::own(ctx, GEOSMakeValid_r(h, geom.get()));
    if (fixed) clipped = clip(fixed.get());
  }
  if (!clipped) return out;
  out.polygons = engine::to_polygons(ctx, clipped.get());
  if (!out.polygons.empty()) {
    out.type = out.polygons.size() == 1 ? GeometryType::kPolygon : GeometryType::kMultiPolygon;
  }
  return out;
}

}  // namespace reclaim::geo
