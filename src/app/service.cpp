#include "app/service.hpp"
#include "app/service_cache.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "common/plural.hpp"
#include "core/devices.hpp"
#include "core/entities.hpp"
#include "core/land_release.hpp"
#include "core/validate.hpp"
#include "demo/demo.hpp"
#include "exchange/exchange.hpp"

namespace reclaim::app {


Service::Service(std::unique_ptr<storage::Store> store)
    : store_(std::move(store)), cache_(std::make_unique<Cache>()) {}
Service::~Service() = default;

Result<const core::EntitySchema*> entity_schema(const std::string& name) {
  for (const auto& s : core::all_schemas())
    if (!s.internal && (s.name == name || s.singular == name || s.name == name + "s")) return &s;
  std::string known;
  for (const auto& s : core::all_schemas())
    if (!s.internal) known += (known.empty() ? "" : ", ") + s.name;
  return fail(ErrorCode::kInvalidArgument,
              "unknown entity '" + name + "' (known: " + known + ")");
}

Result<void> Service::init(const std::string& data_dir) {
  namespace fs = std::filesystem;
  auto units = exchange::read_gazetteer((fs::path(data_dir) / "gazetteer").string());
  if (!units) return fail(units.error());
  std::vector<core::AdminBoundary> bounds;
  fs::path prov = fs::path(data_dir) / "boundaries" / "provinces.geojson";
  if (fs::exists(prov)) {
    auto b = exchange::read_province_boundaries(prov.string());
    if (!b) return fail(b.error());
    bounds = std::move(*b);
  }
  if (auto r = store_->replace_admin_units(*units, bounds); !r) return r;
  // The device library: add the models not yet present.
  const auto& ds = core::schema(core::entity::kDevices);
  auto devices = core::device_records();
  std::vector<std::string> ids;
  for (const auto& d : devices) ids.push_back(d.id());
  auto existing = store_->existing_ids(ds, ids);
  if (!existing) return fail(existing.error());
  std::set<std::string> have(existing->begin(), existing->end());
  storage::ChangeSet cs;
  cs.source = {"reclaim", "", "init: device library"};
  for (auto& d : devices)
    if (!have.count(d.id()))
      cs.changes.push_back({storage::ChangeOp::kInsert, &ds, std::move(d), "device library"});
  if (!cs.changes.empty())
    if (auto r = store_->commit(cs); !r) return r;
  cache_->loaded = false;
  return load_reference();
}

Result<void> Service::load_reference() {
  if (cache_->loaded) return {};
  auto units = store_->admin_units();
  if (!units) return fail(units.error());
  if (units->empty())
    return fail(ErrorCode::kFailedPrecondition,
                "the database has no gazetteer: run `reclaim init` first");
  auto bounds = store_->admin_boundaries();
  if (!bounds) return fail(bounds.error());
  cache_->gazetteer = core::Gazetteer(std::move(*units));
  cache_->provinces =
      bounds->empty() ? nullptr : std::make_unique<core::ProvinceLocator>(*bounds);
  cache_->boundaries = std::move(*bounds);
  cache_->loaded = true;
  return {};
}

namespace {

std::string describe(const core::EntitySchema& s, const core::Record& r, const std::string& src) {
  return s.singular + " " + r.id() + " (" + src + ")";
}

}  // namespace

Result<ImportReport> Service::import_file(const std::string& entity, const std::string& path,
                                          const ImportOptions& opts) {
  auto sp = entity_schema(entity);
  if (!sp) return fail(sp.error());
  const core::EntitySchema& s = **sp;
  if (auto r = load_reference(); !r) return fail(r.error());

  exchange::ReadOptions ro{opts.column_map, opts.layer, s.name};
  auto raws = exchange::read_file(path, ro);
  if (!raws) return fail(raws.error());

  ImportReport rep;
  rep.entity = s.name;
  rep.file = path;
  rep.read = raws->size();

  // Unknown columns are a file-level problem: a typo must not silently drop a field.
  std::set<std::string> unknown;
  for (const auto& raw : *raws)
    for (const auto& [name, value] : raw.fields)
      if (s.index_of(name) < 0 && name != "version") unknown.insert(name);  // row version of a
                                                                              // Reclaim file
  if (!unknown.empty()) {
    std::string list;
    std::vector<FieldError> details;
    for (const auto& u : unknown) {
      list += (list.empty() ? "'" : ", '") + u + "'";
      details.push_back({path, u, "unknown column"});
    }
    return fail(Error{ErrorCode::kInvalidArgument,
                      path + ": unknown column(s) " + list + " for " + s.name +
                          " (see docs/import.md for the columns, or rename with --map old=new)",
                      std::move(details)});
  }

  core::ValidationContext ctx{&cache_->gazetteer, cache_->provinces.get(), today(), 3000};
  struct Candidate {
    core::Record record;
    std::string source;
    bool ok = true;
  };
  std::vector<Candidate> cands;
  cands.reserve(raws->size());
  // Validation (GEOS validity, province location) is the CPU-heavy part of an import: spread it
  // over the machine's cores; results come back in file order.
  auto parsed = core::parse_records(s, *raws, ctx, *cache_->boundaries,
                                    std::max(1u, std::thread::hardware_concurrency()));
  for (size_t i = 0; i < parsed.size(); ++i) {
    auto& r = parsed[i];
    const std::string& source = (*raws)[i].source;
    if (!r) {
      for (auto& d : r.error().details) rep.errors.push_back(std::move(d));
      cands.push_back({core::make_record(s), source, false});
      continue;
    }
    cands.push_back({std::move(*r), source, true});
  }

  // duplicate ids in the file and against the database
  std::unordered_map<std::string, std::string> first_seen;
  std::vector<std::string> ids;
  for (auto& c : cands) {
    if (!c.ok) continue;
    auto [it, inserted] = first_seen.emplace(c.record.id(), c.source);
    if (!inserted) {
      rep.errors.push_back({describe(s, c.record, c.source), s.id_field().name,
                            c.record.id() + " is also at " + it->second +
                                " of this file (duplicate id)"});
      c.ok = false;
    } else {
      ids.push_back(c.record.id());
    }
  }
  auto existing = store_->existing_ids(s, ids);
  if (!existing) return fail(existing.error());
  std::unordered_set<std::string> in_db(existing->begin(), existing->end());
  for (auto& c : cands)
    if (c.ok && in_db.count(c.record.id())) {
      rep.errors.push_back({describe(s, c.record, c.source), s.id_field().name,
                            c.record.id() + " already exists in the database"});
      c.ok = false;
    }

  // references to other records must exist (in the database or, for the same entity, the file)
  for (size_t fi = 0; fi < s.fields.size(); ++fi) {
    const core::FieldDef& f = s.fields[fi];
    if (f.type != core::FieldType::kReference) continue;
    const core::EntitySchema& target = core::schema(f.references);
    std::set<std::string> wanted;
    for (const auto& c : cands)
      if (c.ok)
        if (const auto* v = std::get_if<std::string>(&c.record.values[fi])) wanted.insert(*v);
    auto found = store_->existing_ids(target, {wanted.begin(), wanted.end()});
    if (!found) return fail(found.error());
    std::unordered_set<std::string> have(found->begin(), found->end());
    for (auto& c : cands) {
      if (!c.ok) continue;
      const auto* v = std::get_if<std::string>(&c.record.values[fi]);
      if (v && !have.count(*v) && !(target.name == s.name && first_seen.count(*v))) {
        rep.errors.push_back({describe(s, c.record, c.source), f.name,
                              "unknown " + target.singular + " '" + *v + "'"});
        c.ok = false;
      }
    }
  }

  storage::ChangeSet cs;
  cs.source = {opts.user, path, "import " + s.name};

  // activities move their hazards' land-release state, in date order
  std::map<std::string, core::Record> touched;
  if (s.name == core::entity::kActivities) {
    const auto& hs = core::schema(core::entity::kHazards);
    std::vector<Candidate*> order;
    for (auto& c : cands)
      if (c.ok) order.push_back(&c);
    std::stable_sort(order.begin(), order.end(), [&](const Candidate* a, const Candidate* b) {
      return core::get_text(s, a->record, "end_date") < core::get_text(s, b->record, "end_date");
    });
    for (Candidate* c : order) {
      std::string hid = core::get_text(s, c->record, "hazard_id");
      auto it = touched.find(hid);
      if (it == touched.end()) {
        auto h = store_->get(hs, hid);
        if (!h) return fail(h.error());
        if (!*h) continue;  // reported above as an unknown hazard
        it = touched.emplace(hid, std::move(**h)).first;
      }
      core::Record trial = it->second;
      if (auto ok = core::apply_activity(trial, c->record); !ok) {
        rep.errors.push_back({describe(s, c->record, c->source),
                              core::release_field(c->record), ok.error().message});
        c->ok = false;
        continue;
      }
      it->second = std::move(trial);
    }
  }

  for (auto& c : cands) {
    if (!c.ok) {
      ++rep.rejected;
      continue;
    }
    ++rep.accepted;
    cs.changes.push_back({storage::ChangeOp::kInsert, &s, std::move(c.record), c.source});
  }
  const auto& hs = core::schema(core::entity::kHazards);
  for (auto& [hid, h] : touched) {
    cs.changes.push_back({storage::ChangeOp::kUpdate, &hs, std::move(h),
                          "land release from " + path});
    ++rep.hazards_updated;
  }

  if (!rep.errors.empty() && !opts.skip_invalid) {
    std::string msg = path + ": " + std::to_string(rep.rejected) + " of " +
                      plural(static_cast<int64_t>(rep.read), s.singular) +
                      " rejected; nothing was imported. First problem: " +
                      rep.errors.front().record + ": " + rep.errors.front().field + " " +
                      rep.errors.front().message;
    return fail(Error{ErrorCode::kInvalidArgument, msg, rep.errors});
  }
  if (opts.dry_run || cs.changes.empty()) return rep;
  if (auto r = store_->commit(cs); !r) return fail(r.error());
  return rep;
}

Result<size_t> Service::export_file(const std::string& entity, const std::string& format,
                                    const std::string& path) {
  auto sp = entity_schema(entity);
  if (!sp) return fail(sp.error());
  auto fmt = exchange::parse_format(format);
  if (!fmt) return fail(fmt.error());
  std::vector<core::Record> records;
  if (auto r = reader().scan(**sp, [&](core::Record&& rec) {
        records.push_back(std::move(rec));
        return true;
      });
      !r)
    return fail(r.error());
  if (auto w = exchange::write_file(path, *fmt, **sp, records); !w) return fail(w.error());
  return records.size();
}

Result<analysis::Status> Service::status(std::optional<Date> as_of) {
  if (auto r = load_reference(); !r) return fail(r.error());
  analysis::StatusInput in;
  in.gazetteer = &cache_->gazetteer;
  auto load = [&](std::string_view entity, std::vector<core::Record>& out) -> Result<void> {
    return reader().scan(core::schema(entity), [&](core::Record&& r) {
      out.push_back(std::move(r));
      return true;
    });
  };
  for (auto [e, v] : {std::pair{core::entity::kHazards, &in.hazards},
                      std::pair{core::entity::kActivities, &in.activities},
                      std::pair{core::entity::kEoFinds, &in.eo_finds},
                      std::pair{core::entity::kCasualties, &in.casualties}})
    if (auto r = load(e, *v); !r) return fail(r.error());
  return analysis::compute_status(in, as_of);
}

Result<DemoReport> Service::demo(uint64_t seed, int scale, const std::string& data_dir) {
  if (auto r = load_reference(); !r) return fail(r.error());
  auto n = store_->count(core::schema(core::entity::kHazards));
  if (!n) return fail(n.error());
  if (*n > 0)
    return fail(ErrorCode::kFailedPrecondition,
                "the database already holds " + std::to_string(*n) +
                    " hazards: the demo needs a new database (use --db NEW_FILE)");
  auto bounds = store_->admin_boundaries();
  if (!bounds) return fail(bounds.error());
  demo::DemoOptions o{seed, scale, {}, {}};
  const std::string base = data_dir.empty() ? std::string(".") : data_dir;
  for (auto [table, file] : {std::pair{&o.contamination, demo::kContaminationFile},
                             std::pair{&o.casualties, demo::kCasualtiesFile}}) {
    table->name = base + "/" + std::string(file);
    auto rows = exchange::read_file(table->name, {});
    if (!rows) return fail(rows.error());
    table->rows = std::move(*rows);
  }
  auto data = demo::generate(o, cache_->gazetteer, *bounds);
  if (!data) return fail(data.error());
  storage::ChangeSet cs;
  cs.source = {"reclaim", "", "demo seed " + std::to_string(seed)};
  DemoReport rep;
  // existing ids (the device library from init) are kept
  for (const auto& sch : core::all_schemas()) {
    auto it = data->records.find(sch.name);
    if (it == data->records.end()) continue;
    std::vector<std::string> ids;
    for (const auto& r : it->second) ids.push_back(r.id());
    auto have = store_->existing_ids(sch, ids);
    if (!have) return fail(have.error());
    std::unordered_set<std::string> skip(have->begin(), have->end());
    for (auto& r : it->second) {
      if (skip.count(r.id())) continue;
      cs.changes.push_back({storage::ChangeOp::kInsert, &sch, std::move(r), "demo"});
      ++rep.counts[sch.name];
    }
  }
  if (auto r = store_->commit(cs); !r) return fail(r.error());
  if (auto r = store_->set_meta("demo_seed", std::to_string(seed)); !r) return fail(r.error());
  return rep;
}

Result<std::optional<core::Record>> Service::get(const std::string& entity, const std::string& id) {
  auto sp = entity_schema(entity);
  if (!sp) return fail(sp.error());
  return reader().get(**sp, id);
}
Result<std::vector<storage::HistoryEntry>> Service::history(const std::string& entity,
                                                            const std::string& id) {
  auto sp = entity_schema(entity);
  if (!sp) return fail(sp.error());
  return reader().history(**sp, id);
}
Result<int64_t> Service::count(const std::string& entity) {
  auto sp = entity_schema(entity);
  if (!sp) return fail(sp.error());
  return reader().count(**sp);
}

void Service::set_read_store(std::unique_ptr<storage::Store> replica) {
  read_store_ = std::move(replica);
}

}  // namespace reclaim::app
