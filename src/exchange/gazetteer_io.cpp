// The gazetteer CSVs and the boundary GeoJSON, read through GDAL (codes stay text: "01").
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "exchange/exchange.hpp"
#include "exchange/gdal_util.hpp"

namespace reclaim::exchange {
namespace {

using detail::FeaturePtr;

std::optional<double> parse_coordinate(const char* s) {
  if (s == nullptr || *s == '\0') return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s, &end);
  if (end == s || *end != '\0') return std::nullopt;
  return v;
}

/// Index of a column by (normalised) name, or -1.
int column(OGRFeatureDefnH defn, std::string_view name) {
  for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i)
    if (detail::normalise_column(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i))) == name)
      return i;
  return -1;
}

Result<void> read_level(const std::string& path, core::AdminLevel level,
                        std::vector<core::AdminUnit>& out) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return fail(ErrorCode::kNotFound, path + ": no such file");
  auto ds = detail::open_vector(
      path, path, {"CSV"}, {"AUTODETECT_TYPE=NO", "HEADERS=YES", "KEEP_GEOM_COLUMNS=YES"}, "CSV");
  if (!ds) return tl::unexpected(ds.error());
  OGRLayerH layer = GDALDatasetGetLayer(static_cast<GDALDatasetH>(ds->get()), 0);
  if (layer == nullptr) return fail(ErrorCode::kInvalidArgument, path + ": no table");
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
  const int code = column(defn, "code"), parent = column(defn, "parent_code"),
            latin = column(defn, "name_latin"), km = column(defn, "name_km"),
            lat = column(defn, "lat"), lon = column(defn, "lon");
  for (auto [i, n] :
       {std::pair{code, "code"}, {parent, "parent_code"}, {latin, "name_latin"}, {km, "name_km"}})
    if (i < 0) return fail(ErrorCode::kInvalidArgument, path + ": no column " + n);

  detail::ErrorCapture errors;
  for (;;) {
    errors.clear();
    FeaturePtr feature(OGR_L_GetNextFeature(layer));
    auto* f = static_cast<OGRFeatureH>(feature.get());
    if (f == nullptr) {
      if (errors.failed()) return fail(ErrorCode::kInvalidArgument, path + ": " + errors.message());
      break;
    }
    core::AdminUnit u;
    u.level = level;
    u.code = OGR_F_GetFieldAsString(f, code);
    if (u.code.empty()) {
      if (OGR_F_GetFieldAsString(f, latin)[0] == '\0') continue;  // a blank line
      return fail(ErrorCode::kInvalidArgument,
                  path + ": row " + std::to_string(OGR_F_GetFID(f) + 1) + ": empty code");
    }
    u.parent_code = OGR_F_GetFieldAsString(f, parent);
    u.name_latin = OGR_F_GetFieldAsString(f, latin);
    u.name_km = OGR_F_GetFieldAsString(f, km);
    if (lat >= 0 && lon >= 0) {
      u.lat = parse_coordinate(OGR_F_GetFieldAsString(f, lat));
      u.lon = parse_coordinate(OGR_F_GetFieldAsString(f, lon));
      if (!u.lat || !u.lon) u.lat = u.lon = std::nullopt;
    }
    out.push_back(std::move(u));
  }
  return {};
}

/// A code property as text; an integer property is zero-padded to the level's width.
std::string code_text(OGRFeatureH f, int i, int width) {
  if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i)) return "";
  OGRFieldDefnH fd = OGR_F_GetFieldDefnRef(f, i);
  const OGRFieldType t = OGR_Fld_GetType(fd);
  if (t == OFTInteger || t == OFTInteger64) {
    char b[32];
    std::snprintf(b, sizeof b, "%0*lld", width,
                  static_cast<long long>(OGR_F_GetFieldAsInteger64(f, i)));
    return b;
  }
  return OGR_F_GetFieldAsString(f, i);
}

}  // namespace

Result<std::vector<core::AdminUnit>> read_gazetteer(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return fail(ErrorCode::kNotFound, dir + ": no such folder");
  std::vector<core::AdminUnit> units;
  const std::pair<const char*, core::AdminLevel> files[] = {
      {"provinces.csv", core::AdminLevel::kProvince},
      {"districts.csv", core::AdminLevel::kDistrict},
      {"communes.csv", core::AdminLevel::kCommune},
      {"villages.csv", core::AdminLevel::kVillage}};
  for (const auto& [file, level] : files) {
    auto r = read_level((std::filesystem::path(dir) / file).string(), level, units);
    if (!r) return tl::unexpected(r.error());
  }
  return units;
}

Result<std::vector<core::AdminBoundary>> read_province_boundaries(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return fail(ErrorCode::kNotFound, path + ": no such file");
  auto ds = detail::open_vector(path, path, {"GeoJSON"}, {}, "GeoJSON");
  if (!ds) return tl::unexpected(ds.error());
  OGRLayerH layer = GDALDatasetGetLayer(static_cast<GDALDatasetH>(ds->get()), 0);
  if (layer == nullptr) return fail(ErrorCode::kInvalidArgument, path + ": no layer");
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
  // The most detailed code a feature carries decides its level.
  const std::pair<int, core::AdminLevel> levels[] = {
      {column(defn, "village_code"), core::AdminLevel::kVillage},
      {column(defn, "commune_code"), core::AdminLevel::kCommune},
      {column(defn, "district_code"), core::AdminLevel::kDistrict},
      {column(defn, "province_code"), core::AdminLevel::kProvince}};
  if (levels[3].first < 0)
    return fail(ErrorCode::kInvalidArgument, path + ": no province_code property");

  std::vector<core::AdminBoundary> out;
  detail::ErrorCapture errors;
  for (;;) {
    errors.clear();
    FeaturePtr feature(OGR_L_GetNextFeature(layer));
    auto* f = static_cast<OGRFeatureH>(feature.get());
    if (f == nullptr) {
      if (errors.failed()) return fail(ErrorCode::kInvalidArgument, path + ": " + errors.message());
      break;
    }
    core::AdminBoundary b;
    for (const auto& [index, level] : levels) {
      const int width = 2 * static_cast<int>(level);
      if (std::string c = code_text(f, index, width); !c.empty()) {
        b.code = std::move(c);
        b.level = level;
        break;
      }
    }
    const std::string where = path + ": feature " + std::to_string(OGR_F_GetFID(f));
    if (b.code.empty()) return fail(ErrorCode::kInvalidArgument, where + ": no province_code");
    auto g = detail::from_ogr(OGR_F_GetGeometryRef(f));
    if (!g)
      return fail(ErrorCode::kInvalidArgument, where + " (" + b.code + "): " + g.error().message);
    if (g->type != geo::GeometryType::kPolygon && g->type != geo::GeometryType::kMultiPolygon)
      return fail(ErrorCode::kInvalidArgument, where + " (" + b.code + "): not a polygon");
    b.geometry = std::move(*g);
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace reclaim::exchange
