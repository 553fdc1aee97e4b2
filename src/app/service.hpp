#pragma once
// The records half of the facade (app::Application owns it, beside the Accounts and the
// WorkflowService over the same store): every use case on the records. The CLI and the HTTP
// server reach it only through their Application. It owns no I/O of its own: the store is
// handed in by the composition root, and it never hands the store out.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/status.hpp"
#include "common/date.hpp"
#include "common/error.hpp"
#include "geo/geometry.hpp"
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

/// What a caller may see. The entry point (HTTP) decides it from the role table; the facade
/// applies it to every record it returns.
struct Visibility {
  bool all_records = false;  ///< every non-internal entity, including uncleared hazards
  bool personal = false;     ///< personal fields (names, contacts, residence); reads are logged
  std::string user;          ///< who reads, for the access log ("" = anonymous)
  /// Provincial planners: only the records of this province (entities with a province_code),
  /// plus the reference lists (devices, organisations).
  std::string province = {};
  /// Operator data officers under the setting operator_reads = organisation: only the records
  /// of this organisation (hazards assigned to it, its activities, EORE sessions and QM visits),
  /// plus the reference lists.
  std::string organisation = {};
  /// Donors: the public view plus the funding records whose donor is this organisation.
  std::string funder = {};

  /// What, besides the flags above, distinguishes the answers two callers may see ("" for the
  /// national views): part of the response-cache key.
  std::string scope_key() const;
};

/// The setting (reclaim_meta operator_reads) that says which records operators read:
/// `national` (the default: every non-personal record, national hazards included) or
/// `organisation` (only their organisation's records: Visibility::organisation).
inline constexpr std::string_view kOperatorReadsMeta = "operator_reads";

/// A record listing's filters, sort and page (the query parameters of GET /api/{entity}).
struct ListParams {
  std::string admin_code;  ///< province/district/commune/village code (2/4/6/8 digits): prefix
  /// filter name -> comma-separated values: status, hazard_type, contamination, org, type
  std::vector<std::pair<std::string, std::string>> equals;
  std::optional<Date> from, to;       ///< inclusive, on the entity's main date field
  std::optional<geo::Envelope> bbox;  ///< geometry envelope intersects (R-tree)
  std::string sort;                   ///< a field, optional leading '-' for descending
  int64_t limit = 100;
  std::string cursor;  ///< a previous page's next_cursor
  int64_t offset = 0;
  bool with_total = false;
};

struct RecordPage {
  const core::EntitySchema* schema = nullptr;
  std::vector<core::Record> records;  ///< hidden fields are null (see field_visible)
  std::string next_cursor;            ///< "" on the last page
  int64_t total = -1;                 ///< with ListParams::with_total
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

  /// Fills an empty database with the synthetic Cambodia (after init), calibrated on the
  /// reference tables below `data_dir` (demo::kContaminationFile, demo::kCasualtiesFile, read
  /// with exchange::read_file). Errors: kFailedPrecondition if the database already holds
  /// hazards; kNotFound for a missing reference file; kInvalidArgument for a bad one (naming
  /// the file, row and field).
  Result<DemoReport> demo(uint64_t seed, int scale, const std::string& data_dir);

  /// Record access (for the API and tests).
  Result<std::optional<core::Record>> get(const std::string& entity, const std::string& id);
  Result<std::vector<storage::HistoryEntry>> history(const std::string& entity,
                                                     const std::string& id);
  Result<int64_t> count(const std::string& entity);

  // ---- reading with a caller's visibility (the HTTP API and OGC API – Features) ----

