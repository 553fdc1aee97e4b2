#include "storage/sqlite/gpkg_store.hpp"
#include "storage/migration_steps.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <limits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/entities.hpp"
#include "core/record_json.hpp"
#include "geo/wkb.hpp"
#include "storage/sqlite/migrations.hpp"

namespace reclaim::storage {
namespace {

// ------------------------------------------------------------------------------------------
// RAII owners and a borrowed-statement wrapper.

struct DbCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

/// A prepared statement in use: binds, steps, reads columns; resets and clears its bindings
/// when it goes out of scope so the cached statement is ready for the next use. Text and blobs
/// are bound without copying: they must outlive the last step().
class Stmt {
 public:
  Stmt(sqlite3_stmt* s, StmtPtr owned) : s_(s), owned_(std::move(owned)) {}
  Stmt(Stmt&& o) noexcept : s_(std::exchange(o.s_, nullptr)), owned_(std::move(o.owned_)) {}
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() {
    if (s_ != nullptr) {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
  }

  void bind_null(int i) { keep(sqlite3_bind_null(s_, i)); }
  void bind_int(int i, int64_t v) { keep(sqlite3_bind_int64(s_, i, v)); }
  void bind_real(int i, double v) { keep(sqlite3_bind_double(s_, i, v)); }
  void bind_text(int i, std::string_view t) {
    // A default string_view has no data pointer, which SQLite would bind as NULL.
    const char* p = t.data() != nullptr ? t.data() : "";
    keep(sqlite3_bind_text64(s_, i, p, t.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  /// "" binds NULL.
  void bind_text_or_null(int i, std::string_view t) {
    if (t.empty()) {
      bind_null(i);
    } else {
      bind_text(i, t);
    }
  }
  void bind_blob(int i, const std::vector<uint8_t>& b) {
    keep(sqlite3_bind_blob64(s_, i, b.data(), b.size(), SQLITE_STATIC));
  }
  void bind_value(int i, const core::Value& v) {
    if (const auto* n = std::get_if<int64_t>(&v)) {
      bind_int(i, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      bind_real(i, *d);
    } else if (const auto* t = std::get_if<std::string>(&v)) {
      bind_text(i, *t);
    } else {
      bind_null(i);
    }
  }

  /// SQLITE_ROW, SQLITE_DONE or an (extended) error code.
  int step() {
    if (bind_rc_ != SQLITE_OK) return bind_rc_;
    return sqlite3_step(s_);
  }

  bool is_null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  int type(int c) const { return sqlite3_column_type(s_, c); }
  int64_t int64(int c) const { return sqlite3_column_int64(s_, c); }
  double real(int c) const { return sqlite3_column_double(s_, c); }
  std::string text(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
    if (p == nullptr) return {};
    return std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, c)));
  }
  std::pair<const uint8_t*, size_t> blob(int c) const {
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(s_, c));
    return {p, static_cast<size_t>(sqlite3_column_bytes(s_, c))};
  }

 private:
  void keep(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }
  sqlite3_stmt* s_;
  StmtPtr owned_;  // set when the cached statement was busy and a fresh one was prepared
  int bind_rc_ = SQLITE_OK;
};

// ------------------------------------------------------------------------------------------
// Envelopes read from GeoPackage blobs (header envelope, or computed from the WKB).

struct Env {
  double min_x = std::numeric_limits<double>::infinity();
  double max_x = -std::numeric_limits<double>::infinity();
  double min_y = std::numeric_limits<double>::infinity();
  double max_y = -std::numeric_limits<double>::infinity();
  bool empty() const noexcept { return !(min_x <= max_x); }
  void add(double x, double y) noexcept {
    if (std::isnan(x) || std::isnan(y)) return;  // WKB's empty point
    min_x = std::min(min_x, x);
    max_x = std::max(max_x, x);
    min_y = std::min(min_y, y);
    max_y = std::max(max_y, y);
  }
  void add(const Env& e) noexcept {
    if (e.empty()) return;
    add(e.min_x, e.min_y);
    add(e.max_x, e.max_y);
  }
};

class WkbScanner {
 public:
  WkbScanner(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  /// Adds the coordinates of one geometry (any OGC simple-feature type, 2D/Z/M/ZM, ISO or EWKB
  /// flags) to env. False for truncated or unknown WKB.
  bool geometry(Env& env, int depth = 0) {
    if (depth > 32 || end_ - p_ < 5) return false;
    const bool le = *p_++ == 1;
    uint32_t type = u32(le);
    int dims = 2;
    if ((type & 0xE0000000u) != 0) {  // EWKB flags
      dims += ((type & 0x80000000u) != 0 ? 1 : 0) + ((type & 0x40000000u) != 0 ? 1 : 0);
      if ((type & 0x20000000u) != 0) {
        if (end_ - p_ < 4) return false;
        p_ += 4;  // srid
      }
      type &= 0x0FFFFFFFu;
    } else {
      const uint32_t iso = type / 1000;
      dims += iso == 3 ? 2 : (iso == 1 || iso == 2 ? 1 : 0);
      type %= 1000;
    }
    switch (type) {
      case 1:
        return points(le, dims, 1, env);
      case 2:
        return counted_points(le, dims, env);
      case 3: {
        uint32_t rings = 0;
        if (!count(le, rings)) return false;
        for (uint32_t i = 0; i < rings; ++i)
          if (!counted_points(le, dims, env)) return false;
        return true;
      }
      case 4:
      case 5:
      case 6:
      case 7: {
        uint32_t parts = 0;
        if (!count(le, parts)) return false;
        for (uint32_t i = 0; i < parts; ++i)
          if (!geometry(env, depth + 1)) return false;
        return true;
      }
      default:
        return false;
    }
  }

 private:
  uint32_t u32(bool le) {
    uint32_t v = 0;
    std::memcpy(&v, p_, 4);
    p_ += 4;
    if (!le) v = __builtin_bswap32(v);
    return v;
  }
  double f64(bool le) {
    uint64_t v = 0;
    std::memcpy(&v, p_, 8);
    p_ += 8;
    if (!le) v = __builtin_bswap64(v);
    double d = 0;
    std::memcpy(&d, &v, 8);
    return d;
  }
  bool count(bool le, uint32_t& n) {
    if (end_ - p_ < 4) return false;
    n = u32(le);
    return true;
  }
  bool counted_points(bool le, int dims, Env& env) {
    uint32_t n = 0;
    return count(le, n) && points(le, dims, n, env);
  }
  bool points(bool le, int dims, uint32_t n, Env& env) {
    const size_t bytes = static_cast<size_t>(n) * static_cast<size_t>(dims) * 8;
    if (static_cast<size_t>(end_ - p_) < bytes) return false;
    for (uint32_t i = 0; i < n; ++i) {
      const double x = f64(le);
      const double y = f64(le);
      p_ += static_cast<size_t>(dims - 2) * 8;
      env.add(x, y);
    }
    return true;
  }
  const uint8_t* p_;
  const uint8_t* end_;
};

enum class BlobKind { kInvalid, kEmpty, kGeometry };

/// Reads the envelope of a GeoPackage geometry blob.
BlobKind blob_envelope(const uint8_t* p, size_t n, Env& env) {
  if (p == nullptr || n < 8 || p[0] != 'G' || p[1] != 'P') return BlobKind::kInvalid;
  const uint8_t flags = p[3];
  if ((flags & 0x20) != 0) return BlobKind::kInvalid;  // extended types: not ours to read
  const bool le = (flags & 0x01) != 0;
  const unsigned indicator = (flags >> 1) & 0x07u;
  static constexpr std::array<size_t, 5> kEnvelopeBytes = {0, 32, 48, 48, 64};
  if (indicator > 4) return BlobKind::kInvalid;
  const size_t header = 8 + kEnvelopeBytes[indicator];
  if (n < header) return BlobKind::kInvalid;
  if ((flags & 0x10) != 0) return BlobKind::kEmpty;
  if (indicator != 0) {
    std::array<double, 4> e{};
    for (size_t i = 0; i < 4; ++i) {
      uint64_t v = 0;
      std::memcpy(&v, p + 8 + 8 * i, 8);
      if (!le) v = __builtin_bswap64(v);
      std::memcpy(&e[i], &v, 8);
    }
    env.add(e[0], e[2]);
    env.add(e[1], e[3]);
  } else if (!WkbScanner(p + header, n - header).geometry(env)) {
    return BlobKind::kInvalid;
  }
  return env.empty() ? BlobKind::kEmpty : BlobKind::kGeometry;
}

/// The GeoPackage blob of a geometry as stored in its column: a lone polygon is written as a
/// MULTIPOLYGON of one (GeoPackage Requirement 32: values match the column's type), by
/// splicing a MultiPolygon WKB header in front of the polygon's WKB.
std::vector<uint8_t> column_blob(const geo::Geometry& g) {
  std::vector<uint8_t> blob = geo::to_gpkg_blob(g);
  if (g.type != geo::GeometryType::kPolygon || blob.size() < 8) return blob;
  static constexpr std::array<size_t, 5> kEnvelopeBytes = {0, 32, 48, 48, 64};
  const unsigned indicator = (blob[3] >> 1) & 0x07u;
  if (indicator > 4) return blob;
  const size_t header = 8 + kEnvelopeBytes[indicator];
  static constexpr std::array<uint8_t, 9> kMulti = {1, 6, 0, 0, 0, 1, 0, 0, 0};  // LE, 6, n=1
  blob.insert(blob.begin() + static_cast<std::ptrdiff_t>(header), kMulti.begin(), kMulti.end());
  return blob;
}

/// Reads a column's blob back: a MULTIPOLYGON of one polygon is returned as a POLYGON, so what
/// was written as a polygon reads back as one.
Result<geo::Geometry> read_column_blob(const uint8_t* p, size_t n) {
  auto g = geo::from_gpkg_blob(p, n);
  if (g && g->type == geo::GeometryType::kMultiPolygon && g->polygons.size() == 1)
    g->type = geo::GeometryType::kPolygon;
  return g;
}

// ST_IsEmpty / ST_MinX / ST_MaxX / ST_MinY / ST_MaxY for the GeoPackage R-tree triggers.
void st_is_empty(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) return sqlite3_result_null(ctx);
  const auto* p = static_cast<const uint8_t*>(sqlite3_value_blob(argv[0]));
  const auto n = static_cast<size_t>(sqlite3_value_bytes(argv[0]));
  Env env;
  switch (blob_envelope(p, n, env)) {
    case BlobKind::kInvalid:
      return sqlite3_result_null(ctx);
    case BlobKind::kEmpty:
      return sqlite3_result_int(ctx, 1);
    case BlobKind::kGeometry:
      return sqlite3_result_int(ctx, 0);
  }
}

enum Bound { kMinX, kMaxX, kMinY, kMaxY };
constexpr std::array<Bound, 4> kBounds = {kMinX, kMaxX, kMinY, kMaxY};

void st_bound(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) return sqlite3_result_null(ctx);
  const auto* p = static_cast<const uint8_t*>(sqlite3_value_blob(argv[0]));
  const auto n = static_cast<size_t>(sqlite3_value_bytes(argv[0]));
  Env env;
  if (blob_envelope(p, n, env) != BlobKind::kGeometry) return sqlite3_result_null(ctx);
  switch (*static_cast<const Bound*>(sqlite3_user_data(ctx))) {
    case kMinX:
      return sqlite3_result_double(ctx, env.min_x);
    case kMaxX:
      return sqlite3_result_double(ctx, env.max_x);
    case kMinY:
      return sqlite3_result_double(ctx, env.min_y);
    case kMaxY:
      return sqlite3_result_double(ctx, env.max_y);
  }
}

// reclaim_intersects_box(geom, minx, miny, maxx, maxy): the exact test after the R-tree
// prefilter of a bbox query (a box inside a hole does not meet the polygon). Registered on
// Reclaim's own connections only; used in queries, never in triggers or views.
void intersects_box(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) return sqlite3_result_int(ctx, 0);
  const auto* p = static_cast<const uint8_t*>(sqlite3_value_blob(argv[0]));
  const auto n = static_cast<size_t>(sqlite3_value_bytes(argv[0]));
  auto g = geo::from_gpkg_blob(p, n);
  if (!g) return sqlite3_result_int(ctx, 0);
  const geo::Envelope box{sqlite3_value_double(argv[1]), sqlite3_value_double(argv[2]),
                          sqlite3_value_double(argv[3]), sqlite3_value_double(argv[4])};
  sqlite3_result_int(ctx, geo::intersects_box(*g, box) ? 1 : 0);
}

int register_functions(sqlite3* db) {
  constexpr int kFlags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  int rc = sqlite3_create_function_v2(db, "ST_IsEmpty", 1, kFlags, nullptr, st_is_empty, nullptr,
                                      nullptr, nullptr);
  constexpr std::array<const char*, 4> kNames = {"ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"};
  for (size_t i = 0; i < kNames.size() && rc == SQLITE_OK; ++i) {
    rc = sqlite3_create_function_v2(db, kNames[i], 1, kFlags, const_cast<Bound*>(&kBounds[i]),
                                    st_bound, nullptr, nullptr, nullptr);
  }
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2(db, "reclaim_intersects_box", 5, kFlags, nullptr,
                                    intersects_box, nullptr, nullptr, nullptr);
  return rc;
}

// ------------------------------------------------------------------------------------------
// DDL generated from the built-in schemas. Identifiers come only from core::all_schemas().

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
      return "INTEGER";
    case core::FieldType::kReal:
      return "REAL";
    case core::FieldType::kDate:
      return "DATE";
    case core::FieldType::kBool:
      return "BOOLEAN";
    default:
      return "TEXT";
  }
}

