#include "storage/sql/sql_text.hpp"

#include <cmath>

namespace reclaim::storage::sql {
namespace {

std::string quoted(std::string_view text, char mark) {
  std::string out(1, mark);
  for (char c : text) {
    if (c == mark) out += mark;
    out += c;
  }
  out += mark;
  return out;
}

}  // namespace

std::string q(std::string_view ident) { return quoted(ident, '"'); }
std::string lit(std::string_view text) { return quoted(text, '\''); }

std::string label(const core::EntitySchema& s, std::string_view id, std::string_view source) {
  std::string out = s.name + " " + (id.empty() ? std::string("(no id)") : std::string(id));
  if (!source.empty()) out += " (" + std::string(source) + ")";
  return out;
}

Result<core::AdminLevel> admin_level(int64_t v, std::string_view code) {
  if (v < 1 || v > 4)
    return fail(ErrorCode::kIo, "admin unit " + std::string(code) + ": level " + std::to_string(v) +
                                    " is not 1 to 4");
  return static_cast<core::AdminLevel>(v);
}

bool is_text_type(core::FieldType t) noexcept {
  return t != core::FieldType::kInteger && t != core::FieldType::kReal &&
         t != core::FieldType::kBool;
}

core::Value stored_value(int64_t v, core::FieldType t) {
  if (t == core::FieldType::kReal) return static_cast<double>(v);
  if (is_text_type(t)) return std::to_string(v);
  return v;
}

core::Value stored_value(double d, core::FieldType t) {
  if ((t == core::FieldType::kInteger || t == core::FieldType::kBool) && std::trunc(d) == d &&
      std::fabs(d) < 9e18)
    return static_cast<int64_t>(d);
  if (is_text_type(t)) return core::to_text(core::Value{d});
  return d;
}

}  // namespace reclaim::storage::sql
