#include "http/client_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace reclaim::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool port_ok(std::string_view p) {
  unsigned v = 0;
  auto r = std::from_chars(p.data(), p.data() + p.size(), v);
  return !p.empty() && r.ec == std::errc() && r.ptr == p.data() + p.size() && v <= 65535;
}

std::optional<IpAddress> parse_plain(std::string_view s) {
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN] = {};
  std::memcpy(buf, s.data(), s.size());
  IpAddress a;
  if (s.find(':') == std::string_view::npos) {
    in_addr v4{};
    if (::inet_pton(AF_INET, buf, &v4) != 1) return std::nullopt;
    std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), a.bytes.begin());
    std::memcpy(a.bytes.data() + 12, &v4, 4);
    a.v4 = true;
    return a;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, buf, &v6) != 1) return std::nullopt;
  std::memcpy(a.bytes.data(), &v6, 16);
  a.v4 = std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), a.bytes.begin());
  return a;
}

bool prefix_equal(const IpAddress& a, const IpAddress& b, int bits) {
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const auto ua = static_cast<unsigned>(a.bytes[static_cast<size_t>(i)]);
    const auto ub = static_cast<unsigned>(b.bytes[static_cast<size_t>(i)]);
    const unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
    if ((ua & mask) != (ub & mask)) return false;
  }
  return true;
}

}  // namespace

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (v4) {
    ::inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof buf);
  } else {
    ::inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  }
  return buf;
}

std::optional<IpAddress> parse_ip(std::string_view s, bool allow_port) {
  s = trim(s);
  if (!s.empty() && s.front() == '[') {
    const size_t close = s.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = s.substr(close + 1);
    if (!rest.empty() && !(allow_port && rest.front() == ':' && port_ok(rest.substr(1))))
      return std::nullopt;
    const std::string_view inner = s.substr(1, close - 1);
    if (inner.find(':') == std::string_view::npos) return std::nullopt;  // "[1.2.3.4]"
    return parse_plain(inner);
  }
  const size_t colon = s.find(':');
  if (allow_port && colon != std::string_view::npos && s.find(':', colon + 1) == std::string_view::npos) {
    if (!port_ok(s.substr(colon + 1))) return std::nullopt;  // "1.2.3.4:80"
    auto a = parse_plain(s.substr(0, colon));
    if (!a || !a->v4) return std::nullopt;
    return a;
  }
  return parse_plain(s);
}

Result<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& specs) {
  TrustedProxies t;
  for (const auto& spec : specs) {
    std::string_view rest = spec;
    for (;;) {
      const size_t comma = rest.find(',');
      const std::string_view item = trim(rest.substr(0, comma));
      if (item.empty())
        return fail(ErrorCode::kInvalidArgument,
                    "--trusted-proxy '" + spec + "': empty entry (expected ADDR or ADDR/BITS)");
      const size_t slash = item.find('/');
      auto a = parse_plain(item.substr(0, slash));
      if (!a)
        return fail(ErrorCode::kInvalidArgument, "--trusted-proxy '" + spec + "': '" +
                                                     std::string(item) +
                                                     "' is not an IP address or network");
      Net n{*a, 128};
      if (slash != std::string_view::npos) {
        const std::string_view b = item.substr(slash + 1);
        int bits = -1;
        auto r = std::from_chars(b.data(), b.data() + b.size(), bits);
        const int max_bits = a->v4 ? 32 : 128;
        if (b.empty() || r.ec != std::errc() || r.ptr != b.data() + b.size() || bits < 0 ||
            bits > max_bits)
          return fail(ErrorCode::kInvalidArgument,
                      "--trusted-proxy '" + spec + "': prefix length of '" + std::string(item) +
                          "' must be 0 to " + std::to_string(max_bits));
        n.bits = a->v4 ? 96 + bits : bits;
      }
      t.nets_.push_back(n);
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  return t;
}

bool TrustedProxies::contains(const IpAddress& a) const noexcept {
  return std::any_of(nets_.begin(), nets_.end(),
                     [&](const Net& n) { return prefix_equal(n.addr, a, n.bits); });
}

std::string TrustedProxies::client_address(std::string_view peer,
                                           std::string_view forwarded_for) const {
  const auto p = parse_ip(peer);
  if (!p) return std::string(peer);
  if (!contains(*p) || trim(forwarded_for).empty()) return p->str();
  IpAddress last = *p;  // the nearest hop so far; trusted
  std::string_view rest = forwarded_for;
  while (true) {
    const size_t comma = rest.rfind(',');
    const std::string_view entry =
        comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    if (!trim(entry).empty()) {
      const auto e = parse_ip(entry, true);
      if (!e) return last.str();  // a hop we trust appended something we cannot read
      if (!contains(*e)) return e->str();
      last = *e;
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(0, comma);
  }
  return last.str();
}

std::string client_limit_key(std::string_view address) {
  auto a = parse_ip(address);
  if (!a) return std::string(address);
  if (a->v4) return a->str();
  for (size_t i = 8; i < 16; ++i) a->bytes[i] = 0;
  return a->str() + "/64";
}

std::string login_limit_key(std::string_view address) {
  auto a = parse_ip(address);
  if (!a) return std::string(address);
  if (a->v4) {
    if (a->bytes[12] == 127) return "127.0.0.0/8";
    a->bytes[15] = 0;
    return a->str() + "/24";
  }
  for (size_t i = 8; i < 16; ++i) a->bytes[i] = 0;
  return a->str() + "/64";
}

}  // namespace reclaim::http