bool is_text_type(core::FieldType t) {
  return t != core::FieldType::kInteger && t != core::FieldType::kReal &&
         t != core::FieldType::kBool;
}

const char* geometry_type_name(core::GeometryKind k) {
  return k == core::GeometryKind::kPoint ? "POINT" : "MULTIPOLYGON";
}

/// The GeoPackage 1.3 R-tree index of `table`.geom and its triggers (Annex F.3).
std::string rtree_ddl(std::string_view table) {
  const std::string t = q(table);
  const std::string r = q("rtree_" + std::string(table) + "_geom");
  const std::string trig = "rtree_" + std::string(table) + "_geom_";
  const std::string ins = "INSERT OR REPLACE INTO " + r +
                          " VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), "
                          "ST_MinY(NEW.geom), ST_MaxY(NEW.geom));\n";
  std::string s;
  s += "CREATE VIRTUAL TABLE " + r + " USING rtree(id, minx, maxx, miny, maxy);\n";
  s += "CREATE TRIGGER " + q(trig + "insert") + " AFTER INSERT ON " + t +
       " WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))\nBEGIN\n  " + ins + "END;\n";
  s += "CREATE TRIGGER " + q(trig + "update1") + " AFTER UPDATE OF geom ON " + t +
       " WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))\nBEGIN\n  " +
       ins + "END;\n";
  s += "CREATE TRIGGER " + q(trig + "update2") + " AFTER UPDATE OF geom ON " + t +
       " WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))\nBEGIN\n"
       "  DELETE FROM " +
       r + " WHERE id = OLD.fid;\nEND;\n";
  s += "CREATE TRIGGER " + q(trig + "update3") + " AFTER UPDATE ON " + t +
       " WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))\nBEGIN\n"
       "  DELETE FROM " +
       r + " WHERE id = OLD.fid;\n  " + ins + "END;\n";
  s += "CREATE TRIGGER " + q(trig + "update4") + " AFTER UPDATE ON " + t +
       " WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))\nBEGIN\n"
       "  DELETE FROM " +
       r + " WHERE id IN (OLD.fid, NEW.fid);\nEND;\n";
  s += "CREATE TRIGGER " + q(trig + "delete") + " AFTER DELETE ON " + t +
       " WHEN old.geom NOT NULL\nBEGIN\n  DELETE FROM " + r + " WHERE id = OLD.fid;\nEND;\n";
  return s;
}

std::string entity_table_ddl(const core::EntitySchema& s) {
  const bool features = s.geometry != core::GeometryKind::kNone;
  std::string ddl = "CREATE TABLE " + q(s.name) + " (\n  fid INTEGER PRIMARY KEY AUTOINCREMENT";
  if (features) ddl += ",\n  geom " + std::string(geometry_type_name(s.geometry));
  for (size_t i = 0; i < s.fields.size(); ++i) {
    if (s.fields[i].since_migration != 0) continue;  // added by its numbered SQL file
    ddl += ",\n  " + q(s.fields[i].name) + " " + sql_type(s.fields[i].type);
    if (i == 0) ddl += " NOT NULL";
  }
  ddl += ",\n  version INTEGER NOT NULL\n);\n";
  ddl += "CREATE UNIQUE INDEX " + q(s.name + "_" + s.id_field().name) + " ON " + q(s.name) + " (" +
         q(s.id_field().name) + ");\n";
  if (features) ddl += rtree_ddl(s.name);
  return ddl;
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

/// json_object(...) of a row's fields (OLD or NEW), secret fields masked as record_to_json does;
/// chunks of 50 fields joined with json_patch (SQLite allows 127 function arguments). Only
/// SQLite's built-in JSON functions: any program editing the file can run the triggers.
std::string row_json(const core::EntitySchema& s, std::string_view row) {
  std::vector<std::string> parts;
  std::string cur;
  size_t n = 0;
  for (const auto& f : s.fields) {
    const std::string v = std::string(row) + "." + q(f.name);
    cur += (cur.empty() ? "" : ", ") + lit(f.name) + ", " +
           (f.secret ? "CASE WHEN " + v + " IS NULL THEN NULL ELSE '***' END" : v);
    if (++n % 50 == 0) {
      parts.push_back("json_object(" + cur + ")");
      cur.clear();
    }
  }
  if (!cur.empty() || parts.empty()) parts.push_back("json_object(" + cur + ")");
  std::string out = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) out = "json_patch(" + out + ", " + parts[i] + ")";
  return out;
}

