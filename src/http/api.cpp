// The JSON API under /api: record listings, single records, history, status, OpenAPI.
#include <algorithm>
#include <cstdlib>
#include <functional>

#include "core/entities.hpp"
#include "http/json.hpp"
#include "http/routes.hpp"

namespace reclaim::http::detail {
namespace {

/// A stored JSON text as it is, or null when there is none (a history row's before/after).
void raw_or_null(JsonWriter& w, const std::string& json) {
  if (json.empty()) {
    w.null();
  } else {
    w.raw(json);
  }
}

Response not_found(const Ctx& c) { return problem(c, ErrorCode::kNotFound, "no such resource"); }

/// The entity of a path segment (plural or singular); nullptr for unknown and internal ones.
const core::EntitySchema* entity_of(std::string_view name) {
  auto s = app::entity_schema(std::string(name));
  return s ? *s : nullptr;
}

Response list(Ctx& c, const core::EntitySchema& s) {
  if (const auto* u = unknown_param(c, {"province", "status", "hazard_type", "contamination",
                                        "org", "type", "from", "to", "bbox", "sort", "limit",
                                        "cursor"}))
    return bad_param(c, *u, "unknown parameter");
  app::ListParams p;
  if (const auto* v = param(c, "province")) {
    if (v->empty()) return bad_param(c, "province", "empty value");
    p.admin_code = *v;
  }
  for (std::string_view f : {"status", "hazard_type", "contamination", "org", "type"})
    if (const auto* v = param(c, f)) {
      if (v->empty()) return bad_param(c, f, "empty value");
      p.equals.emplace_back(std::string(f), *v);
    }
  for (std::string_view f : {"from", "to"})
    if (const auto* v = param(c, f)) {
      auto d = parse_date(*v);
      if (!d) return bad_param(c, f, "not a date (YYYY-MM-DD): '" + *v + "'");
      (f == "from" ? p.from : p.to) = *d;
    }
  if (p.from && p.to && *p.from > *p.to) return bad_param(c, "from", "after 'to'");
  if (const auto* v = param(c, "bbox")) {
    std::string err;
    auto b = parse_bbox(*v, err);
    if (!b) return bad_param(c, "bbox", err);
    p.bbox = *b;
  }
  if (const auto* v = param(c, "sort")) p.sort = *v;
  if (const auto* v = param(c, "limit")) {
    auto n = parse_int(*v);
    if (!n || *n < 1 || *n > 1000) return bad_param(c, "limit", "an integer from 1 to 1000");
    p.limit = *n;
  }
  if (const auto* v = param(c, "cursor")) p.cursor = *v;

  auto page = c.app.service().list(s.name, p, c.vis);
  if (!page) return from_error(c, page.error());
  Response r;
  r.body.reserve(256 + page->records.size() * 512);
  JsonWriter w(r.body);
  w.begin_object().key("items").begin_array();
  for (const auto& rec : page->records) write_record(w, s, rec, c.vis);
  w.end_array().key("next_cursor");
  if (page->next_cursor.empty()) {
    w.null();
  } else {
    w.str(page->next_cursor);
  }
  w.end_object();
  return r;
}

Response history(Ctx& c, const core::EntitySchema& s, const std::string& id) {
  if (!c.vis.all_records)
    return problem(c, ErrorCode::kPermissionDenied, "your role may not read the history of records");
  auto h = c.app.service().history_visible(s.name, id, c.vis);
  if (!h) return from_error(c, h.error());
  if (h->empty()) return problem(c, ErrorCode::kNotFound, "no " + s.singular + " '" + id + "'");
  Response r;
  JsonWriter w(r.body);
  w.begin_object().key("entity").str(s.name).key("id").str(id).key("history").begin_array();
  for (const auto& e : *h) {
    w.begin_object()
        .key("seq").num(e.seq)
        .key("op").str(e.op)
        .key("at").str(e.at)
        .key("user").str(e.user)
        .key("file").str(e.file)
        .key("source_record").str(e.source_record)
        .key("reason").str(e.reason)
        .key("before");
    raw_or_null(w, e.before_json);
    w.key("after");
    raw_or_null(w, e.after_json);
    w.end_object();
  }
  w.end_array().end_object();
  return r;
}

/// GET /api/direct-edits[?limit=N]: national data managers and administrators.
Response direct_edits(Ctx& c) {
  const auto role = c.who.role;
  if (role != auth::Role::kNationalDataManager && role != auth::Role::kAdministrator)
    return problem(c,
                   c.who.authenticated() ? ErrorCode::kPermissionDenied
                                         : ErrorCode::kUnauthenticated,
                   "only national data managers and administrators review direct edits");
  if (const auto* u = unknown_param(c, {"limit"})) return bad_param(c, *u, "unknown parameter");
  int64_t limit = 100;
  if (const auto* v = param(c, "limit")) {
    char* end = nullptr;
    const long long n = std::strtoll(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || n < 1 || n > 10000)
      return bad_param(c, "limit", "not a whole number from 1 to 10000: '" + *v + "'");
    limit = n;
  }
  auto h = c.app.service().direct_edits(limit, c.vis);
  if (!h) return from_error(c, h.error());
  Response r;
  JsonWriter w(r.body);
  w.begin_object().key("items").begin_array();
  for (const auto& e : *h) {
    w.begin_object()
        .key("seq").num(e.seq)
        .key("entity").str(e.entity)
        .key("id").str(e.record_id)
        .key("op").str(e.op)
        .key("at").str(e.at)
        .key("reason").str(e.reason)
        .key("before");
    raw_or_null(w, e.before_json);
    w.key("after");
    raw_or_null(w, e.after_json);  // null after a delete, as in a record's history
    w.end_object();
  }
  w.end_array().end_object();
  return r;
}

}  // namespace

void write_record(JsonWriter& w, const core::EntitySchema& s, const core::Record& r,
                  const app::Visibility& vis) {
  w.begin_object();
  for (size_t i = 0; i < s.fields.size(); ++i) {
    const core::FieldDef& f = s.fields[i];
    if (!app::field_visible(f, vis)) continue;
    w.key(f.name).value(r.values[i], f.type);
  }
  w.key("version").num(r.version);
  if (s.geometry != core::GeometryKind::kNone) w.key("geometry").geometry(r.geometry);
  w.end_object();
}

Response handle_api(Ctx& c, const std::vector<std::string_view>& seg) {
  if (seg.size() < 2) return not_found(c);
  const bool get = c.req.method == "GET" || c.req.method == "HEAD";
  if (seg.size() == 2 && seg[1] == "status") {
    if (!get) return method_not_allowed(c, "GET, HEAD");
    if (const auto* u = unknown_param(c, {"as_of"})) return bad_param(c, *u, "unknown parameter");
    std::optional<Date> as_of;
    if (const auto* v = param(c, "as_of")) {
      auto d = parse_date(*v);
      if (!d) return bad_param(c, "as_of", "not a date (YYYY-MM-DD): '" + *v + "'");
      as_of = *d;
    }
    auto js = c.app.service().status_json(as_of, c.vis);
    if (!js) return from_error(c, js.error());
    return json(std::move(*js));
  }
  if (seg.size() == 2 && seg[1] == "direct-edits") {
    if (!get) return method_not_allowed(c, "GET, HEAD");
    return direct_edits(c);
  }
  if (seg.size() == 2 && seg[1] == "openapi.json") {
    if (!get) return method_not_allowed(c, "GET, HEAD");
    return json(openapi_document(c.base_url), "application/vnd.oai.openapi+json;version=3.0");
  }
  const core::EntitySchema* s = entity_of(seg[1]);
  if (s == nullptr || seg.size() > 4 || (seg.size() == 4 && seg[3] != "history"))
    return not_found(c);
  if (!get) return method_not_allowed(c, "GET, HEAD");
  if (!app::readable(*s, c.vis))
    return problem(c, ErrorCode::kPermissionDenied, "your role may not read " + s->name);
  if (seg.size() == 2) return list(c, *s);
  if (!c.params.empty()) return bad_param(c, c.params.front().first, "unknown parameter");
  const std::string id(seg[2]);
  if (seg.size() == 4) return history(c, *s, id);
  auto r = c.app.service().get_visible(s->name, id, c.vis);
  if (!r) return from_error(c, r.error());
  if (!*r) return problem(c, ErrorCode::kNotFound, "no " + s->singular + " '" + id + "'");
  Response out;
  JsonWriter w(out.body);
  write_record(w, *s, **r, c.vis);
  return out;
}

// ---- OpenAPI 3.0 ---------------------------------------------------------------------------

namespace {

void param_def(JsonWriter& w, std::string_view name, std::string_view in, std::string_view type,
               std::string_view desc, bool required = false) {
  w.begin_object().key("name").str(name).key("in").str(in).key("required").boolean(required);
  w.key("description").str(desc).key("schema").begin_object().key("type").str(type).end_object();
  w.end_object();
}

void limit_def(JsonWriter& w, int64_t max, int64_t dflt) {
  w.begin_object().key("name").str("limit").key("in").str("query").key("required").boolean(false);
  w.key("style").str("form").key("explode").boolean(false);
  w.key("schema").begin_object().key("type").str("integer").key("minimum").num(int64_t{1});
  w.key("maximum").num(max).key("default").num(dflt).end_object().end_object();
}

void responses(JsonWriter& w, std::string_view ok_type) {
  w.key("responses").begin_object();
  w.key("200").begin_object().key("description").str("OK").key("content").begin_object();
  w.key(ok_type).begin_object().key("schema").begin_object().key("type").str("object");
  w.end_object().end_object().end_object().end_object();
  for (std::string_view code : {"400", "401", "403", "404", "409", "422", "500"}) {
    w.key(code).begin_object().key("description").str("problem (RFC 9457)");
    w.key("content").begin_object().key("application/problem+json").begin_object();
    w.key("schema").begin_object().key("$ref").str("#/components/schemas/Problem").end_object();
    w.end_object().end_object().end_object();
  }
  w.end_object();
}

void get_op(JsonWriter& w, std::string_view id, std::string_view summary, std::string_view type,
            const std::function<void(JsonWriter&)>& params) {
  w.key("get").begin_object().key("operationId").str(id).key("summary").str(summary);
  w.key("parameters").begin_array();
  params(w);
  w.end_array();
  responses(w, type);
  w.end_object();
}

void post_op(JsonWriter& w, std::string_view id, std::string_view summary, bool body,
             const std::function<void(JsonWriter&)>& params) {
  w.key("post").begin_object().key("operationId").str(id).key("summary").str(summary);
  w.key("parameters").begin_array();
  params(w);
  w.end_array();
  if (body) {
    w.key("requestBody").begin_object().key("required").boolean(true).key("content").begin_object();
    w.key("application/json").begin_object().key("schema").begin_object().key("type").str("object");
    w.end_object().end_object().end_object().end_object();
  }
  responses(w, "application/json");
  w.end_object();
}

}  // namespace

std::string openapi_document(const std::string& base_url) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("openapi").str("3.0.3");
  w.key("info").begin_object().key("title").str("Reclaim API").key("version").str("0.1.0");
  w.key("description")
      .str("National mine action information (Cambodia): JSON API, OGC API – Features and "
           "vector tiles. Errors are RFC 9457 problem+json; see docs/api.md.");
  w.end_object();
  w.key("servers").begin_array().begin_object().key("url").str(base_url).end_object().end_array();
  w.key("paths").begin_object();

