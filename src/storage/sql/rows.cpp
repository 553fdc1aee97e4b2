#include "storage/sql/rows.hpp"

namespace reclaim::storage::sql {

Result<void> check_record(const core::EntitySchema& s, const core::Record& r,
                          std::string_view source) {
  if (r.values.size() != s.fields.size())
    return fail(ErrorCode::kInvalidArgument,
                label(s, r.id(), source) + ": record has " + std::to_string(r.values.size()) +
                    " values, the schema " + std::to_string(s.fields.size()));
  if (r.id().empty())
    return fail(ErrorCode::kInvalidArgument,
                label(s, r.id(), source) + ": " + s.id_field().name + " is missing");
  if (s.geometry == core::GeometryKind::kNone) {
    if (!r.geometry.empty())
      return fail(ErrorCode::kInvalidArgument,
                  label(s, r.id(), source) + ": a " + s.singular + " has no geometry");
    return {};
  }
  const auto type = r.geometry.type;
  const bool point = s.geometry == core::GeometryKind::kPoint;
  const bool fits = type == geo::GeometryType::kNone ||
                    (point ? type == geo::GeometryType::kPoint
                           : type == geo::GeometryType::kPolygon ||
                                 type == geo::GeometryType::kMultiPolygon);
  if (!fits)
    return fail(ErrorCode::kInvalidArgument, label(s, r.id(), source) + ": geometry must be a " +
                                                 (point ? "point" : "polygon"));
  return {};
}

HistoryEntry history_of(const Change& c, const ChangeSource& src, const std::string& at,
                        std::string before_json, std::string after_json) {
  HistoryEntry h;
  h.entity = c.schema->name;
  h.record_id = c.record.id();
  h.op = c.op == ChangeOp::kInsert ? "insert" : "update";
  h.at = at;
  h.user = src.user;
  h.file = src.file;
  h.source_record = c.source_record;
  h.reason = src.reason;
  h.before_json = std::move(before_json);
  h.after_json = std::move(after_json);
  return h;
}

}  // namespace reclaim::storage::sql
