#include "storage/sql/restore.hpp"

#include <optional>

#include "core/entities.hpp"

namespace reclaim::storage::sql {
namespace {

/// Runs `scan` (a Store::scan or scan_history) with `insert` for each row, stopping at the first
/// failure of either.
template <class Scan, class Insert>
Result<void> copy_rows(Scan&& scan, Insert&& insert) {
  std::optional<Error> failed;
  auto scanned = scan([&](auto&& row) {
    if (auto r = insert(std::move(row)); !r) {
      failed = r.error();
      return false;
    }
    return true;
  });
  if (!scanned) return fail(scanned.error());
  if (failed) return fail(std::move(*failed));
  return {};
}

}  // namespace

Result<void> require_empty(RestoreTarget& target) {
  std::string held;
  auto note = [&](const std::string& table, const std::string& what) -> Result<void> {
    auto n = target.count_rows(table);
    if (!n) return fail(n.error());
    if (*n > 0) held += (held.empty() ? "" : ", ") + std::to_string(*n) + " " + what;
    return {};
  };
  for (const auto& s : core::all_schemas())
    if (auto r = note(s.name, s.name); !r) return r;
  for (const std::string table : {"history", "admin_units", "admin_boundaries"})
    if (auto r = note(table, table + " rows"); !r) return r;
  if (!held.empty())
    return fail(ErrorCode::kFailedPrecondition,
                target.where() + " is not empty (it holds " + held +
                    "): copy into a new database (a new file, or CREATE DATABASE)");
  return {};
}

Result<void> copy_store(Store& source, RestoreTarget& target) {
  if (auto r = require_empty(target); !r) return r;

  auto units = source.admin_units();
  if (!units) return fail(units.error());
  for (const auto& u : *units)
    if (auto r = target.insert_unit(u); !r) return r;
  if (auto r = target.end_table("admin_units"); !r) return r;
  auto bounds = source.admin_boundaries();
  if (!bounds) return fail(bounds.error());
  for (const auto& b : *bounds)
    if (auto r = target.insert_boundary(b); !r) return r;
  if (auto r = target.end_table("admin_boundaries"); !r) return r;

  for (const auto& s : core::all_schemas()) {
    auto copied = copy_rows(
        [&](const auto& fn) { return source.scan(s, fn); },
        [&](core::Record&& r) { return target.insert_record(s, std::move(r)); });
    if (!copied) return copied;
    if (auto r = target.end_table(s.name); !r) return r;
  }

  auto history = copy_rows([&](const auto& fn) { return source.scan_history(fn); },
                           [&](HistoryEntry&& h) { return target.insert_history(std::move(h)); });
  if (!history) return history;
  if (auto r = target.end_table("history"); !r) return r;

  auto entries = source.meta_entries();
  if (!entries) return fail(entries.error());
  for (const auto& [key, value] : *entries)
    if (auto r = target.set_meta(key, value); !r) return r;
  return {};
}

}  // namespace reclaim::storage::sql
