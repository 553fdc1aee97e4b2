// GpkgStore::query: conditions as SQL with bound parameters, the R-tree as the bbox
// prefilter and reclaim_intersects_box as the exact test, keyset paging on (sort, id).
#include <algorithm>

#include "storage/sql/rows.hpp"
#include "storage/sqlite/gpkg_impl.hpp"

namespace reclaim::storage {

using gpkg::Stmt;
using sql::q;

Result<QueryPage> GpkgStore::query(const core::EntitySchema& s, const Query& qy) {
  Impl& db = *impl_;
  auto t = db.table(s);
  if (!t) return fail(t.error());
  const core::EntitySchema& bs = *(*t)->sql.schema;
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
    if (!(*t)->sql.features) {
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
  const std::string& select = (*t)->sql.select;
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
    if (qy.bbox && (*t)->sql.features) {
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
      auto r = sql::read_record((*t)->sql, *st, db.path);
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

}  // namespace reclaim::storage
