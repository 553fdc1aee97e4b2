#include "storage/postgres/pg_store.hpp"
#include "storage/migration_steps.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/entities.hpp"
#include "core/record_json.hpp"
#include "geo/wkb.hpp"
#include "storage/postgres/pg_migrations.hpp"

namespace reclaim::storage {
namespace {

// ------------------------------------------------------------------------------------------
// RAII owners of libpq handles.

struct ConnCloser {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct ResultClearer {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnCloser>;
using ResPtr = std::unique_ptr<PGresult, ResultClearer>;

// OIDs of built-in types (catalog/pg_type_d.h is a server header, not libpq's).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;

constexpr int kGeneratedStep = kEntityTablesStep;                    // migration number of the entity tables
constexpr size_t kBatchChanges = 1000;                  // inserts sent per pipeline round trip
constexpr int kScanPage = 1000;                         // rows per scan query
constexpr size_t kIdsPerQuery = 10000;                  // ids per existing_ids query
constexpr int64_t kMigrationLock = 0x5245434C41494DLL;  // advisory lock key: 'RECLAIM'

constexpr std::string_view kLostDuringCommit =
    "the connection to the server was lost during the import; the transaction was rolled back, "
    "nothing was written";
constexpr std::string_view kLostWhileCommitting =
    "the connection to the server was lost while committing: the changes may or may not have "
    "been written; reload and check before trying again";
constexpr std::string_view kRolledBack = "; the transaction was rolled back, nothing was written";

/// Parameters of one statement: text (format 0, NUL-terminated) or binary (format 1) values.
/// ref() keeps a pointer to the caller's string, which must outlive the statement's sending.
class Params {
 public:
  void null() { slots_.push_back(Slot{Kind::kNull, 0, nullptr}); }
  void ref(const std::string& s) { slots_.push_back(Slot{Kind::kRef, 0, &s}); }
  void text(std::string s) {
    owned_.push_back(std::move(s));
    slots_.push_back(Slot{Kind::kOwned, owned_.size() - 1, nullptr});
  }
  void binary(const std::vector<uint8_t>& b) {
    owned_.emplace_back(reinterpret_cast<const char*>(b.data()), b.size());
    slots_.push_back(Slot{Kind::kBinary, owned_.size() - 1, nullptr});
  }
  void integer(int64_t v) { text(std::to_string(v)); }
  void real(double v) {
    char buf[40];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact round trip
    text(std::string(buf, res.ptr));
  }

  int size() const noexcept { return static_cast<int>(slots_.size()); }
  /// Fixes the pointer arrays; valid until the Params change or move.
  void resolve() {
    values_.assign(slots_.size(), nullptr);
    lengths_.assign(slots_.size(), 0);
    formats_.assign(slots_.size(), 0);
    for (size_t i = 0; i < slots_.size(); ++i) {
      const Slot& s = slots_[i];
      switch (s.kind) {
        case Kind::kNull:
          break;
        case Kind::kRef:
          values_[i] = s.ref->c_str();
          lengths_[i] = static_cast<int>(s.ref->size());
          break;
        case Kind::kOwned:
          values_[i] = owned_[s.index].c_str();
          lengths_[i] = static_cast<int>(owned_[s.index].size());
          break;
        case Kind::kBinary:
          values_[i] = owned_[s.index].data();
          lengths_[i] = static_cast<int>(owned_[s.index].size());
          formats_[i] = 1;
          break;
      }
    }
  }
  const char* const* values() const noexcept { return values_.data(); }
  const int* lengths() const noexcept { return lengths_.data(); }
  const int* formats() const noexcept { return formats_.data(); }

 private:
  enum class Kind { kNull, kRef, kOwned, kBinary };
  struct Slot {
    Kind kind;
    size_t index;
    const std::string* ref;
  };
  std::vector<Slot> slots_;
  std::vector<std::string> owned_;
  std::vector<const char*> values_;
  std::vector<int> lengths_, formats_;
};

// ---- reading binary (or text) results ----

template <typename U>
U load_be(const char* p) noexcept {
  U v = 0;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(U) == 8) v = __builtin_bswap64(v);
    if constexpr (sizeof(U) == 4) v = __builtin_bswap32(v);
    if constexpr (sizeof(U) == 2) v = __builtin_bswap16(v);
  }
  return v;
}

bool is_null(const PGresult* r, int row, int col) { return PQgetisnull(r, row, col) != 0; }

std::string text_at(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
}

int64_t int_at(const PGresult* r, int row, int col) {
  const char* p = PQgetvalue(r, row, col);
  const int n = PQgetlength(r, row, col);
  if (PQfformat(r, col) == 1) {
    switch (PQftype(r, col)) {
      case kInt8Oid:
        return n == 8 ? static_cast<int64_t>(load_be<uint64_t>(p)) : 0;
      case kInt4Oid:
        return n == 4 ? static_cast<int32_t>(load_be<uint32_t>(p)) : 0;
      case kInt2Oid:
        return n == 2 ? static_cast<int16_t>(load_be<uint16_t>(p)) : 0;
      case kBoolOid:
        return n == 1 && p[0] != 0 ? 1 : 0;
      default:
        return 0;
    }
  }
  int64_t v = 0;
  std::from_chars(p, p + n, v);
  return v;
}

double real_at(const PGresult* r, int row, int col) {
  const char* p = PQgetvalue(r, row, col);
  const int n = PQgetlength(r, row, col);
  if (PQfformat(r, col) == 1) {
    if (PQftype(r, col) == kFloat8Oid && n == 8) return std::bit_cast<double>(load_be<uint64_t>(p));
    if (PQftype(r, col) == kFloat4Oid && n == 4)
      return static_cast<double>(std::bit_cast<float>(load_be<uint32_t>(p)));
    return static_cast<double>(int_at(r, row, col));
  }
  double d = 0;
  std::from_chars(p, p + n, d);
  return d;
}

bool is_text_type(core::FieldType t) {
  return t != core::FieldType::kInteger && t != core::FieldType::kReal &&
         t != core::FieldType::kBool;
}

/// A stored value, normalised to the field's type exactly as the GeoPackage adapter does.
core::Value read_value(const PGresult* r, int row, int col, core::FieldType t) {
  if (is_null(r, row, col)) return std::monostate{};
  switch (PQftype(r, col)) {
    case kInt8Oid:
    case kInt4Oid:
    case kInt2Oid:
    case kBoolOid: {
      const int64_t v = int_at(r, row, col);
      if (t == core::FieldType::kReal) return static_cast<double>(v);
      if (is_text_type(t)) return std::to_string(v);
      return v;
    }
    case kFloat8Oid:
    case kFloat4Oid: {
      const double d = real_at(r, row, col);
      if ((t == core::FieldType::kInteger || t == core::FieldType::kBool) && std::trunc(d) == d &&
          std::fabs(d) < 9e18)
        return static_cast<int64_t>(d);
      if (is_text_type(t)) return core::to_text(core::Value{d});
      return d;
    }
    default:
      return text_at(r, row, col);
  }
}

/// A geometry read from ST_AsBinary: a MULTIPOLYGON of one polygon is returned as a POLYGON, so
/// what was written as a polygon reads back as one.
Result<geo::Geometry> read_geometry(const PGresult* r, int row, int col) {
  const auto* p = reinterpret_cast<const uint8_t*>(PQgetvalue(r, row, col));
  auto g = geo::from_wkb(p, static_cast<size_t>(PQgetlength(r, row, col)));
  if (g && g->type == geo::GeometryType::kMultiPolygon && g->polygons.size() == 1)
    g->type = geo::GeometryType::kPolygon;
  return g;
}

// ---- messages ----

/// libpq's multi-line message on one line, without the trailing newline.
std::string one_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) {
      if (out.back() != ' ') out += ' ';
      space = false;
    }
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string sqlstate_of(const PGresult* r) {
  const char* s = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  return s != nullptr ? s : "";
}

/// "hazards KH-HZ-000012 (row 12)"
std::string label(const core::EntitySchema& s, std::string_view id, std::string_view source) {
  std::string out = s.name + " " + (id.empty() ? std::string("(no id)") : std::string(id));
  if (!source.empty()) out += " (" + std::string(source) + ")";
  return out;
}

std::string utc_now() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto secs = time_point_cast<seconds>(now);
  const auto ms = duration_cast<milliseconds>(now - secs).count();
  const std::time_t t = system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms));
  return buf;
}

Result<int> admin_level(int64_t v, std::string_view code) {
  if (v < 1 || v > 4)
    return fail(ErrorCode::kIo, "admin unit " + std::string(code) + ": level " + std::to_string(v) +
                                    " is not 1 to 4");
  return static_cast<int>(v);
}

// ------------------------------------------------------------------------------------------
// DDL and statements generated from the built-in schemas. Identifiers come only from
// core::all_schemas() and are quoted.

