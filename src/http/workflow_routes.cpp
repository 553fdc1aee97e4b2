// The report workflow over HTTP: /api/submissions (submit, list, get, verify, reject, approve,
// duplicates) and /api/inbox. The rules are workflow/'s; this file parses and answers.
#include "app/workflow_service.hpp"
#include "http/json.hpp"
#include "http/routes.hpp"

namespace reclaim::http::detail {
namespace {

using Type = BodyField::Type;

bool is_get(const Ctx& c) { return c.req.method == "GET" || c.req.method == "HEAD"; }

void write_submission(JsonWriter& w, const workflow::SubmissionView& s) {
  w.begin_object()
      .key("id").str(s.id)
      .key("entity").str(s.entity)
      .key("action").str(s.action)
      .key("target_id").str(s.target_id)
      .key("date_of_information").str(s.date_of_information)
      .key("status").str(s.status)
      .key("org").str(s.org)
      .key("verify_by").str(s.verify_by)
      .key("submitted_by").str(s.submitted_by)
      .key("submitted_at").str(s.submitted_at)
      .key("verified_by").str(s.verified_by)
      .key("verified_at").str(s.verified_at)
      .key("decided_by").str(s.decided_by)
      .key("decided_at").str(s.decided_at)
      .key("comment").str(s.comment)
      .key("result_id").str(s.result_id)
      .key("version").num(s.version);
  if (!s.payload_json.empty()) {
    // Re-serialised: whatever the stored text, the answer is valid, escaped JSON.
    auto j = nlohmann::json::parse(s.payload_json, nullptr, false);
    w.key("payload");
    if (j.is_discarded()) {
      w.str(s.payload_json);
    } else {
      w.raw(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
  }
  w.end_object();
}

Response submission_response(const workflow::SubmissionView& s, int status = 200) {
  Response r;
  r.status = status;
  JsonWriter w(r.body);
  write_submission(w, s);
  r.headers.emplace_back("ETag", "\"" + std::to_string(s.version) + "\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response listing(const Ctx& c, const Result<std::vector<workflow::SubmissionView>>& subs) {
  if (!subs) return from_error(c, subs.error());
  const std::string* status = param(c, "status");
  const std::string* entity = param(c, "entity");
  Response r;
  JsonWriter w(r.body);
  w.begin_object().key("items").begin_array();
  for (const auto& s : *subs) {
    if (status != nullptr && s.status != *status) continue;
    if (entity != nullptr && s.entity != *entity) continue;
    write_submission(w, s);
  }
  w.end_array().end_object();
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

/// The expected version from If-Match ("3", "\"3\"", W/"3") or the body's expected_version.
/// nullopt + error set when malformed.
bool expected_version(const Ctx& c, const nlohmann::json& body, std::optional<int64_t>& out,
                      Response& error) {
  std::string_view im = c.req.if_match;
  while (!im.empty() && im.front() == ' ') im.remove_prefix(1);
  while (!im.empty() && im.back() == ' ') im.remove_suffix(1);
  if (!im.empty()) {
    if (im.starts_with("W/")) im.remove_prefix(2);
    if (im.size() >= 2 && im.front() == '"' && im.back() == '"') im = im.substr(1, im.size() - 2);
    auto v = parse_int(im);
    if (!v || *v < 0) {
      error = problem(c, kBadRequest,
                      "If-Match must be the submission's version (its ETag), e.g. \"3\"");
      return false;
    }
    out = *v;
  }
  if (body.contains("expected_version")) {
    const int64_t v = body["expected_version"].get<int64_t>();
    if (out && *out != v) {
      error = problem(c, ErrorCode::kInvalidArgument,
                      "If-Match and expected_version disagree",
                      {FieldError{"body", "expected_version", "differs from If-Match"}});
      return false;
    }
    out = v;
  }
  return true;
}

Response submit(Ctx& c) {
  Response err;
  auto body = json_body(c,
                        {{"entity", Type::kString, true},
                         {"action", Type::kString, false},
                         {"target_id", Type::kString, false},
                         {"date_of_information", Type::kString, true},
                         {"payload", Type::kObject, true}},
                        err);
  if (!body) return err;
  workflow::Report rep;
  rep.entity = (*body)["entity"].get<std::string>();
  rep.action = body->value("action", std::string("create"));
  rep.target_id = body->value("target_id", std::string());
  rep.date_of_information = (*body)["date_of_information"].get<std::string>();
  rep.payload_json = (*body)["payload"].dump(-1, ' ', false,
                                             nlohmann::json::error_handler_t::strict);
  auto s = c.app.workflow().submit(c.who, rep);
  if (!s) {
    Error e = s.error();
    if (e.code == ErrorCode::kNotFound) {  // the update's target: a field of the body
      e.code = ErrorCode::kInvalidArgument;
      if (e.details.empty()) e.details.push_back({"body", "target_id", e.message});
    }
    return from_error(c, e);
  }
  Response r = submission_response(*s, 201);
  r.headers.emplace_back("Location", "/api/submissions/" + s->id);
  return r;
}

Response act(Ctx& c, const std::string& id, std::string_view action) {
  auto& wf = c.app.workflow();
  Response err;
  std::optional<nlohmann::json> body;
  if (action == "verify") {
    body = json_body(c, {{"expected_version", Type::kInteger, false}}, err, true);
  } else if (action == "reject") {
    body = json_body(c, {{"comment", Type::kString, true}, {"expected_version", Type::kInteger, false}},
                     err);
  } else {
    body = json_body(c,
                     {{"comment", Type::kString, false},
                      {"duplicates_reviewed", Type::kBoolean, false},
                      {"update_target", Type::kString, false},
                      {"expected_version", Type::kInteger, false}},
                     err, true);
  }
  if (!body) return err;
  std::optional<int64_t> version;
  if (!expected_version(c, *body, version, err)) return err;
  if (action == "verify") {
    auto s = wf.verify(c.who, id, version);
    if (!s) return from_error(c, s.error());
    return submission_response(*s);
  }
  if (action == "reject") {
    auto s = wf.reject(c.who, id, (*body)["comment"].get<std::string>(), version);
    if (!s) return from_error(c, s.error());
    return submission_response(*s);
  }
  workflow::ApproveOptions o;
  o.comment = body->value("comment", std::string());
  o.duplicates_reviewed = body->value("duplicates_reviewed", false);
  o.update_target = body->value("update_target", std::string());
  o.expected_version = version;
  auto a = wf.approve(c.who, id, o);
  if (!a) return from_error(c, a.error());
  Response r;
  JsonWriter w(r.body);
  w.begin_object().key("submission");
  write_submission(w, a->submission);
  w.key("created").begin_array();
  for (const auto& x : a->created) w.str(x);
  w.end_array().key("updated").begin_array();
  for (const auto& x : a->updated) w.str(x);
  w.end_array()
      .key("changed_current_state").boolean(a->changed_current_state)
      .key("note").str(a->note)
      .end_object();
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

Response handle_workflow(Ctx& c, const std::vector<std::string_view>& seg) {
  if (auto deny = require_signed_in(c)) return *deny;
  if (!workflow::takes_part(c.who))
    return problem(c, ErrorCode::kPermissionDenied,
                   std::string("not allowed: ") + auth::role_name(c.who.role) + " '" + c.who.user +
                       "' takes no part in the report workflow");
  auto& wf = c.app.workflow();
  if (seg[1] == "inbox") {
    if (seg.size() != 2) return problem(c, ErrorCode::kNotFound, "no such resource");
    if (!is_get(c)) return method_not_allowed(c, "GET, HEAD");
    if (const auto* u = unknown_param(c, {"entity"})) return bad_param(c, *u, "unknown parameter");
    return listing(c, wf.inbox(c.who));
  }
  if (seg.size() == 2) {
    if (is_get(c)) {
      if (const auto* u = unknown_param(c, {"status", "entity"}))
        return bad_param(c, *u, "unknown parameter");
      return listing(c, wf.submissions(c.who));
    }
    if (c.req.method != "POST") return method_not_allowed(c, "GET, HEAD, POST");
    if (!c.params.empty()) return bad_param(c, c.params.front().first, "unknown parameter");
    return submit(c);
  }
  if (!c.params.empty()) return bad_param(c, c.params.front().first, "unknown parameter");
  const std::string id(seg[2]);
  if (seg.size() == 3) {
    if (!is_get(c)) return method_not_allowed(c, "GET, HEAD");
    auto s = wf.submission(c.who, id, "api submission");
    if (!s) return from_error(c, s.error());
    return submission_response(*s);
  }
  if (seg.size() != 4) return problem(c, ErrorCode::kNotFound, "no such resource");
  const std::string_view action = seg[3];
  if (action == "duplicates") {
    if (!is_get(c)) return method_not_allowed(c, "GET, HEAD");
    auto d = wf.duplicate_candidates(c.who, id);
    if (!d) return from_error(c, d.error());
    Response r;
    JsonWriter w(r.body);
    w.begin_object().key("submission").str(id).key("items").begin_array();
    for (const auto& x : *d)
      w.begin_object()
          .key("entity").str(x.entity)
          .key("id").str(x.id)
          .key("report_record").str(x.report_record)
          .key("reason").str(x.reason)
          .end_object();
    w.end_array().end_object();
    return r;
  }
  if (action != "verify" && action != "reject" && action != "approve")
    return problem(c, ErrorCode::kNotFound, "no such resource");
  if (c.req.method != "POST") return method_not_allowed(c, "POST");
  return act(c, id, action);
}

}  // namespace reclaim::http::detail