  /// A page of an entity's records that `vis` may see, filtered and sorted.
  /// Errors: kInvalidArgument naming the parameter in details[0].field (unknown entity, a
  /// filter that does not apply to the entity, an unknown value, a bad sort field or cursor);
  /// kIo. Reads of personal fields are written to the access log.
  Result<RecordPage> list(const std::string& entity, const ListParams& p, const Visibility& vis);
  /// One record if `vis` may see it (nullopt otherwise), hidden fields nulled.
  Result<std::optional<core::Record>> get_visible(const std::string& entity,
                                                  const std::string& id, const Visibility& vis);
  /// History of one record; personal fields are removed from before/after unless vis.personal.
  Result<std::vector<storage::HistoryEntry>> history_visible(const std::string& entity,
                                                             const std::string& id,
                                                             const Visibility& vis);
  /// The direct edits recorded by the database's triggers (storage::kDirectEditReason: changes
  /// made in the file or database by another program, never validated), newest first, at most
  /// `limit`; fields `vis` may not see are removed from before/after. For national data
  /// managers to review. Errors: kIo.
  Result<std::vector<storage::HistoryEntry>> direct_edits(int64_t limit, const Visibility& vis);
  /// `reclaim status --json`; without vis.all_records, the public view: casualty figures under
  /// the disclosure rule (analysis/disclosure.hpp: counts 1–4 and the complements that keep
  /// them from being worked out are null, "suppressed": true on that year).
  Result<std::string> status_json(std::optional<Date> as_of, const Visibility& vis);
  /// Administrative boundaries (cached after the first call).
  Result<const std::vector<core::AdminBoundary>*> boundaries();
  /// The envelope of the country (of the boundaries; Cambodia's when there are none).
  geo::Envelope country_extent();
  /// Has the administrator published uncleared hazard polygons (meta publish_hazards=1)?
  bool hazards_published();
  /// Do operators read only their organisation's records (meta operator_reads=organisation)?
  bool operators_read_own_organisation();
  /// A vector tile (MVT 2.1 bytes, "" when empty) of a layer: hazards, activities, eo_finds,
  /// accidents, admin_boundaries. Errors: kNotFound (layer or tile), kUnsupported (built
  /// without tiles).
  Result<std::string> tile(const std::string& layer, int z, uint32_t x, uint32_t y,
                           const Visibility& vis);
  /// The fields a tile of the layer carries.
  std::vector<std::string> tile_fields(const std::string& layer);
  /// TileJSON 3.0.0 of a tile layer served at `tiles_url` ("…/{z}/{x}/{y}.mvt").
  /// Errors: kNotFound (layer), kUnsupported (built without tiles).
  Result<std::string> tilejson(const std::string& layer, const std::string& tiles_url);

  /// The read store's data generation (storage::Store::generation): the HTTP response cache
  /// polls it to notice commits made by other connections and processes.
  Result<int64_t> data_generation() { return reader().generation(); }
  /// Sends the read-only queries (status, export, get, history, count) to `replica`, e.g. a
  /// PostgreSQL streaming standby (opened and migrated by the caller); writes stay on the main
  /// store. Reads then lag the writes by the replication delay.
  void set_read_store(std::unique_ptr<storage::Store> replica);

 private:
  Result<void> load_reference();
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::Store> read_store_;  ///< a read replica, or null
  /// Where read-only queries go: the replica if there is one, else the main store.
  storage::Store& reader() noexcept { return read_store_ ? *read_store_ : *store_; }
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

/// The entity schema for a user-supplied name ("hazards", also "hazard").
/// Errors: kInvalidArgument listing the known entities.
Result<const core::EntitySchema*> entity_schema(const std::string& name);

/// May a caller with `vis` read records of this entity at all? (Without all_records: hazards
/// (released land only unless published), devices and organisations.)
bool readable(const core::EntitySchema& s, const Visibility& vis) noexcept;
/// Is a field shown to a caller with `vis`? (secret: never; personal: only with vis.personal.)
bool field_visible(const core::FieldDef& f, const Visibility& vis) noexcept;
/// The entity's main date field (from/to and OGC datetime filter it), or nullptr.
const core::FieldDef* main_date_field(const core::EntitySchema& s) noexcept;

}  // namespace reclaim::app