/// Migration 5: the direct-edit triggers. Reclaim marks each of its write transactions with a row
/// in reclaim_writer (inserted after BEGIN, deleted before COMMIT: no other connection ever sees
/// it); an insert, update or delete on an entity table while no such row exists was made by
/// another program, and the trigger writes it to the history as a direct, unvalidated edit (an
/// update also bumps the row version, so a Reclaim writer holding the old version gets a
/// conflict). The history's op check gains 'delete' (the table is rebuilt, seq kept). Note that
/// the GeoPackage R-tree triggers call ST_IsEmpty etc., which GDAL (QGIS) registers but the
/// plain sqlite3 shell does not: there, only tables without geometry can be edited.
std::string direct_edits_ddl() {
  std::string ddl =
      "CREATE TABLE IF NOT EXISTS reclaim_writer (id INTEGER PRIMARY KEY);\n"
      "DROP TABLE IF EXISTS history_0005;\n"
      "CREATE TABLE history_0005 (\n"
      "  seq INTEGER PRIMARY KEY AUTOINCREMENT,\n"
      "  entity TEXT NOT NULL,\n"
      "  record_id TEXT NOT NULL,\n"
      "  op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),\n"
      "  at TEXT NOT NULL,\n"
      "  \"user\" TEXT NOT NULL,\n"
      "  file TEXT NOT NULL,\n"
      "  source_record TEXT NOT NULL,\n"
      "  reason TEXT NOT NULL,\n"
      "  before_json TEXT,\n"
      "  after_json TEXT NOT NULL\n"
      ");\n"
      "INSERT INTO history_0005 SELECT seq, entity, record_id, op, at, \"user\", file, "
      "source_record, reason, before_json, after_json FROM history;\n"
      "DROP TABLE history;\n"
      "ALTER TABLE history_0005 RENAME TO history;\n"
      "CREATE INDEX history_entity_record ON history (entity, record_id);\n"
      "CREATE INDEX IF NOT EXISTS history_direct_edits ON history (seq) WHERE reason = " +
      lit(kDirectEditReason) + ";\n";
  // a re-run (a database whose migration records were rolled back by hand): triggers first,
  // they name the history table being rebuilt
  std::string drops;
  for (const auto& s : core::all_schemas())
    for (const char* op : {"insert", "update", "delete"})
      drops += "DROP TRIGGER IF EXISTS " + q("reclaim_direct_" + s.name + "_" + op) + ";\n";
  ddl = drops + ddl;
  const std::string cols =
      "INSERT INTO history (entity, record_id, op, at, \"user\", file, source_record, reason, "
      "before_json, after_json) VALUES (";
  const std::string now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
  const std::string tail = ", '', '', 'direct edit', " + lit(kDirectEditReason) + ", ";
  const std::string when = " WHEN NOT EXISTS (SELECT 1 FROM reclaim_writer)";
  for (const auto& s : core::all_schemas()) {
    const std::string t = q(s.name), name = lit(s.name), id = q(s.id_field().name);
    const std::string trig = "reclaim_direct_" + s.name + "_";
    ddl += "CREATE TRIGGER " + q(trig + "insert") + " AFTER INSERT ON " + t + when +
           "\nBEGIN\n  " + cols + name + ", COALESCE(NEW." + id + ", ''), 'insert', " + now +
           tail + "NULL, " + row_json(s, "NEW") + ");\nEND;\n";
    // UPDATE OF every column but version: the trigger's own version bump does not fire it again
    // (GDAL, and so QGIS, turns recursive_triggers on).
    std::string of = s.geometry != core::GeometryKind::kNone ? "geom" : "";
    for (const auto& f : s.fields) of += (of.empty() ? "" : ", ") + q(f.name);
    ddl += "CREATE TRIGGER " + q(trig + "update") + " AFTER UPDATE OF " + of +
           " ON " + t + when +
           "\nBEGIN\n  " + cols + name + ", COALESCE(NEW." + id + ", ''), 'update', " + now +
           tail + row_json(s, "OLD") + ", " + row_json(s, "NEW") +
           ");\n  UPDATE " + t + " SET version = COALESCE(OLD.version, 0) + 1 WHERE fid = NEW.fid" +
           " AND NEW.version IS OLD.version;\nEND;\n";
    ddl += "CREATE TRIGGER " + q(trig + "delete") + " AFTER DELETE ON " + t + when +
           "\nBEGIN\n  " + cols + name + ", COALESCE(OLD." + id + ", ''), 'delete', " + now +
           tail + row_json(s, "OLD") + ", '{}');\nEND;\n";
  }
  return ddl;
}

// ------------------------------------------------------------------------------------------

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

constexpr int32_t kGpkgApplicationId = 0x47504B47;  // 'GPKG'
constexpr int kGeneratedStep = kEntityTablesStep;   // migration number of the entity tables
constexpr int kBusyTimeoutMs = 5000;

/// The SQL of one built-in entity table, and its cached statements.
struct TableSql {
  const core::EntitySchema* schema = nullptr;
  bool features = false;
  std::string insert, by_id, scan, update, exists, count;
  StmtPtr insert_stmt, by_id_stmt, scan_stmt, update_stmt, exists_stmt, count_stmt;
};

// Columns of by_id / scan: fid, version, geom (or NULL), then the fields.
constexpr int kColFid = 0;
constexpr int kColVersion = 1;
constexpr int kColGeom = 2;
constexpr int kColFirstField = 3;

TableSql make_table_sql(const core::EntitySchema& s) {
  TableSql t;
  t.schema = &s;
  t.features = s.geometry != core::GeometryKind::kNone;
  const std::string table = q(s.name);
  const std::string id = q(s.id_field().name);
  std::string cols, params, sets, select = "SELECT fid, version, ";
  select += t.features ? "geom" : "NULL";
  if (t.features) {
    cols = "geom, ";
    params = "?, ";
    sets = "geom = ?, ";
  }
  for (const auto& f : s.fields) {
    cols += q(f.name) + ", ";
    params += "?, ";
    sets += q(f.name) + " = ?, ";
    select += ", " + q(f.name);
  }
  select += " FROM " + table;
  t.insert = "INSERT INTO " + table + " (" + cols + "version) VALUES (" + params + "1)";
  t.by_id = select + " WHERE " + id + " = ?";
  t.scan = select + " ORDER BY " + id;
  t.update = "UPDATE " + table + " SET " + sets + "version = version + 1 WHERE fid = ?";
  t.exists = "SELECT 1 FROM " + table + " WHERE " + id + " = ?";
  t.count = "SELECT COUNT(*) FROM " + table;
  return t;
}

/// "hazards KH-HZ-000012 (row 12)"
std::string label(const core::EntitySchema& s, std::string_view id, std::string_view source) {
  std::string out = s.name + " " + (id.empty() ? std::string("(no id)") : std::string(id));
  if (!source.empty()) out += " (" + std::string(source) + ")";
  return out;
}

core::Value read_value(const Stmt& st, int col, core::FieldType t) {
  switch (st.type(col)) {
    case SQLITE_NULL:
      return std::monostate{};
    case SQLITE_INTEGER: {
      const int64_t v = st.int64(col);
      if (t == core::FieldType::kReal) return static_cast<double>(v);
      if (is_text_type(t)) return std::to_string(v);
      return v;
    }
    case SQLITE_FLOAT: {
      const double d = st.real(col);
      if ((t == core::FieldType::kInteger || t == core::FieldType::kBool) && std::trunc(d) == d &&
          std::fabs(d) < 9e18)
        return static_cast<int64_t>(d);
      if (is_text_type(t)) return core::to_text(core::Value{d});
      return d;
    }
    default:
      return st.text(col);
  }
}

Result<int> admin_level(int64_t v, std::string_view code) {
  if (v < 1 || v > 4)
    return fail(ErrorCode::kIo, "admin unit " + std::string(code) + ": level " + std::to_string(v) +
                                    " is not 1 to 4");
  return static_cast<int>(v);
}

/// The history columns in HistoryEntry order, read back by history_row.
constexpr const char* kHistorySelect =
    "SELECT seq, entity, record_id, op, at, \"user\", file, source_record, reason, "
    "before_json, after_json FROM history";

HistoryEntry history_row(Stmt& st) {
  HistoryEntry h;
  h.seq = st.int64(0);
  h.entity = st.text(1);
  h.record_id = st.text(2);
  h.op = st.text(3);
  h.at = st.text(4);
  h.user = st.text(5);
  h.file = st.text(6);
  h.source_record = st.text(7);
  h.reason = st.text(8);
  h.before_json = st.text(9);
  h.after_json = st.text(10);
  return h;
}

}  // namespace

