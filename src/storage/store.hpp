#pragma once
// Storage ports: what the application needs from a database. Adapters: sqlite/ (a GeoPackage
// file, the embedded default) and postgres/ (PostgreSQL 15 + PostGIS 3). One contract test suite
// (storage/contract) runs against every adapter.
//
// Thread rules: a Store is used by one thread at a time.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/error.hpp"
#include "core/gazetteer.hpp"
#include "core/record.hpp"
#include "geo/geometry.hpp"
#include "geo/overlay.hpp"

namespace reclaim::storage {

/// Who made a change and from what: kept with every history entry.
struct ChangeSource {
  std::string user;    ///< login or OS user
  std::string file;    ///< import file, or "" for interactive changes
  std::string reason;  ///< "import", "demo", "activity AC-1 applied", ...
};

enum class ChangeOp { kInsert, kUpdate };

struct Change {
  ChangeOp op = ChangeOp::kInsert;
  const core::EntitySchema* schema = nullptr;
  core::Record record;        ///< for kUpdate, record.version is the version the writer read
  std::string source_record;  ///< "row 12", "feature 7": where in the file it came from
};

struct ChangeSet {
  ChangeSource source;
  std::vector<Change> changes;
};

struct HistoryEntry {
  int64_t seq = 0;
  std::string entity;
  std::string record_id;
  std::string op;  ///< "insert" | "update" | "delete" (deletes: direct edits only)
  std::string at;  ///< UTC timestamp, ISO 8601
  std::string user, file, source_record, reason;
  std::string before_json;  ///< "" for inserts
  std::string after_json;
};

/// The reason of a history entry written by a direct-edit trigger: an insert, update or delete
/// made in the database by another program (QGIS editing a layer, sqlite3, psql), not through
/// Reclaim, so never validated. Its user is "" and its source_record "direct edit".
inline constexpr std::string_view kDirectEditReason = "direct edit (not validated)";

inline bool is_direct_edit(const HistoryEntry& h) noexcept { return h.reason == kDirectEditReason; }

/// One condition of a Query on a field of the entity (never a user-chosen column name: callers
/// take field names from the schema). Values are compared as SQLite compares them (null <
/// numbers < text); dates are ISO text, so text comparison orders them.
struct Condition {
  enum class Op {
    kAnyOf,   ///< field equals one of `values`
    kPrefix,  ///< text field starts with values[0] (admin codes: 12 matches 1203…)
    kGe,      ///< field >= values[0]
    kLe,      ///< field <= values[0]
  };
  std::string field;
  Op op = Op::kAnyOf;
  std::vector<core::Value> values;
};

/// A filtered, sorted page of an entity. Paging is by key ("keyset"): `after` is the
/// (sort value, id) of the last record of the previous page; `offset` skips records instead.
struct Query {
  std::vector<Condition> where;        ///< all must hold
  std::optional<geo::Envelope> bbox;   ///< records whose geometry intersects it (exactly;
                                       ///< the spatial index is only the prefilter)
  std::string sort_field;              ///< "" = the id field; ties are broken by id
  bool descending = false;
  struct After {
    core::Value sort_value;
    std::string id;
  };
  std::optional<After> after;
  int64_t offset = 0;
  int64_t limit = 100;       ///< at most this many records (>= 0)
  bool with_total = false;   ///< also count every record that matches (ignoring paging)
};

/// One signed-in browser session, kept server-side so that every process and every server using
/// the database agrees on it (the cookie holds only a random nonce and its MAC). Only the
/// SHA-256 of the nonce is stored: a copy of the database signs nobody in. Never copied by
/// restore_from, backups or `reclaim migrate`.
struct SessionRow {
  std::string id_hash;  ///< SHA-256 hex of the cookie's nonce
  std::string user;     ///< login
  int64_t created_unix = 0;
  int64_t last_seen_unix = 0;
  int64_t expires_unix = 0;  ///< absolute end (created + the server's cap)
  std::string device;        ///< User-Agent (truncated), for the user's list of sessions
  std::string ip;            ///< client address at sign-in
};

struct QueryPage {
  std::vector<core::Record> records;
  bool more = false;    ///< another page follows
  int64_t total = -1;   ///< records matching, when Query::with_total
};

/// Orders values as SQLite does: null < numbers < text. Returns <0, 0, >0.
inline int compare_values(const core::Value& a, const core::Value& b) noexcept {
  auto rank = [](const core::Value& v) {
    return std::holds_alternative<std::monostate>(v) ? 0
           : std::holds_alternative<std::string>(v)  ? 2
                                                     : 1;
  };
  const int ra = rank(a), rb = rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra == 0) return 0;
  if (ra == 2) {
    const int c = std::get<std::string>(a).compare(std::get<std::string>(b));
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  auto num = [](const core::Value& v) {
    if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
    return std::get<double>(v);
  };
  const double x = num(a), y = num(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

/// Does the record satisfy the condition (as the SQL would: null never matches)?
inline bool matches(const core::EntitySchema& s, const core::Record& r, const Condition& c) {
  const int i = s.index_of(c.field);
  if (i < 0) return false;
  const core::Value& v = r.values[static_cast<size_t>(i)];
  if (std::holds_alternative<std::monostate>(v)) return false;
  switch (c.op) {
    case Condition::Op::kAnyOf:
      for (const auto& w : c.values)
        if (compare_values(v, w) == 0) return true;
      return false;
    case Condition::Op::kPrefix: {
      const auto* t = std::get_if<std::string>(&v);
      const auto* p = c.values.empty() ? nullptr : std::get_if<std::string>(&c.values[0]);
      return t != nullptr && p != nullptr && t->starts_with(*p);
    }
    case Condition::Op::kGe:
      return !c.values.empty() && compare_values(v, c.values[0]) >= 0;
    case Condition::Op::kLe:
      return !c.values.empty() && compare_values(v, c.values[0]) <= 0;
  }
  return false;
}

class Store {
 public:
  virtual ~Store() = default;

  /// Creates the schema on an empty database or applies the pending numbered migrations.
  /// Errors: kIo; kFailedPrecondition if the database schema is newer than this binary.
  virtual Result<void> migrate() = 0;

  /// Applies every change in one transaction: all land, or none (the database is left as it
  /// was). Inserts get version 1; an update must carry the stored version (else kConflict) and
  /// bumps it. Each change writes one history entry (before/after as JSON).
  /// Errors: kAlreadyExists (duplicate id, naming it), kNotFound (update of a missing record),
  /// kConflict, kIo.
  virtual Result<void> commit(const ChangeSet& changes) = 0;

  virtual Result<std::optional<core::Record>> get(const core::EntitySchema& s,
                                                  std::string_view id) = 0;
  /// Calls fn for every record of the entity (in id order). fn returns false to stop.
  virtual Result<void> scan(const core::EntitySchema& s,
                            const std::function<bool(core::Record&&)>& fn) = 0;
  /// Which of `ids` already exist.
  virtual Result<std::vector<std::string>> existing_ids(const core::EntitySchema& s,
                                                        const std::vector<std::string>& ids) = 0;
  virtual Result<int64_t> count(const core::EntitySchema& s) = 0;
  /// History of one record, oldest first.
  virtual Result<std::vector<HistoryEntry>> history(const core::EntitySchema& s,
                                                    std::string_view id) = 0;

  /// Replaces the gazetteer and boundaries (one transaction).
  virtual Result<void> replace_admin_units(const std::vector<core::AdminUnit>& units,
                                           const std::vector<core::AdminBoundary>& bounds) = 0;
  virtual Result<std::vector<core::AdminUnit>> admin_units() = 0;
  virtual Result<std::vector<core::AdminBoundary>> admin_boundaries() = 0;

  /// Small key/value settings (e.g. "seed", "created_at").
  virtual Result<std::optional<std::string>> meta(std::string_view key) = 0;
  virtual Result<void> set_meta(std::string_view key, std::string_view value) = 0;

  /// A filtered, sorted page of an entity's records (see Query). The default implementation
  /// scans and filters in memory; adapters override it with indexed queries.
  /// Errors: kInvalidArgument (a condition or sort field that is not in the schema), kIo.
  virtual Result<QueryPage> query(const core::EntitySchema& s, const Query& q);

  /// A Mapbox Vector Tile (MVT 2.1, extent 4096, buffer 64) of tile z/x/y with one layer named
  /// after the entity: the records matching `where` whose geometry meets the tile (plus its
  /// buffer), clipped, with the given fields as properties (null values left out). Returns
  /// std::nullopt when this adapter does not encode tiles itself (the caller encodes them; the
  /// default), or the tile bytes ("" when no feature is in the tile).
  /// Errors: kInvalidArgument (a field that is not in the schema, an invalid tile), kIo.
  virtual Result<std::optional<std::string>> mvt_tile(const core::EntitySchema& s, int z,
                                                      uint32_t x, uint32_t y,
                                                      const std::vector<std::string>& properties,
                                                      const std::vector<Condition>& where) {
    (void)s, (void)z, (void)x, (void)y, (void)properties, (void)where;
    return std::optional<std::string>{};
  }

  /// A cheap data generation number (one indexed lookup): it differs from the previous call's
  /// value on this store when the database's content may have changed since (compare for
  /// equality only). The HTTP response cache polls it. The default: kUnsupported (callers then
  /// treat every poll as a change). Errors: kIo, kUnsupported.
  virtual Result<int64_t> generation() {
    return fail(ErrorCode::kUnsupported, "this store has no data generation number");
  }

  /// The direct edits (see kDirectEditReason) recorded in the history, newest first, at most
  /// `limit`. The default scans the whole history; adapters use an index. Errors: kIo.
  virtual Result<std::vector<HistoryEntry>> direct_edits(int64_t limit) {
    std::vector<HistoryEntry> out;
    auto r = scan_history([&](HistoryEntry&& h) {
      if (is_direct_edit(h)) out.push_back(std::move(h));
      return true;
    });
    if (!r) return fail(r.error());
    std::reverse(out.begin(), out.end());
    if (static_cast<int64_t>(out.size()) > limit) out.resize(static_cast<size_t>(std::max<int64_t>(0, limit)));
    return out;
  }
  // ---- server-side sessions (table `sessions`, migration 6) ----

  /// Errors: kAlreadyExists (same id_hash), kIo.
  virtual Result<void> insert_session(const SessionRow& row) = 0;
  /// The session with that id hash, or nullopt. Errors: kIo.
  virtual Result<std::optional<SessionRow>> find_session(std::string_view id_hash) = 0;
  /// Sets last_seen_unix of one session (no error if it is gone). Errors: kIo.
  virtual Result<void> touch_session(std::string_view id_hash, int64_t last_seen_unix) = 0;
  /// Deletes one session; returns how many rows went (0 or 1). Errors: kIo.
  virtual Result<int64_t> delete_session(std::string_view id_hash) = 0;
  /// Deletes every session of `user` except `except_id_hash` ("" = none spared); returns how
  /// many went. Errors: kIo.
  virtual Result<int64_t> delete_user_sessions(std::string_view user,
                                               std::string_view except_id_hash = {}) = 0;
  /// Deletes the sessions whose absolute end or idle limit has passed:
  /// expires_unix <= now_unix or last_seen_unix <= idle_before_unix. Errors: kIo.
  virtual Result<int64_t> delete_stale_sessions(int64_t now_unix, int64_t idle_before_unix) = 0;

  // ---- whole-database copy (reclaim migrate): read everything, restore into an empty store ----

  /// Calls fn for every history entry of every entity, in seq order. fn returns false to stop.
  /// Errors: kIo.
  virtual Result<void> scan_history(const std::function<bool(HistoryEntry&&)>& fn) = 0;
  /// Every meta setting as (key, value), in key order. Errors: kIo.
  virtual Result<std::vector<std::pair<std::string, std::string>>> meta_entries() = 0;
  /// Copies the whole content of `source` into this store in ONE transaction (all or nothing):
  /// the gazetteer and boundaries, every record of every entity (internal ones included) with
  /// its row version unchanged, the complete history (seq numbers and every column unchanged)
  /// and every meta setting. This store must be empty: no record, no history entry, no admin
  /// unit (a freshly migrated database); meta settings already present are overwritten.
  /// `source` is only read (scan, scan_history, admin_units, admin_boundaries, meta_entries);
  /// it must be another database, used on this thread.
  /// Errors: kFailedPrecondition (this store is not empty, naming what it holds),
  /// kInvalidArgument (a record or geometry this store rejects, naming it), kIo (including a
  /// lost connection: the transaction is rolled back, nothing was written).
  virtual Result<void> restore_from(Store& source) = 0;
};

// storage::open_store, the factory that picks an adapter, is in storage/open/open.hpp.

// The portable Store::query: a scan filtered and sorted in memory (header-only so that every
// adapter library gets it without a new link dependency).
inline Result<QueryPage> Store::query(const core::EntitySchema& s, const Query& q) {
  for (const auto& c : q.where)
    if (s.index_of(c.field) < 0)
      return fail(ErrorCode::kInvalidArgument, "no field '" + c.field + "' in " + s.name);
  const int sort_i = q.sort_field.empty() ? 0 : s.index_of(q.sort_field);
  if (sort_i < 0)
    return fail(ErrorCode::kInvalidArgument, "no field '" + q.sort_field + "' in " + s.name);
  const auto si = static_cast<size_t>(sort_i);
  std::vector<core::Record> hits;
  auto scanned = scan(s, [&](core::Record&& r) {
    for (const auto& c : q.where)
      if (!matches(s, r, c)) return true;
    if (q.bbox) {
      if (!geo::intersects_box(r.geometry, *q.bbox)) return true;  // exact, as ST_Intersects
    }
    hits.push_back(std::move(r));
    return true;
  });
  if (!scanned) return fail(scanned.error());
  // (sort value, id) ascending or descending
  auto before = [&](const core::Value& av, const std::string& aid, const core::Value& bv,
                    const std::string& bid) {
    int c = compare_values(av, bv);
    if (c == 0) c = aid.compare(bid) < 0 ? -1 : (aid == bid ? 0 : 1);
    return q.descending ? c > 0 : c < 0;
  };
  std::sort(hits.begin(), hits.end(), [&](const core::Record& a, const core::Record& b) {
    return before(a.values[si], a.id(), b.values[si], b.id());
  });
  QueryPage page;
  if (q.with_total) page.total = static_cast<int64_t>(hits.size());
  size_t start = 0;
  if (q.after) {
    while (start < hits.size() &&
           !before(q.after->sort_value, q.after->id, hits[start].values[si], hits[start].id()))
      ++start;
  }
  start += static_cast<size_t>(std::max<int64_t>(0, q.offset));
  const auto limit = static_cast<size_t>(std::max<int64_t>(0, q.limit));
  for (size_t i = start; i < hits.size() && page.records.size() < limit; ++i)
    page.records.push_back(std::move(hits[i]));
  page.more = start + page.records.size() < hits.size();
  return page;
}

}  // namespace reclaim::storage
