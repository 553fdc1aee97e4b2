#include "storage/postgres/pg_wire.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "storage/sql/sql_text.hpp"

namespace reclaim::storage::pg {
namespace {

// OIDs of built-in types (catalog/pg_type_d.h is a server header, not libpq's).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;

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

}  // namespace

Result<void> Params::value(core::FieldType type, const core::Value& v) {
  if (const auto* n = std::get_if<int64_t>(&v)) {
    integer(*n);
  } else if (const auto* d = std::get_if<double>(&v)) {
    if (type == core::FieldType::kInteger || type == core::FieldType::kBool) {
      if (std::trunc(*d) != *d || !(std::fabs(*d) < 9e18))
        return fail(ErrorCode::kInvalidArgument, core::to_text(v) + " is not a whole number");
      integer(static_cast<int64_t>(*d));
    } else if (sql::is_text_type(type)) {
      text(core::to_text(v));
    } else {
      real(*d);
    }
  } else if (const auto* t = std::get_if<std::string>(&v)) {
    ref(*t);
  } else {
    null();
  }
  return {};
}

int64_t PgRow::int64(int col) const {
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

double PgRow::real(int col) const {
  const char* p = PQgetvalue(r, row, col);
  const int n = PQgetlength(r, row, col);
  if (PQfformat(r, col) == 1) {
    if (PQftype(r, col) == kFloat8Oid && n == 8) return std::bit_cast<double>(load_be<uint64_t>(p));
    if (PQftype(r, col) == kFloat4Oid && n == 4)
      return static_cast<double>(std::bit_cast<float>(load_be<uint32_t>(p)));
    return static_cast<double>(int64(col));
  }
  double d = 0;
  std::from_chars(p, p + n, d);
  return d;
}

core::Value PgRow::value(int c, core::FieldType t) const {
  if (is_null(c)) return std::monostate{};
  switch (PQftype(r, c)) {
    case kInt8Oid:
    case kInt4Oid:
    case kInt2Oid:
    case kBoolOid:
      return sql::stored_value(int64(c), t);
    case kFloat8Oid:
    case kFloat4Oid:
      return sql::stored_value(real(c), t);
    default:
      return text(c);
  }
}

Result<geo::Geometry> PgRow::geometry(int c) const {
  const auto* p = reinterpret_cast<const uint8_t*>(PQgetvalue(r, row, c));
  auto g = geo::from_wkb(p, static_cast<size_t>(PQgetlength(r, row, c)));
  if (g && g->type == geo::GeometryType::kMultiPolygon && g->polygons.size() == 1)
    g->type = geo::GeometryType::kPolygon;
  return g;
}

int64_t affected(const PGresult* r) {
  int64_t n = 0;
  const std::string_view t = PQcmdTuples(const_cast<PGresult*>(r));
  std::from_chars(t.data(), t.data() + t.size(), n);
  return n;
}

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

}  // namespace reclaim::storage::pg
