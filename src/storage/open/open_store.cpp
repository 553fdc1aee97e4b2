#include <string_view>

#include "storage/postgres/pg_store.hpp"
#include "storage/sqlite/gpkg_store.hpp"
#include "storage/open/open.hpp"

namespace reclaim::storage {

Result<std::unique_ptr<Store>> open_store(const std::string& location) {
  const std::string_view loc = location;
  if (loc.starts_with("postgresql://") || loc.starts_with("postgres://")) {
    auto pg = PgStore::open(location);
    if (!pg) return fail(pg.error());
    if (auto r = (*pg)->migrate(); !r) return fail(r.error());
    return std::unique_ptr<Store>(std::move(*pg));
  }
  auto store = GpkgStore::open(location);
  if (!store) return fail(store.error());
  if (auto r = (*store)->migrate(); !r) return fail(r.error());
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace reclaim::storage
