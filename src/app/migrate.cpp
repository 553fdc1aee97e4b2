#include "app/migrate.hpp"

#include <filesystem>
#include <system_error>

#include "core/entities.hpp"
#include "storage/open/open.hpp"

namespace reclaim::app {

Result<MigrateReport> copy_database(storage::Store& from, storage::Store& to) {
  if (auto r = to.restore_from(from); !r) return fail(r.error());
  MigrateReport rep;
  for (const auto& s : core::all_schemas()) {
    auto a = from.count(s);
    if (!a) return fail(a.error());
    auto b = to.count(s);
    if (!b) return fail(b.error());
    if (*a != *b)
      return fail(ErrorCode::kInternal, "after the copy " + s.name + " has " + std::to_string(*b) +
                                            " records instead of " + std::to_string(*a));
    rep.records[s.name] = *b;
  }
  auto counted = to.scan_history([&](storage::HistoryEntry&&) {
    ++rep.history;
    return true;
  });
  if (!counted) return fail(counted.error());
  auto units = to.admin_units();
  if (!units) return fail(units.error());
  rep.admin_units = units->size();
  auto bounds = to.admin_boundaries();
  if (!bounds) return fail(bounds.error());
  rep.boundaries = bounds->size();
  auto settings = to.meta_entries();
  if (!settings) return fail(settings.error());
  rep.settings = settings->size();
  return rep;
}

namespace {

bool is_url(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

}  // namespace

Result<MigrateReport> migrate_database(const std::string& from, const std::string& to) {
  if (from.empty() || to.empty())
    return fail(ErrorCode::kInvalidArgument, "migrate needs both --from and --to");
  bool same = from == to;
  if (!same && !is_url(from) && !is_url(to)) {
    std::error_code ec;
    same = std::filesystem::equivalent(from, to, ec);
  }
  if (same)
    return fail(ErrorCode::kInvalidArgument,
                "--from and --to name the same database (" + from + "): copy into a new one");
  if (!is_url(from) && !std::filesystem::exists(from))
    return fail(ErrorCode::kNotFound, "no database " + from + " to migrate from");
  auto source = storage::open_store(from);
  if (!source) return fail(source.error());
  auto target = storage::open_store(to);
  if (!target) return fail(target.error());
  return copy_database(**source, **target);
}

}  // namespace reclaim::app
