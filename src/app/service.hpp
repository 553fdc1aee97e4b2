#pragma once
// THE facade: every use case of Reclaim. The CLI, the HTTP server and the integration tests call
// only this. It owns no I/O of its own: the store is handed in by the composition root.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/status.hpp"
#include "common/date.hpp"
#include "common/error.hpp"
#include "storage/store.hpp"

namespace reclaim::app {

struct ImportOptions {
  std::map<std::string, std::string> column_map;  ///< old column name -> canonical name
  std::string layer;                              ///< layer of a multi-layer file
  bool skip_invalid = false;  ///< import the valid records and report the others
  bool dry_run = false;       ///< validate only (the `validate` command)
  std::string user;           ///< who, for the history
};

struct ImportReport {
  std::string entity, file;
  size_t read = 0;      ///< records in the file
  size_t accepted = 0;  ///< records written (or that would be, on a dry run)
  size_t rejected = 0;
  size_t hazards_updated = 0;  ///< hazards whose land-release state an activity import moved
  std::vector<FieldError> errors;  ///< every problem (rejected records when skip_invalid)
};

struct DemoReport {
  std::map<std::string, size_t> counts;  ///< entity -> records written
};

class Service {
 public:
  /// Takes ownership of the store (already migrated).
  explicit Service(std::unique_ptr<storage::Store> store);
  ~Service();

  /// Loads the gazetteer (provinces … villages), the province boundaries and the device
  /// library from `data_dir` (gazetteer/*.csv, boundaries/provinces.geojson) into the store.
  /// Idempotent. Errors: kNotFound / kInvalidArgument for unreadable reference data.
  Result<void> init(const std::string& data_dir);

  /// Imports a file of one entity. All-or-nothing unless skip_invalid: on any invalid record the
  /// error lists every problem (record and field) and nothing is written.
  /// Errors: kInvalidArgument (bad records; details in Error::details), kNotFound (file),
  /// kUnsupported (format), kFailedPrecondition (the database has no gazetteer: run init).
  Result<ImportReport> import_file(const std::string& entity, const std::string& path,
                                   const ImportOptions& opts);

  /// Writes every record of an entity to a file. Returns the number written.
  /// format: gpkg | geojson | csv | xlsx | shp | kml.
  Result<size_t> export_file(const std::string& entity, const std::string& format,
                             const std::string& path);

  /// The national status (optionally as of a past date).
  Result<analysis::Status> status(std::optional<Date> as_of);

  /// Fills an empty database with the synthetic Cambodia (after init).
  /// Errors: kFailedPrecondition if the database already holds hazards.
  Result<DemoReport> demo(uint64_t seed, int scale, const std::string& data_dir);

  /// Record access (for the API and tests).
  Result<std::optional<core::Record>> get(const std::string& entity, const std::string& id);
  Result<std::vector<storage::HistoryEntry>> history(const std::string& entity,
                                                     const std::string& id);
  Result<int64_t> count(const std::string& entity);

  storage::Store& store() noexcept { return *store_; }

 private:
  Result<void> load_reference();
  std::unique_ptr<storage::Store> store_;
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

/// The entity schema for a user-supplied name ("hazards", also "hazard").
/// Errors: kInvalidArgument listing the known entities.
Result<const core::EntitySchema*> entity_schema(const std::string& name);

}  // namespace reclaim::app
