#include "http/router.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/entities.hpp"
#include "http/client_address.hpp"
#include "http/json.hpp"
#include "http/routes.hpp"

namespace reclaim::http {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Percent-decoding; '+' is a space in query components. nullopt for a broken escape.
std::optional<std::string> decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int h = hex_digit(s[i + 1]), l = hex_digit(s[i + 2]);
      if (h < 0 || l < 0) return std::nullopt;
      out += static_cast<char>(h * 16 + l);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view mime_type(std::string_view ext) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript"},            {".mjs", "text/javascript"},
      {".css", "text/css"},                  {".json", "application/json"},
      {".map", "application/json"},          {".geojson", "application/geo+json"},
      {".svg", "image/svg+xml"},             {".png", "image/png"},
      {".jpg", "image/jpeg"},                {".jpeg", "image/jpeg"},
      {".webp", "image/webp"},               {".ico", "image/x-icon"},
      {".woff", "font/woff"},                {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},                  {".pbf", "application/x-protobuf"},
      {".mvt", "application/vnd.mapbox-vector-tile"},
      {".txt", "text/plain; charset=utf-8"}, {".wasm", "application/wasm"},
      {".webmanifest", "application/manifest+json"}};
  for (const auto& [e, t] : kTypes)
    if (e == ext) return t;
  return "application/octet-stream";
}

std::string etag_of(std::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a 64
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  char b[24];
  std::snprintf(b, sizeof b, "\"%016llx\"", static_cast<unsigned long long>(h));
  return b;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  size_t start = 0;
  while (start < if_none_match.size()) {
    size_t end = if_none_match.find(',', start);
    if (end == std::string_view::npos) end = if_none_match.size();
    std::string_view t = if_none_match.substr(start, end - start);
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    if (t.starts_with("W/")) t.remove_prefix(2);
    if (t == etag) return true;
    start = end + 1;
  }
  return false;
}

/// 404 for an unknown layer, 403 for one the caller may not read, else nullopt.
std::optional<Response> tile_layer_refused(const detail::Ctx& c, const std::string& layer) {
  const core::MapLayer* l = core::find_map_layer(layer);
  if (l == nullptr) return detail::problem(c, ErrorCode::kNotFound, "no tile layer '" + layer + "'");
  if (!detail::layer_visible(c, *l))
    return detail::problem(c, ErrorCode::kPermissionDenied, "your role may not read the " + layer + " layer");
  return std::nullopt;
}

Response handle_tiles(detail::Ctx& c, const std::vector<std::string_view>& seg) {
  // seg[0] == "tiles"
  if (c.req.method != "GET" && c.req.method != "HEAD") return detail::method_not_allowed(c, "GET, HEAD");
  if (seg.size() == 2 && seg[1].ends_with(".json")) {
    const std::string layer(seg[1].substr(0, seg[1].size() - 5));
    if (auto refused = tile_layer_refused(c, layer)) return std::move(*refused);
    auto tj = c.app.service().tilejson(layer, c.base_url + "/tiles/" + layer + "/{z}/{x}/{y}.mvt");
    if (!tj) return detail::from_error(c, tj.error());
    return detail::json(std::move(*tj));
  }
  if (seg.size() != 5 || !seg[4].ends_with(".mvt"))
    return detail::problem(c, ErrorCode::kNotFound, "no such tile route");
  const std::string layer(seg[1]);
  if (auto refused = tile_layer_refused(c, layer)) return std::move(*refused);
  auto z = detail::parse_int(seg[2]);
  auto x = detail::parse_int(seg[3]);
  auto y = detail::parse_int(seg[4].substr(0, seg[4].size() - 4));
  if (!z || !x || !y || *z < 0 || *z > 22 || *x < 0 || *y < 0 || *x >= (int64_t{1} << *z) ||
      *y >= (int64_t{1} << *z))
    return detail::problem(c, ErrorCode::kNotFound, "no tile " + std::string(seg[2]) + "/" +
                                                   std::string(seg[3]) + "/" + std::string(seg[4]));
  auto bytes = c.app.service().tile(layer, static_cast<int>(*z), static_cast<uint32_t>(*x),
                          static_cast<uint32_t>(*y), c.vis);
  if (!bytes) return detail::from_error(c, bytes.error());
  Response r;
  r.content_type = "application/vnd.mapbox-vector-tile";
  const std::string etag = etag_of(*bytes);
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control",
                         c.who.authenticated() ? "private, max-age=60" : "public, max-age=300");
  r.headers.emplace_back("Vary", "Cookie, Authorization");
  if (etag_matches(c.req.if_none_match, etag)) {
    r.status = 304;
    return r;
  }
  r.body = std::move(*bytes);
  return r;
}

