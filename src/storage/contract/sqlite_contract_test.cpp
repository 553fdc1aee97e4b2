// The storage contract suite run against the GeoPackage adapter: every store is a new file in a
// per-process temporary directory, removed when the tests end.
#include <unistd.h>

#include <filesystem>
#include <string>

#include "storage/open/open.hpp"
#include "store_contract.hpp"
#include "store_query_contract.hpp"

namespace reclaim::storage::contract {
namespace {

std::filesystem::path scratch_dir() {
  static const std::filesystem::path kDir = [] {
    auto d =
        std::filesystem::temp_directory_path() / ("reclaim-contract-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return kDir;
}

class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(scratch_dir(), ec);
  }
};
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

std::unique_ptr<Store> fresh_gpkg() {
  static int serial = 0;
  const auto file = scratch_dir() / ("store-" + std::to_string(++serial) + ".gpkg");
  auto store = open_store(file.string());
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  return std::move(*store);
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(StoreAdapter{"gpkg", fresh_gpkg}),
                         adapter_name);
INSTANTIATE_TEST_SUITE_P(Sqlite, StoreQueryContract,
                         ::testing::Values(StoreAdapter{"gpkg", fresh_gpkg}), adapter_name);

}  // namespace reclaim::storage::contract
