#include "exchange/gdal_util.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <set>

#include "geo/wkb.hpp"

namespace reclaim::exchange::detail {

void ensure_gdal_registered() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

ErrorCapture::ErrorCapture() { CPLPushErrorHandlerEx(&ErrorCapture::handler, this); }
ErrorCapture::~ErrorCapture() { CPLPopErrorHandler(); }

void CPL_STDCALL ErrorCapture::handler(CPLErr cls, CPLErrorNum /*num*/, const char* msg) {
  auto* self = static_cast<ErrorCapture*>(CPLGetErrorHandlerUserData());
  if (self == nullptr) return;
  if (cls == CE_Failure || cls == CE_Fatal) self->failures_.emplace_back(msg ? msg : "");
}

std::string ErrorCapture::message() const {
  if (failures_.empty()) return "";
  return failures_.front();
}

ScopedConfig::ScopedConfig(const char* key, const char* value) : key_(key) {
  if (const char* old = CPLGetThreadLocalConfigOption(key, nullptr)) {
    old_ = old;
    had_old_ = true;
  }
  CPLSetThreadLocalConfigOption(key, value);
}
ScopedConfig::~ScopedConfig() {
  CPLSetThreadLocalConfigOption(key_.c_str(), had_old_ ? old_.c_str() : nullptr);
}

namespace {
/// A NULL-terminated char* array viewing `v` (which must outlive it).
std::vector<const char*> c_list(const std::vector<std::string>& v) {
  std::vector<const char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(s.c_str());
  out.push_back(nullptr);
  return out;
}
}  // namespace

Result<DatasetPtr> open_vector(const std::string& shown, const std::string& gdal_path,
                               const std::vector<std::string>& drivers,
                               const std::vector<std::string>& open_options,
                               std::string_view label) {
  ensure_gdal_registered();
  const auto drv = c_list(drivers);
  const auto opts = c_list(open_options);
  ErrorCapture errors;
  DatasetPtr ds(GDALOpenEx(gdal_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drv.data(),
                           opts.data(), nullptr));
  if (ds) return ds;
  if (errors.failed()) return fail(ErrorCode::kInvalidArgument, shown + ": " + errors.message());
  return fail(ErrorCode::kUnsupported, shown + " is not a valid " + std::string(label) + " file");
}

SrsPtr make_wgs84() {
  SrsPtr srs(OSRNewSpatialReference(nullptr));
  OSRImportFromEPSG(static_cast<OGRSpatialReferenceH>(srs.get()), 4326);
  OSRSetAxisMappingStrategy(static_cast<OGRSpatialReferenceH>(srs.get()),
                            OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

namespace {

/// Twice the signed planar area of a closed ring (> 0: counter-clockwise).
double signed_area2(const geo::Ring& r) {
  double a = 0;
  for (size_t i = 0; i + 1 < r.size(); ++i) {
    // Relative to the first vertex, for precision with coordinates far from the origin.
    const double x1 = r[i].lon - r[0].lon, y1 = r[i].lat - r[0].lat;
    const double x2 = r[i + 1].lon - r[0].lon, y2 = r[i + 1].lat - r[0].lat;
    a += x1 * y2 - x2 * y1;
  }
  return a;
}

void orient(geo::Polygon& p) {
  for (size_t i = 0; i < p.rings.size(); ++i) {
    const double a = signed_area2(p.rings[i]);
    const bool want_ccw = (i == 0);
    if ((want_ccw && a < 0) || (!want_ccw && a > 0))
      std::reverse(p.rings[i].begin(), p.rings[i].end());
  }
}

}  // namespace

void normalise_orientation(geo::Geometry& g) {
  for (auto& p : g.polygons) orient(p);
}

Result<geo::Geometry> from_ogr(OGRGeometryH src) {
  if (src == nullptr || OGR_G_IsEmpty(src)) return geo::Geometry{};
  GeometryPtr g;
  if (OGR_G_HasCurveGeometry(src, FALSE))
    g.reset(OGR_G_GetLinearGeometry(src, 0, nullptr));
  else
    g.reset(OGR_G_Clone(src));
  if (!g) return fail(ErrorCode::kInvalidArgument, "geometry could not be copied");
  auto* h = static_cast<OGRGeometryH>(g.get());
  OGR_G_FlattenTo2D(h);
  const OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(h));
  if (t == wkbGeometryCollection) {
    bool all_polygons = OGR_G_GetGeometryCount(h) > 0;
    for (int i = 0; i < OGR_G_GetGeometryCount(h); ++i) {
      const auto st = wkbFlatten(OGR_G_GetGeometryType(OGR_G_GetGeometryRef(h, i)));
      all_polygons = all_polygons && (st == wkbPolygon || st == wkbMultiPolygon);
    }
    // ForceToMultiPolygon takes ownership and returns the new geometry; anything else stays
    // owned by g as it is (resetting g to its own pointer would free it: a use-after-free that
    // fuzzing found, fuzz/README.md).
    if (all_polygons) {
      h = OGR_G_ForceToMultiPolygon(static_cast<OGRGeometryH>(g.release()));
      g.reset(h);
    }
  }
  const int size = OGR_G_WkbSize(h);
  if (size <= 0) return fail(ErrorCode::kInvalidArgument, "geometry has no WKB form");
  std::vector<uint8_t> wkb(static_cast<size_t>(size));
  if (OGR_G_ExportToIsoWkb(h, wkbNDR, wkb.data()) != OGRERR_NONE)
    return fail(ErrorCode::kInvalidArgument, "geometry could not be exported as WKB");
  auto out = geo::from_wkb(wkb.data(), wkb.size());
  if (!out) {
    const char* name = OGR_G_GetGeometryName(h);
    return fail(ErrorCode::kInvalidArgument,
                std::string(name ? name : "geometry") + ": " + out.error().message);
  }
  normalise_orientation(*out);
  return out;
}

Result<GeometryPtr> to_ogr(const geo::Geometry& g) {
  if (g.empty()) return GeometryPtr{};
  std::vector<uint8_t> wkb = geo::to_wkb(g);
  OGRGeometryH h = nullptr;
  const OGRErr err = OGR_G_CreateFromWkb(wkb.data(), nullptr, &h, static_cast<int>(wkb.size()));
  if (err != OGRERR_NONE || h == nullptr)
    return fail(ErrorCode::kInvalidArgument, "geometry could not be converted for GDAL");
  return GeometryPtr(h);
}

std::string normalise_column(std::string_view name) {
  if (name.substr(0, 3) == "\xEF\xBB\xBF") name.remove_prefix(3);
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
  };
  while (!name.empty() && is_space(name.front())) name.remove_prefix(1);
  while (!name.empty() && is_space(name.back())) name.remove_suffix(1);
  std::string out(name);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::vector<std::string> shapefile_field_names(const core::EntitySchema& s) {
  constexpr size_t kMax = 10;
  std::vector<std::string> out;
  std::set<std::string> used;
  for (const auto& f : s.fields) {
    std::string n = normalise_column(f.name).substr(0, kMax);
    for (int i = 1; used.count(n) != 0 && i < 100; ++i) {
      char suffix[4];
      std::snprintf(suffix, sizeof suffix, "%02d", i);
      n = normalise_column(f.name).substr(0, kMax - 2) + suffix;
    }
    used.insert(n);
    out.push_back(std::move(n));
  }
  return out;
}

std::string format_real(double v) { return core::to_text(core::Value{v}); }

}  // namespace reclaim::exchange::detail