Response handle_static(detail::Ctx& c, const std::string& static_dir) {
  namespace fs = std::filesystem;
  if (c.req.method != "GET" && c.req.method != "HEAD") return detail::method_not_allowed(c, "GET, HEAD");
  if (static_dir.empty()) return detail::problem(c, ErrorCode::kNotFound, "no such resource");
  std::string rel = c.path;
  if (rel.empty() || rel.back() == '/') rel += "index.html";
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(fs::path(static_dir), ec);
  if (ec) return detail::problem(c, ErrorCode::kNotFound, "no such resource");
  fs::path p = fs::weakly_canonical(root / fs::path(rel), ec);
  if (ec) return detail::problem(c, ErrorCode::kNotFound, "no such resource");
  // The resolved file must be inside the root (also after symlinks).
  auto [ri, pi] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  if (ri != root.end()) return detail::problem(c, ErrorCode::kNotFound, "no such resource");
  if (fs::is_directory(p, ec)) p /= "index.html";
  if (!fs::is_regular_file(p, ec)) return detail::problem(c, ErrorCode::kNotFound, "no such resource");
  std::ifstream in(p, std::ios::binary);
  if (!in) return detail::problem(c, ErrorCode::kNotFound, "no such resource");
  std::ostringstream ss;
  ss << in.rdbuf();
  Response r;
  r.body = ss.str();
  r.content_type = std::string(mime_type(p.extension().string()));
  const std::string etag = etag_of(r.body);
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (etag_matches(c.req.if_none_match, etag)) {
    r.status = 304;
    r.body.clear();
  }
  return r;
}

/// The core of a response-cache key: a GET whose answer is costly to build and free of
/// personal data for this caller (vector tiles, OGC item pages, JSON API record lists, the
/// national status: aggregates only). Personal data is never cached: such reads are also
/// access-logged on every request.
bool cacheable(const std::vector<std::string_view>& seg, const app::Visibility& vis) {
  const core::EntitySchema* s = nullptr;
  if (seg.size() == 5 && seg[0] == "tiles" && seg[4].ends_with(".mvt")) {
    s = core::find_schema(seg[1]);
  } else if (seg.size() == 4 && seg[0] == "ogc" && seg[1] == "collections" && seg[3] == "items") {
    s = core::find_schema(seg[2]);
  } else if (seg.size() == 2 && seg[0] == "api" && seg[1] == "status") {
    return true;
  } else if (seg.size() == 2 && seg[0] == "api") {
    for (const auto& e : core::all_schemas())
      if (!e.internal && (e.name == seg[1] || e.singular == seg[1])) s = &e;
    if (s == nullptr) return false;
  } else {
    return false;
  }
  if (s != nullptr && vis.personal &&
      std::any_of(s->fields.begin(), s->fields.end(),
                  [](const core::FieldDef& f) { return f.personal; }))
    return false;
  return true;
}

