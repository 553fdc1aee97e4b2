#include "tiles/mvt.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>
#include <protozero/pbf_writer.hpp>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>

#include "geo/overlay.hpp"

namespace reclaim::tiles {

namespace {

constexpr int kMaxZoom = 22;
constexpr uint32_t kExtent = 4096;
constexpr int kBuffer = 64;  ///< clip margin around the tile, in extent units
/// Web Mercator's latitude limit: the world is a square.
constexpr double kMaxLat = 85.051128779806592;

// Protobuf field numbers of vector_tile.proto (MVT 2.1).
namespace pb {
constexpr protozero::pbf_tag_type kTileLayers = 3;
constexpr protozero::pbf_tag_type kLayerName = 1, kLayerFeatures = 2, kLayerKeys = 3,
                                  kLayerValues = 4, kLayerExtent = 5, kLayerVersion = 15;
constexpr protozero::pbf_tag_type kFeatureId = 1, kFeatureTags = 2, kFeatureType = 3,
                                  kFeatureGeometry = 4;
constexpr protozero::pbf_tag_type kValueString = 1, kValueDouble = 3, kValueInt = 4, kValueSint = 6;
constexpr int32_t kTypePoint = 1, kTypePolygon = 3;
constexpr uint32_t kMoveTo = 1, kLineTo = 2, kClosePath = 7;
}  // namespace pb

/// Normalised Web Mercator: (0, 0) is the north-west corner of the world, (1, 1) the south-east.
double mercator_x(double lon) noexcept { return (lon + 180.0) / 360.0; }
double mercator_y(double lat) noexcept {
  const double phi = std::clamp(lat, -kMaxLat, kMaxLat) * std::numbers::pi / 180.0;
  return 0.5 - std::asinh(std::tan(phi)) / (2.0 * std::numbers::pi);
}
double lon_of(double mx) noexcept { return mx * 360.0 - 180.0; }
double lat_of(double my) noexcept {
  return std::atan(std::sinh(std::numbers::pi * (1.0 - 2.0 * my))) * 180.0 / std::numbers::pi;
}

/// Lon/lat to (unrounded) tile units of one tile: 0..4096 across the tile, y down.
struct Projector {
  double scale;   ///< tile units per normalised Mercator unit: 4096 * 2^z
  double x0, y0;  ///< the tile's north-west corner in tile units

  explicit Projector(TileId t)
      : scale(std::ldexp(double{kExtent}, t.z)),
        x0(double{kExtent} * t.x),
        y0(double{kExtent} * t.y) {}
  double x(double lon) const noexcept { return mercator_x(lon) * scale - x0; }
  double y(double lat) const noexcept { return mercator_y(lat) * scale - y0; }
};

struct IPoint {
  int32_t x = 0, y = 0;
  bool operator==(const IPoint&) const = default;
};

int32_t quantise(double v) noexcept {
  // Clipping bounds polygons; points are tested first; this only guards against overflow.
  return static_cast<int32_t>(std::lround(std::clamp(v, -1e9, 1e9)));
}

uint32_t zigzag(int32_t v) noexcept {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
uint32_t command(uint32_t id, uint32_t count) noexcept { return (id & 0x7U) | (count << 3); }

/// Twice the signed area in tile units (y down): positive means clockwise on screen.
int64_t twice_area(const std::vector<IPoint>& ring) noexcept {
  int64_t sum = 0;
  const size_t n = ring.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    sum += int64_t{ring[j].x} * ring[i].y - int64_t{ring[i].x} * ring[j].y;
  }
  return sum;
}

/// Deduplicated keys and values of one layer. Values point into the caller's features, which
/// outlive the encoding.
class Tables {
 public:
  uint32_t key(const std::string& k) {
    auto [it, added] = keys_.try_emplace(k, static_cast<uint32_t>(key_order_.size()));
    if (added) key_order_.push_back(&it->first);
    return it->second;
  }

  uint32_t value(const core::Value& v) {
    const uint32_t next = static_cast<uint32_t>(values_.size());
    uint32_t index = next;
    if (const auto* s = std::get_if<std::string>(&v)) {
      index = strings_.try_emplace(*s, next).first->second;
    } else if (const auto* i = std::get_if<int64_t>(&v)) {
      index = ints_.try_emplace(*i, next).first->second;
    } else if (const auto* d = std::get_if<double>(&v)) {
      index = doubles_.try_emplace(std::bit_cast<uint64_t>(*d), next).first->second;
    }
    if (index == next) values_.push_back(&v);
    return index;
  }

  void write(protozero::pbf_writer& layer) const {
    for (const std::string* k : key_order_) layer.add_string(pb::kLayerKeys, *k);
    for (const core::Value* v : values_) {
      protozero::pbf_writer value(layer, pb::kLayerValues);
      std::visit(
          [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>) {
              value.add_string(pb::kValueString, x);
            } else if constexpr (std::is_same_v<T, double>) {
              value.add_double(pb::kValueDouble, x);
            } else if constexpr (std::is_same_v<T, int64_t>) {
              if (x < 0) {
                value.add_sint64(pb::kValueSint, x);  // 1-10 bytes instead of always 10
              } else {
                value.add_int64(pb::kValueInt, x);
              }
            }
          },
          *v);
    }
  }

