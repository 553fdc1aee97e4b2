#include "core/entities.hpp"

#include <stdexcept>

#include "core/hazard_status.hpp"

namespace reclaim::core {
namespace {

FieldDef id(std::string name, std::string desc) {
  return FieldDef{std::move(name), FieldType::kText, true, {}, -1e300, 1e300, "", false, false,
                  std::move(desc)};
}
FieldDef text(std::string name, bool required = false, std::string desc = "") {
  return FieldDef{std::move(name), FieldType::kText, required, {}, -1e300, 1e300, "", false, false,
                  std::move(desc)};
}
FieldDef personal(std::string name, std::string desc) {
  FieldDef f = text(std::move(name), false, std::move(desc));
  f.personal = true;
  return f;
}
FieldDef enm(std::string name, std::vector<std::string> allowed, bool required = true,
             std::string desc = "") {
  return FieldDef{std::move(name), FieldType::kEnum, required, std::move(allowed), -1e300, 1e300,
                  "", false, false, std::move(desc)};
}
FieldDef date(std::string name, bool required = true, std::string desc = "") {
  return FieldDef{std::move(name), FieldType::kDate, required, {}, -1e300, 1e300, "", false, false,
                  std::move(desc)};
}
FieldDef real(std::string name, double min, double max, bool required = false,
              std::string desc = "") {
  return FieldDef{std::move(name), FieldType::kReal, required, {}, min, max, "", false, false,
                  std::move(desc)};
}
FieldDef integer(std::string name, double min, double max, bool required = false,
                 std::string desc = "") {
  return FieldDef{std::move(name), FieldType::kInteger, required, {}, min, max, "", false, false,
                  std::move(desc)};
}
FieldDef boolean(std::string name, std::string desc = "") {
  return FieldDef{std::move(name), FieldType::kBool, false, {}, 0, 1, "", false, false,
                  std::move(desc)};
}
FieldDef ref(std::string name, std::string entity, bool required, std::string desc = "") {
  return FieldDef{std::move(name), FieldType::kReference, required, {}, -1e300, 1e300,
                  std::move(entity), false, false, std::move(desc)};
}
FieldDef province(bool required = true) {
  return FieldDef{"province_code", FieldType::kProvinceCode, required, {}, -1e300, 1e300, "",
                  false, false, "2-digit gazetteer province code"};
}
FieldDef village(bool required = true) {
  return FieldDef{"village_code", FieldType::kVillageCode, required, {}, -1e300, 1e300, "", false,
                  false, "8-digit gazetteer village code (in the province)"};
}
/// A column added by storage migration `n` (FieldDef::since_migration).
FieldDef since(int n, FieldDef f) {
  f.since_migration = n;
  return f;
}
FieldDef derived(FieldDef f) {
  f.derived = true;
  f.required = false;
  return f;
}

constexpr double kMaxArea = 1e10;  // 10,000 km²: larger than any hazard polygon
constexpr double kMaxCount = 1e7;

std::vector<EntitySchema> build() {
  std::vector<EntitySchema> v;
  v.push_back({"devices", "device", GeometryKind::kNone, false,
               {id("id", "device model, e.g. PMN-2"),
                enm("category", {"ap_blast", "ap_fragmentation", "at", "submunition", "uxo", "axo",
                                 "ied"}),
                text("description"), text("origin")}});
  v.push_back({"organisations", "organisation", GeometryKind::kNone, false,
               {id("id", "short code, e.g. CMAC"), text("name", true),
                enm("type", {"operator", "authority", "donor", "un_agency", "other"}),
                boolean("accredited"), date("accreditation_date", false),
                integer("teams", 0, 1e5), integer("staff", 0, 1e6)}});
  v.push_back(
      {"hazards", "hazard", GeometryKind::kPolygon, true,
       {id("id", "hazard id, e.g. KH-HZ-000123"), text("name"),
        enm("hazard_type", {"SHA", "CHA"}, true, "SHA suspected, CHA confirmed"),
        enm("contamination", {"AP", "AT", "CMR", "ERW", "IED", "MIXED"}),
        enm("status", {kHazardStatusNames.begin(), kHazardStatusNames.end()}, false,
            "open when empty"),
        province(), village(),
        date("date_recorded"),
        real("estimated_area_m2", 0, kMaxArea, false,
             "baseline area in m²; the polygon's geodesic area when empty"),
        text("evidence", false, "observed / verbal / records; EO, craters, marking, accidents"),
        text("land_use_blocked", false, "agriculture, housing, roads, water, schools"),
        integer("beneficiaries", 0, 1e7), text("recording_org"),
        text("original_coordinates", false, "the coordinates as first recorded (UTM, MGRS, ...)"),
        derived(real("cancelled_m2", 0, kMaxArea)), derived(real("reduced_m2", 0, kMaxArea)),
        derived(real("cleared_m2", 0, kMaxArea)), derived(real("remaining_m2", 0, kMaxArea)),
        derived(date("last_activity_date", false)),
        since(7, text("assigned_org", false,
                      "organisation code of the operator tasked with the hazard; its data "
                      "officers verify reports on it (recording_org when empty)"))}});
  v.push_back(
      {"activities", "activity", GeometryKind::kPolygon, false,
       {id("activity_id", "activity id"), ref("hazard_id", "hazards", true),
        enm("type", {"non_technical_survey", "technical_survey", "clearance",
                     "battle_area_clearance", "eod_spot_task", "post_clearance_inspection"}),
        text("org", true, "organisation code"), text("team"),
        enm("method", {"manual", "mdd", "mdr", "mechanical", "combined"}, false,
            "manual, mine detection dogs, mine detection rats, mechanical"),
        date("start_date"), date("end_date"), real("cancelled_m2", 0, kMaxArea),
        real("reduced_m2", 0, kMaxArea), real("cleared_m2", 0, kMaxArea),
        real("depth_cm", 0, 1000, false, "clearance depth"),
        integer("ap_mines", 0, kMaxCount), integer("at_mines", 0, kMaxCount),
        integer("erw_items", 0, kMaxCount), integer("handover_men", 0, 1e5),
        integer("handover_women", 0, 1e5)}});
  v.push_back({"eo_finds", "EO find", GeometryKind::kPoint, false,
               {id("id", "find id"), ref("activity_id", "activities", false),
                ref("hazard_id", "hazards", false), date("date"),
                enm("category", {"ap_blast", "ap_fragmentation", "at", "submunition", "uxo", "axo",
                                 "ied"}),
                text("model", false, "device model from the device library"),
                integer("count", 1, kMaxCount, true),
                enm("condition", {"armed", "unarmed", "unknown"}, false),
                real("depth_cm", 0, 1000),
                enm("disposal", {"destroyed_in_situ", "removed_and_destroyed", "rendered_safe"},
                    false),
                province(false), village(false)}});
  v.push_back({"accidents", "accident", GeometryKind::kPoint, false,
               {id("id", "accident id"), date("date"), province(), village(),
                enm("device_category", {"ap_blast", "ap_fragmentation", "at", "submunition",
                                        "uxo", "axo", "ied", "unknown"},
                    false),
                text("device"), text("activity_at_time"),
                boolean("demining_accident", "at a demining worksite")}});
  v.push_back(
      {"casualties", "casualty", GeometryKind::kNone, false,
       {id("id", "casualty id"), ref("accident_id", "accidents", false), date("date"), province(),
        village(), enm("outcome", {"killed", "injured"}), enm("sex", {"male", "female", "unknown"}),
        integer("age", 0, 110, false, "years; empty when unknown; under 18 is a child"),
        enm("category", {"civilian", "deminer", "military"}), text("device"),
        text("injuries", false, "e.g. amputation below knee"),
        personal("name", "casualty's name"), personal("contact", "phone or address"),
        personal("residence", "exact residence")}});
  v.push_back({"assistance", "assistance record", GeometryKind::kNone, false,
               {id("id", "assistance id"), ref("casualty_id", "casualties", true),
                enm("type", {"emergency_medical", "physical_rehabilitation", "psychosocial",
                             "socio_economic", "rights_promotion"}),
                text("provider"), date("date"), text("referral"), date("follow_up_date", false)}});
  v.push_back({"eore_sessions", "EORE session", GeometryKind::kNone, false,
               {id("id", "session id"), date("date"), province(), village(), text("org"),
                enm("method", {"community_meeting", "school", "house_to_house", "mass_media",
                               "digital", "other"},
                    false),
                integer("men", 0, 1e5), integer("women", 0, 1e5), integer("boys", 0, 1e5),
                integer("girls", 0, 1e5), text("materials")}});
  v.push_back({"qm_visits", "QM visit", GeometryKind::kNone, false,
               {id("id", "visit id"), enm("type", {"qa", "qc"}), text("org", true),
                ref("hazard_id", "hazards", false), ref("activity_id", "activities", false),
                date("date"), enm("result", {"pass", "fail", "conditional"}),
                integer("nonconformities", 0, 1000), text("corrective_action")}});
  v.push_back({"funding", "funding record", GeometryKind::kNone, false,
               {id("id", "funding id"), text("donor", true), text("recipient", true),
                text("project"), integer("year", 1979, 2100, true),
                real("amount_usd", 0, 1e10, true), enm("status", {"pledged", "disbursed"})}});
  // ---- internal entities
  {
    FieldDef hash = text("password_hash", false, "Argon2id (libsodium crypto_pwhash_str)");
    hash.secret = true;
    FieldDef token = text("api_token_hash", false, "SHA-256 of the API token, hex");
    token.secret = true;
    EntitySchema users{"users", "user", GeometryKind::kNone, false,
                       {id("id", "login"), text("display_name"),
                        enm("role", {"administrator", "national_data_manager",
                                     "operator_data_officer", "analyst", "provincial_planner",
                                     "donor"}),
                        text("org", false, "organisation code (operator data officers, donors)"),
                        hash, token, boolean("disabled"), integer("failed_logins", 0, 1e9),
                        text("locked_until", false, "UTC timestamp"),
                        text("created_at", false, "UTC timestamp"),
                        since(7, text("province_code", false,
                                      "2-digit province code (provincial planners)"))}};
    users.internal = true;
    v.push_back(std::move(users));
    EntitySchema subs{
        "submissions", "submission", GeometryKind::kNone, false,
        {id("id", "submission id"),
         enm("entity", {"hazards", "activities", "accidents", "casualties", "eore_sessions",
                        "assistance", "eo_finds"}),
         enm("action", {"create", "update"}), text("target_id", false, "record updated"),
         text("payload", true, "the report as a JSON record"),
         date("date_of_information", true, "when the facts in the report were true"),
         enm("status", {"submitted", "verified", "approved", "rejected"}),
         text("org", true, "submitting organisation"), text("submitted_by", true),
         text("submitted_at", true), text("verified_by"), text("verified_at"),
         text("decided_by"), text("decided_at"), text("comment"),
         text("result_id", false, "record created or updated on approval"),
         since(7, text("verify_by", false,
                       "who verifies it: an organisation code (its data officers) or "
                       "national (the national data managers)"))}};
    subs.internal = true;
    v.push_back(std::move(subs));
    EntitySchema log{"access_log", "access log entry", GeometryKind::kNone, false,
                     {id("id", "entry id"), text("at", true), text("user", true),
                      text("entity", true), text("record_id"), text("purpose")}};
    log.internal = true;
    v.push_back(std::move(log));
  }
  return v;
}
}  // namespace

const std::vector<EntitySchema>& all_schemas() {
  static const std::vector<EntitySchema> kSchemas = build();
  return kSchemas;
}
const EntitySchema* find_schema(std::string_view name) {
  for (const auto& s : all_schemas())
    if (s.name == name) return &s;
  return nullptr;
}
const EntitySchema& schema(std::string_view name) {
  if (const auto* s = find_schema(name)) return *s;
  throw std::out_of_range("no entity " + std::string(name));
}

}  // namespace reclaim::core
