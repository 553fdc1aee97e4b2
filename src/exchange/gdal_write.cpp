// Writing records to files through GDAL. Every format is written into a private temporary
// folder beside the target and moved into place at the end, so a failed export never leaves a
// half-written file under the target's name (and an existing file is overwritten only on success).
#include <cpl_conv.h>
#include <cpl_string.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include "exchange/exchange.hpp"
#include "exchange/gdal_util.hpp"

namespace reclaim::exchange {
namespace {

namespace fs = std::filesystem;
using detail::ErrorCapture;
using detail::FeaturePtr;

/// DBF text columns hold at most 254 bytes.
constexpr int kShpMaxText = 254;

const char* driver_of(Format f) {
  switch (f) {
    case Format::kGpkg:
      return "GPKG";
    case Format::kGeoJson:
      return "GeoJSON";
    case Format::kCsv:
      return "CSV";
    case Format::kXlsx:
      return "XLSX";
    case Format::kShp:
      return "ESRI Shapefile";
    case Format::kKml:
      return "LIBKML";
  }
  return "";
}

bool ends_with_zip(const std::string& p) {
  if (p.size() < 4) return false;
  std::string e = p.substr(p.size() - 4);
  for (char& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e == ".zip";
}

/// Removes the temporary folder on every exit path.
struct TempDir {
  fs::path dir;
  ~TempDir() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
};

Result<fs::path> make_temp_dir(const std::string& target) {
  static std::atomic<int> counter{0};
  fs::path parent = fs::path(target).parent_path();
  if (parent.empty()) parent = ".";
  std::error_code ec;
  if (!fs::is_directory(parent, ec))
    return fail(ErrorCode::kIo, target + ": folder " + parent.string() + " does not exist");
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path dir = parent / (".reclaim-write-" + std::to_string(::getpid()) + "-" +
                             std::to_string(counter.fetch_add(1)));
    if (fs::create_directory(dir, ec)) return dir;
  }
  return fail(ErrorCode::kIo, target + ": cannot create a temporary folder in " + parent.string() +
                                  (ec ? ": " + ec.message() : ""));
}

OGRFieldType column_type(const core::FieldDef& f, Format fmt) {
  switch (f.type) {
    case core::FieldType::kInteger:
    case core::FieldType::kBool:
      return OFTInteger64;
    case core::FieldType::kReal:
      return OFTReal;
    case core::FieldType::kDate:
      return (fmt == Format::kGpkg || fmt == Format::kShp) ? OFTDate : OFTString;
    default:
      return OFTString;
  }
}

Result<void> set_value(OGRFeatureH f, int i, OGRFieldType type, const core::Value& v, Format fmt,
                       const std::string& shown_field, const std::string& path,
                       const std::string& record_id) {
  if (std::holds_alternative<std::monostate>(v)) return {};
  if (const auto* n = std::get_if<int64_t>(&v)) {
    if (type == OFTReal)
      OGR_F_SetFieldDouble(f, i, static_cast<double>(*n));
    else if (type == OFTString)
      OGR_F_SetFieldString(f, i, std::to_string(*n).c_str());
    else
      OGR_F_SetFieldInteger64(f, i, *n);
  } else if (const auto* d = std::get_if<double>(&v)) {
    if (type == OFTString)
      OGR_F_SetFieldString(f, i, detail::format_real(*d).c_str());
    else
      OGR_F_SetFieldDouble(f, i, *d);
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    if (fmt == Format::kShp && type == OFTString && s->size() > static_cast<size_t>(kShpMaxText))
      return fail(ErrorCode::kIo, path + ": record " + record_id + ": field " + shown_field +
                                      " is " + std::to_string(s->size()) +
                                      " bytes, more than the Shapefile limit of 254; export to "
                                      "GeoPackage instead");
    if (fmt == Format::kCsv && csv_needs_guard(*s)) {
      OGR_F_SetFieldString(f, i, csv_guard(*s).c_str());
    } else {
      OGR_F_SetFieldString(f, i, s->c_str());
    }
  }
  return {};
}

Result<void> zip_folder(const fs::path& folder, const std::vector<fs::path>& files,
                        const fs::path& zip_path, const std::string& shown) {
  ErrorCapture errors;
  void* zip = CPLCreateZip(zip_path.c_str(), nullptr);
  if (zip == nullptr) return fail(ErrorCode::kIo, shown + ": " + errors.message());
  bool ok = true;
  for (const auto& file : files) {
    std::ifstream in(folder / file, std::ios::binary);
    std::vector<char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ok = ok && CPLCreateFileInZip(zip, file.c_str(), nullptr) == CE_None;
    ok = ok && CPLWriteFileInZip(zip, data.data(), static_cast<int>(data.size())) == CE_None;
    ok = ok && CPLCloseFileInZip(zip) == CE_None;
  }
  ok = (CPLCloseZip(zip) == CE_None) && ok;
  if (!ok) return fail(ErrorCode::kIo, shown + ": " + errors.message());
  return {};
}

/// "12", "-12.5", "+3e-4", "-.5": what a spreadsheet reads as a number.
bool is_number(std::string_view s) noexcept {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

bool starts_formula(std::string_view s) noexcept {
  if (s.empty()) return false;
  switch (s.front()) {
    case '=':
    case '@':
    case '\t':
    case '\r':
    case '\n':  // GDAL's CSV reader gives a CR in a cell back as LF: guarded alike
      return true;
    case '+':
    case '-':
      return !is_number(s);
    default:
      return false;
  }
}

}  // namespace

bool csv_needs_guard(std::string_view text) noexcept {
  // a run of quotes before a formula: each level of guarding adds one, unguarding removes one
  size_t quotes = 0;
  while (quotes < text.size() && text[quotes] == '\'') ++quotes;
  return starts_formula(text.substr(quotes));
}

std::string csv_guard(std::string_view text) {
  if (!csv_needs_guard(text)) return std::string(text);
  return "'" + std::string(text);
}

std::string csv_unguard(std::string_view text) {
  if (!text.empty() && text.front() == '\'' && csv_needs_guard(text.substr(1)))
    return std::string(text.substr(1));
  return std::string(text);
}

Result<void> write_file(const std::string& path, Format format, const core::EntitySchema& s,
                        const std::vector<core::Record>& records) {
  detail::ensure_gdal_registered();
  auto tmp_r = make_temp_dir(path);
  if (!tmp_r) return tl::unexpected(tmp_r.error());
  TempDir tmp{*tmp_r};

  const bool zipped = format == Format::kShp && ends_with_zip(path);
  const std::string base = zipped ? s.name : fs::path(path).stem().string();
  // The temporary file carries the format's own extension whatever `path` ends in: GDAL's CSV
  // driver makes a folder of a name without ".csv" (`--format csv -o hazards.txt`).
  const fs::path tmp_file = tmp.dir / (base + "." + format_name(format));

  const bool table = format == Format::kCsv || format == Format::kXlsx;
  OGRwkbGeometryType gtype = wkbNone;
  if (!table && s.geometry == core::GeometryKind::kPoint) gtype = wkbPoint;
  if (!table && s.geometry == core::GeometryKind::kPolygon) gtype = wkbMultiPolygon;
  // GeoPackage and Shapefile layers hold one type: polygons are written as multipolygons.
  const bool promote = format == Format::kGpkg || format == Format::kShp;

  ErrorCapture errors;
  const auto gdal_fail = [&](const std::string& what) {
    return fail(ErrorCode::kIo,
                path + ": " + what + (errors.failed() ? ": " + errors.message() : std::string()));
  };

  GDALDriverH drv = GDALGetDriverByName(driver_of(format));
  if (drv == nullptr)
    return fail(ErrorCode::kIo, path + ": GDAL has no driver " + std::string(driver_of(format)));
  std::vector<const char*> dsco{nullptr};
  detail::DatasetPtr ds(
      GDALCreate(drv, tmp_file.c_str(), 0, 0, 0, GDT_Unknown, const_cast<char**>(dsco.data())));
  if (!ds) return gdal_fail("cannot be created");
  auto* hds = static_cast<GDALDatasetH>(ds.get());

  std::vector<const char*> lco;
  if (format == Format::kShp) lco.push_back("ENCODING=UTF-8");
  if (format == Format::kGeoJson) lco.push_back("WRITE_NAME=YES");
  if (format == Format::kCsv) {
    lco.push_back("WRITE_BOM=YES");  // so that Excel shows Khmer text
    lco.push_back("STRING_QUOTING=IF_NEEDED");
  }
  lco.push_back(nullptr);
  detail::SrsPtr wgs84 = detail::make_wgs84();
  OGRLayerH layer = GDALDatasetCreateLayer(
      hds, s.name.c_str(),
      gtype == wkbNone ? nullptr : static_cast<OGRSpatialReferenceH>(wgs84.get()), gtype,
      const_cast<char**>(lco.data()));
  if (layer == nullptr) return gdal_fail("layer " + s.name + " cannot be created");

  // ---- columns ----
  const std::vector<std::string> names =
      format == Format::kShp ? detail::shapefile_field_names(s) : [&] {
        std::vector<std::string> v;
        for (const auto& f : s.fields) v.push_back(f.name);
        return v;
      }();
  std::vector<OGRFieldType> types;
  const auto add_column = [&](const std::string& name, OGRFieldType type) -> Result<void> {
    detail::FieldDefnPtr fd(OGR_Fld_Create(name.c_str(), type));
    auto* h = static_cast<OGRFieldDefnH>(fd.get());
    if (format == Format::kShp && type == OFTString) OGR_Fld_SetWidth(h, kShpMaxText);
    if (OGR_L_CreateField(layer, h, TRUE) != OGRERR_NONE)
      return gdal_fail("column " + name + " cannot be created");
    types.push_back(type);
    return {};
  };
  for (size_t i = 0; i < s.fields.size(); ++i)
    if (auto r = add_column(names[i], column_type(s.fields[i], format)); !r) return r;
  int wkt_col = -1, lon_col = -1;
  if (table && s.geometry == core::GeometryKind::kPoint) {
    lon_col = static_cast<int>(types.size());
    if (auto r = add_column("lon", OFTReal); !r) return r;
    if (auto r = add_column("lat", OFTReal); !r) return r;
  } else if (table && s.geometry == core::GeometryKind::kPolygon) {
    wkt_col = static_cast<int>(types.size());
    if (auto r = add_column("wkt", OFTString); !r) return r;
  }

  // ---- features, in one transaction where the format has them ----
  const bool in_transaction = GDALDatasetStartTransaction(hds, FALSE) == OGRERR_NONE;
  errors.clear();
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
  for (const auto& rec : records) {
    FeaturePtr feature(OGR_F_Create(defn));
    auto* f = static_cast<OGRFeatureH>(feature.get());
    const std::string& id = rec.id();
    for (size_t i = 0; i < s.fields.size() && i < rec.values.size(); ++i) {
      auto r = set_value(f, static_cast<int>(i), types[i], rec.values[i], format, s.fields[i].name,
                         path, id);
      if (!r) return r;
    }
    if (!rec.geometry.empty()) {
      auto g = detail::to_ogr(rec.geometry);
      if (!g) return fail(ErrorCode::kIo, path + ": record " + id + ": " + g.error().message);
      auto* gh = static_cast<OGRGeometryH>(g->get());
      if (lon_col >= 0 && rec.geometry.type == geo::GeometryType::kPoint) {
        OGR_F_SetFieldDouble(f, lon_col, rec.geometry.point.lon);
        OGR_F_SetFieldDouble(f, lon_col + 1, rec.geometry.point.lat);
      } else if (wkt_col >= 0) {
        char* wkt = nullptr;
        if (OGR_G_ExportToIsoWkt(gh, &wkt) != OGRERR_NONE)
          return fail(ErrorCode::kIo, path + ": record " + id + ": geometry has no WKT form");
        OGR_F_SetFieldString(f, wkt_col, wkt);
        CPLFree(wkt);
      } else if (gtype != wkbNone) {
        OGRGeometryH owned = static_cast<OGRGeometryH>(g->release());
        if (promote && wkbFlatten(OGR_G_GetGeometryType(owned)) == wkbPolygon)
          owned = OGR_G_ForceToMultiPolygon(owned);
        OGR_F_SetGeometryDirectly(f, owned);
      }
    }
    if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
      return gdal_fail("record " + id + " cannot be written");
  }
  if (in_transaction && GDALDatasetCommitTransaction(hds) != OGRERR_NONE)
    return gdal_fail("cannot be committed");
  errors.clear();
  ds.reset();  // flushes and closes
  if (errors.failed()) return gdal_fail("cannot be completed");

  // ---- move into place ----
  std::error_code ec;
  std::vector<fs::path> produced;
  for (const auto& e : fs::directory_iterator(tmp.dir, ec)) produced.push_back(e.path().filename());
  std::sort(produced.begin(), produced.end());
  if (produced.empty()) return fail(ErrorCode::kIo, path + ": GDAL wrote nothing");
  if (zipped) {
    const fs::path zip_tmp = tmp.dir / ".out.zip";
    if (auto r = zip_folder(tmp.dir, produced, zip_tmp, path); !r) return r;
    fs::rename(zip_tmp, path, ec);
    if (ec) return fail(ErrorCode::kIo, path + ": " + ec.message());
    return {};
  }
  if (format == Format::kShp) {
    const fs::path target_dir = fs::path(path).parent_path();
    for (const char* ext : {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx"})
      fs::remove(fs::path(path).replace_extension(ext), ec);
    for (const auto& file : produced) {
      fs::rename(tmp.dir / file, target_dir / file, ec);
      if (ec) return fail(ErrorCode::kIo, path + ": " + ec.message());
    }
    return {};
  }
  fs::rename(tmp_file, path, ec);
  if (ec) return fail(ErrorCode::kIo, path + ": " + ec.message());
  return {};
}

}  // namespace reclaim::exchange