std::string q(std::string_view ident) {
  std::string out = "\"";
  for (char c : ident) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

const char* sql_type(core::FieldType t) {
  switch (t) {
    case core::FieldType::kInteger:
    case core::FieldType::kBool:
      return "bigint";
    case core::FieldType::kReal:
      return "double precision";
    default:
      return "text";  // dates too: ISO text, identical round trips with the GeoPackage
  }
}

/// A SQL string literal.
std::string lit(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

/// Migration 5 on PostgreSQL. Reclaim's transactions SET LOCAL reclaim.writer = 'on'; an insert,
/// update or delete on an entity table without it (psql, QGIS on the database) is written to
/// the history as a direct, unvalidated edit by a PL/pgSQL trigger (to_jsonb of the row without
/// fid, geom and version; secret fields masked), and an update bumps the row version. A
/// statement trigger on reclaim_meta counts settings changes in reclaim_changes.
std::string direct_edits_ddl() {
  std::string ddl =
      "ALTER TABLE history DROP CONSTRAINT IF EXISTS history_op_check;\n"
      "ALTER TABLE history ADD CONSTRAINT history_op_check "
      "CHECK (op IN ('insert', 'update', 'delete'));\n"
      "CREATE INDEX IF NOT EXISTS history_direct_edits ON history (seq) WHERE reason = " +
      lit(kDirectEditReason) +
      ";\n"
      "CREATE TABLE IF NOT EXISTS reclaim_changes (id integer PRIMARY KEY CHECK (id = 1), n bigint NOT NULL);\n"
      "INSERT INTO reclaim_changes VALUES (1, 0) ON CONFLICT DO NOTHING;\n"
      "CREATE OR REPLACE FUNCTION reclaim_count_change() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
      "BEGIN UPDATE reclaim_changes SET n = n + 1 WHERE id = 1; RETURN NULL; END $f$;\n"
      "DROP TRIGGER IF EXISTS reclaim_meta_changes ON reclaim_meta;\n"
      "CREATE TRIGGER reclaim_meta_changes AFTER INSERT OR UPDATE OR DELETE ON reclaim_meta "
      "FOR EACH STATEMENT EXECUTE FUNCTION reclaim_count_change();\n"
      "CREATE OR REPLACE FUNCTION reclaim_direct_version() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
      "BEGIN\n"
      "  IF coalesce(current_setting('reclaim.writer', true), '') <> 'on'\n"
      "     AND NEW.version IS NOT DISTINCT FROM OLD.version THEN\n"
      "    NEW.version := coalesce(OLD.version, 0) + 1;\n"
      "  END IF;\n"
      "  RETURN NEW;\n"
      "END $f$;\n"
      "CREATE OR REPLACE FUNCTION reclaim_direct_edit() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
      "DECLARE b jsonb; a jsonb; i integer;\n"
      "BEGIN\n"
      "  IF coalesce(current_setting('reclaim.writer', true), '') = 'on' THEN RETURN NULL; END IF;\n"
      "  IF TG_OP <> 'INSERT' THEN b := to_jsonb(OLD) - 'fid' - 'geom' - 'version'; END IF;\n"
      "  IF TG_OP <> 'DELETE' THEN a := to_jsonb(NEW) - 'fid' - 'geom' - 'version'; "
      "ELSE a := '{}'::jsonb; END IF;\n"
      "  FOR i IN 1 .. TG_NARGS - 1 LOOP\n"
      "    IF b ->> TG_ARGV[i] IS NOT NULL THEN b := jsonb_set(b, ARRAY[TG_ARGV[i]], '\"***\"'); END IF;\n"
      "    IF a ->> TG_ARGV[i] IS NOT NULL THEN a := jsonb_set(a, ARRAY[TG_ARGV[i]], '\"***\"'); END IF;\n"
      "  END LOOP;\n"
      "  INSERT INTO history (entity, record_id, op, at, \"user\", file, source_record, reason, "
      "before_json, after_json) VALUES (TG_TABLE_NAME, coalesce(CASE WHEN TG_OP = 'DELETE' THEN "
      "b ELSE a END ->> TG_ARGV[0], ''), lower(TG_OP), to_char(clock_timestamp() AT TIME ZONE "
      "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), '', '', 'direct edit', " +
      lit(kDirectEditReason) +
      ", b::text, a::text);\n"
      "  RETURN NULL;\n"
      "END $f$;\n";
  for (const auto& s : core::all_schemas()) {
    std::string args = lit(s.id_field().name);
    for (const auto& f : s.fields)
      if (f.secret) args += ", " + lit(f.name);
    ddl += "DROP TRIGGER IF EXISTS " + q("reclaim_direct_" + s.name) + " ON " + q(s.name) + ";\n";
    ddl += "DROP TRIGGER IF EXISTS " + q("reclaim_direct_" + s.name + "_version") + " ON " +
           q(s.name) + ";\n";
    ddl += "CREATE TRIGGER " + q("reclaim_direct_" + s.name) +
           " AFTER INSERT OR UPDATE OR DELETE ON " + q(s.name) +
           " FOR EACH ROW EXECUTE FUNCTION reclaim_direct_edit(" + args + ");\n";
    ddl += "CREATE TRIGGER " + q("reclaim_direct_" + s.name + "_version") +
           " BEFORE UPDATE ON " + q(s.name) +
           " FOR EACH ROW EXECUTE FUNCTION reclaim_direct_version();\n";
  }
  return ddl;
}

std::string entity_table_ddl(const core::EntitySchema& s) {
  const bool features = s.geometry != core::GeometryKind::kNone;
  const std::string table = q(s.name);
  std::string ddl = "CREATE TABLE " + table + " (\n  fid bigserial PRIMARY KEY";
  if (features)
    ddl += std::string(",\n  geom geometry(") +
           (s.geometry == core::GeometryKind::kPoint ? "Point" : "MultiPolygon") + ", 4326)";
  for (size_t i = 0; i < s.fields.size(); ++i) {
    if (s.fields[i].since_migration != 0) continue;  // added by its numbered SQL file
    ddl += ",\n  " + q(s.fields[i].name) + " " + sql_type(s.fields[i].type);
    if (i == 0) ddl += " COLLATE \"C\" NOT NULL";  // ids sort bytewise, as in the GeoPackage
  }
  ddl += ",\n  version bigint NOT NULL\n);\n";
  ddl += "CREATE UNIQUE INDEX " + q(s.name + "_" + s.id_field().name) + " ON " + table + " (" +
         q(s.id_field().name) + ");\n";
  if (features)
    ddl += "CREATE INDEX " + q(s.name + "_geom") + " ON " + table + " USING gist (geom);\n";
  return ddl;
}

/// A named statement: prepared once per connection on first use.
struct Statement {
  std::string name;
  std::string sql;
};

/// The statements of one built-in entity table.
struct TableSql {
  const core::EntitySchema* schema = nullptr;
  bool features = false;
  Statement insert, get, lock, update, first_page, next_page, exists, count;
  std::string select;  ///< SELECT version, geom, fields FROM table (the columns decode() reads)
};

// Columns of get / lock / pages: version, geom (WKB or NULL), then the fields.
constexpr int kColVersion = 0;
constexpr int kColGeom = 1;
constexpr int kColFirstField = 2;

TableSql make_table_sql(const core::EntitySchema& s) {
  TableSql t;
  t.schema = &s;
  t.features = s.geometry != core::GeometryKind::kNone;
  const std::string table = q(s.name);
  const std::string id = q(s.id_field().name);
  const std::string geom_in = s.geometry == core::GeometryKind::kPolygon
                                  ? "ST_Multi(ST_GeomFromWKB($1::bytea, 4326))"
                                  : "ST_GeomFromWKB($1::bytea, 4326)";
  std::string cols, params, sets;
  std::string select = "SELECT version, ";
  select += t.features ? "ST_AsBinary(geom)" : "NULL::bytea";
  int n = 1;
  if (t.features) {
    cols = "geom, ";
    params = geom_in + ", ";
    sets = "geom = " + geom_in + ", ";
    n = 2;
  }
  for (const auto& f : s.fields) {
    const std::string p = "$" + std::to_string(n++);
    cols += q(f.name) + ", ";
    params += p + ", ";
    sets += q(f.name) + " = " + p + ", ";
    select += ", " + q(f.name);
  }
  select += " FROM " + table;
  t.select = select;
  const std::string prefix = "reclaim_" + s.name + "_";
  t.insert = {prefix + "insert",
              "INSERT INTO " + table + " (" + cols + "version) VALUES (" + params + "1)"};
  t.get = {prefix + "get", select + " WHERE " + id + " = $1"};
  t.lock = {prefix + "lock", select + " WHERE " + id + " = $1 FOR UPDATE"};
  t.update = {prefix + "update",
              "UPDATE " + table + " SET " + sets + "version = version + 1 WHERE " + id + " = $" +
                  std::to_string(n) + " AND version = $" + std::to_string(n + 1) + "::bigint"};
  const std::string limit = " ORDER BY " + id + " LIMIT " + std::to_string(kScanPage);
  t.first_page = {prefix + "first_page", select + limit};
  t.next_page = {prefix + "next_page", select + " WHERE " + id + " > $1" + limit};
  t.exists = {prefix + "exists",
              "SELECT " + id + " FROM " + table + " WHERE " + id + " = ANY($1::text[])"};
  t.count = {prefix + "count", "SELECT count(*) FROM " + table};
  return t;
}

const Statement kHistoryInsert = {
    "reclaim_history_insert",
    "INSERT INTO history (entity, record_id, op, at, \"user\", file, source_record, reason, "
    "before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"};
const Statement kHistorySelect = {
    "reclaim_history_select",
    "SELECT seq, entity, record_id, op, at, \"user\", file, source_record, reason, before_json, "
    "after_json FROM history WHERE entity = $1 AND record_id = $2 ORDER BY seq"};
const Statement kUnitInsert = {
    "reclaim_unit_insert",
    "INSERT INTO admin_units (code, parent_code, level, name_latin, name_km, lat, lon) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)"};
const Statement kBoundaryInsert = {"reclaim_boundary_insert",
                                   "INSERT INTO admin_boundaries (geom, code, level) "
                                   "VALUES (ST_Multi(ST_GeomFromWKB($1::bytea, 4326)), $2, $3)"};
const Statement kMetaSelect = {"reclaim_meta_select",
                               "SELECT value FROM reclaim_meta WHERE key = $1"};
const Statement kMetaUpsert = {"reclaim_meta_upsert",
                               "INSERT INTO reclaim_meta (key, value) VALUES ($1, $2) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value"};

const Statement kSessionInsert = {
    "reclaim_session_insert",
    "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, device, ip) "
    "VALUES ($1, $2, $3::bigint, $4::bigint, $5::bigint, $6, $7)"};
const Statement kSessionSelect = {
    "reclaim_session_select",
    "SELECT user_id, created_at, last_seen_at, expires_at, device, ip FROM sessions "
    "WHERE id_hash = $1"};
const Statement kSessionTouch = {"reclaim_session_touch",
                                 "UPDATE sessions SET last_seen_at = $2::bigint WHERE id_hash = $1"};
const Statement kSessionDelete = {"reclaim_session_delete",
                                  "DELETE FROM sessions WHERE id_hash = $1"};
const Statement kSessionDeleteUser = {"reclaim_session_delete_user",
                                      "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2"};
const Statement kSessionDeleteStale = {
    "reclaim_session_delete_stale",
    "DELETE FROM sessions WHERE expires_at <= $1::bigint OR last_seen_at <= $2::bigint"};

// The history's last seq (every record change, direct edits included) plus the settings
// change counter of migration 5.
const Statement kGeneration = {"reclaim_generation",
                               "SELECT coalesce((SELECT max(seq) FROM history), 0) + "
                               "coalesce((SELECT n FROM reclaim_changes WHERE id = 1), 0)"};

/// A Postgres array literal of text values: {"a","b\"c"}.
std::string text_array(const std::vector<std::string_view>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

/// One statement of a pipeline and what it is about (for its error message).
struct Queued {
  const Statement* stmt = nullptr;
  Params params;
  size_t item = 0;  ///< index of the change / admin unit it belongs to
  bool history = false;
};

}  // namespace

std::string mask_password(std::string_view url) {
  std::string out(url);
  if (out.starts_with("postgresql://") || out.starts_with("postgres://")) {
    const size_t start = out.find("://") + 3;
    size_t end = out.find_first_of("/?#", start);
    if (end == std::string::npos) end = out.size();
    const size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      const size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... in URL parameters or a key=value connection string
  size_t pos = 0;
  while ((pos = out.find("password", pos)) != std::string::npos) {
    size_t p = pos + 8;
    const bool starts_key = pos == 0 || out[pos - 1] == '?' || out[pos - 1] == '&' ||
                            out[pos - 1] == ' ' || out[pos - 1] == '\t';
    while (p < out.size() && out[p] == ' ') ++p;
    if (!starts_key || p >= out.size() || out[p] != '=') {
      pos = p;
      continue;
    }
    ++p;
    while (p < out.size() && out[p] == ' ') ++p;
    size_t vend = p;
    if (vend < out.size() && out[vend] == '\'') {
      ++vend;
      while (vend < out.size() && out[vend] != '\'') vend += out[vend] == '\\' ? 2 : 1;
      vend = std::min(vend + 1, out.size());
    } else {
      vend = out.find_first_of(" &#", p);
      if (vend == std::string::npos) vend = out.size();
    }
    out.replace(p, vend - p, "***");
    pos = p + 3;
  }
  return out;
}

// ------------------------------------------------------------------------------------------

// ---- Store::query and mvt_tile: conditions as SQL, every value a bound parameter ----

/// The next parameter's placeholder, cast to `type` ("$3::bigint").
std::string placeholder(const Params& p, std::string_view type) {
  return "$" + std::to_string(p.size() + 1) + "::" + std::string(type);
}

/// A field as it is compared and sorted: text bytewise (COLLATE "C"), as SQLite does.
std::string column_expr(const core::FieldDef& f) {
  return is_text_type(f.type) ? q(f.name) + " COLLATE \"C\"" : q(f.name);
}

/// A value bound for a comparison with a column, converted to the column's type as SQLite's
/// column affinity converts a bound value (numbers become text for a text column; text that
/// is a number becomes that number for a numeric one). kNull: the value is null (nothing
/// matches it); kAboveNumbers: text that is not a number, for a numeric column (greater than
/// every number, as compare_values orders them).
struct Bound {
  enum Kind { kNull, kValue, kAboveNumbers } kind = kNull;
  std::string sql;  ///< the placeholder, for kValue
};

Bound bind_for(Params& p, const core::FieldDef& f, const core::Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return {};
  const bool text_col = is_text_type(f.type);
  const bool real_col = f.type == core::FieldType::kReal;
  if (const auto* i = std::get_if<int64_t>(&v)) {
    if (text_col) {
      std::string ph = placeholder(p, "text");
      p.integer(*i);
      return {Bound::kValue, std::move(ph)};
    }
    std::string ph = placeholder(p, real_col ? "double precision" : "bigint");
    p.integer(*i);
    return {Bound::kValue, std::move(ph)};
  }
  if (const auto* d = std::get_if<double>(&v)) {
    std::string ph = placeholder(p, text_col ? "text" : "double precision");
    p.real(*d);
    return {Bound::kValue, std::move(ph)};
  }
  const std::string& t = std::get<std::string>(v);
  if (text_col) {
    std::string ph = placeholder(p, "text");
    p.text(t);
    return {Bound::kValue, std::move(ph)};
  }
  // A numeric column: text that is wholly a number compares as that number.
  const char* b = t.data();
  const char* e = t.data() + t.size();
  int64_t iv = 0;
  if (auto r = std::from_chars(b, e, iv); !t.empty() && r.ec == std::errc() && r.ptr == e) {
    std::string ph = placeholder(p, real_col ? "double precision" : "bigint");
    p.integer(iv);
    return {Bound::kValue, std::move(ph)};
  }
  double dv = 0;
  if (auto r = std::from_chars(b, e, dv); !t.empty() && r.ec == std::errc() && r.ptr == e &&
                                          std::isfinite(dv)) {
    std::string ph = placeholder(p, "double precision");
    p.real(dv);
    return {Bound::kValue, std::move(ph)};
  }
  return {Bound::kAboveNumbers, {}};
}

/// " AND "-joined SQL for `where` (and the bbox) on a built-in entity, its values appended to
/// `p`; "TRUE" when there is no condition. Errors: kInvalidArgument (a field not in `s`).
Result<std::string> conditions_sql(const core::EntitySchema& s, const std::vector<Condition>& where,
                                   const std::optional<geo::Envelope>& bbox, Params& p) {
  std::vector<std::string> parts;
  for (const auto& c : where) {
    const int fi = s.index_of(c.field);
    if (fi < 0) return fail(ErrorCode::kInvalidArgument, "no field '" + c.field + "' in " + s.name);
    const core::FieldDef& f = s.fields[static_cast<size_t>(fi)];
    const std::string col = column_expr(f);
    switch (c.op) {
      case Condition::Op::kAnyOf: {
        std::string in;  // null, or text that is no number for a numeric column: never equal
        for (const auto& v : c.values) {
          Bound b = bind_for(p, f, v);
          if (b.kind == Bound::kValue) in += (in.empty() ? "" : ", ") + b.sql;
        }
        parts.push_back(in.empty() ? "FALSE" : col + " IN (" + in + ")");
        break;
      }
      case Condition::Op::kPrefix: {
        // As the GeoPackage adapter: a prefix that is not text matches every non-null value.
        const auto* pre = c.values.empty() ? nullptr : std::get_if<std::string>(&c.values[0]);
        const std::string ph = placeholder(p, "text");
        p.text(pre != nullptr ? *pre : std::string());
        parts.push_back("starts_with(" + (is_text_type(f.type) ? col : q(f.name) + "::text") +
                        ", " + ph + ")");
        break;
      }
      case Condition::Op::kGe:
      case Condition::Op::kLe: {
        const bool ge = c.op == Condition::Op::kGe;
        Bound b = c.values.empty() ? Bound{} : bind_for(p, f, c.values[0]);
        if (b.kind == Bound::kNull) {
          parts.emplace_back("FALSE");
        } else if (b.kind == Bound::kAboveNumbers) {  // number >= text never; <= always
          parts.push_back(ge ? "FALSE" : q(f.name) + " IS NOT NULL");
        } else {
          parts.push_back(col + (ge ? " >= " : " <= ") + b.sql);
        }
        break;
      }
    }
  }
  if (bbox) {
    if (s.geometry == core::GeometryKind::kNone) {
      parts.emplace_back("FALSE");
    } else {
      // the GiST index prefilters (&&); ST_Intersects decides (a box in a hole is no hit)
      std::string env = "ST_MakeEnvelope(";
      for (double v : {bbox->min_lon, bbox->min_lat, bbox->max_lon, bbox->max_lat}) {
        env += placeholder(p, "double precision") + ", ";
        p.real(v);
      }
      env += "4326)";
      parts.push_back("geom && " + env + " AND ST_Intersects(geom, " + env + ")");
    }
  }
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : " AND ") + part;
  return out.empty() ? std::string("TRUE") : out;
}

class PgStore::Impl {
 public:
  /// BEGIN ... COMMIT, rolled back unless committed.
  class Transaction {
   public:
    static Result<Transaction> begin(Impl& db) {
      // reclaim.writer: Reclaim's own writes are not direct edits (migration 5's triggers).
      if (auto r = db.exec("BEGIN; SET LOCAL reclaim.writer = 'on'",
                           db.shown + ": cannot start a transaction");
          !r)
        return fail(r.error());
      return Transaction(db);
    }
    Transaction(Transaction&& o) noexcept : db_(o.db_), open_(std::exchange(o.open_, false)) {}
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction() {
      if (open_ && PQstatus(db_.conn.get()) == CONNECTION_OK)
        ResPtr(PQexec(db_.conn.get(), "ROLLBACK"));
    }
    Result<void> commit() {
      db_.committing = true;
      auto r = db_.exec("COMMIT", db_.shown + ": cannot commit");
      db_.committing = false;
      open_ = false;  // committed, or failed and rolled back by the server
      return r;
    }

   private:
    explicit Transaction(Impl& db) : db_(db), open_(true) {}
    Impl& db_;
    bool open_;
  };

  std::string url;
  std::string shown;  // url, password masked
  ConnPtr conn;
  std::unordered_set<std::string> prepared;
  std::unordered_map<std::string, TableSql> tables;

  // What the last error was (set by error()), for callers that translate it.
  std::string last_sqlstate;
  bool last_lost = false;       // the connection is gone
  bool last_cancelled = false;  // statement timeout or pg_cancel_backend
  bool committing = false;      // the failing statement was COMMIT

  /// Translates a failed result (or a connection failure: r == nullptr) into an Error.
  Error error(const PGresult* r, std::string_view what) {
    last_sqlstate = sqlstate_of(r);
    const std::string_view st = last_sqlstate;
    last_lost = PQstatus(conn.get()) != CONNECTION_OK || st.starts_with("08") || st == "57P01" ||
                st == "57P02" || st == "57P03";
    last_cancelled = st == "57014";
    std::string detail = r != nullptr ? PQresultErrorMessage(r) : "";
    if (detail.empty()) detail = PQerrorMessage(conn.get());
    if (detail.empty()) detail = "unknown libpq error";
    ErrorCode code = ErrorCode::kIo;
    std::string msg = std::string(what) + ": " + one_line(detail);
    if (!last_lost && (st.starts_with("22") || st.starts_with("23"))) {
      code = ErrorCode::kInvalidArgument;  // bad data or a constraint (23505 handled by callers)
    } else if (st == "40001" || st == "40P01") {
      code = ErrorCode::kConflict;
      msg += ": reload and try again";
    }
    if (st == "25006")  // read_only_sql_transaction: a hot standby, or default_transaction_read_only
      msg += " (this server is read-only, e.g. a streaming replica: send writes to the primary "
             "with --db; a replica belongs in --db-read)";
    return Error{code, std::move(msg)};
  }

  Result<ResPtr> check(ResPtr r, std::string_view what) {
    if (r) {
      const auto st = PQresultStatus(r.get());
      if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
    }
    return fail(error(r.get(), what));
  }

  /// Reconnects a connection that was lost (outside any transaction).
  Result<void> ensure_connected() {
    if (PQstatus(conn.get()) == CONNECTION_OK) return {};
    PQreset(conn.get());
    prepared.clear();
    if (PQstatus(conn.get()) != CONNECTION_OK)
      return fail(ErrorCode::kIo, "lost the connection to " + shown + " and cannot reconnect: " +
                                      one_line(PQerrorMessage(conn.get())));
    return {};
  }

  /// Runs SQL without parameters (DDL, several statements, transaction control).
  Result<void> exec(const std::string& sql, std::string_view what) {
    auto r = check(ResPtr(PQexec(conn.get(), sql.c_str())), what);
    if (!r) return fail(r.error());
    return {};
  }

  /// One statement with parameters; binary results.
  Result<ResPtr> query(const std::string& sql, Params& p, std::string_view what) {
    p.resolve();
    return check(ResPtr(PQexecParams(conn.get(), sql.c_str(), p.size(), nullptr, p.values(),
                                     p.lengths(), p.formats(), 1)),
                 what);
  }

  Result<void> prepare(const Statement& s) {
    if (prepared.contains(s.name)) return {};
    auto r = check(ResPtr(PQprepare(conn.get(), s.name.c_str(), s.sql.c_str(), 0, nullptr)),
                   shown + ": cannot prepare " + s.name);
    if (!r) return fail(r.error());
    prepared.insert(s.name);
    return {};
  }

  /// A prepared statement; binary results.
  Result<ResPtr> run(const Statement& s, Params& p, std::string_view what) {
    if (auto r = prepare(s); !r) return fail(r.error());
    p.resolve();
    return check(ResPtr(PQexecPrepared(conn.get(), s.name.c_str(), p.size(), p.values(),
                                       p.lengths(), p.formats(), 1)),
                 what);
  }

  /// Sends `batch` as one pipeline (one round trip) and reads every result. The first failing
  /// statement's error comes from explain(statement, result); the rest of the batch is skipped
  /// by the server. Empties the batch.
  Result<void> run_batch(std::vector<Queued>& batch,
                         const std::function<Error(const Queued&, const PGresult*)>& explain) {
    if (batch.empty()) return {};
    for (const Queued& item : batch)
      if (auto r = prepare(*item.stmt); !r) return r;
    PGconn* c = conn.get();
    if (PQenterPipelineMode(c) != 1) return fail(error(nullptr, shown + ": cannot pipeline"));
    std::optional<Error> first;
    size_t sent = 0;
    for (Queued& item : batch) {
      item.params.resolve();
      if (PQsendQueryPrepared(c, item.stmt->name.c_str(), item.params.size(), item.params.values(),
                              item.params.lengths(), item.params.formats(), 1) != 1) {
        first = explain(item, nullptr);
        break;
      }
      ++sent;
    }
    const bool synced = PQpipelineSync(c) == 1;
    if (!synced && !first) first = error(nullptr, shown + ": cannot send the statements");
    size_t index = 0;
    size_t results = 0;
    while (synced && PQstatus(c) == CONNECTION_OK && results <= 3 * sent + 8) {
      ResPtr r(PQgetResult(c));
      ++results;
      if (!r) {  // the end of one statement's results
        ++index;
        continue;
      }
      const auto st = PQresultStatus(r.get());
      if (st == PGRES_PIPELINE_SYNC) break;
      if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_PIPELINE_ABORTED) continue;
      if (!first) first = explain(batch[std::min(index, batch.size() - 1)], r.get());
    }
    if (PQstatus(c) != CONNECTION_OK && !first)
      first = explain(batch[std::min(index, batch.size() - 1)], nullptr);
    PQexitPipelineMode(c);
    batch.clear();
    if (first) return fail(std::move(*first));
    return {};
  }

  Result<TableSql*> table(const core::EntitySchema& s) {
    if (auto it = tables.find(s.name); it != tables.end()) return &it->second;
    const core::EntitySchema* builtin = core::find_schema(s.name);
    if (builtin == nullptr)
      return fail(ErrorCode::kInvalidArgument, "no entity '" + s.name + "' in this Reclaim");
    if (builtin->fields.size() != s.fields.size() || builtin->geometry != s.geometry)
      return fail(ErrorCode::kInvalidArgument,
                  s.name + ": schema differs from the built-in one the database was made with");
    return &tables.emplace(s.name, make_table_sql(*builtin)).first->second;
  }

  Result<bool> has_postgis() {
    Params none;
    auto r = query("SELECT 1 FROM pg_extension WHERE extname = 'postgis'", none,
                   shown + ": cannot look for PostGIS");
    if (!r) return fail(r.error());
    return PQntuples(r->get()) > 0;
  }

  Result<int> schema_version() {
    Params none;
    auto has = query("SELECT to_regclass('reclaim_migrations') IS NOT NULL", none,
                     shown + ": cannot read the schema version");
    if (!has) return fail(has.error());
    if (int_at(has->get(), 0, 0) == 0) return 0;
    auto v = query("SELECT COALESCE(MAX(version), 0)::bigint FROM reclaim_migrations", none,
                   shown + ": cannot read the schema version");
    if (!v) return fail(v.error());
    return static_cast<int>(int_at(v->get(), 0, 0));
  }

  Result<core::Record> decode(const TableSql& t, const PGresult* r, int row) {
    const core::EntitySchema& s = *t.schema;
    core::Record rec;
    rec.values.reserve(s.fields.size());
    for (size_t i = 0; i < s.fields.size(); ++i)
      rec.values.push_back(
          read_value(r, row, kColFirstField + static_cast<int>(i), s.fields[i].type));
    rec.version = int_at(r, row, kColVersion);
    if (t.features && !is_null(r, row, kColGeom)) {
      auto g = read_geometry(r, row, kColGeom);
      if (!g)
        return fail(ErrorCode::kIo, shown + ": " + label(s, rec.id(), "") +
                                        ": stored geometry is unreadable: " + g.error().message);
      rec.geometry = std::move(*g);
    }
    return rec;
  }

  /// Adds the geometry (if the entity has one) and the fields as parameters $1, $2, ...
  Result<void> bind_record(Params& p, const TableSql& t, const core::Record& r,
                           std::string_view source) {
    const core::EntitySchema& s = *t.schema;
    if (r.values.size() != s.fields.size())
      return fail(ErrorCode::kInvalidArgument,
                  label(s, r.id(), source) + ": record has " + std::to_string(r.values.size()) +
                      " values, the schema " + std::to_string(s.fields.size()));
    if (r.id().empty())
      return fail(ErrorCode::kInvalidArgument,
                  label(s, r.id(), source) + ": " + s.id_field().name + " is missing");
    if (t.features) {
      const auto type = r.geometry.type;
      const bool fits =
          type == geo::GeometryType::kNone ||
          (s.geometry == core::GeometryKind::kPoint
               ? type == geo::GeometryType::kPoint
               : type == geo::GeometryType::kPolygon || type == geo::GeometryType::kMultiPolygon);
      if (!fits)
        return fail(ErrorCode::kInvalidArgument,
                    label(s, r.id(), source) + ": geometry must be a " +
                        (s.geometry == core::GeometryKind::kPoint ? "point" : "polygon"));
      if (r.geometry.empty()) {
        p.null();
      } else {
        p.binary(geo::to_wkb(r.geometry));
      }
    } else if (!r.geometry.empty()) {
      return fail(ErrorCode::kInvalidArgument,
                  label(s, r.id(), source) + ": a " + s.singular + " has no geometry");
    }
    for (size_t i = 0; i < s.fields.size(); ++i) {
      const core::FieldType type = s.fields[i].type;
      const core::Value& v = r.values[i];
      if (const auto* n = std::get_if<int64_t>(&v)) {
        p.integer(*n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        if (type == core::FieldType::kInteger || type == core::FieldType::kBool) {
          if (std::trunc(*d) != *d || !(std::fabs(*d) < 9e18))
            return fail(ErrorCode::kInvalidArgument,
                        label(s, r.id(), source) + ": " + s.fields[i].name + ": " +
                            core::to_text(v) + " is not a whole number");
          p.integer(static_cast<int64_t>(*d));
        } else if (is_text_type(type)) {
          p.text(core::to_text(v));
        } else {
          p.real(*d);
        }
      } else if (const auto* t_ = std::get_if<std::string>(&v)) {
        p.ref(*t_);
      } else {
        p.null();
      }
    }
    return {};
  }

  /// The history row of a change (before_json null for inserts).
  static Queued history_row(const TableSql& t, const Change& c, const ChangeSource& src,
                            const std::string& at, std::optional<std::string> before_json,
                            std::string after_json, size_t item) {
    Queued h;
    h.stmt = &kHistoryInsert;
    h.item = item;
    h.history = true;
    h.params.ref(t.schema->name);
    h.params.ref(c.record.id());
    h.params.text(c.op == ChangeOp::kInsert ? "insert" : "update");
    h.params.ref(at);
    h.params.ref(src.user);
    h.params.ref(src.file);
    h.params.ref(c.source_record);
    h.params.ref(src.reason);
    if (before_json) {
      h.params.text(std::move(*before_json));
    } else {
      h.params.null();
    }
    h.params.text(std::move(after_json));
    return h;
  }

  /// An update, run at once (the row is locked until the transaction ends); its history row is
  /// queued on `batch`.
  Result<void> update(TableSql& t, const Change& c, const ChangeSource& src, const std::string& at,
                      std::vector<Queued>& batch, size_t item) {
    const core::EntitySchema& s = *t.schema;
    const std::string& id = c.record.id();
    const std::string what = label(s, id, c.source_record);
    std::string who = s.singular + " " + id;
    if (!c.source_record.empty()) who += " (" + c.source_record + ")";
    Params key;
    key.ref(id);
    auto sel = run(t.lock, key, what);
    if (!sel) return fail(sel.error());
    if (PQntuples(sel->get()) == 0)
      return fail(ErrorCode::kNotFound,
                  what + ": there is no " + s.singular + " " + id + " to update");
    auto before = decode(t, sel->get(), 0);
    if (!before) return fail(before.error());
    if (before->version != c.record.version)
      return fail(ErrorCode::kConflict,
                  who + " was changed by someone else (version " + std::to_string(before->version) +
                      ", you had " + std::to_string(c.record.version) + "): reload and try again");
    Params p;
    if (auto b = bind_record(p, t, c.record, c.source_record); !b) return b;
    p.ref(id);
    p.integer(c.record.version);
    auto up = run(t.update, p, what);
    if (!up) {
      if (last_sqlstate == "23505")
        return fail(ErrorCode::kAlreadyExists, what + ": " + s.id_field().name + " already exists");
      return fail(up.error());
    }
    if (std::string_view(PQcmdTuples(up->get())) == "0")
      return fail(ErrorCode::kConflict, who + " was changed by someone else (you had version " +
                                            std::to_string(c.record.version) +
                                            "): reload and try again");
    core::Record after = c.record;
    after.version = before->version + 1;
    batch.push_back(history_row(t, c, src, at, core::record_to_json(s, *before),
                                core::record_to_json(s, after), item));
    return {};
  }

  Result<void> commit_changes(const ChangeSet& cs) {
    auto txn = Transaction::begin(*this);
    if (!txn) return fail(txn.error());
    const std::string now = utc_now();
    std::vector<Queued> batch;
    batch.reserve(2 * kBatchChanges + 2);
    size_t inserts = 0;
    auto explain = [&](const Queued& item, const PGresult* r) -> Error {
      const Change& c = cs.changes[item.item];
      const core::EntitySchema& s = *c.schema;
      const std::string what = label(s, c.record.id(), c.source_record);
      Error e = error(r, item.history ? what + ": cannot write history" : what);
      if (!item.history && last_sqlstate == "23505")
        return Error{ErrorCode::kAlreadyExists,
                     what + ": " + s.id_field().name + " already exists"};
      return e;
    };
    auto flush = [&]() {
      inserts = 0;
      return run_batch(batch, explain);
    };
    // An error found before sending: the statements already queued go first (their error, if
    // any, is the earlier one).
    auto stop = [&](Error e) -> Result<void> {
      if (auto f = flush(); !f) return f;
      return fail(std::move(e));
    };
    for (size_t i = 0; i < cs.changes.size(); ++i) {
      const Change& c = cs.changes[i];
      if (c.schema == nullptr)
        return stop(Error{ErrorCode::kInvalidArgument,
                          "change " + c.source_record + " names no entity (schema is null)"});
      auto t = table(*c.schema);
      if (!t) return stop(t.error());
      if (c.op == ChangeOp::kInsert) {
        Queued ins;
        ins.stmt = &(*t)->insert;
        ins.item = i;
        if (auto b = bind_record(ins.params, **t, c.record, c.source_record); !b)
          return stop(b.error());
        core::Record after = c.record;
        after.version = 1;
        batch.push_back(std::move(ins));
        batch.push_back(history_row(**t, c, cs.source, now, std::nullopt,
                                    core::record_to_json(*(*t)->schema, after), i));
        if (++inserts >= kBatchChanges)
          if (auto f = flush(); !f) return f;
      } else {
        if (auto f = flush(); !f) return f;  // it may update a record inserted just before
        if (auto u = update(**t, c, cs.source, now, batch, i); !u) return stop(u.error());
      }
    }
    if (auto f = flush(); !f) return f;
    return txn->commit();
  }

  /// Migration 5: direct-edit triggers (see direct_edits_ddl) and the change counter that
  /// generation() adds to the history's last seq (settings change no history).
  Result<void> run_direct_edits_step() { return exec(direct_edits_ddl(), shown + ": migration 5"); }

  Result<void> run_generated_step() {
    for (const auto& s : core::all_schemas()) {
      if (auto r = exec(entity_table_ddl(s), shown + ": cannot create table " + s.name); !r)
        return r;
    }
    return {};
  }
};

// ------------------------------------------------------------------------------------------

namespace {

using Step = MigrationStep;

std::vector<Step> migration_steps() {
  return storage::migration_steps(pg_detail::embedded_migration_files(), kGeneratedStep);
}

void ignore_notice(void*, const char*) {}

}  // namespace

int PgStore::latest_schema_version() noexcept {
  static const int kLatest = [] {
    const auto steps = migration_steps();
    return steps.empty() ? 0 : steps.back().version;
  }();
  return kLatest;
}

PgStore::PgStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgStore::~PgStore() = default;
const std::string& PgStore::display_url() const noexcept { return impl_->shown; }

Result<std::unique_ptr<PgStore>> PgStore::open(const std::string& url) {
  if (url.empty()) return fail(ErrorCode::kIo, "no database URL given");
  auto impl = std::make_unique<Impl>();
  impl->url = url;
  impl->shown = mask_password(url);
  // Later entries override earlier ones: the URL may set its own connect_timeout, but the
  // client encoding is always UTF-8 (Khmer text).
  const char* const keys[] = {"connect_timeout", "dbname", "fallback_application_name",
                              "client_encoding", nullptr};
  const char* const values[] = {"10", url.c_str(), "reclaim", "UTF8", nullptr};
  impl->conn.reset(PQconnectdbParams(keys, values, 1));
  if (!impl->conn) return fail(ErrorCode::kIo, "cannot connect to " + impl->shown + ": no memory");
  if (PQstatus(impl->conn.get()) != CONNECTION_OK)
    return fail(ErrorCode::kIo, "cannot connect to " + impl->shown + ": " +
                                    one_line(PQerrorMessage(impl->conn.get())));
  PQsetNoticeProcessor(impl->conn.get(), ignore_notice, nullptr);
  return std::unique_ptr<PgStore>(new PgStore(std::move(impl)));
}

Result<void> PgStore::migrate() {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return c;
  const int latest = latest_schema_version();
  auto newer = [&](int v) {
    return fail(ErrorCode::kFailedPrecondition, db.shown + ": database schema version " +
                                                    std::to_string(v) +
                                                    " is newer than this Reclaim (" +
                                                    std::to_string(latest) + "); upgrade Reclaim");
  };
  auto postgis = db.has_postgis();
  if (!postgis) return fail(postgis.error());
  auto current = db.schema_version();
  if (!current) return fail(current.error());
  if (*current > latest) return newer(*current);
  if (*current == latest && *postgis) return {};

  auto txn = Impl::Transaction::begin(db);
  if (!txn) return fail(txn.error());
  {
    Params key;
    key.integer(kMigrationLock);
    auto lock = db.query("SELECT pg_advisory_xact_lock($1::bigint)", key,
                         db.shown + ": cannot lock the schema for migration");
    if (!lock) return fail(lock.error());
  }
  postgis = db.has_postgis();  // another process may have migrated meanwhile
  if (!postgis) return fail(postgis.error());
  if (!*postgis) {
    if (auto r = db.exec("CREATE EXTENSION IF NOT EXISTS postgis", "CREATE EXTENSION postgis");
        !r) {
      const char* name = PQdb(db.conn.get());
      return fail(ErrorCode::kFailedPrecondition,
                  "PostGIS is not installed in database " + std::string(name ? name : "?") + ": " +
                      r.error().message +
                      " (install postgresql-15-postgis-3 and run CREATE EXTENSION postgis as a "
                      "superuser)");
    }
  }
  current = db.schema_version();
  if (!current) return fail(current.error());
  if (*current > latest) return newer(*current);
  const std::string now = utc_now();
  for (const Step& step : migration_steps()) {
    if (step.version <= *current) continue;
    Result<void> r =
        !step.sql.empty() ? db.exec(std::string(step.sql), db.shown + ": migration " + step.name)
        : step.version == kDirectEditsStep ? db.run_direct_edits_step()
                                           : db.run_generated_step();
    if (!r) return r;
    Params p;
    p.integer(step.version);
    p.ref(step.name);
    p.ref(now);
    auto rec = db.query(
        "INSERT INTO reclaim_migrations (version, name, applied_at) VALUES ($1::integer, $2, $3)",
        p, db.shown + ": cannot record migration " + step.name);
    if (!rec) return fail(rec.error());
  }
  return txn->commit();
}

Result<void> PgStore::commit(const ChangeSet& changes) {
  Impl& db = *impl_;
  if (changes.changes.empty()) return {};
  if (auto c = db.ensure_connected(); !c) return c;
  db.last_lost = db.last_cancelled = db.committing = false;
  auto r = db.commit_changes(changes);
  if (r) return r;
  const Error& e = r.error();
  if (db.last_lost)
    return fail(ErrorCode::kIo,
                db.shown + ": " +
                    std::string(db.committing ? kLostWhileCommitting : kLostDuringCommit) + " (" +
                    e.message + ")");
  if (db.last_cancelled) return fail(ErrorCode::kIo, e.message + std::string(kRolledBack));
  return r;
}

Result<std::optional<core::Record>> PgStore::get(const core::EntitySchema& s, std::string_view id) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  auto t = db.table(s);
  if (!t) return fail(t.error());
  Params p;
  p.text(std::string(id));
  auto r = db.run((*t)->get, p, label(s, id, ""));
  if (!r) return fail(r.error());
  if (PQntuples(r->get()) == 0) return std::optional<core::Record>{};
  auto rec = db.decode(**t, r->get(), 0);
  if (!rec) return fail(rec.error());
  return std::optional<core::Record>(std::move(*rec));
}

Result<void> PgStore::scan(const core::EntitySchema& s,
                           const std::function<bool(core::Record&&)>& fn) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return c;
  auto t = db.table(s);
  if (!t) return fail(t.error());
  std::string last;
  for (bool first = true;; first = false) {
    Params p;
    if (!first) p.text(last);
    auto r =
        db.run(first ? (*t)->first_page : (*t)->next_page, p, db.shown + ": cannot read " + s.name);
    if (!r) return fail(r.error());
    const int rows = PQntuples(r->get());
    for (int row = 0; row < rows; ++row) {
      auto rec = db.decode(**t, r->get(), row);
      if (!rec) return fail(rec.error());
      last = rec->id();
      if (!fn(std::move(*rec))) return {};
    }
    if (rows < kScanPage) return {};
  }
}

