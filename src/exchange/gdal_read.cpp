// Reading files through GDAL into core::RawRecord, and the small text inputs (mapping files).
#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "core/entities.hpp"
#include "exchange/exchange.hpp"
#include "exchange/gdal_util.hpp"

namespace reclaim::exchange {
namespace {

using detail::DatasetPtr;
using detail::ErrorCapture;
using detail::FeaturePtr;
using detail::GeometryPtr;
using detail::normalise_column;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && lower(s.substr(s.size() - suffix.size())) == suffix;
}

const char* label_of(Format f) {
  switch (f) {
    case Format::kGpkg:
      return "GeoPackage";
    case Format::kGeoJson:
      return "GeoJSON";
    case Format::kCsv:
      return "CSV";
    case Format::kXlsx:
      return "XLSX";
    case Format::kShp:
      return "Shapefile";
    case Format::kKml:
      return "KML";
  }
  return "?";
}

std::vector<std::string> drivers_of(Format f) {
  switch (f) {
    case Format::kGpkg:
      return {"GPKG"};
    case Format::kGeoJson:
      return {"GeoJSON"};
    case Format::kCsv:
      return {"CSV"};
    case Format::kXlsx:
      return {"XLSX"};
    case Format::kShp:
      return {"ESRI Shapefile"};
    case Format::kKml:
      return {"LIBKML", "KML"};
  }
  return {};
}

std::vector<std::string> open_options_of(Format f) {
  if (f == Format::kCsv)  // every value as text; the WKT column stays a column we parse ourselves
    return {"AUTODETECT_TYPE=NO", "KEEP_GEOM_COLUMNS=YES", "HEADERS=YES",
            "EMPTY_STRING_AS_NULL=NO", "MAX_LINE_SIZE=" + std::to_string(kCsvMaxLineBytes)};
  if (f == Format::kGeoJson) return {"DATE_AS_STRING=YES"};
  return {};
}

std::string two_digits(int v) {
  char b[16];
  std::snprintf(b, sizeof b, "%02d", v);
  return b;
}

std::string format_datetime(OGRFeatureH f, int i, OGRFieldType type) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, tz = 0;
  float sec = 0;
  OGR_F_GetFieldAsDateTimeEx(f, i, &y, &mo, &d, &h, &mi, &sec, &tz);
  char date[32];
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", y, mo, d);
  std::string time = two_digits(h) + ":" + two_digits(mi) + ":";
  const double whole = std::floor(sec);
  if (static_cast<double>(sec) == whole) {
    time += two_digits(static_cast<int>(whole));
  } else {
    char b[16];
    std::snprintf(b, sizeof b, "%06.3f", static_cast<double>(sec));
    time += b;
  }
  if (type == OFTDate) return date;
  if (type == OFTTime) return time;
  std::string out = std::string(date) + "T" + time;
  if (tz == 100) {
    out += "Z";
  } else if (tz > 1) {
    const int off = (tz - 100) * 15;  // minutes
    const int a = off < 0 ? -off : off;
    out += (off < 0 ? "-" : "+") + two_digits(a / 60) + ":" + two_digits(a % 60);
  }
  return out;
}

/// A field's value as text, or nullopt for null/unset and empty text (both are omitted).
std::optional<std::string> field_text(OGRFeatureH f, int i, OGRFieldDefnH fd) {
  if (!OGR_F_IsFieldSetAndNotNull(f, i)) return std::nullopt;
  const OGRFieldType type = OGR_Fld_GetType(fd);
  switch (type) {
    case OFTInteger:
      if (OGR_Fld_GetSubType(fd) == OFSTBoolean) return OGR_F_GetFieldAsInteger(f, i) ? "1" : "0";
      return std::to_string(OGR_F_GetFieldAsInteger(f, i));
    case OFTInteger64:
      return std::to_string(OGR_F_GetFieldAsInteger64(f, i));
    case OFTReal:
      return detail::format_real(OGR_F_GetFieldAsDouble(f, i));
    case OFTDate:
    case OFTTime:
    case OFTDateTime:
      return format_datetime(f, i, type);
    default: {
      const char* s = OGR_F_GetFieldAsString(f, i);
      if (s == nullptr || *s == '\0') return std::nullopt;
      return std::string(s);
    }
  }
}

/// Columns LIBKML adds to every layer; they are KML plumbing, not data.
bool is_kml_internal(const std::string& name) {
  static const std::set<std::string> kNames = {
      "timestamp", "begin",      "end",       "altitudemode", "tessellate",
      "extrude",   "visibility", "draworder", "icon",         "snippet"};
  return kNames.count(name) != 0;
}

