#pragma once
// The pool that runs expensive reads off the server's I/O threads (national status, as-of status,
// OGC item pages that the response cache does not hold): a few worker threads, each with its own
// app::Application (its own store connection), a bounded queue served round-robin between clients,
// and a limit on how many requests one client may have queued or running at once.
//
// Why: an uncached as-of status costs ~0.4 s of CPU. Run on an I/O thread, four clients asking
// for random dates took every I/O thread and every other user waited behind them. Here they
// wait for each other (round-robin: a client with one request is served before a client's
// second), the I/O threads keep answering tiles and lists, and the workers run at a lower
// scheduling priority (`nice`) so that the I/O threads win the CPU when both want it.
//
// Beast-free and thread-safe: submit() is called from the I/O threads, jobs run on the workers.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/application.hpp"

namespace reclaim::http {

struct HeavyPoolOptions {
  /// Worker threads, each with its own Application. 0 = no pool: expensive reads run on the I/O
  /// thread that read the request (the server before issue 7; tests of the routes only).
  int workers = 2;
  /// Requests one client (an address, an IPv6 /64, or a signed-in user) may have queued or
  /// running at once; one more is answered 429 with Retry-After.
  size_t per_client = 2;
  /// Requests queued or running at once over all clients; one more is answered 503 with
  /// Retry-After.
  size_t max_pending = 64;
  /// Workers kept for priority clients (signed-in users): other clients' jobs run on at most
  /// workers - reserved of them (at least one), so that a signed-in user's expensive read starts
  /// at once however many anonymous ones are queued.
  int reserved = 1;
  /// Niceness the worker threads add to themselves (Linux, per thread; 0 = as the process).
  int nice = 10;
  /// Called on the worker thread before each job. Tests use it to hold jobs in flight; it is
  /// not a configuration of `reclaim serve`.
  std::function<void()> before_job;
};

class HeavyPool {
 public:
  /// Runs on a worker and returns the delivery (may be empty), which the pool calls after it has
  /// released the client's slot: a client that sends its next request as soon as it has the
  /// answer is never refused for the request it has just been answered.
  using Job = std::function<std::function<void()>(app::Application&)>;
  enum class Admission {
    kAccepted,     ///< queued; the job will run exactly once on a worker
    kClientLimit,  ///< the client already has per_client requests queued or running
    kFull,         ///< max_pending requests are queued or running
    kStopped,      ///< stop() was called
  };

  explicit HeavyPool(HeavyPoolOptions options);
  ~HeavyPool();  ///< stop() and join
  HeavyPool(const HeavyPool&) = delete;
  HeavyPool& operator=(const HeavyPool&) = delete;

  /// Starts one worker thread per Application; the pool owns them from now on.
  void start(std::vector<std::unique_ptr<app::Application>> apps);

  /// Queues `job` for `client`. A refused job is not run and is destroyed before this returns.
  /// Jobs of different clients are taken in turn; a client's own jobs in order. A `priority`
  /// client's (the server: a signed-in user's) are taken before every other client's, so that
  /// anonymous clients filling the queue delay a signed-in user by the running jobs only.
  Admission submit(const std::string& client, Job job, bool priority = false);

  /// Whole seconds a refused client should wait (Retry-After): the queue ahead of a new request
  /// times the mean job time, spread over the workers; 1 to 60.
  int retry_after_seconds() const;

  /// Requests queued or running (over all clients / of one client).
  size_t pending() const;
  size_t pending(const std::string& client) const;
  const HeavyPoolOptions& options() const noexcept { return opt_; }

  /// Refuses new jobs, lets every queued job run, then joins the workers. Idempotent.
  void stop();

 private:
  struct Client {
    std::deque<Job> queued;
    size_t running = 0;
    bool priority = false;
  };
  void run(app::Application& app);

  HeavyPoolOptions opt_;
  std::vector<std::unique_ptr<app::Application>> apps_;
  std::vector<std::thread> threads_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Client> clients_;  ///< guarded by mu_: clients with jobs queued or running
  std::deque<std::string> turn_;           ///< guarded by mu_: clients with queued jobs, in turn
  std::deque<std::string> priority_turn_;  ///< guarded by mu_: the same for priority clients
  size_t pending_ = 0;                     ///< guarded by mu_
  size_t workers_ = 0;                     ///< guarded by mu_
  size_t running_normal_ = 0;              ///< guarded by mu_: jobs of non-priority clients running
  size_t normal_cap() const noexcept;      ///< mu_ held: how many of those may run at once
  bool stopping_ = false;                  ///< guarded by mu_
  double mean_job_s_ = 0.5;                ///< guarded by mu_: moving mean of job durations
};

}  // namespace reclaim::http
