#pragma once
// Shared by the fuzz targets: a per-process scratch folder, the validation context of an
// import (the project's gazetteer and province boundaries), and one import through GDAL from
// /vsimem and our mapping layer (exchange::read_file, then core::parse_record of every row).
// Header-only; each target is one .cpp defining LLVMFuzzerTestOneInput (and, when it needs
// set-up, LLVMFuzzerInitialize).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <cpl_vsi.h>

#include "core/entities.hpp"
#include "core/gazetteer.hpp"
#include "core/validate.hpp"
#include "exchange/exchange.hpp"

namespace reclaim::fuzz {

/// A folder for this process (databases of the HTTP targets), removed at exit.
inline const std::string& scratch_dir() {
  static const std::string dir = [] {
    namespace fs = std::filesystem;
    fs::path d = fs::temp_directory_path() / ("reclaim_fuzz_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    static const std::string keep = d.string();
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(keep, ec);
    });
    return d.string();
  }();
  return dir;
}

/// The import's validation context: the real gazetteer and province boundaries (data/).
struct Validation {
  core::Gazetteer gazetteer;
  std::unique_ptr<core::ProvinceLocator> provinces;
  core::ValidationContext ctx;
};
inline const Validation& validation() {
  static const Validation* v = [] {
    auto* out = new Validation;
    const std::string data = RECLAIM_DATA_DIR;
    auto units = exchange::read_gazetteer(data + "/gazetteer");
    if (!units) std::abort();
    out->gazetteer = core::Gazetteer(std::move(*units));
    auto bounds = exchange::read_province_boundaries(data + "/boundaries/provinces.geojson");
    if (!bounds) std::abort();
    out->provinces = std::make_unique<core::ProvinceLocator>(*bounds);
    out->ctx = core::ValidationContext{&out->gazetteer, out->provinces.get(), today(), 3000};
    return out;
  }();
  return *v;
}

/// The schema the first byte of an input picks (every entity, the internal ones too).
inline const core::EntitySchema& schema_of(uint8_t b) {
  const auto& all = core::all_schemas();
  return all[b % all.size()];
}

/// One import of `data[1..]` as a file with extension `ext` (".geojson", ".csv", ".kml",
/// ".xlsx", ".zip") from /vsimem, for the entity data[0] picks: exchange::read_file, then
/// core::parse_record of each row. Problems are expected; a crash is the finding.
inline void import_bytes(const uint8_t* data, size_t size, const char* ext) {
  if (size < 1) return;
  const core::EntitySchema& s = schema_of(data[0]);
  const std::string path = "/vsimem/reclaim_fuzz_" + std::to_string(::getpid()) + ext;
  // GDAL reads the fuzzer's bytes in place (no copy, not freed by GDAL).
  VSILFILE* f = VSIFileFromMemBuffer(path.c_str(), const_cast<GByte*>(data + 1), size - 1, FALSE);
  if (f == nullptr) return;
  VSIFCloseL(f);
  exchange::ReadOptions opts;
  opts.entity = std::string(s.name);
  auto rows = exchange::read_file(path, opts);
  VSIUnlink(path.c_str());
  static const bool verbose = std::getenv("RECLAIM_FUZZ_VERBOSE") != nullptr;
  if (!rows) {
    if (verbose) std::fprintf(stderr, "  %s: %s\n", s.name.c_str(), rows.error().message.c_str());
    return;
  }
  const auto& ctx = validation().ctx;
  for (const auto& raw : *rows) {
    auto r = core::parse_record(s, raw, ctx);
    if (verbose)
      std::fprintf(stderr, "  %s %s: %s\n", s.name.c_str(), raw.source.c_str(),
                   r ? "ok" : r.error().message.c_str());
  }
}

}  // namespace reclaim::fuzz
