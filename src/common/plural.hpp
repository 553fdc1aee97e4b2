#pragma once
// Counts in messages, in English: "1 hazard", "2 hazards", "3 activities". Every count a
// command prints goes through plural() so that no message says "1 hazards".
#include <cstdint>
#include <string>
#include <string_view>

namespace reclaim {

/// The plural of an English noun by the regular rules: a consonant + "y" becomes "ies"
/// ("activity" -> "activities"), "s", "x", "z", "ch" and "sh" take "es", every other noun "s".
/// Only the last word changes ("EO find" -> "EO finds"). Irregular nouns: pass the plural to
/// plural(n, singular, plural_form).
std::string plural_noun(std::string_view singular);

/// "<n> <noun>": the singular for n == 1 (and -1), else plural_noun(singular).
std::string plural(int64_t n, std::string_view singular);
/// "<n> <noun>" with an irregular plural given ("1 person", "2 people").
std::string plural(int64_t n, std::string_view singular, std::string_view plural_form);

}  // namespace reclaim