struct Column {
  int index = 0;
  std::string name;  ///< after lower-casing and --map
  bool skip = false;
};

struct GeometryColumns {
  int wkt = -1;  ///< index into the columns, or -1
  int lon = -1, lat = -1;
};

Result<void> no_file(const std::string& path) {
  return fail(ErrorCode::kNotFound, path + ": no such file");
}

/// Resolves what GDAL should open: the path itself, the .dbf beside a missing .shp (a
/// geometry-less shapefile), or the .shp inside a zip.
Result<std::string> gdal_path_for(const std::string& path, Format fmt) {
  namespace fs = std::filesystem;
  const bool zipped_shp = fmt == Format::kShp && ends_with(path, ".zip");
  // A GDAL virtual file (/vsimem/ of an upload, /vsicurl/): GDAL itself says if it exists; a
  // zipped shapefile among them is opened through /vsizip/ as one on disk is.
  const bool virtual_file = path.rfind("/vsi", 0) == 0;
  if (virtual_file && !zipped_shp) return path;
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  if (fmt == Format::kShp && ends_with(path, ".shp") && !exists) {
    fs::path dbf = fs::path(path).replace_extension(".dbf");
    if (fs::exists(dbf, ec)) return dbf.string();
  }
  if (!virtual_file) {
    if (!exists) return tl::unexpected(no_file(path).error());
    if (fs::is_directory(path, ec))
      return fail(ErrorCode::kInvalidArgument, path + ": is a directory, not a file");
    if (!zipped_shp) return path;
  }

  // A zipped shapefile: check the magic number, then look for the .shp (or a lone .dbf).
  {
    char magic[4] = {};
    size_t got = 0;
    if (VSILFILE* in = VSIFOpenL(path.c_str(), "rb")) {
      got = VSIFReadL(magic, 1, 4, in);
      VSIFCloseL(in);
    } else if (virtual_file) {
      return tl::unexpected(no_file(path).error());
    }
    if (got < 4 || magic[0] != 'P' || magic[1] != 'K')
      return fail(ErrorCode::kUnsupported, path + " is not a valid zip file");
  }
  const std::string root = "/vsizip/" + path;
  ErrorCapture errors;
  detail::CslPtr list(VSIReadDirRecursive(root.c_str()));
  if (!list) {
    std::string msg = errors.failed() ? errors.message() : "not a readable zip archive";
    return fail(ErrorCode::kInvalidArgument, path + ": " + msg);
  }
  std::string dbf;
  for (char** p = list.get(); *p != nullptr; ++p) {
    const std::string entry = *p;
    if (entry.find("__MACOSX") != std::string::npos) continue;
    if (ends_with(entry, ".shp")) return root + "/" + entry;
    if (ends_with(entry, ".dbf") && dbf.empty()) dbf = root + "/" + entry;
  }
  if (!dbf.empty()) return dbf;
  return fail(ErrorCode::kInvalidArgument, path + ": the zip holds no .shp file");
}

Result<OGRLayerH> choose_layer(const std::string& path, GDALDatasetH ds, const ReadOptions& opts,
                               Format fmt) {
  const int n = GDALDatasetGetLayerCount(ds);
  std::string names;
  for (int i = 0; i < n; ++i) {
    names += (i ? ", " : "");
    names += OGR_L_GetName(GDALDatasetGetLayer(ds, i));
  }
  if (!opts.layer.empty()) {
    if (OGRLayerH l = GDALDatasetGetLayerByName(ds, opts.layer.c_str())) return l;
    return fail(ErrorCode::kNotFound,
                path + ": no layer '" + opts.layer + "' (layers: " + names + ")");
  }
  if (!opts.entity.empty()) {
    for (int i = 0; i < n; ++i) {
      OGRLayerH l = GDALDatasetGetLayer(ds, i);
      if (lower(OGR_L_GetName(l)) == lower(opts.entity)) return l;
    }
  }
  // A workbook's data is on its first sheet; other sheets are notes, lists, pivots.
  if (n == 1 || (n > 1 && fmt == Format::kXlsx)) return GDALDatasetGetLayer(ds, 0);
  if (n == 0) return fail(ErrorCode::kInvalidArgument, path + ": the file holds no layer");
  return fail(ErrorCode::kInvalidArgument,
              path + ": " + std::to_string(n) + " layers (" + names + "); choose one with --layer");
}

