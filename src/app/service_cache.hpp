#pragma once
// The facade's private cache (reference data loaded once per Service), shared by its .cpp files.
#include <memory>
#include <optional>
#include <vector>

#include "app/service.hpp"
#include "core/gazetteer.hpp"
#include "core/validate.hpp"

namespace reclaim::app {

struct Service::Cache {
  bool loaded = false;
  core::Gazetteer gazetteer;
  std::unique_ptr<core::ProvinceLocator> provinces;
  std::optional<std::vector<core::AdminBoundary>> boundaries;  ///< for the API, on first use
  std::optional<geo::Envelope> extent;
};

}  // namespace reclaim::app
