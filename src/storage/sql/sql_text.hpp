#pragma once
// SQL text shared by the storage adapters (GeoPackage and PostgreSQL): identifier and literal
// quoting, the record label of every message, and the normalisation of a stored number to its
// field's type. Both dialects accept the standard SQL quoting used here.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "core/entities.hpp"
#include "core/gazetteer.hpp"

namespace reclaim::storage::sql {

/// A quoted SQL identifier: "name" with embedded quotes doubled.
std::string q(std::string_view ident);
/// A SQL string literal: 'text' with embedded quotes doubled.
std::string lit(std::string_view text);

/// "hazards KH-HZ-000012 (row 12)": the record a message is about; "(no id)" when id is empty,
/// the source part only when source is not empty.
std::string label(const core::EntitySchema& s, std::string_view id, std::string_view source);

/// An admin unit's stored level checked to be 1 to 4.
/// Errors: kIo naming the unit ("admin unit KH01: level 7 is not 1 to 4").
Result<core::AdminLevel> admin_level(int64_t v, std::string_view code);

/// Fields stored as text (text, dates, codes, ...): not integer, real or bool.
bool is_text_type(core::FieldType t) noexcept;

/// A stored integer as its field's type: a double for a real field, text for a text field.
core::Value stored_value(int64_t v, core::FieldType t);
/// A stored double as its field's type: a whole number for an integer or bool field, text for a
/// text field.
core::Value stored_value(double d, core::FieldType t);

}  // namespace reclaim::storage::sql
