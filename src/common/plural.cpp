#include "common/plural.hpp"

namespace reclaim {
namespace {

bool is_vowel(char c) noexcept {
  switch (c) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
    case 'A':
    case 'E':
    case 'I':
    case 'O':
    case 'U':
      return true;
    default:
      return false;
  }
}

bool ends_with(std::string_view s, std::string_view tail) noexcept {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

}  // namespace

std::string plural_noun(std::string_view singular) {
  std::string out(singular);
  if (out.empty()) return out;
  const size_t n = out.size();
  if (n >= 2 && (out[n - 1] == 'y' || out[n - 1] == 'Y') && !is_vowel(out[n - 2]) &&
      out[n - 2] != ' ') {
    out.replace(n - 1, 1, out[n - 1] == 'y' ? "ies" : "IES");
    return out;
  }
  for (std::string_view tail : {"s", "x", "z", "ch", "sh"})
    if (ends_with(out, tail)) return out + "es";
  return out + "s";
}

std::string plural(int64_t n, std::string_view singular) {
  return plural(n, singular, plural_noun(singular));
}

std::string plural(int64_t n, std::string_view singular, std::string_view plural_form) {
  return std::to_string(n) + " " + std::string(n == 1 || n == -1 ? singular : plural_form);
}

}  // namespace reclaim