 private:
  std::unordered_map<std::string, uint32_t> keys_;
  std::vector<const std::string*> key_order_;
  std::unordered_map<std::string, uint32_t> strings_;
  std::unordered_map<int64_t, uint32_t> ints_;
  std::unordered_map<uint64_t, uint32_t> doubles_;
  std::vector<const core::Value*> values_;
};

/// Builds the command stream of one feature, reusing its buffers from feature to feature so
/// that encoding allocates nothing per vertex once the buffers have grown.
class GeometryEncoder {
 public:
  void clear() noexcept {
    commands_.clear();
    cursor_ = {};
  }
  const std::vector<uint32_t>& commands() const noexcept { return commands_; }

  void point(IPoint p) {
    commands_.push_back(command(pb::kMoveTo, 1));
    move(p);
  }

  /// Starts a ring: add its vertices with vertex(), then end_ring().
  void begin_ring() noexcept { ring_.clear(); }
  void vertex(double x, double y) {
    const IPoint p{quantise(x), quantise(y)};
    if (ring_.empty() || !(ring_.back() == p)) ring_.push_back(p);
  }
  /// Drops the ring when fewer than 3 distinct points or no area are left after quantisation;
  /// otherwise orients it (exterior clockwise on screen, holes counter-clockwise) and emits it.
  /// Returns whether the ring was emitted.
  bool end_ring(bool exterior) {
    while (ring_.size() > 1 && ring_.back() == ring_.front()) ring_.pop_back();  // open it
    if (ring_.size() < 3) return false;
    const int64_t area = twice_area(ring_);
    if (area == 0) return false;
    if ((area > 0) != exterior) std::reverse(ring_.begin(), ring_.end());
    commands_.push_back(command(pb::kMoveTo, 1));
    move(ring_[0]);
    commands_.push_back(command(pb::kLineTo, static_cast<uint32_t>(ring_.size() - 1)));
    for (size_t i = 1; i < ring_.size(); ++i) move(ring_[i]);
    commands_.push_back(command(pb::kClosePath, 1));
    return true;
  }

 private:
  void move(IPoint p) {
    commands_.push_back(zigzag(p.x - cursor_.x));
    commands_.push_back(zigzag(p.y - cursor_.y));
    cursor_ = p;
  }

  std::vector<uint32_t> commands_;
  std::vector<IPoint> ring_;
  IPoint cursor_;
};

/// Emits the polygons of a geometry whose coordinates are already in tile units (clipped) or
/// in lon/lat (to be projected on the fly); returns whether any ring was emitted.
template <typename ToTile>
bool encode_polygons(const std::vector<geo::Polygon>& polygons, ToTile to_tile,
                     GeometryEncoder& enc) {
  bool any = false;
  for (const geo::Polygon& polygon : polygons) {
    for (size_t r = 0; r < polygon.rings.size(); ++r) {
      enc.begin_ring();
      for (const geo::Point& v : polygon.rings[r]) {
        const auto [x, y] = to_tile(v);
        enc.vertex(x, y);
      }
      const bool emitted = enc.end_ring(r == 0);
      if (r == 0 && !emitted) break;  // no exterior: its holes go with it
      any = any || emitted;
    }
  }
  return any;
}

struct XY {
  double x, y;
};

}  // namespace

bool valid(TileId t) noexcept {
  return t.z >= 0 && t.z <= kMaxZoom && t.x < (uint32_t{1} << t.z) && t.y < (uint32_t{1} << t.z);
}

geo::Envelope tile_bounds(TileId t, double buffer_fraction) noexcept {
  if (!valid(t)) return {};
  const double n = std::ldexp(1.0, t.z);
  const double pad = buffer_fraction;
  const double west = (t.x - pad) / n;
  const double east = (t.x + 1 + pad) / n;
  const double north = (t.y - pad) / n;
  const double south = (t.y + 1 + pad) / n;
  return geo::Envelope{lon_of(west), lat_of(south), lon_of(east), lat_of(north)};
}

