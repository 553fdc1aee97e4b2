#include "common/date.hpp"

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <ctime>

namespace reclaim {
namespace {
// Howard Hinnant's days_from_civil / civil_from_days.
int32_t days_from_civil(int y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int32_t>(doe) - 719468;
}
struct Ymd {
  int y;
  unsigned m, d;
};
Ymd civil_from_days(int32_t z) noexcept {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}
bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
unsigned days_in_month(int y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}
bool parse_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

int Date::year() const noexcept { return civil_from_days(days).y; }
int Date::month() const noexcept { return static_cast<int>(civil_from_days(days).m); }
int Date::day() const noexcept { return static_cast<int>(civil_from_days(days).d); }
std::string Date::iso() const {
  auto c = civil_from_days(days);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", c.y, c.m, c.d);
  return buf;
}
Date date_from_ymd(int y, int m, int d) noexcept {
  return Date{days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d))};
}

Result<Date> parse_date(std::string_view text) {
  auto bad = [&] {
    return fail(ErrorCode::kInvalidArgument,
                "'" + std::string(text) + "' is not a date (expected YYYY-MM-DD)");
  };
  std::string_view t = text;
  while (!t.empty() && (t.front() == ' ')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ')) t.remove_suffix(1);
  int y = 0, m = 0, d = 0;
  if (t.size() >= 10 && (t[4] == '-' || t[4] == '/') && t[7] == t[4]) {
    if (t.size() > 10 && t[10] != 'T' && t[10] != ' ') return bad();
    if (!parse_int(t.substr(0, 4), y) || !parse_int(t.substr(5, 2), m) ||
        !parse_int(t.substr(8, 2), d))
      return bad();
  } else if (t.size() == 10 && t[2] == '/' && t[5] == '/') {
    if (!parse_int(t.substr(0, 2), d) || !parse_int(t.substr(3, 2), m) ||
        !parse_int(t.substr(6, 4), y))
      return bad();
  } else {
    return bad();
  }
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 ||
      static_cast<unsigned>(d) > days_in_month(y, static_cast<unsigned>(m)))
    return bad();
  return date_from_ymd(y, m, d);
}

Date today() {
  if (const char* env = std::getenv("RECLAIM_TODAY")) {
    if (auto d = parse_date(env)) return *d;
  }
  auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return Date{static_cast<int32_t>(now.time_since_epoch().count())};
}

std::string utc_now() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto secs = time_point_cast<seconds>(now);
  const auto ms = duration_cast<milliseconds>(now - secs).count();
  const std::time_t t = system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms));
  return buf;
}

}  // namespace reclaim
