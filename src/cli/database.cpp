#include "cli/database.hpp"

#include <filesystem>
#include <string_view>
#include <utility>

#include "storage/open/open.hpp"

namespace reclaim::cli {

Result<void> check_database(const std::string& location, DbMode mode) {
  if (mode == DbMode::kCreate) return {};
  const std::string_view loc = location;
  if (loc.starts_with("postgresql://") || loc.starts_with("postgres://")) return {};
  std::error_code ec;
  if (std::filesystem::exists(location, ec)) return {};
  return fail(ErrorCode::kNotFound,
              "no database at " + location +
                  " (`reclaim init`, `demo`, `restore` or `migrate --to` create one)");
}

Result<std::unique_ptr<storage::Store>> open_database(const std::string& location, DbMode mode) {
  if (auto r = check_database(location, mode); !r) return fail(r.error());
  return storage::open_store(location);
}

Result<std::unique_ptr<app::Application>> open_application(const std::string& db,
                                                           const std::string& db_read,
                                                           DbMode mode) {
  auto store = open_database(db, mode);
  if (!store) return fail(store.error());
  auto app = std::make_unique<app::Application>(std::move(*store));
  if (!db_read.empty()) {
    auto replica = open_database(db_read, DbMode::kMustExist);
    if (!replica) return fail(replica.error());
    app->service().set_read_store(std::move(*replica));
  }
  return app;
}

}  // namespace reclaim::cli
