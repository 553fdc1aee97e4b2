#pragma once
// Private helpers of the exchange module: RAII owners of GDAL handles, GDAL error capture, and
// the conversion between OGR geometries and geo::Geometry. Not installed; only exchange/*.cpp
// include it (and through it gdal.h).
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "core/record.hpp"
#include "geo/geometry.hpp"

namespace reclaim::exchange::detail {

/// Registers every GDAL driver, once per process (thread-safe).
void ensure_gdal_registered();

struct DatasetCloser {
  void operator()(void* ds) const noexcept { GDALClose(static_cast<GDALDatasetH>(ds)); }
};
struct FeatureDeleter {
  void operator()(void* f) const noexcept { OGR_F_Destroy(static_cast<OGRFeatureH>(f)); }
};
struct GeometryDeleter {
  void operator()(void* g) const noexcept { OGR_G_DestroyGeometry(static_cast<OGRGeometryH>(g)); }
};
struct FieldDefnDeleter {
  void operator()(void* f) const noexcept { OGR_Fld_Destroy(static_cast<OGRFieldDefnH>(f)); }
};
struct SrsReleaser {
  void operator()(void* s) const noexcept { OSRRelease(static_cast<OGRSpatialReferenceH>(s)); }
};
struct TransformDeleter {
  void operator()(void* t) const noexcept {
    OCTDestroyCoordinateTransformation(static_cast<OGRCoordinateTransformationH>(t));
  }
};
struct CslDeleter {
  void operator()(char** l) const noexcept { CSLDestroy(l); }
};

/// The C handles are all `void*` typedefs; the owners keep the pointee type erased and hand the
/// handle back through get().
using DatasetPtr = std::unique_ptr<void, DatasetCloser>;
using FeaturePtr = std::unique_ptr<void, FeatureDeleter>;
using GeometryPtr = std::unique_ptr<void, GeometryDeleter>;
using FieldDefnPtr = std::unique_ptr<void, FieldDefnDeleter>;
using SrsPtr = std::unique_ptr<void, SrsReleaser>;
using TransformPtr = std::unique_ptr<void, TransformDeleter>;
using CslPtr = std::unique_ptr<char*, CslDeleter>;

/// While alive, GDAL errors and warnings of this thread are collected here instead of being
/// printed to stderr. Nested captures are fine (GDAL keeps a per-thread handler stack).
class ErrorCapture {
 public:
  ErrorCapture();
  ~ErrorCapture();
  ErrorCapture(const ErrorCapture&) = delete;
  ErrorCapture& operator=(const ErrorCapture&) = delete;

  /// True if a CE_Failure / CE_Fatal was reported since construction or the last clear().
  [[nodiscard]] bool failed() const noexcept { return !failures_.empty(); }
  /// The first failure message (GDAL's first complaint is usually the root cause), or "".
  [[nodiscard]] std::string message() const;
  void clear() noexcept { failures_.clear(); }

 private:
  static void CPL_STDCALL handler(CPLErr cls, CPLErrorNum num, const char* msg);
  std::vector<std::string> failures_;
};

/// Sets a GDAL configuration option for this thread while alive (restoring the old value).
class ScopedConfig {
 public:
  ScopedConfig(const char* key, const char* value);
  ~ScopedConfig();
  ScopedConfig(const ScopedConfig&) = delete;
  ScopedConfig& operator=(const ScopedConfig&) = delete;

 private:
  std::string key_, old_;
  bool had_old_ = false;
};

/// Opens a vector dataset read-only with only `drivers` allowed. `shown` is the path used in
/// messages, `gdal_path` what GDAL opens (e.g. a /vsizip/ path).
/// Errors: kUnsupported "FILE is not a valid LABEL file" when no allowed driver recognises it;
/// kInvalidArgument "FILE: GDAL message" when the driver recognised it but failed (truncated).
Result<DatasetPtr> open_vector(const std::string& shown, const std::string& gdal_path,
                               const std::vector<std::string>& drivers,
                               const std::vector<std::string>& open_options,
                               std::string_view label);

/// WGS84 with longitude first (OAMS_TRADITIONAL_GIS_ORDER).
SrsPtr make_wgs84();

/// Converts an OGR geometry to ours: flattened to 2D, curves linearised, a collection of
/// polygons made a multipolygon, and rings oriented exterior counter-clockwise, holes clockwise
/// (the orientation every reader returns, whatever the file stored).
/// An empty geometry gives a kNone geometry. Errors: kInvalidArgument (unsupported type, ...).
Result<geo::Geometry> from_ogr(OGRGeometryH g);
/// Builds an OGR geometry (caller owns it). Null for a kNone geometry.
/// Errors: kInvalidArgument if GDAL rejects the WKB.
Result<GeometryPtr> to_ogr(const geo::Geometry& g);

/// Exterior rings counter-clockwise, holes clockwise.
void normalise_orientation(geo::Geometry& g);

/// Trimmed and lower-cased (ASCII) column name; a leading UTF-8 BOM is dropped.
std::string normalise_column(std::string_view name);

/// The 10-character DBF column name each schema field gets in a shapefile, unique within the
/// schema (truncated; on a clash the tail is replaced by a counter, like GDAL does).
std::vector<std::string> shapefile_field_names(const core::EntitySchema& s);

/// Text of a value formatted without loss: integers as integers, reals with the shortest text
/// that reads back to the same double.
std::string format_real(double v);

}  // namespace reclaim::exchange::detail