/// The transformation from the layer's CRS to WGS84 lon/lat, or null when it is already that.
detail::TransformPtr make_transform(OGRLayerH layer, OGRSpatialReferenceH wgs84) {
  OGRSpatialReferenceH src = OGR_L_GetSpatialRef(layer);
  if (src == nullptr) return {};
  const char* same_opts[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES",
                             "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS", nullptr};
  if (OSRIsSameEx(src, wgs84, same_opts)) return {};
  detail::SrsPtr clone(OSRClone(src));
  auto* c = static_cast<OGRSpatialReferenceH>(clone.get());
  OSRSetAxisMappingStrategy(c, OAMS_TRADITIONAL_GIS_ORDER);
  return detail::TransformPtr(OCTNewCoordinateTransformation(c, wgs84));
}

Result<double> parse_number(const std::string& text, const char* what) {
  const char* b = text.c_str();
  char* end = nullptr;
  const double v = std::strtod(b, &end);
  while (end && (*end == ' ' || *end == '\t')) ++end;
  if (end == b || (end && *end != '\0') || !std::isfinite(v))
    return fail(ErrorCode::kInvalidArgument, std::string(what) + " '" + text + "' is not a number");
  return v;
}

/// Geometry from a WKT text (CSV/XLSX).
Result<geo::Geometry> geometry_from_wkt(const std::string& wkt) {
  ErrorCapture errors;
  OGRGeometryH g = nullptr;
  char* p = const_cast<char*>(wkt.c_str());  // GDAL's signature is not const-correct
  if (OGR_G_CreateFromWkt(&p, nullptr, &g) != OGRERR_NONE || g == nullptr) {
    std::string shown = wkt.size() > 60 ? wkt.substr(0, 60) + "..." : wkt;
    return fail(ErrorCode::kInvalidArgument, "WKT '" + shown + "' could not be parsed");
  }
  GeometryPtr owner(g);
  return detail::from_ogr(g);
}

}  // namespace

Result<Format> parse_format(std::string_view name) {
  const std::string n = lower(name);
  if (n == "gpkg") return Format::kGpkg;
  if (n == "geojson") return Format::kGeoJson;
  if (n == "csv") return Format::kCsv;
  if (n == "xlsx") return Format::kXlsx;
  if (n == "shp") return Format::kShp;
  if (n == "kml") return Format::kKml;
  return fail(ErrorCode::kUnsupported, "unsupported format '" + std::string(name) +
                                           "' (expected gpkg, geojson, csv, xlsx, shp or kml)");
}

Result<Format> format_of_path(std::string_view path) {
  if (ends_with(path, ".gpkg")) return Format::kGpkg;
  if (ends_with(path, ".geojson") || ends_with(path, ".json")) return Format::kGeoJson;
  if (ends_with(path, ".csv")) return Format::kCsv;
  if (ends_with(path, ".xlsx")) return Format::kXlsx;
  if (ends_with(path, ".shp") || ends_with(path, ".zip") || ends_with(path, ".dbf"))
    return Format::kShp;
  if (ends_with(path, ".kml")) return Format::kKml;
  const auto slash = path.find_last_of('/');
  const auto file = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto dot = file.find_last_of('.');
  const std::string ext = dot == std::string_view::npos ? "" : std::string(file.substr(dot));
  return fail(ErrorCode::kUnsupported,
              std::string(path) + ": unsupported file type '" + ext +
                  "' (expected .gpkg, .geojson, .json, .csv, .xlsx, .shp, .zip or .kml)");
}

const char* format_name(Format format) noexcept {
  switch (format) {
    case Format::kGpkg:
      return "gpkg";
    case Format::kGeoJson:
      return "geojson";
    case Format::kCsv:
      return "csv";
    case Format::kXlsx:
      return "xlsx";
    case Format::kShp:
      return "shp";
    case Format::kKml:
      return "kml";
  }
  return "gpkg";
}

Result<Format> output_format(std::string_view path, std::optional<Format> given) {
  auto implied = format_of_path(path);
  if (!given) return implied;
  if (implied && *implied != *given) {
    const auto dot = path.find_last_of('.');
    return fail(ErrorCode::kInvalidArgument,
                std::string("--format ") + format_name(*given) + ", but the output " +
                    std::string(path) + " has the extension " + std::string(path.substr(dot)) +
                    " of " + format_name(*implied) + ": name the file ." + format_name(*given) +
                    (*given == Format::kShp ? " (or .zip)" : "") + " or drop --format");
  }
  return *given;
}

