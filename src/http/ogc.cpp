// OGC API – Features, Part 1 (Core, GeoJSON, OAS 3.0) under /ogc.

#include "common/date.hpp"
#include "core/entities.hpp"
#include "core/map_layers.hpp"
#include "geo/overlay.hpp"
#include "http/json.hpp"
#include "http/routes.hpp"

namespace reclaim::http::detail {
namespace {

constexpr int64_t kMaxLimit = 10000;
constexpr int64_t kDefaultLimit = 100;
constexpr std::string_view kCrs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
constexpr std::string_view kGeoJson = "application/geo+json";

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (std::isalnum(u) || ch == '-' || ch == '_' || ch == '.' || ch == '~' || ch == ',') {
      out += ch;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

std::string with_params(const std::string& url, const Params& params) {
  std::string out = url;
  char sep = '?';
  for (const auto& [k, v] : params) {
    out += sep;
    out += url_encode(k) + "=" + url_encode(v);
    sep = '&';
  }
  return out;
}

void link(JsonWriter& w, std::string_view href, std::string_view rel, std::string_view type,
          std::string_view title = {}) {
  w.begin_object().key("href").str(href).key("rel").str(rel).key("type").str(type);
  if (!title.empty()) w.key("title").str(title);
  w.end_object();
}

void collection_json(JsonWriter& w, const Ctx& c, const core::MapLayer& col) {
  const std::string base = c.base_url + "/ogc/collections/" + std::string(col.id);
  const geo::Envelope e = c.app.service().country_extent();
  w.begin_object().key("id").str(col.id).key("title").str(col.title);
  w.key("description").str(col.description).key("itemType").str("feature");
  w.key("crs").begin_array().str(kCrs84).end_array();
  w.key("storageCrs").str(kCrs84);
  w.key("extent").begin_object();
  w.key("spatial").begin_object().key("bbox").begin_array().begin_array();
  w.num(e.min_lon).num(e.min_lat).num(e.max_lon).num(e.max_lat);
  w.end_array().end_array().key("crs").str(kCrs84).end_object();
  w.key("temporal").begin_object().key("interval").begin_array().begin_array().null().null();
  w.end_array().end_array();
  w.key("trs").str("http://www.opengis.net/def/uom/ISO-8601/0/Gregorian").end_object();
  w.end_object();
  w.key("links").begin_array();
  link(w, base, "self", "application/json", "this collection");
  link(w, base + "/items", "items", kGeoJson, "the features");
  w.end_array().end_object();
}

/// RFC 3339 date or date-time; "" or ".." are open ends.
bool parse_instant(std::string_view s, std::optional<Date>& out) {
  if (s.empty() || s == "..") return true;
  auto d = parse_date(s);
  if (!d) return false;
  out = *d;
  return true;
}

void feature(JsonWriter& w, const core::EntitySchema& s, const core::Record& r,
             const app::Visibility& vis) {
  w.begin_object().key("type").str("Feature").key("id").str(r.id());
  w.key("geometry").geometry(r.geometry);
  w.key("properties").begin_object();
  for (size_t i = 0; i < s.fields.size(); ++i) {
    const core::FieldDef& f = s.fields[i];
    if (!app::field_visible(f, vis)) continue;
    w.key(f.name).value(r.values[i], f.type);
  }
  w.end_object().end_object();
}

void boundary_feature(JsonWriter& w, const core::AdminBoundary& b) {
  w.begin_object().key("type").str("Feature").key("id").str(b.code);
  w.key("geometry").geometry(b.geometry);
  w.key("properties").begin_object().key("code").str(b.code);
  w.key("level").num(static_cast<int64_t>(b.level)).end_object().end_object();
}

Response items(Ctx& c, const core::MapLayer& col) {
  if (const auto* u = unknown_param(c, {"limit", "offset", "bbox", "bbox-crs", "datetime",
                                        "cursor", "f", "province", "status", "hazard_type",
                                        "contamination", "org", "type"}))
    return bad_param(c, *u, "unknown parameter");
  if (const auto* f = param(c, "f"); f != nullptr && f->find("json") == std::string::npos)
    return bad_param(c, "f", "only JSON (GeoJSON) is served");
  if (const auto* v = param(c, "bbox-crs"); v != nullptr && *v != kCrs84)
    return bad_param(c, "bbox-crs", "only CRS84 is supported");
  int64_t limit = kDefaultLimit;
  if (const auto* v = param(c, "limit")) {
    auto n = parse_int(*v);
    if (!n || *n < 1) return bad_param(c, "limit", "a positive integer");
    limit = std::min(*n, kMaxLimit);  // larger values are served as the maximum
  }
  int64_t offset = 0;
  if (const auto* v = param(c, "offset")) {
    auto n = parse_int(*v);
    if (!n || *n < 0) return bad_param(c, "offset", "a non-negative integer");
    offset = *n;
  }
  std::optional<geo::Envelope> bbox;
  if (const auto* v = param(c, "bbox")) {
    std::string err;
    bbox = parse_bbox(*v, err);
    if (!bbox) return bad_param(c, "bbox", err);
  }
  app::ListParams p;
  if (const auto* v = param(c, "datetime")) {
    const size_t slash = v->find('/');
    bool ok = true;
    if (slash == std::string::npos) {
      ok = !v->empty() && *v != ".." && parse_instant(*v, p.from);
      p.to = p.from;
    } else {
      ok = parse_instant(std::string_view(*v).substr(0, slash), p.from) &&
           parse_instant(std::string_view(*v).substr(slash + 1), p.to) &&
           v->find('/', slash + 1) == std::string::npos;
    }
    if (!ok) return bad_param(c, "datetime", "an RFC 3339 date or interval ('a/b', '../b', 'a/..')");
    if (p.from && p.to && *p.from > *p.to) return bad_param(c, "datetime", "the interval ends before it starts");
  }

  const std::string items_url = c.base_url + "/ogc/collections/" + std::string(col.id) + "/items";
  Response r;
  r.content_type = std::string(kGeoJson);
  JsonWriter w(r.body);
  w.begin_object().key("type").str("FeatureCollection").key("features").begin_array();
  int64_t matched = 0, returned = 0;
  std::string next;

  if (!col.is_entity()) {
    if (p.from || p.to) return bad_param(c, "datetime", "boundaries have no date");
    for (std::string_view f : {"province", "status", "hazard_type", "contamination", "org", "type", "cursor"})
      if (param(c, f) != nullptr) return bad_param(c, f, "does not apply to admin_boundaries");
    auto b = c.app.service().boundaries();
    if (!b) return from_error(c, b.error());
    for (const auto& ab : **b) {
      if (bbox && !geo::intersects_box(ab.geometry, *bbox)) continue;
      if (matched++ < offset || returned >= limit) continue;
      boundary_feature(w, ab);
      ++returned;
    }
    if (offset + returned < matched) {
      Params np;
      np.emplace_back("limit", std::to_string(limit));
      np.emplace_back("offset", std::to_string(offset + returned));
      if (const auto* v = param(c, "bbox")) np.emplace_back("bbox", *v);
      next = with_params(items_url, np);
    }
  } else {
    const core::EntitySchema& s = core::schema(col.id);
    if (const auto* v = param(c, "province")) p.admin_code = v->empty() ? std::string("-") : *v;
    for (std::string_view f : {"status", "hazard_type", "contamination", "org", "type"})
      if (const auto* v = param(c, f)) p.equals.emplace_back(std::string(f), *v);
    p.bbox = bbox;
    p.limit = limit;
    p.offset = offset;
    if (const auto* v = param(c, "cursor")) p.cursor = *v;
    p.with_total = true;
    auto page = c.app.service().list(s.name, p, c.vis);
    if (!page) {
      const Error& e = page.error();
      if (e.code == ErrorCode::kInvalidArgument && !e.details.empty())
        return bad_param(c, e.details.front().field, e.details.front().message);
      return from_error(c, e);
    }
    for (const auto& rec : page->records) feature(w, s, rec, c.vis);
    matched = page->total;
    returned = static_cast<int64_t>(page->records.size());
    if (!page->next_cursor.empty()) {
      Params np;
      for (const auto& kv : c.params)
        if (kv.first != "cursor" && kv.first != "offset" && kv.first != "limit") np.push_back(kv);
      np.emplace_back("limit", std::to_string(limit));
      np.emplace_back("cursor", page->next_cursor);
      next = with_params(items_url, np);
    }
  }
  w.end_array();
  w.key("numberMatched").num(matched).key("numberReturned").num(returned);
  w.key("timeStamp").str(utc_now());
  w.key("links").begin_array();
  link(w, with_params(items_url, c.params), "self", kGeoJson, "this page");
  if (!next.empty()) link(w, next, "next", kGeoJson, "the next page");
  link(w, c.base_url + "/ogc/collections/" + std::string(col.id), "collection",
       "application/json", "the collection");
  w.end_array().end_object();
  return r;
}

Response item(Ctx& c, const core::MapLayer& col, const std::string& fid) {
  if (const auto* u = unknown_param(c, {"f"})) return bad_param(c, *u, "unknown parameter");
  Response r;
  r.content_type = std::string(kGeoJson);
  JsonWriter w(r.body);
  if (!col.is_entity()) {
    auto b = c.app.service().boundaries();
    if (!b) return from_error(c, b.error());
    for (const auto& ab : **b)
      if (ab.code == fid) {
        boundary_feature(w, ab);
        return r;
      }
    return problem(c, ErrorCode::kNotFound, "no feature '" + fid + "' in admin_boundaries");
  }
  const core::EntitySchema& s = core::schema(col.id);
  auto rec = c.app.service().get_visible(s.name, fid, c.vis);
  if (!rec) return from_error(c, rec.error());
  if (!*rec) return problem(c, ErrorCode::kNotFound, "no feature '" + fid + "' in " + s.name);
  feature(w, s, **rec, c.vis);
  return r;
}

}  // namespace

Response handle_ogc(Ctx& c, const std::vector<std::string_view>& seg) {
  const bool get = c.req.method == "GET" || c.req.method == "HEAD";
  const std::string base = c.base_url + "/ogc";
  auto only_f = [&]() -> const std::string* { return unknown_param(c, {"f"}); };
  if (seg.size() == 1) {
    if (!get) return method_not_allowed(c, "GET, HEAD");
    if (const auto* u = only_f()) return bad_param(c, *u, "unknown parameter");
    Response r;
    JsonWriter w(r.body);
    w.begin_object().key("title").str("Reclaim — national mine action data (Cambodia)");
    w.key("description").str("OGC API – Features: hazards, land release, EO finds, accidents, "
                             "administrative boundaries");
    w.key("links").begin_array();
    link(w, base, "self", "application/json", "this document");
    link(w, c.base_url + "/api/openapi.json", "service-desc",
         "application/vnd.oai.openapi+json;version=3.0", "the API definition");
    link(w, base + "/conformance", "conformance", "application/json", "conformance classes");
    link(w, base + "/collections", "data", "application/json", "the collections");
    w.end_array().end_object();
    return r;
  }
  if (seg.size() == 2 && seg[1] == "conformance") {
    if (!get) return method_not_allowed(c, "GET, HEAD");
    if (const auto* u = only_f()) return bad_param(c, *u, "unknown parameter");
    Response r;
    JsonWriter w(r.body);
    w.begin_object().key("conformsTo").begin_array();
    for (std::string_view cls : {"core", "geojson", "oas30"})
      w.str("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/" + std::string(cls));
    w.end_array().end_object();
    return r;
  }
  if (seg.size() < 2 || seg[1] != "collections" || seg.size() > 5 ||
      (seg.size() >= 4 && seg[3] != "items"))
    return problem(c, ErrorCode::kNotFound, "no such resource");
  if (!get) return method_not_allowed(c, "GET, HEAD");
  if (seg.size() == 2) {
    if (const auto* u = only_f()) return bad_param(c, *u, "unknown parameter");
    Response r;
    JsonWriter w(r.body);
    w.begin_object().key("links").begin_array();
    link(w, base + "/collections", "self", "application/json", "this document");
    w.end_array().key("collections").begin_array();
    for (const auto& col : core::map_layers())
      if (layer_visible(c, col)) collection_json(w, c, col);
    w.end_array().end_object();
    return r;
  }
  const core::MapLayer* col = core::find_map_layer(seg[2]);
  if (col == nullptr)
    return problem(c, ErrorCode::kNotFound, "no collection '" + std::string(seg[2]) + "'");
  if (!layer_visible(c, *col))
    return problem(c, ErrorCode::kPermissionDenied, "your role may not read " + std::string(col->id));
  if (seg.size() == 3) {
    if (const auto* u = only_f()) return bad_param(c, *u, "unknown parameter");
    Response r;
    JsonWriter w(r.body);
    collection_json(w, c, *col);
    return r;
  }
  if (seg.size() == 4) return items(c, *col);
  return item(c, *col, std::string(seg[4]));
}

}  // namespace reclaim::http::detail
