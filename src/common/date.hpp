#pragma once
// Civil dates (proleptic Gregorian), as days since 1970-01-01. Mine action records carry dates,
// not instants; time zones never enter. utc_now() is the one clock reading of an instant.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace reclaim {

struct Date {
  int32_t days = 0;  ///< days since 1970-01-01
  int year() const noexcept;
  int month() const noexcept;
  int day() const noexcept;
  std::string iso() const;  ///< YYYY-MM-DD
  auto operator<=>(const Date&) const = default;
};

Date date_from_ymd(int y, int m, int d) noexcept;
/// Parses YYYY-MM-DD (also YYYY/MM/DD, DD/MM/YYYY and an ISO timestamp whose date part is taken).
/// Errors: kInvalidArgument naming the text when it is not a real calendar date.
Result<Date> parse_date(std::string_view text);
/// Today's date in UTC (overridable with RECLAIM_TODAY=YYYY-MM-DD for reproducible tests).
Date today();
/// The current instant in UTC, ISO 8601 with milliseconds: "2024-05-01T08:30:00.123Z" (history
/// and migration stamps, OGC timeStamp). Not affected by RECLAIM_TODAY.
std::string utc_now();

}  // namespace reclaim
