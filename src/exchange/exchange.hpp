#pragma once
// Files in and out, through GDAL: GeoPackage, GeoJSON, Shapefile (.shp or .zip), KML, CSV
// (a WKT column or lon/lat columns), XLSX. Only this module includes gdal.h.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "core/gazetteer.hpp"
#include "core/record.hpp"
#include "core/validate.hpp"

namespace reclaim::exchange {

enum class Format { kGpkg, kGeoJson, kCsv, kXlsx, kShp, kKml };

/// "gpkg" | "geojson" | "csv" | "xlsx" | "shp" | "kml".  Errors: kUnsupported.
Result<Format> parse_format(std::string_view name);
/// The name parse_format reads: "gpkg", "geojson", "csv", "xlsx", "shp", "kml".
const char* format_name(Format format) noexcept;
/// The format a path's extension implies (.gpkg .geojson/.json .csv .xlsx .shp/.zip/.dbf
/// .kml, any case). Errors: kUnsupported naming the extension and listing the accepted ones.
Result<Format> format_of_path(std::string_view path);
/// The format to write `path` in (`reclaim export`): `given` (--format) when set, else the one
/// the extension implies. With `given`, an extension that implies a DIFFERENT format is refused
/// (`--format csv -o x.xlsx`); an extension that implies none (`.txt`) is allowed.
/// Errors: kInvalidArgument "--format csv, but the output x.xlsx has the extension of xlsx…";
/// kUnsupported as format_of_path (no `given` and no known extension).
Result<Format> output_format(std::string_view path, std::optional<Format> given);

struct ReadOptions {
  /// Column renames (old name -> canonical name), e.g. from --map or a mapping file.
  std::map<std::string, std::string> column_map;
  /// Layer to read from a multi-layer file (GeoPackage); "" = the layer named like the entity if
  /// present, else the only layer.
  std::string layer;
  /// Entity name, used to choose a layer in a multi-layer file.
  std::string entity;
};

/// Reads every feature of a file. Column names are lower-cased and trimmed, then renamed by
/// column_map. Geometry: the layer's geometry, or for CSV/XLSX a WKT column ("wkt", "geometry",
/// "geom") or lon/lat columns ("lon"/"lat", "longitude"/"latitude", "x"/"y"), which are consumed
/// (not returned as fields). Values are returned exactly as text (numbers formatted without
/// loss); checking them is core's job.
/// - A null or unset value, or an empty text, is omitted from `fields` (never given as "").
/// - Numbers from typed sources: integers as integers, reals as the shortest text that reads back
///   to the same double (`12500.25`); dates `YYYY-MM-DD`, date-times `YYYY-MM-DDTHH:MM:SS`.
/// - CSV: the `'` write_file puts before a text that a spreadsheet would run as a formula is
///   removed (csv_unguard). A line longer than kCsvMaxLineBytes: kInvalidArgument "FILE: row N:
///   the line is longer than the limit of 10000000 bytes" (nothing of the file is returned).
/// - `source`: CSV "row N" (header = row 1, first data row = row 2; blank lines are not
///   counted); XLSX "row N" (the sheet's row number); others "feature N" (GDAL's FID).
/// - Geometry: WGS84 lon/lat (other CRSs are transformed), 2D, exterior rings counter-clockwise
///   and holes clockwise. A feature whose geometry cannot be read gets `geometry_error`; the
///   rest of the file is still read.
/// - Shapefile: when `opts.entity` is set, the 10-character names write_file produced are read
///   back as the schema's full names. XLSX: the sheet named like the entity, else the first.
///   KML: LIBKML's own columns (timestamp, begin, end, altitudemode, ...) are dropped.
/// Errors: kNotFound (no file), kUnsupported (the content is not what the extension says, e.g.
/// a .gpkg that is text), kInvalidArgument (truncated or unreadable file, naming the file and
/// the GDAL message).
Result<std::vector<core::RawRecord>> read_file(const std::string& path, const ReadOptions& opts);

/// Writes records as one layer named after the entity, with every schema field as a column
/// (typed: integer and bool as 64-bit integer, real, date as a date in GPKG/SHP and as
/// YYYY-MM-DD text elsewhere, text) and the geometry (WGS84 lon/lat; polygons as multipolygons
/// in GPKG/SHP). CSV/XLSX carry the geometry as a `wkt` column (polygon entities) or `lon`,`lat`
/// columns (point entities). Overwrites `path` only once the new file is complete (written in a
/// temporary folder beside it, then renamed).
/// Shapefile: a .shp (with .shx/.dbf/.prj/.cpg beside it; only a .dbf for entities without
/// geometry) or, when path ends in .zip, a zipped shapefile; field names are truncated to 10
/// characters (exchange::detail::shapefile_field_names, tabled in docs/import.md).
/// Errors: kIo naming the path (and, for Shapefile, the record and field of a text longer than
/// the format's 254 bytes).
Result<void> write_file(const std::string& path, Format format, const core::EntitySchema& s,
                        const std::vector<core::Record>& records);

/// CSV formula-injection guard (OWASP "CSV injection"). A spreadsheet runs a cell that starts
/// with '=', '@', '+', '-', a tab or a carriage return as a formula (`=HYPERLINK(...)`), so
/// write_file puts a `'` before every CSV text cell that starts with '=', '@', a tab, a CR or a
/// LF, or with '+'/'-' when the text is not a number ("-12.5" stays as it is), and before a text
/// that starts with `'` followed by such a guarded text (so that unguarding is exact). read_file
/// removes that `'` again from every CSV cell: csv_unguard(csv_guard(t)) == t for every t.
/// Numeric and date columns are never guarded. (GDAL's CSV reader returns every CR or CRLF in
/// a cell as LF, guarded or not: a text with a CR comes back with a LF in its place.)
bool csv_needs_guard(std::string_view text) noexcept;
std::string csv_guard(std::string_view text);
std::string csv_unguard(std::string_view text);

/// The longest CSV line read_file accepts, in bytes (a longer one is refused naming its row
/// and this limit; GDAL's MAX_LINE_SIZE).
inline constexpr int64_t kCsvMaxLineBytes = 10'000'000;

/// Reads a mapping file of lines "old=new" (blank lines and # comments allowed); both names are
/// trimmed and lower-cased. Errors: kNotFound; kInvalidArgument "FILE line N: expected old=new"
/// (or naming a column mapped twice).
Result<std::map<std::string, std::string>> read_mapping_file(const std::string& path);

/// Reads the gazetteer CSVs (provinces/districts/communes/villages.csv) from a folder, in that
/// order; codes stay text (leading zeros kept), lat/lon are optional.
/// Errors: kNotFound (folder or file), kInvalidArgument (missing column, empty code).
Result<std::vector<core::AdminUnit>> read_gazetteer(const std::string& dir);
/// Reads province (and, if given, other) boundaries from a GeoJSON with a `province_code`
/// property. Errors: kInvalidArgument / kNotFound.
Result<std::vector<core::AdminBoundary>> read_province_boundaries(const std::string& path);

}  // namespace reclaim::exchange
