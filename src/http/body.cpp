// JSON request bodies (login, users, submissions): strict parsing, every problem named.
#include <algorithm>
#include <cctype>

#include "http/routes.hpp"

namespace reclaim::http::detail {
namespace {

bool is_json_type(std::string_view ct) {
  const size_t semi = ct.find(';');
  std::string_view base = ct.substr(0, semi);
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  std::string lower(base);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return lower == "application/json" ||
         (lower.starts_with("application/") && lower.ends_with("+json"));
}

const char* type_name(BodyField::Type t) {
  switch (t) {
    case BodyField::Type::kString: return "a string";
    case BodyField::Type::kInteger: return "an integer";
    case BodyField::Type::kBoolean: return "true or false";
    case BodyField::Type::kObject: return "an object";
  }
  return "a value";
}

bool has_type(const nlohmann::json& v, BodyField::Type t) {
  switch (t) {
    case BodyField::Type::kString: return v.is_string();
    case BodyField::Type::kInteger: return v.is_number_integer();
    case BodyField::Type::kBoolean: return v.is_boolean();
    case BodyField::Type::kObject: return v.is_object();
  }
  return false;
}

}  // namespace

std::optional<nlohmann::json> json_body(const Ctx& c, std::initializer_list<BodyField> fields,
                                        Response& error, bool empty_ok) {
  std::string_view body = c.req.body;
  const bool blank = std::all_of(body.begin(), body.end(), [](char ch) {
    return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t';
  });
  if (blank && empty_ok) return nlohmann::json::object();
  if (!is_json_type(c.req.content_type)) {
    error = problem(c, ErrorCode::kUnsupported,
                    "the request body must be JSON (Content-Type: application/json)");
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded()) {
    error = problem(c, kBadRequest, "the request body is not well-formed JSON");
    return std::nullopt;
  }
  if (!j.is_object()) {
    error = problem(c, ErrorCode::kInvalidArgument, "the request body must be a JSON object",
                    {FieldError{"body", "", "expected a JSON object"}});
    return std::nullopt;
  }
  std::vector<FieldError> errs;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const auto f = std::find_if(fields.begin(), fields.end(),
                                [&](const BodyField& b) { return b.name == it.key(); });
    if (f == fields.end()) {
      std::string known;
      for (const auto& b : fields) known += (known.empty() ? "" : ", ") + std::string(b.name);
      errs.push_back({"body", it.key(), "unknown field (expected: " + known + ")"});
    } else if (!it.value().is_null() && !has_type(it.value(), f->type)) {
      errs.push_back({"body", it.key(), std::string("must be ") + type_name(f->type)});
    }
  }
  for (const auto& f : fields) {
    const std::string name(f.name);
    if (f.required && (!j.contains(name) || j[name].is_null()))
      errs.push_back({"body", name, "required"});
  }
  if (!errs.empty()) {
    std::string detail = "invalid request body: " + errs.front().field + " " + errs.front().message;
    if (errs.size() > 1) detail += " (and " + std::to_string(errs.size() - 1) + " more)";
    error = problem(c, ErrorCode::kInvalidArgument, detail, errs);
    return std::nullopt;
  }
  // null means absent
  for (auto it = j.begin(); it != j.end();) it = it.value().is_null() ? j.erase(it) : std::next(it);
  return j;
}

std::optional<Response> require_signed_in(const Ctx& c) {
  if (c.who.authenticated()) return std::nullopt;
  Response r = problem(c, ErrorCode::kUnauthenticated,
                       "sign in (POST /api/login) or send an API token (Authorization: Bearer)");
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"reclaim\"");
  return r;
}

}  // namespace reclaim::http::detail
