// PgStore::query and mvt_tile: conditions as SQL, every value a bound parameter converted as
// SQLite's column affinity would (so both adapters answer alike), the GiST index as the bbox
// prefilter and ST_Intersects as the exact test; tiles by ST_AsMVT.
#include <charconv>
#include <cmath>

#include "storage/postgres/pg_impl.hpp"
#include "storage/sql/rows.hpp"

namespace reclaim::storage {

using pg::Params;
using pg::PgRow;
using sql::is_text_type;
using sql::q;

namespace {

/// The next parameter's placeholder, cast to `type` ("$3::bigint").
std::string placeholder(const Params& p, std::string_view type) {
  return pg::kDialect.param(p.size() + 1, type);
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

}  // namespace

Result<QueryPage> PgStore::query(const core::EntitySchema& s, const Query& qy) {
  Impl& db = *impl_;
  if (auto c = db.ensure_connected(); !c) return fail(c.error());
  auto t = db.table(s);
  if (!t) return fail(t.error());
  const core::EntitySchema& bs = *(*t)->sql.schema;
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
  std::string sql = (*t)->sql.select + " WHERE " + where + order + " LIMIT " + placeholder(p, "bigint");
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
      auto rec = sql::read_record((*t)->sql, PgRow{r->get(), row}, db.shown);
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
    page.total = PgRow{r->get(), 0}.int64(0);
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
  const core::EntitySchema& bs = *(*t)->sql.schema;
  if (z < 0 || z > 30 || (static_cast<uint64_t>(x) >> z) != 0 ||
      (static_cast<uint64_t>(y) >> z) != 0)
    return fail(ErrorCode::kInvalidArgument,
                "no tile " + std::to_string(z) + "/" + std::to_string(x) + "/" + std::to_string(y));
  if (!(*t)->sql.features) return std::optional<std::string>(std::string());
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
  if (PQntuples(r->get()) == 0 || PgRow{r->get(), 0}.is_null(0))
    return std::optional<std::string>(std::string());
  return std::optional<std::string>(PgRow{r->get(), 0}.text(0));
}

}  // namespace reclaim::storage