Result<std::vector<std::string>> PgStore::existing_ids(const core::EntitySchema& s,
                                                       const std::vector<std::string>& ids) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  auto t = db.table(s);
  if (!t) return fail(t.error());
  std::vector<std::string_view> unique;
  std::unordered_set<std::string_view> seen;
  for (const auto& id : ids)
    if (seen.insert(id).second) unique.push_back(id);
  std::unordered_set<std::string> stored;
  for (size_t from = 0; from < unique.size(); from += kIdsPerQuery) {
    const size_t to = std::min(unique.size(), from + kIdsPerQuery);
    Params p;
    p.text(text_array(
        std::vector<std::string_view>(unique.begin() + static_cast<std::ptrdiff_t>(from),
                                      unique.begin() + static_cast<std::ptrdiff_t>(to))));
    auto r = db.run((*t)->exists, p, db.shown + ": cannot look up " + s.name + " ids");
    if (!r) return fail(r.error());
    for (int row = 0; row < PQntuples(r->get()); ++row) stored.insert(text_at(r->get(), row, 0));
  }
  std::vector<std::string> found;
  for (std::string_view id : unique)
    if (stored.contains(std::string(id))) found.emplace_back(id);
  return found;
}

Result<int64_t> PgStore::count(const core::EntitySchema& s) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  auto t = db.table(s);
  if (!t) return fail(t.error());
  Params none;
  auto r = db.run((*t)->count, none, db.shown + ": cannot count " + s.name);
  if (!r) return fail(r.error());
  return int_at(r->get(), 0, 0);
}