  w.key("/api/status").begin_object();
  get_op(w, "getStatus", "national and provincial status (reclaim status --json)",
         "application/json", [](JsonWriter& x) {
           param_def(x, "as_of", "query", "string", "as known on this date (YYYY-MM-DD)");
         });
  w.end_object();
  for (const auto& s : core::all_schemas()) {
    if (s.internal) continue;
    w.key("/api/" + s.name).begin_object();
    get_op(w, "list_" + s.name, "list " + s.name + " (filters, sort, cursor paging)",
           "application/json", [&](JsonWriter& x) {
             param_def(x, "province", "query", "string",
                       "admin code prefix: province (2), district (4), commune (6), village (8)");
             for (std::string_view f : {"status", "hazard_type", "contamination", "org", "type"})
               param_def(x, f, "query", "string", "comma-separated values");
             param_def(x, "from", "query", "string", "date, inclusive (main date field)");
             param_def(x, "to", "query", "string", "date, inclusive (main date field)");
             param_def(x, "bbox", "query", "string", "minlon,minlat,maxlon,maxlat");
             param_def(x, "sort", "query", "string", "field, '-' prefix for descending");
             limit_def(x, 1000, 100);
             param_def(x, "cursor", "query", "string", "next_cursor of the previous page");
           });
    w.end_object();
    w.key("/api/" + s.name + "/{id}").begin_object();
    get_op(w, "get_" + s.singular, "one " + s.singular, "application/json",
           [](JsonWriter& x) { param_def(x, "id", "path", "string", "record id", true); });
    w.end_object();
    w.key("/api/" + s.name + "/{id}/history").begin_object();
    get_op(w, "history_" + s.singular, "history of one " + s.singular, "application/json",
           [](JsonWriter& x) { param_def(x, "id", "path", "string", "record id", true); });
    w.end_object();
  }
  auto none = [](JsonWriter&) {};
  auto id_param = [](JsonWriter& x) { param_def(x, "id", "path", "string", "id", true); };
  // accounts and the workflow (docs/api.md)
  w.key("/api/login").begin_object();
  post_op(w, "login", "sign in: {user, password} -> session cookie + csrf_token", true, none);
  w.end_object();
  w.key("/api/logout").begin_object();
  post_op(w, "logout", "end the session", false, none);
  w.end_object();
  w.key("/api/me").begin_object();
  get_op(w, "me", "the signed-in user", "application/json", none);
  w.end_object();
  w.key("/api/users").begin_object();
  get_op(w, "listUsers", "user accounts (administrator)", "application/json", none);
  post_op(w, "addUser", "add an account {id, role, org, password, display_name}", true, none);
  w.end_object();
  for (std::string_view a : {"disable", "enable", "password", "token"}) {
    w.key("/api/users/{id}/" + std::string(a)).begin_object();
    post_op(w, std::string(a) + "User", std::string(a) + " (administrator; own password/token)",
            a == "password", id_param);
    w.end_object();
  }
  w.key("/api/submissions").begin_object();
  get_op(w, "listSubmissions", "field reports the caller may see", "application/json",
         [](JsonWriter& x) {
           param_def(x, "status", "query", "string", "submitted|verified|approved|rejected");
           param_def(x, "entity", "query", "string", "entity of the report");
         });
  post_op(w, "submit",
          "submit a report {entity, action, target_id, date_of_information, payload}", true, none);
  w.end_object();
  w.key("/api/submissions/{id}").begin_object();
  get_op(w, "getSubmission", "one report with its payload (ETag: version)", "application/json",
         id_param);
  w.end_object();
  w.key("/api/submissions/{id}/duplicates").begin_object();
  get_op(w, "duplicates", "duplicate candidates of a report", "application/json", id_param);
  w.end_object();
  for (std::string_view a : {"verify", "reject", "approve"}) {
    w.key("/api/submissions/{id}/" + std::string(a)).begin_object();
    post_op(w, a, std::string(a) + " a report (If-Match: version)", a != "verify", id_param);
    w.end_object();
  }
  w.key("/api/inbox").begin_object();
  get_op(w, "inbox", "reports waiting for the caller", "application/json", none);
  w.end_object();
  w.key("/ogc").begin_object();
  get_op(w, "getLandingPage", "OGC API – Features landing page", "application/json", none);
  w.end_object();
  w.key("/ogc/conformance").begin_object();
  get_op(w, "getConformanceDeclaration", "conformance classes", "application/json", none);
  w.end_object();
  w.key("/ogc/collections").begin_object();
  get_op(w, "getCollections", "feature collections", "application/json", none);
  w.end_object();
  w.key("/ogc/collections/{collectionId}").begin_object();
  get_op(w, "describeCollection", "one collection", "application/json", [](JsonWriter& x) {
    param_def(x, "collectionId", "path", "string", "collection id", true);
  });
  w.end_object();
  w.key("/ogc/collections/{collectionId}/items").begin_object();
  get_op(w, "getFeatures", "features of a collection", "application/geo+json",
         [](JsonWriter& x) {
           param_def(x, "collectionId", "path", "string", "collection id", true);
           limit_def(x, 10000, 100);
           param_def(x, "bbox", "query", "string", "minlon,minlat,maxlon,maxlat (CRS84)");
           param_def(x, "datetime", "query", "string",
                     "instant or interval (RFC 3339; '..' for an open end)");
           param_def(x, "offset", "query", "integer", "features to skip");
         });
  w.end_object();
  w.key("/ogc/collections/{collectionId}/items/{featureId}").begin_object();
  get_op(w, "getFeature", "one feature", "application/geo+json", [](JsonWriter& x) {
    param_def(x, "collectionId", "path", "string", "collection id", true);
    param_def(x, "featureId", "path", "string", "feature id", true);
  });
  w.end_object();
  w.key("/tiles/{layer}/{z}/{x}/{y}.mvt").begin_object();
  get_op(w, "getTile", "Mapbox vector tile", "application/vnd.mapbox-vector-tile",
         [](JsonWriter& x) {
           for (std::string_view p : {"layer", "z", "x", "y"})
             param_def(x, p, "path", "string", "tile address", true);
         });
  w.end_object();
  w.key("/tiles/{layer}.json").begin_object();
  get_op(w, "getTileJson", "TileJSON 3.0.0", "application/json", [](JsonWriter& x) {
    param_def(x, "layer", "path", "string", "tile layer", true);
  });
  w.end_object();
  w.end_object();  // paths

  w.key("components").begin_object().key("schemas").begin_object();
  w.key("Problem").begin_object().key("type").str("object").key("properties").begin_object();
  for (std::string_view f : {"type", "code", "title", "detail", "instance", "request_id"})
    w.key(f).begin_object().key("type").str("string").end_object();
  w.key("status").begin_object().key("type").str("integer").end_object();
  w.key("errors").begin_object().key("type").str("array").key("items").begin_object();
  w.key("type").str("object").key("properties").begin_object();
  for (std::string_view f : {"record", "field", "message"})
    w.key(f).begin_object().key("type").str("string").end_object();
  w.end_object().end_object().end_object();
  w.end_object().end_object();  // Problem
  w.end_object();  // schemas
  w.key("securitySchemes").begin_object();
  w.key("apiToken").begin_object().key("type").str("http").key("scheme").str("bearer").end_object();
  w.key("session").begin_object().key("type").str("apiKey").key("in").str("cookie");
  w.key("name").str("reclaim_session").end_object();
  w.end_object().end_object();  // securitySchemes, components
  w.end_object();
  return out;
}

}  // namespace reclaim::http::detail
