// The facade's read use cases for the API: record listings with filters, cursor paging and the
// caller's visibility (released land only for the public, personal fields only for the roles
// allowed, every personal read logged), public status under the disclosure rule, tiles.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/service.hpp"
#include "app/service_cache.hpp"
#include "core/entities.hpp"
#include "core/hazard_status.hpp"
#include "core/map_layers.hpp"
#include "workflow/access_log.hpp"

#include "tiles/mvt.hpp"

namespace reclaim::app {
namespace {

Error param_error(std::string_view param, std::string message) {
  std::string m = std::string(param) + ": " + message;
  return Error{ErrorCode::kInvalidArgument, m, {FieldError{"", std::string(param), message}}};
}

// ---- the opaque cursor: base64url of "sort \x1f a|d \x1f type \x1f value \x1f id"

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string b64url(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kB64[(acc >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kB64[(acc << (6 - bits)) & 0x3F];
  return out;
}

std::optional<std::string> unb64url(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::char_traits<char>::find(kB64, 64, c);
    if (p == nullptr) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t i = s.find(sep, start);
    parts.push_back(s.substr(start, i == std::string_view::npos ? s.npos : i - start));
    if (i == std::string_view::npos) return parts;
    start = i + 1;
  }
}

std::string encode_cursor(const std::string& sort, bool desc, const core::Value& v,
                          const std::string& id) {
  std::string s = sort + '\x1f' + (desc ? 'd' : 'a') + '\x1f';
  if (const auto* i = std::get_if<int64_t>(&v)) {
    s += "i\x1f" + std::to_string(*i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    char b[40];
    std::snprintf(b, sizeof b, "%.17g", *d);
    s += std::string("r\x1f") + b;
  } else if (const auto* t = std::get_if<std::string>(&v)) {
    s += "t\x1f" + *t;
  } else {
    s += "n\x1f";
  }
  return b64url(s + '\x1f' + id);
}

Result<storage::Query::After> decode_cursor(std::string_view token, const std::string& sort,
                                            bool desc) {
  auto bad = [] { return fail(param_error("cursor", "not a cursor of this listing")); };
  if (token.size() > 4096) return bad();
  auto raw = unb64url(token);
  if (!raw) return bad();
  auto parts = split(*raw, '\x1f');
  if (parts.size() != 5 || parts[0] != sort || parts[1] != (desc ? "d" : "a")) return bad();
  storage::Query::After a;
  a.id = std::string(parts[4]);
  const std::string val(parts[3]);
  try {
    if (parts[2] == "i") {
      size_t n = 0;
      a.sort_value = static_cast<int64_t>(std::stoll(val, &n));
      if (n != val.size()) return bad();
    } else if (parts[2] == "r") {
      size_t n = 0;
      a.sort_value = std::stod(val, &n);
      if (n != val.size()) return bad();
    } else if (parts[2] == "t") {
      a.sort_value = val;
    } else if (parts[2] != "n") {
      return bad();
    }
  } catch (const std::exception&) {
    return bad();
  }
  return a;
}

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// The field a named filter applies to in this entity, or "".
std::string filter_field(const core::EntitySchema& s, std::string_view filter) {
  if (filter == "org") {
    if (s.index_of("org") >= 0) return "org";
    if (s.index_of("recording_org") >= 0) return "recording_org";
    return "";
  }
  for (std::string_view f : {"status", "hazard_type", "contamination", "type"})
    if (filter == f) return s.index_of(f) >= 0 ? std::string(f) : "";
  return "";
}

void hide_fields(const core::EntitySchema& s, core::Record& r, const Visibility& vis) {
  for (size_t i = 0; i < s.fields.size(); ++i)
    if (!field_visible(s.fields[i], vis)) r.values[i] = std::monostate{};
}

bool has_personal(const core::EntitySchema& s) {
  return std::any_of(s.fields.begin(), s.fields.end(),
                     [](const core::FieldDef& f) { return f.personal; });
}

/// One access_log entry for a read of personal data through the API: the one implementation,
/// workflow::log_personal_access (also used by the workflow's own reads).
Result<void> log_read(storage::Store& store, const Visibility& vis, const std::string& entity,
                      const std::string& record_ids, const std::string& purpose) {
  auth::Principal who;
  who.user = vis.user;
  return workflow::log_personal_access(store, who, entity, record_ids.substr(0, 4000), purpose,
                                       auth::Clock{});
}

}  // namespace

std::string Visibility::scope_key() const {
  if (!province.empty()) return "province:" + province;
  if (!organisation.empty()) return "organisation:" + organisation;
  if (!funder.empty()) return "funder:" + funder;
  return "";
}

namespace {
bool reference_list(const core::EntitySchema& s) noexcept {
  return s.name == core::entity::kDevices || s.name == core::entity::kOrganisations;
}
/// The field an organisation-scoped operator's reads are filtered on ("" if none).
std::string_view organisation_field(const core::EntitySchema& s) noexcept {
  if (s.name == core::entity::kHazards) return "assigned_org";
  if (s.name == core::entity::kActivities || s.name == core::entity::kEoreSessions ||
      s.name == core::entity::kQmVisits)
    return "org";
  return "";
}
}  // namespace

bool readable(const core::EntitySchema& s, const Visibility& vis) noexcept {
  if (s.internal) return false;
  if (!vis.province.empty()) return reference_list(s) || s.index_of("province_code") >= 0;
  if (!vis.organisation.empty()) return reference_list(s) || !organisation_field(s).empty();
  if (vis.all_records) return true;
  if (s.name == core::entity::kFunding) return !vis.funder.empty();
  return s.name == core::entity::kHazards || reference_list(s);
}

bool field_visible(const core::FieldDef& f, const Visibility& vis) noexcept {
  if (f.secret) return false;
  return !f.personal || vis.personal;
}

const core::FieldDef* main_date_field(const core::EntitySchema& s) noexcept {
  for (std::string_view name : {"date", "end_date", "date_recorded"})
    if (int i = s.index_of(name); i >= 0) return &s.fields[static_cast<size_t>(i)];
  for (const auto& f : s.fields)
    if (f.type == core::FieldType::kDate) return &f;
  return nullptr;
}

bool Service::hazards_published() {
  auto m = reader().meta("publish_hazards");
  return m && *m && **m == "1";
}

bool Service::operators_read_own_organisation() {
  auto m = reader().meta(kOperatorReadsMeta);
  return m && *m && **m == "organisation";
}

namespace {
/// The conditions the caller's visibility adds to every read of an entity: one rule for lists
/// and tiles (the public sees released hazards only, unless the administrator publishes them).
std::vector<storage::Condition> visibility_where(Service& svc, const core::EntitySchema& s,
                                                 const Visibility& vis) {
  std::vector<storage::Condition> where;
  using Op = storage::Condition::Op;
  if (!vis.province.empty() && s.index_of("province_code") >= 0)
    where.push_back({"province_code", Op::kAnyOf, {vis.province}});
  if (!vis.organisation.empty() && !organisation_field(s).empty())
    where.push_back({std::string(organisation_field(s)), Op::kAnyOf, {vis.organisation}});
  if (!vis.funder.empty() && s.name == core::entity::kFunding)
    where.push_back({"donor", Op::kAnyOf, {vis.funder}});
  if (!vis.all_records && s.name == core::entity::kHazards && !svc.hazards_published()) {
    std::vector<core::Value> released;
    for (auto& name : core::released_status_names()) released.emplace_back(std::move(name));
    where.push_back({"status", Op::kAnyOf, std::move(released)});
  }
  return where;
}

/// Does one record pass the conditions of visibility_where (all of them kAnyOf on text)?
bool passes(const core::EntitySchema& s, const core::Record& r,
            const std::vector<storage::Condition>& where) {
  for (const auto& c : where) {
    const std::string v = core::get_text(s, r, c.field);
    if (std::none_of(c.values.begin(), c.values.end(), [&](const core::Value& a) {
          const auto* t = std::get_if<std::string>(&a);
          return t != nullptr && *t == v;
        }))
      return false;
  }
  return true;
}
}  // namespace

Result<RecordPage> Service::list(const std::string& entity, const ListParams& p,
                                 const Visibility& vis) {
  auto sp = entity_schema(entity);
  if (!sp) return fail(param_error("entity", sp.error().message));
  const core::EntitySchema& s = **sp;
  storage::Query q;

  if (!p.admin_code.empty()) {
    const auto n = p.admin_code.size();
    if (!is_digits(p.admin_code) || (n != 2 && n != 4 && n != 6 && n != 8))
      return fail(param_error("province", "'" + p.admin_code +
                                              "' is not an admin code (2, 4, 6 or 8 digits)"));
    if (n == 2 && s.index_of("province_code") >= 0) {
      q.where.push_back({"province_code", storage::Condition::Op::kAnyOf, {p.admin_code}});
    } else if (s.index_of("village_code") >= 0) {
      q.where.push_back({"village_code", storage::Condition::Op::kPrefix, {p.admin_code}});
    } else {
      return fail(param_error("province", "does not apply to " + s.name));
    }
  }
  for (const auto& [name, value] : p.equals) {
    const std::string field = filter_field(s, name);
    if (field.empty()) return fail(param_error(name, "does not apply to " + s.name));
    const core::FieldDef& f = s.fields[static_cast<size_t>(s.index_of(field))];
    storage::Condition c{field, storage::Condition::Op::kAnyOf, {}};
    for (auto v : split(value, ',')) {
      if (v.empty()) return fail(param_error(name, "empty value"));
      if (f.type == core::FieldType::kEnum &&
          std::find(f.allowed.begin(), f.allowed.end(), v) == f.allowed.end()) {
        std::string allowed;
        for (const auto& a : f.allowed) allowed += (allowed.empty() ? "" : ", ") + a;
        return fail(param_error(name, "unknown value '" + std::string(v) + "' (allowed: " +
                                          allowed + ")"));
      }
      c.values.emplace_back(std::string(v));
    }
    q.where.push_back(std::move(c));
  }
  if (p.from || p.to) {
    const core::FieldDef* d = main_date_field(s);
    if (d == nullptr) return fail(param_error(p.from ? "from" : "to", "no date in " + s.name));
    if (p.from) q.where.push_back({d->name, storage::Condition::Op::kGe, {p.from->iso()}});
    if (p.to) q.where.push_back({d->name, storage::Condition::Op::kLe, {p.to->iso()}});
  }
  if (p.bbox) {
    if (s.geometry == core::GeometryKind::kNone)
      return fail(param_error("bbox", s.name + " have no geometry"));
    q.bbox = p.bbox;
  }
  for (auto& c : visibility_where(*this, s, vis)) q.where.push_back(std::move(c));

  std::string sort = p.sort;
  q.descending = !sort.empty() && sort[0] == '-';
  if (q.descending) sort.erase(0, 1);
  if (sort.empty()) sort = s.id_field().name;
  const int si = s.index_of(sort);
  if (si < 0 || !field_visible(s.fields[static_cast<size_t>(si)], vis))
    return fail(param_error("sort", "no field '" + sort + "' in " + s.name));
  q.sort_field = sort;
  if (!p.cursor.empty()) {
    auto a = decode_cursor(p.cursor, sort, q.descending);
    if (!a) return fail(a.error());
    q.after = std::move(*a);
  }
  q.limit = p.limit;
  q.offset = p.offset;
  q.with_total = p.with_total;

  auto page = reader().query(s, q);
  if (!page) return fail(page.error());
  RecordPage out;
  out.schema = &s;
  out.total = page->total;
  out.records = std::move(page->records);
  if (page->more && !out.records.empty()) {
    const core::Record& last = out.records.back();
    out.next_cursor = encode_cursor(sort, q.descending, last.values[static_cast<size_t>(si)],
                                    last.id());
  }
  std::string ids;
  for (auto& r : out.records) {
    hide_fields(s, r, vis);
    if (vis.personal && has_personal(s)) ids += (ids.empty() ? "" : ",") + r.id();
  }
  if (vis.personal && has_personal(s) && !out.records.empty())
    if (auto r = log_read(*store_, vis, s.name, ids, "api list"); !r) return fail(r.error());
  return out;
}

Result<std::optional<core::Record>> Service::get_visible(const std::string& entity,
                                                         const std::string& id,
                                                         const Visibility& vis) {
  auto sp = entity_schema(entity);
  if (!sp) return fail(sp.error());
  const core::EntitySchema& s = **sp;
  if (!readable(s, vis)) return std::optional<core::Record>{};
  auto r = reader().get(s, id);
  if (!r) return fail(r.error());
  if (!*r) return r;
  if (!passes(s, **r, visibility_where(*this, s, vis))) return std::optional<core::Record>{};
  hide_fields(s, **r, vis);
  if (vis.personal && has_personal(s))
    if (auto l = log_read(*store_, vis, s.name, id, "api get"); !l) return fail(l.error());
  return r;
}

Result<std::vector<storage::HistoryEntry>> Service::history_visible(const std::string& entity,
                                                                    const std::string& id,
                                                                    const Visibility& vis) {
  auto sp = entity_schema(entity);
  if (!sp) return fail(sp.error());
  const core::EntitySchema& s = **sp;
  if (!vis.scope_key().empty()) {  // a scoped reader sees the history of what it may read now
    if (!readable(s, vis)) return std::vector<storage::HistoryEntry>{};
    auto now = reader().get(s, id);
    if (!now) return fail(now.error());
    if (!*now || !passes(s, **now, visibility_where(*this, s, vis)))
      return std::vector<storage::HistoryEntry>{};
  }
  auto h = reader().history(s, id);
  if (!h) return fail(h.error());
  std::vector<std::string> hidden;
  for (const auto& f : s.fields)
    if (!field_visible(f, vis)) hidden.push_back(f.name);
  if (!hidden.empty()) {
    for (auto& e : *h) {
      for (std::string* js : {&e.before_json, &e.after_json}) {
        if (js->empty()) continue;
        auto j = nlohmann::ordered_json::parse(*js, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
          *js = "{}";
          continue;
        }
        for (const auto& name : hidden) j.erase(name);
        *js = j.dump();
      }
    }
  } else if (vis.personal && has_personal(s) && !h->empty()) {
    if (auto l = log_read(*store_, vis, s.name, id, "api history"); !l) return fail(l.error());
  }
  return h;
}

Result<std::vector<storage::HistoryEntry>> Service::direct_edits(int64_t limit,
                                                                 const Visibility& vis) {
  auto h = reader().direct_edits(limit);
  if (!h) return fail(h.error());
  for (auto& e : *h) {
    const core::EntitySchema* s = core::find_schema(e.entity);
    std::vector<std::string> hidden;
    if (s != nullptr) {
      for (const auto& f : s->fields)
        if (!field_visible(f, vis)) hidden.push_back(f.name);
    }
    if (s != nullptr && hidden.empty()) continue;
    for (std::string* js : {&e.before_json, &e.after_json}) {
      if (js->empty()) continue;
      auto j = nlohmann::ordered_json::parse(*js, nullptr, false);
      if (j.is_discarded() || !j.is_object() || s == nullptr) {
        *js = "{}";
        continue;
      }
      for (const auto& name : hidden) j.erase(name);
      *js = j.dump();
    }
  }
  return h;
}

Result<std::string> Service::status_json(std::optional<Date> as_of, const Visibility& vis) {
  auto st = status(as_of);
  if (!st) return fail(st.error());
  // Official output (roles that read records) in full; the public view under the one
  // disclosure rule (analysis/disclosure.hpp): small counts and their complements hidden.
  return analysis::status_to_json(
      *st, vis.all_records && vis.scope_key().empty() ? analysis::Audience::kOfficial
                                                       : analysis::Audience::kPublic);
}

Result<const std::vector<core::AdminBoundary>*> Service::boundaries() {
  if (!cache_->boundaries) {
    auto b = reader().admin_boundaries();
    if (!b) return fail(b.error());
    cache_->boundaries = std::move(*b);
  }
  return &*cache_->boundaries;
}

geo::Envelope Service::country_extent() {
  if (cache_->extent) return *cache_->extent;
  geo::Envelope e{102.3, 10.4, 107.7, 14.7};  // Cambodia
  auto b = boundaries();
  if (b && !(*b)->empty()) {
    bool first = true;
    for (const auto& ab : **b) {
      if (ab.geometry.empty()) continue;
      const geo::Envelope g = geo::envelope(ab.geometry);
      if (first) {
        e = g;
        first = false;
      } else {
        e = {std::min(e.min_lon, g.min_lon), std::min(e.min_lat, g.min_lat),
             std::max(e.max_lon, g.max_lon), std::max(e.max_lat, g.max_lat)};
      }
    }
  }
  cache_->extent = e;
  return e;
}

namespace {
/// The properties a tile of the layer carries; empty for an unknown layer.
const std::vector<std::string>& tile_props(std::string_view layer) {
  static const std::vector<std::string> kNone;
  const core::MapLayer* l = core::find_map_layer(layer);
  return l != nullptr ? l->tile_fields : kNone;
}
}  // namespace

std::vector<std::string> Service::tile_fields(const std::string& layer) {
  return tile_props(layer);
}

Result<std::string> Service::tilejson(const std::string& layer, const std::string& tiles_url) {
  const auto& props = tile_props(layer);
  if (props.empty()) return fail(ErrorCode::kNotFound, "no tile layer '" + layer + "'");
  return tiles::tilejson(layer, tiles_url, props, 0, 16, country_extent());
}

Result<std::string> Service::tile(const std::string& layer, int z, uint32_t x, uint32_t y,
                                  const Visibility& vis) {
  const tiles::TileId t{z, x, y};
  if (!tiles::valid(t)) return fail(ErrorCode::kNotFound, "no tile " + std::to_string(z) + "/" +
                                                              std::to_string(x) + "/" +
                                                              std::to_string(y));
  const geo::Envelope env = tiles::tile_bounds(t, 64.0 / 4096.0);
  const auto& props = tile_props(layer);
  if (props.empty()) return fail(ErrorCode::kNotFound, "no tile layer '" + layer + "'");
  std::vector<tiles::Feature> features;
  if (layer == core::kAdminBoundariesLayer) {
    auto b = boundaries();
    if (!b) return fail(b.error());
    uint64_t fid = 0;
    for (const auto& ab : **b) {
      ++fid;
      if (ab.geometry.empty() || !geo::envelope(ab.geometry).intersects(env)) continue;
      tiles::Feature f;
      f.id = fid;
      f.geometry = &ab.geometry;
      f.properties.emplace_back("code", ab.code);
      f.properties.emplace_back("level", static_cast<int64_t>(ab.level));
      features.push_back(std::move(f));
    }
    return tiles::encode_tile(t, layer, features);
  }
  const core::EntitySchema* s = core::find_schema(layer);
  if (s == nullptr || !readable(*s, vis))
    return fail(ErrorCode::kNotFound, "no tile layer '" + layer + "'");
  {  // a back end that encodes tiles itself (PostgreSQL: ST_AsMVT), with the same rules
    std::vector<std::string> visible;
    for (const auto& name : props)
      if (const int i = s->index_of(name);
          i >= 0 && field_visible(s->fields[static_cast<size_t>(i)], vis))
        visible.push_back(name);
    auto native = reader().mvt_tile(*s, z, x, y, visible, visibility_where(*this, *s, vis));
    if (!native) return fail(native.error());
    if (*native) return std::move(**native);
  }
  ListParams p;
  p.bbox = env;
  p.limit = 1'000'000;
  auto page = list(layer, p, vis);
  if (!page) return fail(page.error());
  features.reserve(page->records.size());
  uint64_t n = 0;
  std::vector<int> idx;
  for (const auto& name : props) idx.push_back(s->index_of(name));
  for (const auto& r : page->records) {
    tiles::Feature f;
    f.id = ++n;
    f.geometry = &r.geometry;
    for (size_t i = 0; i < props.size(); ++i) {
      if (idx[i] < 0) continue;
      const core::Value& v = r.values[static_cast<size_t>(idx[i])];
      if (!std::holds_alternative<std::monostate>(v)) f.properties.emplace_back(props[i], v);
    }
    features.push_back(std::move(f));
  }
  return tiles::encode_tile(t, layer, features);
}

}  // namespace reclaim::app
