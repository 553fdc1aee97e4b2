#pragma once
// A realistic synthetic Cambodia for demonstrations and benchmarks. Deterministic for a seed.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "core/gazetteer.hpp"
#include "core/record.hpp"

namespace reclaim::demo {

struct DemoOptions {
  uint64_t seed = 1;
  int scale = 1;  ///< multiplies the number of hazards, activities and EO finds (K=50 ≈ 100k hazards)
  /// Published figures used to calibrate (never copied into outputs): the folder holding
  /// reference/contamination_2025.csv and reference/casualties_by_year.csv.
  std::string reference_dir;
};

struct DemoData {
  /// entity name -> records, every one valid under core::parse_record's rules, with hazards'
  /// derived land-release fields already consistent with their activities (core::apply_activity).
  std::map<std::string, std::vector<core::Record>> records;
};

/// Generates the demo. Needs the gazetteer and the province boundaries (to place polygons
/// inside the right province). Errors: kNotFound / kInvalidArgument for missing reference files.
Result<DemoData> generate(const DemoOptions& opts, const core::Gazetteer& gazetteer,
                          const std::vector<core::AdminBoundary>& provinces);

}  // namespace reclaim::demo
