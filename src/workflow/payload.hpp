#pragma once
// A report's payload: the JSON a data officer submits, turned into the same raw records an
// import reads, so that it passes exactly the same validation (core::parse_record).
//
//   one record     {"id": "KH-HZ-000123", "hazard_type": "CHA", ..., "geometry": "POLYGON((…))"}
//   accident with  {"accident": {…accident fields…},
//   casualties      "casualties": [{…casualty fields…}, …]}   (accident_id may be left out)
//
// Values may be JSON strings, numbers or booleans; null means empty. Geometry is WKT (WGS84).
#include <string>
#include <vector>

#include "common/error.hpp"
#include "core/record.hpp"
#include "core/validate.hpp"

namespace reclaim::workflow {

struct RawPart {
  const core::EntitySchema* schema = nullptr;
  core::RawRecord raw;
};

/// The raw records of a payload for `entity` (the first is the report's main record; for an
/// accident report the casualties follow). Unknown fields and values of the wrong JSON type are
/// errors. Errors: kInvalidArgument with one FieldError per problem.
Result<std::vector<RawPart>> payload_to_raw(const core::EntitySchema& entity,
                                            const std::string& payload_json);

}  // namespace reclaim::workflow
