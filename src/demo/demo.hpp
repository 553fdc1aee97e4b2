#pragma once
// A realistic synthetic Cambodia for demonstrations and benchmarks. Deterministic for a seed.
// The module reads no files: the caller passes the gazetteer, the boundaries and the reference
// tables (app reads them with exchange). The phases are listed in demo/generator.hpp.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "core/gazetteer.hpp"
#include "core/record.hpp"
#include "core/validate.hpp"

namespace reclaim::demo {

/// The reference tables below a data folder (`data/`): remaining km² by contamination
/// (columns contamination, remaining_km2; rows landmines, cluster_munitions, other_erw) and
/// casualties by year (columns year, total; optional killed, injured).
inline constexpr std::string_view kContaminationFile = "reference/contamination_2025.csv";
inline constexpr std::string_view kCasualtiesFile = "reference/casualties_by_year.csv";

/// A table of published figures as a file reader returns it (exchange::read_file: one
/// RawRecord per row, an empty cell omitted). `name` (the file) names it in messages.
struct ReferenceTable {
  std::string name;
  std::vector<core::RawRecord> rows;
};

struct DemoOptions {
  uint64_t seed = 1;
  int scale =
      1;  ///< multiplies the number of hazards, activities and EO finds (K=50 ≈ 100k hazards)
  /// Published figures used to calibrate (never copied into outputs): kContaminationFile and
  /// kCasualtiesFile.
  ReferenceTable contamination, casualties;
};

struct DemoData {
  /// entity name -> records, every one valid under core::parse_record's rules, with hazards'
  /// derived land-release fields already consistent with their activities (core::apply_activity).
  std::map<std::string, std::vector<core::Record>> records;
};

/// Generates the demo. Needs the gazetteer and the province boundaries (to place polygons
/// inside the right province). Errors: kInvalidArgument for a scale below 1, no gazetteer or
/// boundaries, or a reference table that lacks a column or row or holds a value that is not a
/// number (naming the table, its row and the field).
Result<DemoData> generate(const DemoOptions& opts, const core::Gazetteer& gazetteer,
                          const std::vector<core::AdminBoundary>& provinces);

}  // namespace reclaim::demo