Result<std::vector<HistoryEntry>> PgStore::history(const core::EntitySchema& s,
                                                   std::string_view id) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params p;
  p.ref(s.name);
  p.text(std::string(id));
  auto r = db.run(kHistorySelect, p, label(s, id, "") + ": cannot read history");
  if (!r) return fail(r.error());
  const PGresult* res = r->get();
  std::vector<HistoryEntry> out;
  out.reserve(static_cast<size_t>(PQntuples(res)));
  for (int row = 0; row < PQntuples(res); ++row) {
    HistoryEntry h;
    h.seq = int_at(res, row, 0);
    h.entity = text_at(res, row, 1);
    h.record_id = text_at(res, row, 2);
    h.op = text_at(res, row, 3);
    h.at = text_at(res, row, 4);
    h.user = text_at(res, row, 5);
    h.file = text_at(res, row, 6);
    h.source_record = text_at(res, row, 7);
    h.reason = text_at(res, row, 8);
    h.before_json = text_at(res, row, 9);  // "" when NULL
    h.after_json = text_at(res, row, 10);
    out.push_back(std::move(h));
  }
  return out;
}

Result<void> PgStore::replace_admin_units(const std::vector<core::AdminUnit>& units,
                                          const std::vector<core::AdminBoundary>& bounds) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return c;
  for (const auto& b : bounds)
    if (b.geometry.type == geo::GeometryType::kPoint)
      return fail(ErrorCode::kInvalidArgument,
                  "boundary of " + b.code + ": geometry must be a polygon");
  auto txn = Impl::Transaction::begin(db);
  if (!txn) return fail(txn.error());
  if (auto r = db.exec("DELETE FROM admin_units; DELETE FROM admin_boundaries",
                       db.shown + ": cannot clear the gazetteer");
      !r)
    return r;
  std::vector<Queued> batch;
  auto explain_unit = [&](const Queued& item, const PGresult* r) -> Error {
    const core::AdminUnit& u = units[item.item];
    Error e = db.error(r, "admin unit " + u.code);
    if (db.last_sqlstate == "23505")
      return Error{ErrorCode::kAlreadyExists, "admin unit " + u.code + ": code appears twice"};
    return e;
  };
  for (size_t i = 0; i < units.size(); ++i) {
    const auto& u = units[i];
    Queued item;
    item.stmt = &kUnitInsert;
    item.item = i;
    item.params.ref(u.code);
    if (u.parent_code.empty()) {
      item.params.null();
    } else {
      item.params.ref(u.parent_code);
    }
    item.params.integer(static_cast<int>(u.level));
    item.params.ref(u.name_latin);
    item.params.ref(u.name_km);
    if (u.lat) {
      item.params.real(*u.lat);
    } else {
      item.params.null();
    }
    if (u.lon) {
      item.params.real(*u.lon);
    } else {
      item.params.null();
    }
    batch.push_back(std::move(item));
    if (batch.size() >= 2 * kBatchChanges)
      if (auto r = db.run_batch(batch, explain_unit); !r) return r;
  }
  if (auto r = db.run_batch(batch, explain_unit); !r) return r;
  auto explain_bound = [&](const Queued& item, const PGresult* r) -> Error {
    return db.error(r, "boundary of " + bounds[item.item].code);
  };
  for (size_t i = 0; i < bounds.size(); ++i) {
    const auto& b = bounds[i];
    Queued item;
    item.stmt = &kBoundaryInsert;
    item.item = i;
    if (b.geometry.empty()) {
      item.params.null();
    } else {
      item.params.binary(geo::to_wkb(b.geometry));
    }
    item.params.ref(b.code);
    item.params.integer(static_cast<int>(b.level));
    batch.push_back(std::move(item));
    if (batch.size() >= 2 * kBatchChanges)
      if (auto r = db.run_batch(batch, explain_bound); !r) return r;
  }
  if (auto r = db.run_batch(batch, explain_bound); !r) return r;
  return txn->commit();
}