Result<std::vector<core::RawRecord>> read_file(const std::string& path, const ReadOptions& opts) {
  auto fmt = format_of_path(path);
  if (!fmt) return tl::unexpected(fmt.error());
  auto gdal_path = gdal_path_for(path, *fmt);
  if (!gdal_path) return tl::unexpected(gdal_path.error());

  // XLSX has its switches as configuration options only (GDAL 3.6).
  std::optional<detail::ScopedConfig> xlsx_headers, xlsx_types;
  if (*fmt == Format::kXlsx) {
    xlsx_headers.emplace("OGR_XLSX_HEADERS", "FORCE");
    xlsx_types.emplace("OGR_XLSX_FIELD_TYPES", "STRING");
  }
  auto ds = detail::open_vector(path, *gdal_path, drivers_of(*fmt), open_options_of(*fmt),
                                label_of(*fmt));
  if (!ds) return tl::unexpected(ds.error());
  auto layer_r = choose_layer(path, static_cast<GDALDatasetH>(ds->get()), opts, *fmt);
  if (!layer_r) return tl::unexpected(layer_r.error());
  OGRLayerH layer = *layer_r;
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);

  // ---- the column plan ----
  std::map<std::string, std::string> map;
  for (const auto& [from, to] : opts.column_map) map[normalise_column(from)] = normalise_column(to);
  const core::EntitySchema* schema = opts.entity.empty() ? nullptr : core::find_schema(opts.entity);
  std::map<std::string, std::string> shp_names;  // truncated DBF name -> schema field
  if (*fmt == Format::kShp && schema != nullptr) {
    const auto names = detail::shapefile_field_names(*schema);
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] != schema->fields[i].name) shp_names[names[i]] = schema->fields[i].name;
  }
  const bool table = (*fmt == Format::kCsv || *fmt == Format::kXlsx);
  std::vector<Column> cols;
  GeometryColumns gcols;
  const int nfields = OGR_FD_GetFieldCount(defn);
  for (int i = 0; i < nfields; ++i) {
    Column c;
    c.index = i;
    c.name = normalise_column(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    if (auto it = map.find(c.name); it != map.end()) {
      c.name = it->second;
    } else if (auto jt = shp_names.find(c.name); jt != shp_names.end()) {
      c.name = jt->second;
    }
    if (*fmt == Format::kKml && is_kml_internal(c.name)) c.skip = true;
    cols.push_back(std::move(c));
  }
  if (table) {
    const auto find = [&](std::string_view n) {
      for (size_t i = 0; i < cols.size(); ++i)
        if (cols[i].name == n) return static_cast<int>(i);
      return -1;
    };
    for (const char* n : {"wkt", "geometry", "geom"})
      if (gcols.wkt < 0) gcols.wkt = find(n);
    const std::pair<const char*, const char*> pairs[] = {
        {"lon", "lat"}, {"longitude", "latitude"}, {"x", "y"}};
    for (const auto& [lon, lat] : pairs) {
      if (gcols.lon >= 0) break;
      const int a = find(lon), b = find(lat);
      if (a >= 0 && b >= 0) gcols.lon = a, gcols.lat = b;
    }
    for (int i : {gcols.wkt, gcols.lon, gcols.lat})
      if (i >= 0) cols[static_cast<size_t>(i)].skip = true;
  }

  detail::SrsPtr wgs84 = detail::make_wgs84();
  detail::TransformPtr transform;
  if (!table) transform = make_transform(layer, static_cast<OGRSpatialReferenceH>(wgs84.get()));
  const bool layer_has_geometry = OGR_FD_GetGeomFieldCount(defn) > 0;

  // ---- the features ----
  std::vector<core::RawRecord> out;
  ErrorCapture errors;
  OGR_L_ResetReading(layer);
  int64_t ordinal = 0;
  int64_t last_fid = 0;  ///< of the last feature read (CSV: its row is last_fid + 1)
  for (;;) {
    errors.clear();
    FeaturePtr feature(OGR_L_GetNextFeature(layer));
    auto* f = static_cast<OGRFeatureH>(feature.get());
    if (f == nullptr) {
      if (!errors.failed()) break;
      // GDAL's CSV reader stops at a line longer than MAX_LINE_SIZE ("Maximum number of
      // characters allowed reached."): name the row (as rec.source counts them) and the limit.
      if (*fmt == Format::kCsv && errors.message().find("Maximum number of characters") !=
                                      std::string::npos)
        return fail(ErrorCode::kInvalidArgument,
                    path + ": row " + std::to_string(last_fid + 2) +
                        ": the line is longer than the limit of " +
                        std::to_string(kCsvMaxLineBytes) + " bytes");
      return fail(ErrorCode::kInvalidArgument, path + ": " + errors.message());
    }
    ++ordinal;
    const std::string feature_error = errors.failed() ? errors.message() : "";
    core::RawRecord rec;
    const GIntBig fid = OGR_F_GetFID(f);
    last_fid = fid == OGRNullFID ? ordinal : static_cast<int64_t>(fid);
    if (*fmt == Format::kXlsx) {
      // XLSX FIDs are the sheet's row numbers (the header is row 1).
      rec.source = "row " + std::to_string(fid == OGRNullFID ? ordinal + 1 : fid);
    } else if (*fmt == Format::kCsv) {
      // CSV FIDs count records from 1, skipping blank lines; the header is row 1.
      rec.source = "row " + std::to_string((fid == OGRNullFID ? ordinal : fid) + 1);
    } else {
      rec.source = "feature " + std::to_string(fid == OGRNullFID ? ordinal : fid);
    }
    std::vector<std::optional<std::string>> values(cols.size());
    bool any = false;
    for (size_t i = 0; i < cols.size(); ++i) {
      values[i] = field_text(f, cols[i].index, OGR_FD_GetFieldDefn(defn, cols[i].index));
      if (*fmt == Format::kCsv && values[i] && !values[i]->empty() && values[i]->front() == '\'')
        values[i] = csv_unguard(*values[i]);
      any = any || values[i].has_value();
      if (!cols[i].skip && values[i]) rec.fields.emplace_back(cols[i].name, *values[i]);
    }
    if (table) {
      if (!any) continue;  // a blank row
      const auto val = [&](int i) -> const std::optional<std::string>& {
        return values[static_cast<size_t>(i)];
      };
      if (gcols.wkt >= 0 && val(gcols.wkt)) {
        auto g = geometry_from_wkt(*val(gcols.wkt));
        if (g)
          rec.geometry = std::move(*g);
        else
          rec.geometry_error = cols[static_cast<size_t>(gcols.wkt)].name + ": " + g.error().message;
      } else if (gcols.lon >= 0 && (val(gcols.lon) || val(gcols.lat))) {
        const std::string& lon_name = cols[static_cast<size_t>(gcols.lon)].name;
        const std::string& lat_name = cols[static_cast<size_t>(gcols.lat)].name;
        if (!val(gcols.lon) || !val(gcols.lat)) {
          rec.geometry_error = lon_name + "/" + lat_name + ": only one of the two is given";
        } else {
          auto lon = parse_number(*val(gcols.lon), lon_name.c_str());
          auto lat = parse_number(*val(gcols.lat), lat_name.c_str());
          if (!lon)
            rec.geometry_error = lon.error().message;
          else if (!lat)
            rec.geometry_error = lat.error().message;
          else {
            rec.geometry.type = geo::GeometryType::kPoint;
            rec.geometry.point = {*lon, *lat};
          }
        }
      }
    } else if (layer_has_geometry) {
      OGRGeometryH g = OGR_F_GetGeometryRef(f);
      if (g == nullptr && !feature_error.empty()) {
        rec.geometry_error = feature_error;
      } else if (g != nullptr) {
        if (transform && !OGR_G_IsEmpty(g)) {
          errors.clear();
          if (OGR_G_Transform(g, static_cast<OGRCoordinateTransformationH>(transform.get())) !=
              OGRERR_NONE) {
            rec.geometry_error = "could not be transformed to WGS84" +
                                 (errors.failed() ? ": " + errors.message() : std::string());
          }
        }
        if (rec.geometry_error.empty()) {
          auto conv = detail::from_ogr(g);
          if (conv)
            rec.geometry = std::move(*conv);
          else
            rec.geometry_error = conv.error().message;
        }
      }
    }
    out.push_back(std::move(rec));
  }
  return out;
}

Result<std::map<std::string, std::string>> read_mapping_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return tl::unexpected(no_file(path).error());
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kIo, path + ": cannot be read");
  std::map<std::string, std::string> map;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string t = normalise_column(line);  // also drops a BOM and a CR
    if (t.empty() || t.front() == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos || line.find('=', eq + 1) != std::string::npos)
      return fail(ErrorCode::kInvalidArgument,
                  path + " line " + std::to_string(n) + ": expected old=new");
    std::string from = normalise_column(std::string_view(line).substr(0, eq));
    std::string to = normalise_column(std::string_view(line).substr(eq + 1));
    if (from.empty() || to.empty())
      return fail(ErrorCode::kInvalidArgument,
                  path + " line " + std::to_string(n) + ": expected old=new");
    if (map.count(from) != 0)
      return fail(ErrorCode::kInvalidArgument,
                  path + " line " + std::to_string(n) + ": '" + from + "' is mapped twice");
    map.emplace(std::move(from), std::move(to));
  }
  return map;
}

}  // namespace reclaim::exchange