// ------------------------------------------------------------------------------------------

class GpkgStore::Impl {
 public:
  /// BEGIN IMMEDIATE ... COMMIT, rolled back unless committed.
  class Transaction {
   public:
    static Result<Transaction> begin(Impl& db) {
      if (auto r = db.exec("BEGIN IMMEDIATE", db.path + ": cannot start a transaction"); !r)
        return fail(r.error());
      Transaction t(db);
      // Reclaim's own writes are not direct edits (migration 5): mark this transaction.
      if (db.marks_writes) {
        if (auto r = db.exec("INSERT INTO reclaim_writer DEFAULT VALUES",
                             db.path + ": cannot start a transaction");
            !r)
          return fail(r.error());
      }
      return t;
    }
    Transaction(Transaction&& o) noexcept : db_(o.db_), open_(std::exchange(o.open_, false)) {}
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction() {
      if (open_) (void)db_.exec("ROLLBACK", "rollback");
    }
    Result<void> commit() {
      if (db_.marks_writes) {
        if (auto r = db_.exec("DELETE FROM reclaim_writer", db_.path + ": cannot commit"); !r)
          return r;
      }
      auto r = db_.exec("COMMIT", db_.path + ": cannot commit");
      if (r) open_ = false;
      return r;
    }

   private:
    explicit Transaction(Impl& db) : db_(db), open_(true) {}
    Impl& db_;
    bool open_;
  };

  std::string path;
  bool marks_writes = false;  ///< the schema has the direct-edit triggers (migration 5)
  DbPtr db;  // declared before the statements: destroyed after them
  std::unordered_map<std::string, StmtPtr> stmts;
  std::unordered_map<std::string, TableSql> tables;

  Error db_error(int rc, std::string_view what) const {
    const ErrorCode code = (rc & 0xff) == SQLITE_NOTADB ? ErrorCode::kUnsupported : ErrorCode::kIo;
    std::string msg = std::string(what) + ": " + sqlite3_errmsg(db.get());
    if ((rc & 0xff) == SQLITE_BUSY) msg += " (another process is writing " + path + ")";
    return Error{code, std::move(msg)};
  }

  /// A statement from `cache`, preparing it on first use; a fresh one if it is in use already
  /// (e.g. a scan callback that reads the same table).
  Result<Stmt> use(StmtPtr& cache, const std::string& sql) {
    if (cache && sqlite3_stmt_busy(cache.get()) == 0) return Stmt(cache.get(), nullptr);
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db.get(), sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(raw);
      return fail(db_error(rc, path + ": cannot prepare statement"));
    }
    if (!cache) {
      cache.reset(raw);
      return Stmt(raw, nullptr);
    }
    return Stmt(raw, StmtPtr(raw));
  }
  Result<Stmt> prepare(const std::string& sql) { return use(stmts[sql], sql); }

  /// Runs SQL without parameters (DDL, pragmas, transaction control).
  Result<void> exec(const std::string& sql, std::string_view what) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = std::string(what) + ": " + (err != nullptr ? err : sqlite3_errstr(rc));
      sqlite3_free(err);
      const ErrorCode code =
          (rc & 0xff) == SQLITE_NOTADB ? ErrorCode::kUnsupported : ErrorCode::kIo;
      return fail(code, std::move(msg));
    }
    return {};
  }

  /// One value of a single-row query without parameters.
  Result<int64_t> query_int(const std::string& sql) {
    auto st = prepare(sql);
    if (!st) return fail(st.error());
    const int rc = st->step();
    if (rc == SQLITE_ROW) return st->int64(0);
    if (rc == SQLITE_DONE) return 0;
    return fail(db_error(rc, path));
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

  Result<int> schema_version() {
    auto has = query_int(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
        "'reclaim_migrations'");
    if (!has) return fail(has.error());
    if (*has == 0) return 0;
    auto v = query_int("SELECT COALESCE(MAX(version), 0) FROM reclaim_migrations");
    if (!v) return fail(v.error());
    return static_cast<int>(*v);
  }

  Result<core::Record> decode(const TableSql& t, const Stmt& st) {
    const core::EntitySchema& s = *t.schema;
    core::Record r;
    r.values.reserve(s.fields.size());
    for (size_t i = 0; i < s.fields.size(); ++i)
      r.values.push_back(read_value(st, kColFirstField + static_cast<int>(i), s.fields[i].type));
    r.version = st.int64(kColVersion);
    if (t.features && !st.is_null(kColGeom)) {
      auto [p, n] = st.blob(kColGeom);
      auto g = read_column_blob(p, n);
      if (!g)
        return fail(ErrorCode::kIo, path + ": " + label(s, r.id(), "") +
                                        ": stored geometry is unreadable: " + g.error().message);
      r.geometry = std::move(*g);
    }
    return r;
  }

  /// Binds geometry (if any) and fields from parameter 1 on; returns the next parameter index.
  Result<int> bind_record(Stmt& st, const TableSql& t, const core::Record& r,
                          std::string_view source, std::vector<uint8_t>& blob, Env& env) {
    const core::EntitySchema& s = *t.schema;
    if (r.values.size() != s.fields.size())
      return fail(ErrorCode::kInvalidArgument,
                  label(s, r.id(), source) + ": record has " + std::to_string(r.values.size()) +
                      " values, the schema " + std::to_string(s.fields.size()));
    if (r.id().empty())
      return fail(ErrorCode::kInvalidArgument,
                  label(s, r.id(), source) + ": " + s.id_field().name + " is missing");
    int i = 1;
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
        st.bind_null(i++);
      } else {
        blob = column_blob(r.geometry);
        blob_envelope(blob.data(), blob.size(), env);
        st.bind_blob(i++, blob);
      }
    } else if (!r.geometry.empty()) {
      return fail(ErrorCode::kInvalidArgument,
                  label(s, r.id(), source) + ": a " + s.singular + " has no geometry");
    }
    for (const auto& v : r.values) st.bind_value(i++, v);
    return i;
  }

  Result<void> write_history(const TableSql& t, const Change& c, const ChangeSource& src,
                             const std::string& at, const std::string* before_json,
                             const std::string& after_json) {
    static const std::string kSql =
        "INSERT INTO history (entity, record_id, op, at, \"user\", file, source_record, reason, "
        "before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    auto st = prepare(kSql);
    if (!st) return fail(st.error());
    st->bind_text(1, t.schema->name);
    st->bind_text(2, c.record.id());
    st->bind_text(3, c.op == ChangeOp::kInsert ? "insert" : "update");
    st->bind_text(4, at);
    st->bind_text(5, src.user);
    st->bind_text(6, src.file);
    st->bind_text(7, c.source_record);
    st->bind_text(8, src.reason);
    if (before_json != nullptr) {
      st->bind_text(9, *before_json);
    } else {
      st->bind_null(9);
    }
    st->bind_text(10, after_json);
    const int rc = st->step();
    if (rc != SQLITE_DONE)
      return fail(db_error(
          rc, label(*t.schema, c.record.id(), c.source_record) + ": cannot write history"));
    return {};
  }

  Result<void> insert(TableSql& t, const Change& c, const ChangeSource& src, const std::string& at,
                      Env& env) {
    const core::EntitySchema& s = *t.schema;
    auto st = use(t.insert_stmt, t.insert);
    if (!st) return fail(st.error());
    std::vector<uint8_t> blob;
    auto bound = bind_record(*st, t, c.record, c.source_record, blob, env);
    if (!bound) return fail(bound.error());
    const int rc = st->step();
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
      return fail(ErrorCode::kAlreadyExists, label(s, c.record.id(), c.source_record) + ": " +
                                                 s.id_field().name + " already exists");
    if (rc != SQLITE_DONE) return fail(db_error(rc, label(s, c.record.id(), c.source_record)));
    core::Record after = c.record;
    after.version = 1;
    return write_history(t, c, src, at, nullptr, core::record_to_json(s, after));
  }

  Result<void> update(TableSql& t, const Change& c, const ChangeSource& src, const std::string& at,
                      Env& env) {
    const core::EntitySchema& s = *t.schema;
    const std::string& id = c.record.id();
    int64_t fid = 0;
    core::Record before;
    {
      auto sel = use(t.by_id_stmt, t.by_id);
      if (!sel) return fail(sel.error());
      sel->bind_text(1, id);
      const int rc = sel->step();
      if (rc == SQLITE_DONE)
        return fail(ErrorCode::kNotFound, label(s, id, c.source_record) + ": there is no " +
                                              s.singular + " " + id + " to update");
      if (rc != SQLITE_ROW) return fail(db_error(rc, label(s, id, c.source_record)));
      fid = sel->int64(kColFid);
      auto rec = decode(t, *sel);
      if (!rec) return fail(rec.error());
      before = std::move(*rec);
    }
    if (before.version != c.record.version) {
      std::string who = s.singular + " " + id;
      if (!c.source_record.empty()) who += " (" + c.source_record + ")";
      return fail(ErrorCode::kConflict,
                  who + " was changed by someone else (version " + std::to_string(before.version) +
                      ", you had " + std::to_string(c.record.version) + "): reload and try again");
    }
    auto st = use(t.update_stmt, t.update);
    if (!st) return fail(st.error());
    std::vector<uint8_t> blob;
    auto next = bind_record(*st, t, c.record, c.source_record, blob, env);
    if (!next) return fail(next.error());
    st->bind_int(*next, fid);
    const int rc = st->step();
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
      return fail(ErrorCode::kAlreadyExists,
                  label(s, id, c.source_record) + ": " + s.id_field().name + " already exists");
    if (rc != SQLITE_DONE) return fail(db_error(rc, label(s, id, c.source_record)));
    core::Record after = c.record;
    after.version = before.version + 1;
    const std::string before_json = core::record_to_json(s, before);
    return write_history(t, c, src, at, &before_json, core::record_to_json(s, after));
  }

  /// Widens the table's bbox in gpkg_contents by env (if not empty) and stamps last_change.
  Result<void> touch_contents(const std::string& table, const Env& env, const std::string& at,
                              bool replace_bbox) {
    static const std::string kStamp =
        "UPDATE gpkg_contents SET last_change = ?1 WHERE table_name = ?2";
    static const std::string kWiden =
        "UPDATE gpkg_contents SET last_change = ?1, min_x = MIN(COALESCE(min_x, ?3), ?3), "
        "max_x = MAX(COALESCE(max_x, ?4), ?4), min_y = MIN(COALESCE(min_y, ?5), ?5), "
        "max_y = MAX(COALESCE(max_y, ?6), ?6) WHERE table_name = ?2";
    static const std::string kReplace =
        "UPDATE gpkg_contents SET last_change = ?1, min_x = ?3, max_x = ?4, min_y = ?5, "
        "max_y = ?6 WHERE table_name = ?2";
    auto st = prepare(replace_bbox ? kReplace : (env.empty() ? kStamp : kWiden));
    if (!st) return fail(st.error());
    st->bind_text(1, at);
    st->bind_text(2, table);
    if (replace_bbox && env.empty()) {
      for (int i = 3; i <= 6; ++i) st->bind_null(i);
    } else if (!env.empty()) {
      st->bind_real(3, env.min_x);
      st->bind_real(4, env.max_x);
      st->bind_real(5, env.min_y);
      st->bind_real(6, env.max_y);
    }
    const int rc = st->step();
    if (rc != SQLITE_DONE) return fail(db_error(rc, path + ": cannot update gpkg_contents"));
    return {};
  }

  Result<void> run_generated_step() {
    static const std::string kContents =
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
        "VALUES (?, ?, ?, ?, ?)";
    static const std::string kGeomCols =
        "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, "
        "z, m) VALUES (?, 'geom', ?, 4326, 0, 0)";
    static const std::string kExtension =
        "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, "
        "scope) VALUES (?, 'geom', 'gpkg_rtree_index', "
        "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')";
    for (const auto& s : core::all_schemas()) {
      const bool features = s.geometry != core::GeometryKind::kNone;
      if (auto r = exec(entity_table_ddl(s), path + ": cannot create table " + s.name); !r)
        return r;
      const std::string description = "Reclaim " + s.singular + " records";
      {
        auto st = prepare(kContents);
        if (!st) return fail(st.error());
        st->bind_text(1, s.name);
        st->bind_text(2, features ? "features" : "attributes");
        st->bind_text(3, s.name);
        st->bind_text(4, description);
        if (features) {
          st->bind_int(5, 4326);
        } else {
          st->bind_null(5);
        }
        if (int rc = st->step(); rc != SQLITE_DONE)
          return fail(db_error(rc, path + ": cannot register " + s.name));
      }
      if (!features) continue;
      for (const std::string* sql : {&kGeomCols, &kExtension}) {
        auto st = prepare(*sql);
        if (!st) return fail(st.error());
        st->bind_text(1, s.name);
        if (sql == &kGeomCols) st->bind_text(2, geometry_type_name(s.geometry));
        if (int rc = st->step(); rc != SQLITE_DONE)
          return fail(db_error(rc, path + ": cannot register " + s.name));
      }
    }
    return {};
  }
};