Result<std::vector<core::AdminUnit>> PgStore::admin_units() {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params none;
  auto r = db.query(
      "SELECT code, parent_code, level, name_latin, name_km, lat, lon FROM admin_units "
      "ORDER BY fid",
      none, db.shown + ": cannot read admin_units");
  if (!r) return fail(r.error());
  const PGresult* res = r->get();
  std::vector<core::AdminUnit> out;
  out.reserve(static_cast<size_t>(PQntuples(res)));
  for (int row = 0; row < PQntuples(res); ++row) {
    core::AdminUnit u;
    u.code = text_at(res, row, 0);
    u.parent_code = text_at(res, row, 1);
    auto level = admin_level(int_at(res, row, 2), u.code);
    if (!level) return fail(level.error());
    u.level = static_cast<core::AdminLevel>(*level);
    u.name_latin = text_at(res, row, 3);
    u.name_km = text_at(res, row, 4);
    if (!is_null(res, row, 5)) u.lat = real_at(res, row, 5);
    if (!is_null(res, row, 6)) u.lon = real_at(res, row, 6);
    out.push_back(std::move(u));
  }
  return out;
}

Result<std::vector<core::AdminBoundary>> PgStore::admin_boundaries() {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params none;
  auto r = db.query("SELECT code, level, ST_AsBinary(geom) FROM admin_boundaries ORDER BY fid",
                    none, db.shown + ": cannot read admin_boundaries");
  if (!r) return fail(r.error());
  const PGresult* res = r->get();
  std::vector<core::AdminBoundary> out;
  out.reserve(static_cast<size_t>(PQntuples(res)));
  for (int row = 0; row < PQntuples(res); ++row) {
    core::AdminBoundary b;
    b.code = text_at(res, row, 0);
    auto level = admin_level(int_at(res, row, 1), b.code);
    if (!level) return fail(level.error());
    b.level = static_cast<core::AdminLevel>(*level);
    if (!is_null(res, row, 2)) {
      auto g = read_geometry(res, row, 2);
      if (!g)
        return fail(ErrorCode::kIo,
                    db.shown + ": boundary of " + b.code + " is unreadable: " + g.error().message);
      b.geometry = std::move(*g);
    }
    out.push_back(std::move(b));
  }
  return out;
}