/// Per worker thread: when it last read its store's data generation, and the value.
struct GenerationPoll {
  const void* owner = nullptr;  ///< (cache, service) this state belongs to
  const void* svc = nullptr;
  std::chrono::steady_clock::time_point next{};
  int64_t last = 0;
};
thread_local GenerationPoll t_poll;

/// Bumps the cache's epoch when this worker's store reports a new data generation (read at
/// most every poll interval; a failed read counts as a change).
void poll_generation(ResponseCache& cache, app::Service& svc) {
  GenerationPoll& p = t_poll;
  const auto now = std::chrono::steady_clock::now();
  const bool fresh = p.owner != &cache || p.svc != &svc;
  if (!fresh && now < p.next) return;
  p.owner = &cache;
  p.svc = &svc;
  p.next = now + cache.poll_interval();
  auto g = svc.data_generation();
  // a thread's first read is its baseline: the other threads' polls cover what came before
  if (!g || (!fresh && *g != p.last)) cache.bump();
  if (g) p.last = *g;
}

Response from_cache(const CachedResponse& e, const Request& req) {
  Response r;
  r.content_type = e.content_type;
  r.headers = e.headers;
  if (etag_matches(req.if_none_match, e.etag)) {
    r.status = 304;
    return r;
  }
  r.shared_body = e.body;
  return r;
}

/// Reads that cost far more than a page of records (an uncached as-of status is ~0.4 s of CPU;
/// an OGC item page up to 10,000 features): they go to the server's worker pool.
bool expensive(const std::vector<std::string_view>& seg, std::string_view method) {
  if (method != "GET" && method != "HEAD") return false;
  if (seg.size() == 2 && seg[0] == "api" && seg[1] == "status") return true;
  return seg.size() == 4 && seg[0] == "ogc" && seg[1] == "collections" && seg[3] == "items";
}

}  // namespace

const std::vector<std::pair<std::string_view, std::string_view>>& standard_headers() {
  static const std::vector<std::pair<std::string_view, std::string_view>> kHeaders = {
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
       "worker-src 'self' blob:; child-src blob:; connect-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
  };
  return kHeaders;
}

namespace {
/// The detail of every 500: no internals, only the way to find them in the log.
constexpr std::string_view kInternalDetail =
    "an internal error occurred; quote the request id to the administrator";
}  // namespace

Result<std::string> parse_public_url(std::string_view url) {
  const auto bad = [&](std::string_view why) -> Result<std::string> {
    return fail(ErrorCode::kInvalidArgument,
                "--public-url '" + std::string(url) + "': " + std::string(why));
  };
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return bad("must start with http:// or https://");
  }
  for (char ch : url) {
    const auto u = static_cast<unsigned char>(ch);
    if (u <= 0x20 || u >= 0x7f || ch == '"' || ch == '<' || ch == '>' || ch == '\\' ||
        ch == '^' || ch == '`' || ch == '{' || ch == '|' || ch == '}')
      return bad("contains a space, a control, non-ASCII or unsafe character");
  }
  if (url.find_first_of("?#") != std::string_view::npos) return bad("has a query or fragment");
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos) return bad("has user information");
  std::string_view host = authority, port;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in the host");
    host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected text after the IPv6 address");
      port = after.substr(1);
    }
  } else if (const size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return bad("has no host");
  if (!host.starts_with("[") &&
      !std::all_of(host.begin(), host.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-';
      }))
    return bad("the host may hold letters, digits, '.' and '-' only");
  if (authority.find(':') != std::string_view::npos && !host.starts_with("[") && port.empty())
    return bad("empty port");
  if (!port.empty()) {
    auto p = detail::parse_int(port);
    if (!p || *p < 1 || *p > 65535) return bad("the port must be 1 to 65535");
  }
  std::string out(url);
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

