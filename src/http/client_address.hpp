#pragma once
// Who is calling: the client address the limits (login, the expensive-read pool) are keyed by.
// Behind a reverse proxy every request comes from the proxy, so the proxy's X-Forwarded-For
// names the client; but anybody can send that header, so it is believed only when the peer (and
// each hop read from right to left) is a configured trusted proxy (`serve --trusted-proxy`).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace reclaim::http {

/// An IPv4 or IPv6 address; IPv4 (also IPv4-mapped IPv6, "::ffff:1.2.3.4") as ::ffff:a.b.c.d.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool v4 = false;
  /// "192.0.2.7", "2001:db8::1" (canonical text; IPv4-mapped addresses as IPv4).
  std::string str() const;
};

/// "192.0.2.7", "2001:db8::1", "[2001:db8::1]"; with `allow_port` also "192.0.2.7:5050" and
/// "[2001:db8::1]:5050" (X-Forwarded-For entries of some proxies). Surrounding spaces are
/// ignored. nullopt for anything else ("unknown", host names, obfuscated identifiers).
std::optional<IpAddress> parse_ip(std::string_view s, bool allow_port = false);

class TrustedProxies {
 public:
  TrustedProxies() = default;
  /// Each spec is an address or a network ("10.0.0.0/8", "fd00::/8"), or a comma-separated
  /// list of them. Errors: kInvalidArgument naming the spec.
  static Result<TrustedProxies> parse(const std::vector<std::string>& specs);

  bool empty() const noexcept { return nets_.empty(); }
  bool contains(const IpAddress& a) const noexcept;

  /// The client's address. The socket peer when it is not a trusted proxy or sent no
  /// X-Forwarded-For. Otherwise X-Forwarded-For (all of the request's X-Forwarded-For headers
  /// joined by commas, in order) is read from right to left: the first entry that is not a
  /// trusted proxy is the client; an entry that is not an address stops the walk at the hop that
  /// appended it (the last trusted address); when every entry is a trusted proxy, the left-most.
  std::string client_address(std::string_view peer, std::string_view forwarded_for) const;

 private:
  struct Net {
    IpAddress addr;
    int bits = 128;  ///< prefix length in the 16-byte form (IPv4 /n is 96 + n)
  };
  std::vector<Net> nets_;
};

/// The key the per-client limits count under: the address for IPv4, its /64 network for IPv6
/// (one subscriber's share of addresses is a /64 or larger): "192.0.2.7", "2001:db8:1:2::/64".
/// Text that is not an address is its own key.
std::string client_limit_key(std::string_view address);

/// The key login attempts are limited under: the network prefix, so that one client cannot
/// multiply its attempts by using its neighbouring addresses: IPv4 /24 ("192.0.2.0/24"), all of
/// 127/8 as one ("127.0.0.0/8"), IPv6 /64. Text that is not an address is its own key.
std::string login_limit_key(std::string_view address);

}  // namespace reclaim::http
