#include "auth/clock.hpp"

#include <chrono>
#include <cstdio>

#include "common/date.hpp"

namespace reclaim::auth {

int64_t system_now() noexcept {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Clock or_system(Clock c) { return c ? std::move(c) : Clock(&system_now); }

std::string iso_utc(int64_t unix_s) {
  int64_t days = unix_s / 86400;
  int64_t secs = unix_s % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  Date d{static_cast<int32_t>(days)};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", d.iso().c_str(),
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

std::optional<int64_t> parse_iso_utc(std::string_view text) noexcept {
  if (text.size() < 19 || text[10] != 'T' || text[13] != ':' || text[16] != ':') return {};
  if (text.size() > 20 || (text.size() == 20 && text[19] != 'Z')) return {};
  auto d = parse_date(text.substr(0, 10));
  if (!d) return {};
  auto num = [&](size_t at) -> int {
    char a = text[at], b = text[at + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
    return (a - '0') * 10 + (b - '0');
  };
  int h = num(11), m = num(14), s = num(17);
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60) return {};
  return int64_t{d->days} * 86400 + h * 3600 + m * 60 + s;
}

}  // namespace reclaim::auth