namespace detail {

bool layer_visible(const Ctx& c, const core::MapLayer& layer) {
  if (!layer.is_entity()) return true;
  const auto* s = core::find_schema(layer.id);
  return s != nullptr && app::readable(*s, c.vis);
}

Response problem(const Ctx& c, ProblemKind kind, std::string_view detail,
                 const std::vector<FieldError>& errors) {
  return http::problem(kind, detail, c.path, c.req.request_id, errors);
}

Response bad_param(const Ctx& c, std::string_view name, std::string_view message) {
  std::string detail = "query parameter '" + std::string(name) + "': " + std::string(message);
  return problem(c, kBadRequest, detail,
                 {FieldError{"", std::string(name), std::string(message)}});
}

Response from_error(const Ctx& c, const Error& e) {
  if (e.code == ErrorCode::kInternal) {
    log_internal_error(c.error_log != nullptr ? *c.error_log : ErrorLog(), c.req, e.message);
    return problem(c, ErrorCode::kInternal, kInternalDetail);
  }
  // Database messages carry file paths: keep them out of answers.
  const std::string detail = e.code == ErrorCode::kIo ? "the database is unavailable, try again"
                                                      : e.message;
  return problem(c, e.code, detail, e.details);
}

Response json(std::string body, std::string_view type) {
  Response r;
  r.content_type = std::string(type);
  r.body = std::move(body);
  return r;
}

Response method_not_allowed(const Ctx& c, std::string_view allow) {
  Response r = problem(c, kMethodNotAllowed,
                       std::string(c.req.method) + " is not allowed here (allowed: " +
                           std::string(allow) + ")");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

const std::string* param(const Ctx& c, std::string_view name) {
  const std::string* found = nullptr;
  for (const auto& [k, v] : c.params)
    if (k == name) found = &v;
  return found;
}

const std::string* unknown_param(const Ctx& c, std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : c.params)
    if (std::find(known.begin(), known.end(), k) == known.end()) return &k;
  return nullptr;
}

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  if (s.empty() || s.size() > 18) return std::nullopt;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view s) {
  double v = 0;
  if (s.empty() || s.size() > 40) return std::nullopt;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<geo::Envelope> parse_bbox(std::string_view s, std::string& error) {
  std::vector<double> n;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string_view::npos) end = s.size();
    auto v = parse_double(s.substr(start, end - start));
    if (!v) {
      error = "expected minlon,minlat,maxlon,maxlat (numbers), got '" + std::string(s) + "'";
      return std::nullopt;
    }
    n.push_back(*v);
    if (n.size() > 6) break;
    start = end + 1;
  }
  if (n.size() != 4 && n.size() != 6) {
    error = "expected 4 numbers minlon,minlat,maxlon,maxlat";
    return std::nullopt;
  }
  geo::Envelope e = n.size() == 4 ? geo::Envelope{n[0], n[1], n[2], n[3]}
                                  : geo::Envelope{n[0], n[1], n[3], n[4]};
  if (e.min_lon < -180 || e.max_lon > 180 || e.min_lat < -90 || e.max_lat > 90) {
    error = "coordinates outside -180..180, -90..90";
    return std::nullopt;
  }
  if (e.min_lon > e.max_lon || e.min_lat > e.max_lat) {
    error = "inverted: min must not exceed max";
    return std::nullopt;
  }
  return e;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> seg;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) seg.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return seg;
}

}  // namespace detail

Router::Router(RouterOptions options, std::shared_ptr<auth::PrincipalResolver> resolver)
    : opt_(std::move(options)),
      cache_(std::make_shared<ResponseCache>(opt_.cache_bytes, opt_.cache_poll)),
      resolver_(std::move(resolver)) {
  if (!resolver_) resolver_ = std::make_shared<AnonymousResolver>();
  authn_ = dynamic_cast<auth::Authenticator*>(resolver_.get());
}

