#pragma once
// The mine action record, IMSMA-style: every entity is described by a schema (its fields, their
// types, allowed values and rules) and each record is a row of typed values plus an optional
// geometry. Storage and exchange are driven by the schema; domain rules (land release, status,
// mine-free) live in core and read records through the schema.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/date.hpp"
#include "geo/geometry.hpp"

namespace reclaim::core {

enum class FieldType {
  kText,
  kInteger,
  kReal,
  kDate,          ///< stored as ISO text YYYY-MM-DD
  kEnum,          ///< text, one of FieldDef::allowed
  kBool,          ///< stored as integer 0/1; imported from true/false/yes/no/1/0
  kProvinceCode,  ///< 2-digit gazetteer code
  kVillageCode,   ///< 8-digit gazetteer code
  kReference,     ///< id of a record of FieldDef::references
};

/// A value: null, integer, real or text (dates and enums are text).
using Value = std::variant<std::monostate, int64_t, double, std::string>;

struct FieldDef {
  std::string name;
  FieldType type = FieldType::kText;
  bool required = false;
  std::vector<std::string> allowed;  ///< for kEnum
  double min = -1e300, max = 1e300;  ///< for kInteger / kReal
  std::string references;            ///< entity name for kReference
  bool personal = false;             ///< personal data (names, contacts, exact residence)
  bool derived = false;              ///< computed by Reclaim; never imported
  std::string description;           ///< for docs and error messages
  bool secret = false;  ///< never shown: omitted from history JSON and every output (hashes)
  /// The storage migration that added the column (0: part of the entity tables of step 3). The
  /// adapters' generated step leaves such columns out; their numbered SQL file adds them, so a
  /// new and an upgraded database end up with the same table.
  int since_migration = 0;
};

enum class GeometryKind { kNone, kPoint, kPolygon };  // kPolygon accepts Polygon/MultiPolygon

struct EntitySchema {
  std::string name;      ///< table / layer name, e.g. "hazards"
  std::string singular;  ///< "hazard", for messages
  GeometryKind geometry = GeometryKind::kNone;
  bool geometry_required = false;
  std::vector<FieldDef> fields;  ///< fields[0] is always the id (text)
  /// Internal entities (users, submissions, access log) are stored and versioned like the
  /// others but are not imported, exported or listed by the generic record routes.
  bool internal = false;

  /// Index of a field by name, or -1.
  int index_of(std::string_view field) const noexcept;
  const FieldDef& id_field() const { return fields.front(); }
};

struct Record {
  std::vector<Value> values;  ///< one per schema field, in schema order
  geo::Geometry geometry;
  int64_t version = 0;  ///< row version for optimistic concurrency; 0 = new

  const std::string& id() const;  ///< values[0] as text (empty if null)
};

/// Builds an empty record (all null) for a schema.
Record make_record(const EntitySchema& s);

// ---- typed access through the schema (throwing only on programming errors: unknown field) ----
const Value& get(const EntitySchema& s, const Record& r, std::string_view field);
void set(const EntitySchema& s, Record& r, std::string_view field, Value v);
std::string get_text(const EntitySchema& s, const Record& r, std::string_view field);
double get_real(const EntitySchema& s, const Record& r, std::string_view field, double dflt = 0);
int64_t get_int(const EntitySchema& s, const Record& r, std::string_view field, int64_t dflt = 0);
std::optional<Date> get_date(const EntitySchema& s, const Record& r, std::string_view field);

/// Text form of a value for export and messages ("" for null; reals without trailing zeros).
std::string to_text(const Value& v);

}  // namespace reclaim::core
