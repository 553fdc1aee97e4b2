#pragma once
// Wall-clock time for accounts, sessions and the workflow, as UNIX seconds, behind a seam so
// tests can move time (lockout windows, session expiry) without sleeping.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace reclaim::auth {

/// Returns the current time in UNIX seconds (UTC).
using Clock = std::function<int64_t()>;

/// The system clock.
int64_t system_now() noexcept;
/// `c` if set, else the system clock.
Clock or_system(Clock c);

/// "2025-06-30T08:15:00Z".
std::string iso_utc(int64_t unix_s);
/// Parses the form iso_utc writes (also without the Z). nullopt for anything else.
std::optional<int64_t> parse_iso_utc(std::string_view text) noexcept;

}  // namespace reclaim::auth
