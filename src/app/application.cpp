#include "app/application.hpp"

#include <utility>

namespace reclaim::app {

Application::Application(std::unique_ptr<storage::Store> store, auth::Clock clock) {
  storage::Store& s = *store;  // owned by the Service from here on; borrowed by the others
  service_ = std::make_unique<Service>(std::move(store));
  accounts_ = std::make_unique<Accounts>(s, clock);
  workflow_ = std::make_unique<WorkflowService>(s, std::move(clock));
}

Application::~Application() = default;

}  // namespace reclaim::app
