// The demo generator: a synthetic but realistic Cambodia (see demo.hpp, docs/domain.md). This
// file runs the phases; each lives in its own file (the list is in demo/generator.hpp).
#include "demo/demo.hpp"

#include <cstdio>
#include <exception>

#include "core/devices.hpp"
#include "demo/generator.hpp"

namespace reclaim::demo {
namespace detail {

std::string make_id(const char* prefix, size_t n, int width) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s-%0*zu", prefix, width, n);
  return buf;
}

geo::Geometry point_geometry(geo::Point p) {
  geo::Geometry g;
  g.type = geo::GeometryType::kPoint;
  g.point = p;
  return g;
}

namespace {

/// The generator state: where each kind of contamination lies, by province weight.
Context make_context(const DemoOptions& opts, const Reference& ref, const World& world) {
  Context cx{opts.seed, static_cast<size_t>(opts.scale), ref, world, {}, {}, {}};
  cx.mine_w = make_weights(
      world,
      {{"02", 30}, {"01", 20}, {"22", 15}, {"24", 8}, {"13", 10}, {"15", 8}, {"17", 6}, {"09", 3}});
  cx.cmr_w =
      make_weights(world, {{"16", 20}, {"10", 18}, {"19", 20}, {"11", 12}, {"03", 12}, {"25", 18}});
  cx.erw_w =
      make_weights(world, {{"03", 8}, {"25", 8}, {"10", 8}, {"16", 6}, {"19", 6},   {"11", 5},
                           {"14", 6}, {"20", 7}, {"06", 7}, {"13", 4}, {"05", 4},   {"04", 3},
                           {"07", 3}, {"02", 4}, {"01", 3}, {"17", 4}, {"15", 3},   {"22", 3},
                           {"24", 1}, {"09", 2}, {"21", 2}, {"08", 1}, {"18", 0.5}, {"23", 0.3}});
  return cx;
}

Result<DemoData> run(const Context& cx) {
  if (cx.mine_w.provinces.empty() || cx.cmr_w.provinces.empty() || cx.erw_w.provinces.empty())
    return fail(ErrorCode::kInvalidArgument,
                "demo: the gazetteer and boundaries lack the contaminated provinces");
  DemoData out;
  out.records[std::string(core::entity::kDevices)] = core::device_records();
  out.records[std::string(core::entity::kOrganisations)] = make_organisations();
  Hazards hz = make_hazards(cx);
  std::vector<const core::AdminUnit*> villages;  // of each hazard, in id order
  villages.reserve(hz.order.size());
  for (size_t k : hz.order) villages.push_back(hz.plans[k].village);
  make_activities(cx, hz, out);
  make_casualties(cx, out);
  out.records[std::string(core::entity::kEoreSessions)] = make_eore(cx, villages);
  out.records[std::string(core::entity::kFunding)] = make_funding(cx);
  return out;
}

}  // namespace
}  // namespace detail

Result<DemoData> generate(const DemoOptions& opts, const core::Gazetteer& gazetteer,
                          const std::vector<core::AdminBoundary>& provinces) {
  if (opts.scale < 1)
    return fail(ErrorCode::kInvalidArgument,
                "demo scale must be 1 or more, not " + std::to_string(opts.scale));
  if (gazetteer.empty() || provinces.empty())
    return fail(ErrorCode::kInvalidArgument, "demo: needs the gazetteer and province boundaries");
  auto ref = detail::parse_reference(opts.contamination, opts.casualties);
  if (!ref) return fail(ref.error());
  try {
    detail::World world(gazetteer, provinces);
    return detail::run(detail::make_context(opts, *ref, world));
  } catch (const std::exception& e) {  // a broken invariant of the generator: a bug
    return fail(ErrorCode::kInternal, std::string("demo generation failed: ") + e.what());
  }
}

}  // namespace reclaim::demo
