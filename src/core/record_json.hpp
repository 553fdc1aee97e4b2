#pragma once
// A record as a JSON object ({field: value, ..., "geometry": WKT}) for history and the API.
#include <string>

#include "common/error.hpp"
#include "core/record.hpp"

namespace reclaim::core {

std::string record_to_json(const EntitySchema& s, const Record& r);
/// Errors: kInvalidArgument for malformed JSON or values of the wrong type.
Result<Record> record_from_json(const EntitySchema& s, const std::string& json);

}  // namespace reclaim::core