std::string encode_tile(TileId t, std::string_view layer, const std::vector<Feature>& features) {
  if (!valid(t)) return {};
  const Projector proj(t);
  constexpr double kLo = -kBuffer;
  constexpr double kHi = double{kExtent} + kBuffer;
  const geo::Envelope clip_box{kLo, kLo, kHi, kHi};  // tile units, y down
  const auto project = [&](const geo::Point& p) { return XY{proj.x(p.lon), proj.y(p.lat)}; };
  const auto as_is = [](const geo::Point& p) { return XY{p.lon, p.lat}; };

  std::string data;
  protozero::pbf_writer tile(data);
  protozero::pbf_writer out(tile, pb::kTileLayers);
  out.add_string(pb::kLayerName, layer.data(), layer.size());

  Tables tables;
  GeometryEncoder enc;
  std::vector<uint32_t> tags;
  geo::Geometry projected;  // reused for the few polygons that need clipping
  size_t written = 0;
  for (const Feature& f : features) {
    if (f.geometry == nullptr) continue;
    const geo::Geometry& g = *f.geometry;
    enc.clear();
    int32_t type = 0;
    if (g.type == geo::GeometryType::kPoint) {
      const double x = proj.x(g.point.lon);
      const double y = proj.y(g.point.lat);
      if (!(x >= kLo && x <= kHi && y >= kLo && y <= kHi)) continue;
      enc.point(IPoint{quantise(x), quantise(y)});
      type = pb::kTypePoint;
    } else if (g.type == geo::GeometryType::kPolygon ||
               g.type == geo::GeometryType::kMultiPolygon) {
      if (g.polygons.empty()) continue;
      // The Mercator x depends only on lon and y only on lat: the lon/lat box maps exactly.
      const geo::Envelope e = geo::envelope(g);
      const double west = proj.x(e.min_lon);
      const double east = proj.x(e.max_lon);
      const double north = proj.y(e.max_lat);
      const double south = proj.y(e.min_lat);
      if (east < kLo || west > kHi || south < kLo || north > kHi) continue;
      bool any = false;
      if (west >= kLo && east <= kHi && north >= kLo && south <= kHi) {
        any = encode_polygons(g.polygons, project, enc);
      } else {
        // Clip in tile units, so that the cut is straight in the tile and lands on the buffer.
        projected.type = geo::GeometryType::kMultiPolygon;
        projected.polygons.resize(g.polygons.size());
        for (size_t i = 0; i < g.polygons.size(); ++i) {
          const geo::Polygon& src = g.polygons[i];
          geo::Polygon& dst = projected.polygons[i];
          dst.rings.resize(src.rings.size());
          for (size_t r = 0; r < src.rings.size(); ++r) {
            dst.rings[r].clear();
            for (const geo::Point& v : src.rings[r]) {
              const XY p = project(v);
              dst.rings[r].push_back(geo::Point{p.x, p.y});
            }
          }
        }
        const geo::Geometry clipped = geo::clip_to_box(projected, clip_box);
        any = encode_polygons(clipped.polygons, as_is, enc);
      }
      if (!any) continue;
      type = pb::kTypePolygon;
    } else {
      continue;  // no geometry: MVT features need one
    }

    tags.clear();
    for (const auto& [key, value] : f.properties) {
      if (std::holds_alternative<std::monostate>(value)) continue;  // nulls are left out
      tags.push_back(tables.key(key));
      tags.push_back(tables.value(value));
    }
    protozero::pbf_writer feature(out, pb::kLayerFeatures);
    feature.add_uint64(pb::kFeatureId, f.id);
    if (!tags.empty()) feature.add_packed_uint32(pb::kFeatureTags, tags.begin(), tags.end());
    feature.add_enum(pb::kFeatureType, type);
    feature.add_packed_uint32(pb::kFeatureGeometry, enc.commands().begin(), enc.commands().end());
    ++written;
  }
  if (written == 0) return {};
  tables.write(out);
  out.add_uint32(pb::kLayerExtent, kExtent);
  out.add_uint32(pb::kLayerVersion, 2);
  out.commit();
  return data;
}

std::string tilejson(std::string_view layer, std::string_view tiles_url,
                     const std::vector<std::string>& fields, int minzoom, int maxzoom,
                     const geo::Envelope& bounds) {
  minzoom = std::clamp(minzoom, 0, kMaxZoom);
  maxzoom = std::clamp(maxzoom, minzoom, kMaxZoom);
  nlohmann::json field_map = nlohmann::json::object();
  for (const std::string& f : fields) field_map[f] = "";
  const std::string name(layer);
  nlohmann::json vector_layer = nlohmann::json::object();
  vector_layer["id"] = name;
  vector_layer["fields"] = std::move(field_map);
  vector_layer["minzoom"] = minzoom;
  vector_layer["maxzoom"] = maxzoom;
  nlohmann::json doc = nlohmann::json::object();
  doc["tilejson"] = "3.0.0";
  doc["name"] = name;
  doc["tiles"] = nlohmann::json::array({std::string(tiles_url)});
  doc["minzoom"] = minzoom;
  doc["maxzoom"] = maxzoom;
  doc["bounds"] =
      nlohmann::json::array({bounds.min_lon, bounds.min_lat, bounds.max_lon, bounds.max_lat});
  doc["center"] = nlohmann::json::array(
      {(bounds.min_lon + bounds.max_lon) / 2, (bounds.min_lat + bounds.max_lat) / 2, minzoom});
  doc["vector_layers"] = nlohmann::json::array({std::move(vector_layer)});
  return doc.dump();
}

}  // namespace reclaim::tiles