Result<std::optional<std::string>> PgStore::meta(std::string_view key) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params p;
  p.text(std::string(key));
  auto r = db.run(kMetaSelect, p, db.shown + ": cannot read setting " + std::string(key));
  if (!r) return fail(r.error());
  if (PQntuples(r->get()) == 0) return std::optional<std::string>{};
  return std::optional<std::string>(text_at(r->get(), 0, 0));
}

Result<int64_t> PgStore::generation() {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params none;
  auto r = db.run(kGeneration, none, db.shown + ": cannot read the data generation");
  if (!r) return fail(r.error());
  return int_at(r->get(), 0, 0);
}

// ------------------------------------------------------------------------------------------
// Server-side sessions (migration 6).

Result<void> PgStore::insert_session(const SessionRow& row) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return c;
  Params p;
  p.text(row.id_hash);
  p.text(row.user);
  p.integer(row.created_unix);
  p.integer(row.last_seen_unix);
  p.integer(row.expires_unix);
  p.text(row.device);
  p.text(row.ip);
  auto r = db.run(kSessionInsert, p, db.shown + ": cannot record the session");
  if (!r) return fail(r.error());
  return {};
}

Result<std::optional<SessionRow>> PgStore::find_session(std::string_view id_hash) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params p;
  p.text(std::string(id_hash));
  auto r = db.run(kSessionSelect, p, db.shown + ": cannot read the session");
  if (!r) return fail(r.error());
  const PGresult* res = r->get();
  if (PQntuples(res) == 0) return std::optional<SessionRow>{};
  SessionRow row{std::string(id_hash), text_at(res, 0, 0), int_at(res, 0, 1), int_at(res, 0, 2),
                 int_at(res, 0, 3),    text_at(res, 0, 4), text_at(res, 0, 5)};
  return std::optional<SessionRow>(std::move(row));
}

