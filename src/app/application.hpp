#pragma once
// The application: the one object a composition root (the CLI, each HTTP worker) builds over a
// store, and the only thing the entry points call. It owns the facade's three parts over that
// one store: the Service (records, import/export, status, tiles), the Accounts (users,
// sessions, tokens) and the WorkflowService (submissions and their review). Nothing hands the
// store itself out: the parts are the only way to it.
// Not thread-safe: one Application per thread (the HTTP server builds one per worker).
#include <memory>

#include "app/accounts.hpp"
#include "app/service.hpp"
#include "app/workflow_service.hpp"
#include "auth/clock.hpp"
#include "storage/store.hpp"

namespace reclaim::app {

class Application {
 public:
  /// Takes ownership of the store (already migrated); the Accounts and the WorkflowService
  /// read the clock (the default: the system clock).
  explicit Application(std::unique_ptr<storage::Store> store, auth::Clock clock = {});
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  Service& service() noexcept { return *service_; }
  Accounts& accounts() noexcept { return *accounts_; }
  WorkflowService& workflow() noexcept { return *workflow_; }

 private:
  // Declared in this order: the parts that borrow the store go before the Service that owns it.
  std::unique_ptr<Service> service_;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<WorkflowService> workflow_;
};

}  // namespace reclaim::app
