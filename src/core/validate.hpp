#pragma once
// Turning raw imported values into checked records. Every problem names the record and the
// field; all problems of a row are collected, not just the first.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/date.hpp"
#include "common/error.hpp"
#include "core/gazetteer.hpp"
#include "core/record.hpp"

namespace reclaim::geo {
class RegionLocator;
}

namespace reclaim::core {

/// One row/feature as read from a file: column name -> text (already renamed by --map), and
/// the geometry if the file had one.
struct RawRecord {
  std::string source;  ///< "row 12" / "feature 7"
  std::vector<std::pair<std::string, std::string>> fields;
  geo::Geometry geometry;
  std::string geometry_error;  ///< set when the file's geometry could not be read
};

/// Locates points in provinces (from boundary polygons) to check that a record lies in Cambodia
/// and in the province it names.
class ProvinceLocator {
 public:
  explicit ProvinceLocator(const std::vector<AdminBoundary>& provinces);
  ~ProvinceLocator();
  ProvinceLocator(ProvinceLocator&&) noexcept;
  /// Province code containing p, or "" if none.
  std::string locate(geo::Point p) const;
  /// Metres from p to province `code` (0 inside; +inf when unknown code).
  double distance_m(geo::Point p, const std::string& code) const;

 private:
  std::unique_ptr<geo::RegionLocator> locator_;
  std::vector<std::string> codes_;
};

struct ValidationContext {
  const Gazetteer* gazetteer = nullptr;        ///< required for code fields
  const ProvinceLocator* provinces = nullptr;  ///< optional: enables in-country/in-province check
  Date today;                                  ///< dates after today are rejected
  /// A record may lie this far outside the province it names (simplified boundaries, border
  /// minefields).
  double province_tolerance_m = 3000;
};

/// Parses and validates a raw record against the schema: types, enums, ranges, required fields,
/// dates (real, not in the future), gazetteer codes (village inside the named province),
/// geometry validity and location, UTF-8 text, unknown columns (rejected, so typos are caught),
/// and the entity's own rules (e.g. age 0–110, area > 0).
/// Errors: kInvalidArgument with one FieldError per problem; the message lists them.
Result<Record> parse_record(const EntitySchema& s, const RawRecord& raw,
                            const ValidationContext& ctx);

/// parse_record over many rows, on up to `threads` threads (each with its own ProvinceLocator
/// built from `provinces` when ctx.provinces is set; GEOS prepared geometries are not
/// thread-safe). Results are in input order.
std::vector<Result<Record>> parse_records(const EntitySchema& s, const std::vector<RawRecord>& raws,
                                          const ValidationContext& ctx,
                                          const std::vector<AdminBoundary>& provinces,
                                          unsigned threads);

/// True if s is valid UTF-8.
bool is_valid_utf8(std::string_view s) noexcept;

}  // namespace reclaim::core