Result<void> PgStore::touch_session(std::string_view id_hash, int64_t last_seen_unix) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return c;
  Params p;
  p.text(std::string(id_hash));
  p.integer(last_seen_unix);
  auto r = db.run(kSessionTouch, p, db.shown + ": cannot update the session");
  if (!r) return fail(r.error());
  return {};
}

namespace {
int64_t affected(const PGresult* r) {
  int64_t n = 0;
  const std::string_view t = PQcmdTuples(const_cast<PGresult*>(r));
  std::from_chars(t.data(), t.data() + t.size(), n);
  return n;
}
}  // namespace

Result<int64_t> PgStore::delete_session(std::string_view id_hash) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params p;
  p.text(std::string(id_hash));
  auto r = db.run(kSessionDelete, p, db.shown + ": cannot end the session");
  if (!r) return fail(r.error());
  return affected(r->get());
}

Result<int64_t> PgStore::delete_user_sessions(std::string_view user,
                                              std::string_view except_id_hash) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params p;
  p.text(std::string(user));
  p.text(std::string(except_id_hash));
  auto r = db.run(kSessionDeleteUser, p,
                  db.shown + ": cannot end the sessions of " + std::string(user));
  if (!r) return fail(r.error());
  return affected(r->get());
}

Result<int64_t> PgStore::delete_stale_sessions(int64_t now_unix, int64_t idle_before_unix) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params p;
  p.integer(now_unix);
  p.integer(idle_before_unix);
  auto r = db.run(kSessionDeleteStale, p, db.shown + ": cannot remove ended sessions");
  if (!r) return fail(r.error());
  return affected(r->get());
}

Result<void> PgStore::set_meta(std::string_view key, std::string_view value) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return c;
  Params p;
  p.text(std::string(key));
  p.text(std::string(value));
  auto r = db.run(kMetaUpsert, p, db.shown + ": cannot write setting " + std::string(key));
  if (!r) return fail(r.error());
  return {};
}

Result<QueryPage> PgStore::query(const core::EntitySchema& s, const Query& qy) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  auto t = db.table(s);
  if (!t) return fail(t.error());
  const core::EntitySchema& bs = *(*t)->schema;
  // Identifiers come only from the built-in schema (quoted); every value is a bound parameter.
  const std::string sort_name = qy.sort_field.empty() ? bs.id_field().name : qy.sort_field;
  const int si = bs.index_of(sort_name);
  if (si < 0) return fail(ErrorCode::kInvalidArgument, "no field '" + sort_name + "' in " + s.name);
  const core::FieldDef& sf = bs.fields[static_cast<size_t>(si)];
  const std::string id = q(bs.id_field().name);  // COLLATE "C" in the table
  const std::string col = column_expr(sf);

  Params p;
  auto filter = conditions_sql(bs, qy.where, qy.bbox, p);
  if (!filter) return fail(filter.error());
  std::string where = *filter;
  // Keyset: the rows after (sort value, id) in the order below, where nulls come first
  // ascending and last descending (as in SQLite).
  if (qy.after) {
    Bound b = bind_for(p, sf, qy.after->sort_value);
    std::string pid;
    if (b.kind != Bound::kAboveNumbers) {
      pid = placeholder(p, "text");
      p.text(qy.after->id);
    }
    std::string keyset;
    if (b.kind == Bound::kNull) {
      keyset = !qy.descending
                   ? "((" + col + " IS NULL AND " + id + " > " + pid + ") OR " + col + " IS NOT NULL)"
                   : "(" + col + " IS NULL AND " + id + " < " + pid + ")";
    } else if (b.kind == Bound::kAboveNumbers) {  // after text in a numeric column
      keyset = !qy.descending ? "FALSE" : "TRUE";  // numbers and nulls sort below text
    } else {
      keyset = !qy.descending ? "(" + col + " > " + b.sql + " OR (" + col + " = " + b.sql +
                                    " AND " + id + " > " + pid + "))"
                              : "(" + col + " < " + b.sql + " OR (" + col + " = " + b.sql +
                                    " AND " + id + " < " + pid + ") OR " + col + " IS NULL)";
    }
    where += " AND " + keyset;
  }
  const std::string order = qy.descending ? " ORDER BY " + col + " DESC NULLS LAST, " + id + " DESC"
                                          : " ORDER BY " + col + " ASC NULLS FIRST, " + id;
  const int64_t limit = std::max<int64_t>(0, qy.limit);
  std::string sql = (*t)->select + " WHERE " + where + order + " LIMIT " + placeholder(p, "bigint");
  p.integer(limit + 1);
  sql += " OFFSET " + placeholder(p, "bigint");
  p.integer(std::max<int64_t>(0, qy.offset));

  QueryPage page;
  {
    auto r = db.query(sql, p, db.shown + ": cannot query " + s.name);
    if (!r) return fail(r.error());
    const int rows = PQntuples(r->get());
    page.more = rows > limit;
    const int keep = static_cast<int>(std::min<int64_t>(rows, limit));
    page.records.reserve(static_cast<size_t>(keep));
    for (int row = 0; row < keep; ++row) {
      auto rec = db.decode(**t, r->get(), row);
      if (!rec) return fail(rec.error());
      page.records.push_back(std::move(*rec));
    }
  }
  if (qy.with_total) {
    Params cp;
    auto cf = conditions_sql(bs, qy.where, qy.bbox, cp);
    if (!cf) return fail(cf.error());
    auto r = db.query("SELECT count(*) FROM " + q(bs.name) + " WHERE " + *cf, cp,
                      db.shown + ": cannot count " + s.name);
    if (!r) return fail(r.error());
    page.total = int_at(r->get(), 0, 0);
  }
  return page;
}

Result<std::optional<std::string>> PgStore::mvt_tile(const core::EntitySchema& s, int z,
                                                     uint32_t x, uint32_t y,
                                                     const std::vector<std::string>& properties,
                                                     const std::vector<Condition>& where) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  auto t = db.table(s);
  if (!t) return fail(t.error());
  const core::EntitySchema& bs = *(*t)->schema;
  if (z < 0 || z > 30 || (static_cast<uint64_t>(x) >> z) != 0 ||
      (static_cast<uint64_t>(y) >> z) != 0)
    return fail(ErrorCode::kInvalidArgument,
                "no tile " + std::to_string(z) + "/" + std::to_string(x) + "/" + std::to_string(y));
  if (!(*t)->features) return std::optional<std::string>(std::string());
  std::string cols;
  for (const auto& name : properties) {
    if (bs.index_of(name) < 0)
      return fail(ErrorCode::kInvalidArgument, "no field '" + name + "' in " + s.name);
    cols += ", " + q(name);
  }
  Params p;
  const std::string layer = placeholder(p, "text");
  p.text(bs.name);
  const std::string tile = "ST_TileEnvelope(" + placeholder(p, "integer") + ", ";
  p.integer(z);
  std::string tile_xy = placeholder(p, "integer") + ", ";
  p.integer(static_cast<int64_t>(x));
  tile_xy += placeholder(p, "integer");
  p.integer(static_cast<int64_t>(y));
  const std::string envelope = tile + tile_xy + ")";
  // The tile plus its 64-unit buffer, in lon/lat (a Mercator rectangle is a lon/lat rectangle),
  // so that the GiST index on geom finds the candidates.
  const std::string buffered = "ST_Transform(" + tile + tile_xy + ", margin => 0.015625), 4326)";
  auto cond = conditions_sql(bs, where, std::nullopt, p);
  if (!cond) return fail(cond.error());
  const std::string sql =
      "SELECT ST_AsMVT(mvt, " + layer + ", 4096, 'geom') FROM (SELECT ST_AsMVTGeom(" +
      "ST_Transform(geom, 3857), " + envelope + ", 4096, 64, true) AS geom" + cols + " FROM " +
      q(bs.name) + " WHERE geom && " + buffered + " AND " + *cond + " ORDER BY " +
      q(bs.id_field().name) + ") AS mvt WHERE mvt.geom IS NOT NULL";
  auto r = db.query(sql, p, db.shown + ": cannot make tile " + std::to_string(z) + "/" +
                                std::to_string(x) + "/" + std::to_string(y) + " of " + s.name);
  if (!r) return fail(r.error());
  if (PQntuples(r->get()) == 0 || is_null(r->get(), 0, 0))
    return std::optional<std::string>(std::string());
  return std::optional<std::string>(text_at(r->get(), 0, 0));
}

// ------------------------------------------------------------------------------------------
// Whole-database copy (reclaim migrate).