Response Router::handle(const Request& req, app::Application& app, Deferral* defer) const noexcept {
  try {
    Response r = route(req, app, defer);
    // a write through this process: cached responses built before it are stale
    if (req.method != "GET" && req.method != "HEAD" && req.method != "OPTIONS") cache_->bump();
    return r;
  } catch (const std::exception& e) {
    log_internal_error(opt_.error_log, req, e.what());
  } catch (...) {
    log_internal_error(opt_.error_log, req, "an exception of unknown type");
  }
  try {
    return problem(ErrorCode::kInternal, kInternalDetail, "", req.request_id);
  } catch (...) {
    Response r;
    r.status = 500;
    return r;
  }
}

Response Router::route(const Request& req, app::Application& app, Deferral* defer) const {
  app::Service& svc = app.service();
  const std::string_view target = req.target;
  const size_t qpos = target.find('?');
  const std::string_view raw_path = target.substr(0, qpos);
  const std::string_view raw_query = qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1);

  detail::Ctx c{req, app, {}, {}, {}, {}, {}, nullptr, {}, &opt_.error_log};
  auto bad = [&](std::string_view why) {
    return http::problem(kBadRequest, why, "", req.request_id);
  };
  if (raw_path.empty() || raw_path.front() != '/') return bad("the request target must be a path");
  // Encoded slashes, backslashes and dot segments are refused before anything looks at the path.
  std::string lower(raw_path);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (lower.find("%2f") != std::string::npos || lower.find("%5c") != std::string::npos ||
      lower.find("%00") != std::string::npos)
    return bad("encoded '/', '\\' or NUL in the path");
  auto path = decode(raw_path, false);
  if (!path) return bad("malformed percent-encoding in the path");
  if (path->find('\\') != std::string::npos || path->find('\0') != std::string::npos)
    return bad("'\\' in the path");
  for (auto s : detail::split_path(*path))
    if (s == ".." || s == ".") return bad("'.' or '..' segments are not allowed in the path");
  c.path = std::move(*path);

  size_t start = 0;
  while (start < raw_query.size()) {
    size_t end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    const std::string_view kv = raw_query.substr(start, end - start);
    start = end + 1;
    if (kv.empty()) continue;
    const size_t eq = kv.find('=');
    auto k = decode(kv.substr(0, eq), true);
    auto v = decode(eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1), true);
    if (!k || !v) return bad("malformed percent-encoding in the query");
    c.params.emplace_back(std::move(*k), std::move(*v));
  }
  if (c.params.size() > 64) return bad("too many query parameters");

  const auto seg = detail::split_path(c.path);
  const bool api = seg.size() == 2 && seg[0] == "api";
  const bool login = api && seg[1] == "login", logout = api && seg[1] == "logout";
  if (authn_ != nullptr) {
    c.authn = authn_;
    c.res = authn_->resolve_request(req.cookie, req.authorization);
    if (c.res.session_expired() && !login && !logout) {
      Response r = detail::problem(c, ErrorCode::kUnauthenticated, "session expired");
      r.headers.emplace_back("Set-Cookie", authn_->expired_cookie());
      return r;
    }
    if (c.res.state == auth::CredentialState::kInvalid && !req.authorization.empty() && !login)
      return detail::problem(c, ErrorCode::kUnauthenticated, "invalid, revoked or disabled API token");
    const bool write = req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
                       req.method == "DELETE";
    if (write && !login && c.res.state == auth::CredentialState::kValid && c.res.needs_csrf &&
        !authn_->check_csrf(c.res, req.csrf_token))
      return detail::problem(c, ErrorCode::kPermissionDenied, "missing or invalid CSRF token");
    c.who = c.res.principal;
  } else {
    c.who = resolver_->resolve(req.cookie, req.authorization);
    c.res.principal = c.who;
    c.res.state = c.who.authenticated() ? auth::CredentialState::kValid : auth::CredentialState::kNone;
  }
  c.vis.all_records = auth::allowed(c.who, auth::Action::kReadRecords);
  c.vis.personal = auth::allowed(c.who, auth::Action::kReadPersonal);
  c.vis.user = c.who.user;
  if (c.who.role == auth::Role::kProvincialPlanner)
    c.vis.province = c.who.province.empty() ? "--" : c.who.province;  // none: reads nothing
  if (c.who.role == auth::Role::kDonor) c.vis.funder = c.who.org;
  if (c.who.role == auth::Role::kOperatorDataOfficer && svc.operators_read_own_organisation())
    c.vis.organisation = c.who.org.empty() ? "--" : c.who.org;
  c.base_url = opt_.public_url.empty() ? "http://127.0.0.1" : opt_.public_url;

  const bool to_pool = defer != nullptr && expensive(seg, req.method);
  const auto deferred = [&] {
    defer->deferred = true;
    defer->client_key = c.who.authenticated() ? "user:" + c.who.user
                                              : "addr:" + client_limit_key(req.client_ip);
    return Response{};
  };
  if (!cache_->enabled() || (req.method != "GET" && req.method != "HEAD") ||
      !cacheable(seg, c.vis))
    return to_pool ? deferred() : dispatch(c, seg);
  // key: visibility class, the base of the links, the raw target (path and query)
  poll_generation(*cache_, svc);
  const uint64_t epoch = cache_->epoch();
  std::string key;
  key.reserve(c.base_url.size() + target.size() + 2);
  key += static_cast<char>('0' + (c.vis.all_records ? 1 : 0) + (c.vis.personal ? 2 : 0) +
                           (c.who.authenticated() ? 4 : 0));
  key += c.vis.scope_key();
  key += c.base_url;
  key += ' ';
  key += target;
  if (auto hit = cache_->get(key)) return from_cache(*hit, req);
  if (to_pool) return deferred();  // built on a worker (which then fills the cache)
  // one thread builds a missing response; the others wait for it (not build it again)
  bool leader = cache_->begin_fill(key);
  if (!leader) {
    cache_->wait_fill(key, std::chrono::seconds(10));
    if (auto hit = cache_->get(key)) return from_cache(*hit, req);
    leader = cache_->begin_fill(key);
  }
  struct FillGuard {
    ResponseCache& cache;
    const std::string& key;
    bool on;
    ~FillGuard() {
      if (on) cache.end_fill(key);
    }
  } guard{*cache_, key, leader};
  Response r = dispatch(c, seg);
  if (r.status != 200 || r.shared_body) return r;
  auto e = std::make_shared<CachedResponse>();
  e->epoch = epoch;
  e->content_type = r.content_type;
  for (const auto& [k, v] : r.headers)
    if (k == "ETag") e->etag = v;
  if (e->etag.empty()) {
    e->etag = etag_of(r.body);
    r.headers.emplace_back("ETag", e->etag);
  }
  e->headers = r.headers;
  auto body = std::make_shared<const std::string>(std::move(r.body));
  r.body.clear();
  e->body = body;
  const bool not_modified = etag_matches(req.if_none_match, e->etag);
  cache_->put(key, std::move(e));
  if (not_modified) {
    r.status = 304;
    return r;
  }
  r.shared_body = std::move(body);
  return r;
}

Response Router::dispatch(detail::Ctx& c, const std::vector<std::string_view>& seg) const {
  if (seg.size() >= 2 && seg[0] == "api") {
    if (seg[1] == "login" || seg[1] == "logout" || seg[1] == "me" || seg[1] == "users")
      return detail::handle_accounts(c, seg);
    if (seg[1] == "submissions" || seg[1] == "inbox") return detail::handle_workflow(c, seg);
  }
  if (!seg.empty() && seg[0] == "api") return detail::handle_api(c, seg);
  if (!seg.empty() && seg[0] == "ogc") return detail::handle_ogc(c, seg);
  if (!seg.empty() && seg[0] == "tiles") return handle_tiles(c, seg);
  return handle_static(c, opt_.static_dir);
}

}  // namespace reclaim::http
