#pragma once
// Shared by the route files (router.cpp, api.cpp, ogc.cpp): the request context and helpers.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/application.hpp"
#include "auth/authenticator.hpp"
#include "auth/policy.hpp"
#include "core/map_layers.hpp"
#include "http/json.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

namespace reclaim::http::detail {

using Params = std::vector<std::pair<std::string, std::string>>;

struct Ctx {
  const Request& req;
  app::Application& app;  ///< this thread's: its service, accounts and workflow
  auth::Principal who;
  app::Visibility vis;
  std::string path;      ///< decoded path
  Params params;         ///< decoded query parameters, in order
  std::string base_url;  ///< "http://host:port", for links
  auth::Authenticator* authn = nullptr;  ///< null when the server has no accounts (tests)
  auth::Resolution res;                  ///< how the caller was identified
  const ErrorLog* error_log = nullptr;   ///< where a 500 is logged (RouterOptions::error_log)
};

/// May the caller read the map layer (tiles, OGC collection)? The boundaries are public; an
/// entity layer follows the role table (app::readable).
bool layer_visible(const Ctx& c, const core::MapLayer& layer);

/// A problem response for this request.
Response problem(const Ctx& c, ProblemKind kind, std::string_view detail,
                 const std::vector<FieldError>& errors = {});
/// 400 naming a query parameter.
Response bad_param(const Ctx& c, std::string_view param, std::string_view message);
/// A problem for an app error: the status from the error table; kInvalidArgument whose detail
/// names a parameter is answered 400 when `as_400`.
Response from_error(const Ctx& c, const Error& e);
Response json(std::string body, std::string_view type = "application/json");
Response method_not_allowed(const Ctx& c, std::string_view allow);

/// The value of a parameter (the last if repeated), or nullopt.
const std::string* param(const Ctx& c, std::string_view name);
/// The first parameter not in `known`, or nullptr.
const std::string* unknown_param(const Ctx& c, std::initializer_list<std::string_view> known);

std::optional<int64_t> parse_int(std::string_view s);
std::optional<double> parse_double(std::string_view s);
/// "minlon,minlat,maxlon,maxlat" (also 6 numbers with heights, which are ignored). Error text.
std::optional<geo::Envelope> parse_bbox(std::string_view s, std::string& error);

std::vector<std::string_view> split_path(std::string_view path);

Response handle_api(Ctx& c, const std::vector<std::string_view>& seg);
/// /api/login, /api/logout, /api/me, /api/users… (account_routes.cpp)
Response handle_accounts(Ctx& c, const std::vector<std::string_view>& seg);
/// /api/submissions…, /api/inbox (workflow_routes.cpp)
Response handle_workflow(Ctx& c, const std::vector<std::string_view>& seg);

/// A field of a JSON request body.
struct BodyField {
  enum class Type { kString, kInteger, kBoolean, kObject };
  std::string_view name;
  Type type = Type::kString;
  bool required = false;
};
/// The request body as a JSON object holding only `fields`, each of its type (null counts as
/// absent). On failure nullopt and `error` is the answer: 415 (not application/json), 400
/// (malformed JSON), 422 (not an object; unknown, missing or mistyped fields, each named in
/// errors[]). An empty body is an empty object when `empty_ok`.
std::optional<nlohmann::json> json_body(const Ctx& c, std::initializer_list<BodyField> fields,
                                        Response& error, bool empty_ok = false);
/// 401 for anonymous callers ("sign in"), else nullopt.
std::optional<Response> require_signed_in(const Ctx& c);
Response handle_ogc(Ctx& c, const std::vector<std::string_view>& seg);
std::string openapi_document(const std::string& base_url);

/// The entity as JSON ({field: value, …, version, geometry}) with the fields `vis` may see.
void write_record(JsonWriter& w, const core::EntitySchema& s, const core::Record& r,
                  const app::Visibility& vis);

}  // namespace reclaim::http::detail