Result<void> PgStore::scan_history(const std::function<bool(HistoryEntry&&)>& fn) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return c;
  int64_t last = 0;
  for (;;) {
    Params p;
    p.integer(last);  // seq starts at 1
    auto r = db.query(
        "SELECT seq, entity, record_id, op, at, \"user\", file, source_record, reason, "
        "before_json, after_json FROM history WHERE seq > $1::bigint ORDER BY seq LIMIT " +
            std::to_string(kScanPage),
        p, db.shown + ": cannot read the history");
    if (!r) return fail(r.error());
    const PGresult* res = r->get();
    const int rows = PQntuples(res);
    for (int row = 0; row < rows; ++row) {
      HistoryEntry h;
      h.seq = int_at(res, row, 0);
      h.entity = text_at(res, row, 1);
      h.record_id = text_at(res, row, 2);
      h.op = text_at(res, row, 3);
      h.at = text_at(res, row, 4);
      h.user = text_at(res, row, 5);
      h.file = text_at(res, row, 6);
      h.source_record = text_at(res, row, 7);
      h.reason = text_at(res, row, 8);
      h.before_json = text_at(res, row, 9);  // "" when NULL
      h.after_json = text_at(res, row, 10);
      last = h.seq;
      if (!fn(std::move(h))) return {};
    }
    if (rows < kScanPage) return {};
  }
}

Result<std::vector<std::pair<std::string, std::string>>> PgStore::meta_entries() {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  Params none;
  auto r = db.query("SELECT key, value FROM reclaim_meta ORDER BY key COLLATE \"C\"", none,
                    db.shown + ": cannot read the settings");
  if (!r) return fail(r.error());
  std::vector<std::pair<std::string, std::string>> out;
  for (int row = 0; row < PQntuples(r->get()); ++row)
    out.emplace_back(text_at(r->get(), row, 0), text_at(r->get(), row, 1));
  return out;
}

Result<void> PgStore::restore_from(Store& source) {
  Impl& db = *impl_;
  if (&source == this)
    return fail(ErrorCode::kInvalidArgument, db.shown + ": cannot copy a database into itself");
  if (auto c = db.ensure_connected(); !c) return c;
  db.last_lost = db.last_cancelled = db.committing = false;
  auto copy = [&]() -> Result<void> {
    auto txn = Impl::Transaction::begin(db);
    if (!txn) return fail(txn.error());
    // Every commit writes history: concurrent writers wait until the copy is done.
    if (auto r = db.exec("LOCK TABLE history, admin_units, admin_boundaries IN EXCLUSIVE MODE",
                         db.shown + ": cannot lock the database for the copy");
        !r)
      return r;

    // Only into an empty database (the meta settings do not count).
    std::string held;
    auto note = [&](int64_t n, const std::string& what) {
      if (n > 0) held += (held.empty() ? "" : ", ") + std::to_string(n) + " " + what;
    };
    for (const auto& s : core::all_schemas()) {
      auto n = count(s);
      if (!n) return fail(n.error());
      note(*n, s.name);
    }
    for (const char* table : {"history", "admin_units", "admin_boundaries"}) {
      Params none;
      auto n = db.query(std::string("SELECT count(*) FROM ") + table, none,
                        db.shown + ": cannot count " + table);
      if (!n) return fail(n.error());
      note(int_at(n->get(), 0, 0), std::string(table) + " rows");
    }
    if (!held.empty())
      return fail(ErrorCode::kFailedPrecondition,
                  db.shown + " is not empty (it holds " + held +
                      "): copy into a new database (CREATE DATABASE, or a new file)");

    // What each queued statement is about, for its error message (cleared with the batch).
    std::vector<std::string> about;
    std::vector<Queued> batch;
    auto explain = [&](const Queued& item, const PGresult* r) -> Error {
      const std::string& what = about[std::min(item.item, about.size() - 1)];
      Error e = db.error(r, what);
      if (db.last_sqlstate == "23505")
        return Error{ErrorCode::kAlreadyExists, what + ": appears twice in the source"};
      return e;
    };
    auto queue = [&](Queued item, std::string what) -> Result<void> {
      item.item = about.size();
      about.push_back(std::move(what));
      batch.push_back(std::move(item));
      if (batch.size() < kBatchChanges) return {};
      auto r = db.run_batch(batch, explain);
      about.clear();
      return r;
    };
    auto flush = [&]() -> Result<void> {
      auto r = db.run_batch(batch, explain);
      about.clear();
      return r;
    };

    // gazetteer and boundaries, in the source's order
    auto units = source.admin_units();
    if (!units) return fail(units.error());
    for (const auto& u : *units) {
      Queued item;
      item.stmt = &kUnitInsert;
      item.params.ref(u.code);
      if (u.parent_code.empty()) {
        item.params.null();
      } else {
        item.params.ref(u.parent_code);
      }
      item.params.integer(static_cast<int>(u.level));
      item.params.ref(u.name_latin);
      item.params.ref(u.name_km);
      if (u.lat) {
        item.params.real(*u.lat);
      } else {
        item.params.null();
      }
      if (u.lon) {
        item.params.real(*u.lon);
      } else {
        item.params.null();
      }
      if (auto r = queue(std::move(item), "admin unit " + u.code); !r) return r;
    }
    if (auto r = flush(); !r) return r;
    auto bounds = source.admin_boundaries();
    if (!bounds) return fail(bounds.error());
    for (const auto& b : *bounds) {
      if (b.geometry.type == geo::GeometryType::kPoint)
        return fail(ErrorCode::kInvalidArgument,
                    "boundary of " + b.code + ": geometry must be a polygon");
      Queued item;
      item.stmt = &kBoundaryInsert;
      if (b.geometry.empty()) {
        item.params.null();
      } else {
        item.params.binary(geo::to_wkb(b.geometry));
      }
      item.params.ref(b.code);
      item.params.integer(static_cast<int>(b.level));
      if (auto r = queue(std::move(item), "boundary of " + b.code); !r) return r;
    }
    if (auto r = flush(); !r) return r;

    // every record of every entity, its row version kept: the insert statement with the
    // version as a parameter instead of 1
    for (const auto& s : core::all_schemas()) {
      auto t = db.table(s);
      if (!t) return fail(t.error());
      const TableSql& ts = **t;
      const int n_params = static_cast<int>(s.fields.size()) + (ts.features ? 1 : 0) + 1;
      const std::string& insert = ts.insert.sql;
      const Statement restore{"reclaim_" + s.name + "_restore",
                              insert.substr(0, insert.size() - 2) + "$" +
                                  std::to_string(n_params) + "::bigint)"};
      std::deque<core::Record> pending;  // the batch's parameters point into these records
      std::optional<Error> failed;
      auto scanned = source.scan(s, [&](core::Record&& rec) {
        const core::Record& r = pending.emplace_back(std::move(rec));
        Queued item;
        item.stmt = &restore;
        if (auto b = db.bind_record(item.params, ts, r, ""); !b) {
          failed = b.error();
          return false;
        }
        item.params.integer(r.version);
        const bool full = batch.size() + 1 >= kBatchChanges;
        if (auto q_ = queue(std::move(item), label(s, r.id(), "")); !q_) {
          failed = q_.error();
          return false;
        }
        if (full) pending.clear();
        return true;
      });
      if (!scanned) return fail(scanned.error());
      if (failed) return fail(std::move(*failed));
      if (auto r = flush(); !r) return r;
    }

    // the complete history, seq numbers kept; then the sequence continues after them
    static const Statement kHistoryRestore = {
        "reclaim_history_restore",
        "INSERT INTO history (seq, entity, record_id, op, at, \"user\", file, source_record, "
        "reason, before_json, after_json) "
        "VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"};
    {
      std::optional<Error> failed;
      auto scanned = source.scan_history([&](HistoryEntry&& h) {
        Queued item;
        item.stmt = &kHistoryRestore;
        item.params.integer(h.seq);
        item.params.text(std::move(h.entity));
        item.params.text(std::move(h.record_id));
        item.params.text(std::move(h.op));
        item.params.text(std::move(h.at));
        item.params.text(std::move(h.user));
        item.params.text(std::move(h.file));
        item.params.text(std::move(h.source_record));
        item.params.text(std::move(h.reason));
        if (h.before_json.empty()) {
          item.params.null();
        } else {
          item.params.text(std::move(h.before_json));
        }
        item.params.text(std::move(h.after_json));
        if (auto q_ = queue(std::move(item), db.shown + ": history entry " + std::to_string(h.seq));
            !q_) {
          failed = q_.error();
          return false;
        }
        return true;
      });
      if (!scanned) return fail(scanned.error());
      if (failed) return fail(std::move(*failed));
      if (auto r = flush(); !r) return r;
      if (auto r = db.exec(
              "SELECT setval(pg_get_serial_sequence('history', 'seq'), COALESCE(max(seq), 0) + 1, "
              "false) FROM history",
              db.shown + ": cannot move the history sequence");
          !r)
        return r;
    }

    auto entries = source.meta_entries();
    if (!entries) return fail(entries.error());
    for (const auto& [key, value] : *entries) {
      Params p;
      p.ref(key);
      p.ref(value);
      auto r = db.run(kMetaUpsert, p, db.shown + ": cannot write setting " + key);
      if (!r) return fail(r.error());
    }
    return txn->commit();
  };
  auto r = copy();
  if (r) return r;
  const Error& e = r.error();
  if (db.last_lost)
    return fail(ErrorCode::kIo, db.shown + ": the connection to the server was lost " +
                                    (db.committing ? std::string("while committing the copy: it "
                                                                 "may or may not have been written")
                                                   : std::string("during the copy; the transaction "
                                                                 "was rolled back, nothing was "
                                                                 "written")) +
                                    " (" + e.message + ")");
  if (db.last_cancelled) return fail(ErrorCode::kIo, e.message + std::string(kRolledBack));
  return r;
}

}  // namespace reclaim::storage