// ------------------------------------------------------------------------------------------

namespace {

using Step = MigrationStep;

std::vector<Step> migration_steps() {
  return storage::migration_steps(detail::embedded_migration_files(), kGeneratedStep);
}

}  // namespace

int GpkgStore::latest_schema_version() noexcept {
  static const int kLatest = [] {
    const auto steps = migration_steps();
    return steps.empty() ? 0 : steps.back().version;
  }();
  return kLatest;
}

GpkgStore::GpkgStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpkgStore::~GpkgStore() = default;
const std::string& GpkgStore::path() const noexcept { return impl_->path; }

Result<std::unique_ptr<GpkgStore>> GpkgStore::open(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return fail(ErrorCode::kIo, "no database file given");
  std::error_code ec;
  const fs::path p(path);
  const bool exists = fs::exists(p, ec);
  bool fresh = true;
  if (exists) {
    if (fs::is_directory(p, ec))
      return fail(ErrorCode::kIo, path + " is a directory, not a GeoPackage file");
    // Never open the file behind SQLite's back: closing any descriptor on it drops every POSIX
    // lock this process holds there (fcntl semantics), and another process then deletes the
    // -wal and -shm a live connection of ours still uses. A stat is safe; SQLite itself tells
    // whether the bytes are a database (SQLITE_NOTADB on the first query below).
    const auto size = fs::file_size(p, ec);
    if (ec) return fail(ErrorCode::kIo, "cannot read " + path + ": " + ec.message());
    fresh = size == 0;
  } else {
    const fs::path dir = p.parent_path();
    if (!dir.empty() && !fs::is_directory(dir, ec))
      return fail(ErrorCode::kIo,
                  "cannot create " + path + ": directory " + dir.string() + " does not exist");
  }

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  impl->db.reset(raw);
  if (rc != SQLITE_OK) {
    std::string msg =
        "cannot open " + path + ": " + (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    return fail(ErrorCode::kIo, std::move(msg));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  if (register_functions(raw) != SQLITE_OK)
    return fail(impl->db_error(SQLITE_ERROR, path + ": cannot register ST_ functions"));

  if (!fresh) {
    auto app = impl->query_int("PRAGMA application_id");
    if (!app) {
      Error e = app.error();
      if (e.code == ErrorCode::kUnsupported)
        e.message = path + " is not a GeoPackage (it is not a readable SQLite database)";
      return fail(std::move(e));
    }
    auto tables = impl->query_int("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'");
    if (!tables) return fail(tables.error());
    if (*tables > 0) {
      if (*app != kGpkgApplicationId)
        return fail(ErrorCode::kUnsupported, path + " is a SQLite database but not a GeoPackage");
      auto version = impl->schema_version();
      if (!version) return fail(version.error());
      if (*version == 0)
        return fail(ErrorCode::kUnsupported,
                    path + " is a GeoPackage but not a Reclaim database (no reclaim_migrations)");
    }
  }
  for (const char* pragma :
       {"PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"}) {
    if (auto r = impl->exec(pragma, path + ": " + pragma); !r) return fail(r.error());
  }
  return std::unique_ptr<GpkgStore>(new GpkgStore(std::move(impl)));
}

Result<void> GpkgStore::migrate() {
  Impl& db = *impl_;
  const int latest = latest_schema_version();
  auto newer = [&](int v) {
    return fail(ErrorCode::kFailedPrecondition, db.path + ": database schema version " +
                                                    std::to_string(v) +
                                                    " is newer than this Reclaim (" +
                                                    std::to_string(latest) + "); upgrade Reclaim");
  };
  auto current = db.schema_version();
  if (!current) return fail(current.error());
  if (*current > latest) return newer(*current);
  if (*current == latest) {
    db.marks_writes = true;
    return {};
  }

  db.marks_writes = false;  // the migration itself writes no records
  auto txn = Impl::Transaction::begin(db);
  if (!txn) return fail(txn.error());
  current = db.schema_version();  // another process may have migrated meanwhile
  if (!current) return fail(current.error());
  if (*current > latest) return newer(*current);
  const std::string now = utc_now();
  for (const Step& step : migration_steps()) {
    if (step.version <= *current) continue;
    Result<void> r =
        !step.sql.empty() ? db.exec(std::string(step.sql), db.path + ": migration " + step.name)
        : step.version == kDirectEditsStep
            ? db.exec(direct_edits_ddl(), db.path + ": migration " + step.name)
            : db.run_generated_step();
    if (!r) return r;
    auto st =
        db.prepare("INSERT INTO reclaim_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    if (!st) return fail(st.error());
    st->bind_int(1, step.version);
    st->bind_text(2, step.name);
    st->bind_text(3, now);
    if (int rc = st->step(); rc != SQLITE_DONE)
      return fail(db.db_error(rc, db.path + ": cannot record migration " + step.name));
  }
  auto done = txn->commit();
  if (done) db.marks_writes = true;
  return done;
}

Result<void> GpkgStore::commit(const ChangeSet& changes) {
  Impl& db = *impl_;
  if (changes.changes.empty()) return {};
  auto txn = Impl::Transaction::begin(db);
  if (!txn) return fail(txn.error());
  const std::string now = utc_now();
  std::unordered_map<TableSql*, Env> touched;
  for (const Change& c : changes.changes) {
    if (c.schema == nullptr)
      return fail(ErrorCode::kInvalidArgument,
                  "change " + c.source_record + " names no entity (schema is null)");
    auto t = db.table(*c.schema);
    if (!t) return fail(t.error());
    Env& env = touched[*t];
    auto r = c.op == ChangeOp::kInsert ? db.insert(**t, c, changes.source, now, env)
                                       : db.update(**t, c, changes.source, now, env);
    if (!r) return r;  // the transaction rolls back
  }
  for (const auto& [t, env] : touched) {
    if (auto r = db.touch_contents(t->schema->name, env, now, false); !r) return r;
  }
  if (auto r = db.touch_contents("history", Env{}, now, false); !r) return r;
  return txn->commit();
}

Result<std::optional<core::Record>> GpkgStore::get(const core::EntitySchema& s,
                                                   std::string_view id) {
  Impl& db = *impl_;
  auto t = db.table(s);
  if (!t) return fail(t.error());
  auto st = db.use((*t)->by_id_stmt, (*t)->by_id);
  if (!st) return fail(st.error());
  st->bind_text(1, id);
  const int rc = st->step();
  if (rc == SQLITE_DONE) return std::optional<core::Record>{};
  if (rc != SQLITE_ROW) return fail(db.db_error(rc, label(s, id, "")));
  auto r = db.decode(**t, *st);
  if (!r) return fail(r.error());
  return std::optional<core::Record>(std::move(*r));
}

Result<void> GpkgStore::scan(const core::EntitySchema& s,
                             const std::function<bool(core::Record&&)>& fn) {
  Impl& db = *impl_;
  auto t = db.table(s);
  if (!t) return fail(t.error());
  auto st = db.use((*t)->scan_stmt, (*t)->scan);
  if (!st) return fail(st.error());
  for (;;) {
    const int rc = st->step();
    if (rc == SQLITE_DONE) return {};
    if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot read " + s.name));
    auto r = db.decode(**t, *st);
    if (!r) return fail(r.error());
    if (!fn(std::move(*r))) return {};
  }
}

Result<std::vector<std::string>> GpkgStore::existing_ids(const core::EntitySchema& s,
                                                         const std::vector<std::string>& ids) {
  Impl& db = *impl_;
  auto t = db.table(s);
  if (!t) return fail(t.error());
  std::vector<std::string> found;
  std::unordered_set<std::string_view> seen;
  for (const auto& id : ids) {
    if (!seen.insert(id).second) continue;
    auto st = db.use((*t)->exists_stmt, (*t)->exists);
    if (!st) return fail(st.error());
    st->bind_text(1, id);
    const int rc = st->step();
    if (rc == SQLITE_ROW) {
      found.push_back(id);
    } else if (rc != SQLITE_DONE) {
      return fail(db.db_error(rc, label(s, id, "")));
    }
  }
  return found;
}

Result<int64_t> GpkgStore::count(const core::EntitySchema& s) {
  Impl& db = *impl_;
  auto t = db.table(s);
  if (!t) return fail(t.error());
  auto st = db.use((*t)->count_stmt, (*t)->count);
  if (!st) return fail(st.error());
  const int rc = st->step();
  if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot count " + s.name));
  return st->int64(0);
}

Result<std::vector<HistoryEntry>> GpkgStore::history(const core::EntitySchema& s,
                                                     std::string_view id) {
  Impl& db = *impl_;
  auto st = db.prepare(
      std::string(kHistorySelect) + " WHERE entity = ? AND record_id = ? ORDER BY seq");
  if (!st) return fail(st.error());
  st->bind_text(1, s.name);
  st->bind_text(2, id);
  std::vector<HistoryEntry> out;
  for (;;) {
    const int rc = st->step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return fail(db.db_error(rc, label(s, id, "") + ": cannot read history"));
    out.push_back(history_row(*st));
  }
}

Result<void> GpkgStore::replace_admin_units(const std::vector<core::AdminUnit>& units,
                                            const std::vector<core::AdminBoundary>& bounds) {
  Impl& db = *impl_;
  auto txn = Impl::Transaction::begin(db);
  if (!txn) return fail(txn.error());
  for (const char* sql : {"DELETE FROM admin_units", "DELETE FROM admin_boundaries"}) {
    if (auto r = db.exec(sql, db.path + ": cannot clear the gazetteer"); !r) return r;
  }
  for (const auto& u : units) {
    auto st = db.prepare(
        "INSERT INTO admin_units (code, parent_code, level, name_latin, name_km, lat, lon) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) return fail(st.error());
    st->bind_text(1, u.code);
    st->bind_text_or_null(2, u.parent_code);
    st->bind_int(3, static_cast<int>(u.level));
    st->bind_text(4, u.name_latin);
    st->bind_text(5, u.name_km);
    if (u.lat) {
      st->bind_real(6, *u.lat);
    } else {
      st->bind_null(6);
    }
    if (u.lon) {
      st->bind_real(7, *u.lon);
    } else {
      st->bind_null(7);
    }
    const int rc = st->step();
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
      return fail(ErrorCode::kAlreadyExists, "admin unit " + u.code + ": code appears twice");
    if (rc != SQLITE_DONE) return fail(db.db_error(rc, "admin unit " + u.code));
  }
  Env env;
  for (const auto& b : bounds) {
    if (b.geometry.type == geo::GeometryType::kPoint)
      return fail(ErrorCode::kInvalidArgument,
                  "boundary of " + b.code + ": geometry must be a polygon");
    auto st = db.prepare("INSERT INTO admin_boundaries (geom, code, level) VALUES (?, ?, ?)");
    if (!st) return fail(st.error());
    std::vector<uint8_t> blob;
    if (b.geometry.empty()) {
      st->bind_null(1);
    } else {
      blob = column_blob(b.geometry);
      blob_envelope(blob.data(), blob.size(), env);
      st->bind_blob(1, blob);
    }
    st->bind_text(2, b.code);
    st->bind_int(3, static_cast<int>(b.level));
    if (int rc = st->step(); rc != SQLITE_DONE)
      return fail(db.db_error(rc, "boundary of " + b.code));
  }
  const std::string now = utc_now();
  if (auto r = db.touch_contents("admin_units", Env{}, now, false); !r) return r;
  if (auto r = db.touch_contents("admin_boundaries", env, now, true); !r) return r;
  return txn->commit();
}

Result<std::vector<core::AdminUnit>> GpkgStore::admin_units() {
  Impl& db = *impl_;
  auto st = db.prepare(
      "SELECT code, parent_code, level, name_latin, name_km, lat, lon FROM admin_units "
      "ORDER BY fid");
  if (!st) return fail(st.error());
  std::vector<core::AdminUnit> out;
  for (;;) {
    const int rc = st->step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot read admin_units"));
    core::AdminUnit u;
    u.code = st->text(0);
    u.parent_code = st->text(1);
    auto level = admin_level(st->int64(2), u.code);
    if (!level) return fail(level.error());
    u.level = static_cast<core::AdminLevel>(*level);
    u.name_latin = st->text(3);
    u.name_km = st->text(4);
    if (!st->is_null(5)) u.lat = st->real(5);
    if (!st->is_null(6)) u.lon = st->real(6);
    out.push_back(std::move(u));
  }
}

Result<std::vector<core::AdminBoundary>> GpkgStore::admin_boundaries() {
  Impl& db = *impl_;
  auto st = db.prepare("SELECT code, level, geom FROM admin_boundaries ORDER BY fid");
  if (!st) return fail(st.error());
  std::vector<core::AdminBoundary> out;
  for (;;) {
    const int rc = st->step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot read admin_boundaries"));
    core::AdminBoundary b;
    b.code = st->text(0);
    auto level = admin_level(st->int64(1), b.code);
    if (!level) return fail(level.error());
    b.level = static_cast<core::AdminLevel>(*level);
    if (!st->is_null(2)) {
      auto [p, n] = st->blob(2);
      auto g = read_column_blob(p, n);
      if (!g)
        return fail(ErrorCode::kIo,
                    db.path + ": boundary of " + b.code + " is unreadable: " + g.error().message);
      b.geometry = std::move(*g);
    }
    out.push_back(std::move(b));
  }
}

Result<std::optional<std::string>> GpkgStore::meta(std::string_view key) {
  Impl& db = *impl_;
  auto st = db.prepare("SELECT value FROM reclaim_meta WHERE key = ?");
  if (!st) return fail(st.error());
  st->bind_text(1, key);
  const int rc = st->step();
  if (rc == SQLITE_DONE) return std::optional<std::string>{};
  if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot read setting"));
  return std::optional<std::string>(st->text(0));
}

Result<int64_t> GpkgStore::generation() {
  Impl& db = *impl_;
  auto st = db.prepare("PRAGMA data_version");
  if (!st) return fail(st.error());
  const int rc = st->step();
  if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot read data_version"));
  const int64_t v = st->int64(0);
  return v + static_cast<int64_t>(sqlite3_total_changes64(db.db.get()));
}

// ------------------------------------------------------------------------------------------
// Server-side sessions (migration 6). Single statements: each is its own transaction.

Result<void> GpkgStore::insert_session(const SessionRow& row) {
  Impl& db = *impl_;
  auto st = db.prepare(
      "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, device, ip) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!st) return fail(st.error());
  st->bind_text(1, row.id_hash);
  st->bind_text(2, row.user);
  st->bind_int(3, row.created_unix);
  st->bind_int(4, row.last_seen_unix);
  st->bind_int(5, row.expires_unix);
  st->bind_text(6, row.device);
  st->bind_text(7, row.ip);
  const int rc = st->step();
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    return fail(ErrorCode::kAlreadyExists, db.path + ": the session exists already");
  if (rc != SQLITE_DONE) return fail(db.db_error(rc, db.path + ": cannot record the session"));
  return {};
}

Result<std::optional<SessionRow>> GpkgStore::find_session(std::string_view id_hash) {
  Impl& db = *impl_;
  auto st = db.prepare(
      "SELECT user_id, created_at, last_seen_at, expires_at, device, ip FROM sessions "
      "WHERE id_hash = ?");
  if (!st) return fail(st.error());
  st->bind_text(1, id_hash);
  const int rc = st->step();
  if (rc == SQLITE_DONE) return std::optional<SessionRow>{};
  if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot read the session"));
  SessionRow r{std::string(id_hash), st->text(0), st->int64(1), st->int64(2), st->int64(3),
               st->text(4),          st->text(5)};
  return std::optional<SessionRow>(std::move(r));
}

Result<void> GpkgStore::touch_session(std::string_view id_hash, int64_t last_seen_unix) {
  Impl& db = *impl_;
  auto st = db.prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?");
  if (!st) return fail(st.error());
  st->bind_int(1, last_seen_unix);
  st->bind_text(2, id_hash);
  if (int rc = st->step(); rc != SQLITE_DONE)
    return fail(db.db_error(rc, db.path + ": cannot update the session"));
  return {};
}

Result<int64_t> GpkgStore::delete_session(std::string_view id_hash) {
  Impl& db = *impl_;
  auto st = db.prepare("DELETE FROM sessions WHERE id_hash = ?");
  if (!st) return fail(st.error());
  st->bind_text(1, id_hash);
  if (int rc = st->step(); rc != SQLITE_DONE)
    return fail(db.db_error(rc, db.path + ": cannot end the session"));
  return static_cast<int64_t>(sqlite3_changes64(db.db.get()));
}

Result<int64_t> GpkgStore::delete_user_sessions(std::string_view user,
                                                std::string_view except_id_hash) {
  Impl& db = *impl_;
  auto st = db.prepare("DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?");
  if (!st) return fail(st.error());
  st->bind_text(1, user);
  st->bind_text(2, except_id_hash);
  if (int rc = st->step(); rc != SQLITE_DONE)
    return fail(db.db_error(rc, db.path + ": cannot end the sessions of " + std::string(user)));
  return static_cast<int64_t>(sqlite3_changes64(db.db.get()));
}

Result<int64_t> GpkgStore::delete_stale_sessions(int64_t now_unix, int64_t idle_before_unix) {
  Impl& db = *impl_;
  auto st = db.prepare("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?");
  if (!st) return fail(st.error());
  st->bind_int(1, now_unix);
  st->bind_int(2, idle_before_unix);
  if (int rc = st->step(); rc != SQLITE_DONE)
    return fail(db.db_error(rc, db.path + ": cannot remove ended sessions"));
  return static_cast<int64_t>(sqlite3_changes64(db.db.get()));
}

Result<void> GpkgStore::set_meta(std::string_view key, std::string_view value) {
  Impl& db = *impl_;
  auto st = db.prepare(
      "INSERT INTO reclaim_meta (key, value) VALUES (?, ?) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!st) return fail(st.error());
  st->bind_text(1, key);
  st->bind_text(2, value);
  if (int rc = st->step(); rc != SQLITE_DONE)
    return fail(db.db_error(rc, db.path + ": cannot write setting " + std::string(key)));
  return {};
}

Result<QueryPage> GpkgStore::query(const core::EntitySchema& s, const Query& qy) {
  Impl& db = *impl_;
  auto t = db.table(s);
  if (!t) return fail(t.error());
  const core::EntitySchema& bs = *(*t)->schema;
  // Identifiers come only from the built-in schema; every value is a bound parameter.
  for (const auto& c : qy.where)
    if (bs.index_of(c.field) < 0)
      return fail(ErrorCode::kInvalidArgument, "no field '" + c.field + "' in " + s.name);
  const std::string sort_name = qy.sort_field.empty() ? bs.id_field().name : qy.sort_field;
  if (bs.index_of(sort_name) < 0)
    return fail(ErrorCode::kInvalidArgument, "no field '" + sort_name + "' in " + s.name);
  const std::string id = q(bs.id_field().name);
  const std::string col = q(sort_name);

  std::string where;
  auto and_ = [&](const std::string& cond) { where += (where.empty() ? " WHERE " : " AND ") + cond; };
  for (const auto& c : qy.where) {
    const std::string f = q(c.field);
    switch (c.op) {
      case Condition::Op::kAnyOf: {
        if (c.values.empty()) {
          and_("0");
          break;
        }
        std::string in = f + " IN (";
        for (size_t i = 0; i < c.values.size(); ++i) in += i == 0 ? "?" : ", ?";
        and_(in + ")");
        break;
      }
      case Condition::Op::kPrefix:
        and_("substr(" + f + ", 1, length(?)) = ?");
        break;
      case Condition::Op::kGe:
        and_(f + " >= ?");
        break;
      case Condition::Op::kLe:
        and_(f + " <= ?");
        break;
    }
  }
  if (qy.bbox) {
    if (!(*t)->features) {
      and_("0");
    } else {
      and_("fid IN (SELECT id FROM " + q("rtree_" + bs.name + "_geom") +
           " WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?)"
           " AND reclaim_intersects_box(geom, ?, ?, ?, ?)");
    }
  }
  const std::string filter_where = where;
  const bool after_null = qy.after && std::holds_alternative<std::monostate>(qy.after->sort_value);
  if (qy.after) {
    if (!qy.descending) {
      and_(after_null ? "((" + col + " IS NULL AND " + id + " > ?) OR " + col + " IS NOT NULL)"
                      : "(" + col + " > ? OR (" + col + " = ? AND " + id + " > ?))");
    } else {
      and_(after_null ? "(" + col + " IS NULL AND " + id + " < ?)"
                      : "(" + col + " < ? OR (" + col + " = ? AND " + id + " < ?) OR " + col +
                            " IS NULL)");
    }
  }
  const std::string& scan_sql = (*t)->scan;
  const std::string select = scan_sql.substr(0, scan_sql.rfind(" ORDER BY "));
  const char* dir = qy.descending ? " DESC" : "";
  const std::string sql = select + where + " ORDER BY " + col + dir + ", " + id + dir +
                          " LIMIT ? OFFSET ?";

  auto bind_filters = [&](Stmt& st, int& i) {
    for (const auto& c : qy.where) {
      if (c.op == Condition::Op::kPrefix) {
        const auto* p = c.values.empty() ? nullptr : std::get_if<std::string>(&c.values[0]);
        st.bind_text(i++, p != nullptr ? std::string_view(*p) : std::string_view());
        st.bind_text(i++, p != nullptr ? std::string_view(*p) : std::string_view());
        continue;
      }
      if (c.op == Condition::Op::kAnyOf) {
        for (const auto& v : c.values) st.bind_value(i++, v);
        continue;
      }
      if (c.values.empty()) {
        st.bind_null(i++);
      } else {
        st.bind_value(i++, c.values[0]);
      }
    }
    if (qy.bbox && (*t)->features) {
      st.bind_real(i++, qy.bbox->max_lon);
      st.bind_real(i++, qy.bbox->min_lon);
      st.bind_real(i++, qy.bbox->max_lat);
      st.bind_real(i++, qy.bbox->min_lat);
      for (double v : {qy.bbox->min_lon, qy.bbox->min_lat, qy.bbox->max_lon, qy.bbox->max_lat})
        st.bind_real(i++, v);
    }
  };

  QueryPage page;
  {
    auto st = db.prepare(sql);
    if (!st) return fail(st.error());
    int i = 1;
    bind_filters(*st, i);
    if (qy.after) {
      if (after_null) {
        st->bind_text(i++, qy.after->id);
      } else {
        st->bind_value(i++, qy.after->sort_value);
        st->bind_value(i++, qy.after->sort_value);
        st->bind_text(i++, qy.after->id);
      }
    }
    const int64_t limit = std::max<int64_t>(0, qy.limit);
    st->bind_int(i++, limit + 1);
    st->bind_int(i++, std::max<int64_t>(0, qy.offset));
    page.records.reserve(static_cast<size_t>(std::min<int64_t>(limit, 1000)));
    for (;;) {
      const int rc = st->step();
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot query " + s.name));
      if (static_cast<int64_t>(page.records.size()) == limit) {
        page.more = true;
        break;
      }
      auto r = db.decode(**t, *st);
      if (!r) return fail(r.error());
      page.records.push_back(std::move(*r));
    }
  }
  if (qy.with_total) {
    auto st = db.prepare("SELECT COUNT(*) FROM " + q(bs.name) + filter_where);
    if (!st) return fail(st.error());
    int i = 1;
    bind_filters(*st, i);
    const int rc = st->step();
    if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot count " + s.name));
    page.total = st->int64(0);
  }
  return page;
}

// ------------------------------------------------------------------------------------------
// Whole-database copy (reclaim migrate).

Result<void> GpkgStore::scan_history(const std::function<bool(HistoryEntry&&)>& fn) {
  Impl& db = *impl_;
  auto st = db.prepare(
      std::string(kHistorySelect) + " ORDER BY seq");
  if (!st) return fail(st.error());
  for (;;) {
    const int rc = st->step();
    if (rc == SQLITE_DONE) return {};
    if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot read the history"));
    if (!fn(history_row(*st))) return {};
  }
}

Result<std::vector<HistoryEntry>> GpkgStore::direct_edits(int64_t limit) {
  Impl& db = *impl_;
  auto st = db.prepare(
      std::string(kHistorySelect) + " WHERE reason = " +
      lit(kDirectEditReason) + " ORDER BY seq DESC LIMIT ?");
  if (!st) return fail(st.error());
  st->bind_int(1, std::max<int64_t>(0, limit));
  std::vector<HistoryEntry> out;
  for (;;) {
    const int rc = st->step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot read the history"));
    out.push_back(history_row(*st));
  }
}

Result<std::vector<std::pair<std::string, std::string>>> GpkgStore::meta_entries() {
  Impl& db = *impl_;
  auto st = db.prepare("SELECT key, value FROM reclaim_meta ORDER BY key");
  if (!st) return fail(st.error());
  std::vector<std::pair<std::string, std::string>> out;
  for (;;) {
    const int rc = st->step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return fail(db.db_error(rc, db.path + ": cannot read the settings"));
    out.emplace_back(st->text(0), st->text(1));
  }
}

Result<void> GpkgStore::restore_from(Store& source) {
  Impl& db = *impl_;
  if (&source == this)
    return fail(ErrorCode::kInvalidArgument, db.path + ": cannot copy a database into itself");
  auto txn = Impl::Transaction::begin(db);  // BEGIN IMMEDIATE: no other writer meanwhile
  if (!txn) return fail(txn.error());

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
    auto n = db.query_int(std::string("SELECT COUNT(*) FROM ") + table);
    if (!n) return fail(n.error());
    note(*n, std::string(table) + " rows");
  }
  if (!held.empty())
    return fail(ErrorCode::kFailedPrecondition,
                db.path + " is not empty (it holds " + held +
                    "): copy into a new database (a new file, or CREATE DATABASE)");
  const std::string now = utc_now();

  // gazetteer and boundaries, in the source's order
  auto units = source.admin_units();
  if (!units) return fail(units.error());
  for (const auto& u : *units) {
    auto st = db.prepare(
        "INSERT INTO admin_units (code, parent_code, level, name_latin, name_km, lat, lon) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) return fail(st.error());
    st->bind_text(1, u.code);
    st->bind_text_or_null(2, u.parent_code);
    st->bind_int(3, static_cast<int>(u.level));
    st->bind_text(4, u.name_latin);
    st->bind_text(5, u.name_km);
    if (u.lat) {
      st->bind_real(6, *u.lat);
    } else {
      st->bind_null(6);
    }
    if (u.lon) {
      st->bind_real(7, *u.lon);
    } else {
      st->bind_null(7);
    }
    const int rc = st->step();
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
      return fail(ErrorCode::kAlreadyExists, "admin unit " + u.code + ": code appears twice");
    if (rc != SQLITE_DONE) return fail(db.db_error(rc, "admin unit " + u.code));
  }
  auto bounds = source.admin_boundaries();
  if (!bounds) return fail(bounds.error());
  Env bounds_env;
  for (const auto& b : *bounds) {
    if (b.geometry.type == geo::GeometryType::kPoint)
      return fail(ErrorCode::kInvalidArgument,
                  "boundary of " + b.code + ": geometry must be a polygon");
    auto st = db.prepare("INSERT INTO admin_boundaries (geom, code, level) VALUES (?, ?, ?)");
    if (!st) return fail(st.error());
    std::vector<uint8_t> blob;
    if (b.geometry.empty()) {
      st->bind_null(1);
    } else {
      blob = column_blob(b.geometry);
      blob_envelope(blob.data(), blob.size(), bounds_env);
      st->bind_blob(1, blob);
    }
    st->bind_text(2, b.code);
    st->bind_int(3, static_cast<int>(b.level));
    if (int rc = st->step(); rc != SQLITE_DONE)
      return fail(db.db_error(rc, "boundary of " + b.code));
  }
  if (auto r = db.touch_contents("admin_units", Env{}, now, false); !r) return r;
  if (auto r = db.touch_contents("admin_boundaries", bounds_env, now, true); !r) return r;

  // every record of every entity, its row version kept
  for (const auto& s : core::all_schemas()) {
    auto t = db.table(s);
    if (!t) return fail(t.error());
    // The insert statement with the version as a parameter instead of 1.
    const std::string& insert = (*t)->insert;
    const std::string sql = insert.substr(0, insert.size() - 2) + "?)";
    Env env;
    std::optional<Error> failed;
    auto scanned = source.scan(s, [&](core::Record&& r) {
      auto st = db.prepare(sql);
      if (!st) {
        failed = st.error();
        return false;
      }
      std::vector<uint8_t> blob;
      auto next = db.bind_record(*st, **t, r, "", blob, env);
      if (!next) {
        failed = next.error();
        return false;
      }
      st->bind_int(*next, r.version);
      const int rc = st->step();
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        failed = Error{ErrorCode::kAlreadyExists,
                       label(s, r.id(), "") + ": " + s.id_field().name + " appears twice"};
        return false;
      }
      if (rc != SQLITE_DONE) {
        failed = db.db_error(rc, label(s, r.id(), ""));
        return false;
      }
      return true;
    });
    if (!scanned) return fail(scanned.error());
    if (failed) return fail(std::move(*failed));
    if (auto r = db.touch_contents(s.name, env, now, false); !r) return r;
  }

  // the complete history, seq numbers kept
  {
    std::optional<Error> failed;
    auto scanned = source.scan_history([&](HistoryEntry&& h) {
      auto st = db.prepare(
          "INSERT INTO history (seq, entity, record_id, op, at, \"user\", file, source_record, "
          "reason, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      if (!st) {
        failed = st.error();
        return false;
      }
      st->bind_int(1, h.seq);
      st->bind_text(2, h.entity);
      st->bind_text(3, h.record_id);
      st->bind_text(4, h.op);
      st->bind_text(5, h.at);
      st->bind_text(6, h.user);
      st->bind_text(7, h.file);
      st->bind_text(8, h.source_record);
      st->bind_text(9, h.reason);
      st->bind_text_or_null(10, h.before_json);  // "" is an insert's missing before
      st->bind_text(11, h.after_json);
      if (const int rc = st->step(); rc != SQLITE_DONE) {
        failed = db.db_error(rc, db.path + ": history entry " + std::to_string(h.seq) + " (" +
                                     h.entity + " " + h.record_id + ")");
        return false;
      }
      return true;
    });
    if (!scanned) return fail(scanned.error());
    if (failed) return fail(std::move(*failed));
    if (auto r = db.touch_contents("history", Env{}, now, false); !r) return r;
  }

  auto entries = source.meta_entries();
  if (!entries) return fail(entries.error());
  for (const auto& [key, value] : *entries) {
    auto st = db.prepare(
        "INSERT INTO reclaim_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!st) return fail(st.error());
    st->bind_text(1, key);
    st->bind_text(2, value);
    if (int rc = st->step(); rc != SQLITE_DONE)
      return fail(db.db_error(rc, db.path + ": cannot write setting " + key));
  }
  return txn->commit();
}

}  // namespace reclaim::storage
