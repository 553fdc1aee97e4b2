// The small text parsers of untrusted input: dates (common::parse_date: CSV cells, as_of,
// datetime), client addresses (X-Forwarded-For entries, trusted-proxy specs), public URLs,
// JSON string escaping of echoed request text (always valid UTF-8 JSON), the CSV formula guard
// (csv_unguard(csv_guard(t)) == t) and core's UTF-8 check. Byte 0 picks the parser.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/date.hpp"
#include "core/validate.hpp"
#include "exchange/exchange.hpp"
#include "http/client_address.hpp"
#include "http/json.hpp"
#include "http/router.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reclaim;
  if (size < 1) return 0;
  const std::string_view s(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 6) {
    case 0: {
      auto d = parse_date(s);
      if (d) {
        auto again = parse_date(d->iso());
        if (!again || again->days != d->days) std::abort();
      }
      break;
    }
    case 1: {
      auto ip = http::parse_ip(s, (data[0] & 0x80) != 0);
      if (ip && !http::parse_ip(ip->str())) std::abort();
      (void)http::client_limit_key(s);
      auto proxies = http::TrustedProxies::parse({std::string(s)});
      if (proxies) (void)proxies->client_address("192.0.2.1", s);
      http::TrustedProxies all = *http::TrustedProxies::parse({"0.0.0.0/0", "::/0"});
      (void)all.client_address("10.0.0.1", s);
      break;
    }
    case 2: {
      auto u = http::parse_public_url(s);
      if (u && !http::parse_public_url(*u)) std::abort();
      break;
    }
    case 3: {
      std::string out;
      http::append_json_string(out, s);
      auto j = nlohmann::json::parse(out, nullptr, false);
      if (j.is_discarded() || !j.is_string() || !core::is_valid_utf8(out)) std::abort();
      if (core::is_valid_utf8(s) && j.get<std::string>() != s) std::abort();
      break;
    }
    case 4: {
      if (exchange::csv_unguard(exchange::csv_guard(s)) != s) std::abort();
      break;
    }
    default: (void)core::is_valid_utf8(s); break;
  }
  return 0;
}
