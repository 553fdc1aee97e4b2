#include "http/heavy_pool.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace reclaim::http {

HeavyPool::HeavyPool(HeavyPoolOptions options) : opt_(std::move(options)) {
  opt_.per_client = std::max<size_t>(1, opt_.per_client);
  opt_.max_pending = std::max<size_t>(1, opt_.max_pending);
}

HeavyPool::~HeavyPool() { stop(); }

void HeavyPool::start(std::vector<std::unique_ptr<app::Application>> apps) {
  apps_ = std::move(apps);
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers_ = apps_.size();
  }
  for (auto& app : apps_) {
    app::Application* s = app.get();
    threads_.emplace_back([this, s] {
      // Per-thread niceness (Linux): the I/O threads keep the CPU when both want it. Raising
      // one's own niceness needs no privilege; a failure leaves the thread as it was.
      if (opt_.nice != 0) (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), opt_.nice);
      run(*s);
    });
  }
}

HeavyPool::Admission HeavyPool::submit(const std::string& client, Job job, bool priority) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) return Admission::kStopped;
  auto it = clients_.find(client);
  const size_t mine = it == clients_.end() ? 0 : it->second.queued.size() + it->second.running;
  if (mine >= opt_.per_client) return Admission::kClientLimit;
  if (pending_ >= opt_.max_pending) return Admission::kFull;
  if (it == clients_.end()) {
    it = clients_.emplace(client, Client{}).first;
    it->second.priority = priority;
  }
  if (it->second.queued.empty()) (it->second.priority ? priority_turn_ : turn_).push_back(client);
  it->second.queued.push_back(std::move(job));
  ++pending_;
  lock.unlock();
  cv_.notify_one();
  return Admission::kAccepted;
}

size_t HeavyPool::normal_cap() const noexcept {
  const auto reserved = static_cast<size_t>(std::max(0, opt_.reserved));
  return workers_ > reserved ? workers_ - reserved : 1;
}

void HeavyPool::run(app::Application& app) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] {
      return !priority_turn_.empty() || (!turn_.empty() && running_normal_ < normal_cap()) ||
             (stopping_ && turn_.empty());
    });
    const bool priority = !priority_turn_.empty();
    std::deque<std::string>& turn = priority ? priority_turn_ : turn_;
    if (turn.empty()) return;  // stopping, and nothing left to run
    if (!priority) ++running_normal_;
    const std::string key = std::move(turn.front());
    turn.pop_front();
    Client& c = clients_[key];
    Job job = std::move(c.queued.front());
    c.queued.pop_front();
    ++c.running;
    if (!c.queued.empty()) turn.push_back(key);  // its next job waits for the others' turn
    lock.unlock();
    const auto t0 = std::chrono::steady_clock::now();
    std::function<void()> deliver;
    try {
      if (opt_.before_job) opt_.before_job();
      deliver = job(app);
    } catch (...) {
      // a job answers its own errors (Router::handle never throws); nothing to do here
    }
    job = nullptr;  // release what it holds outside the lock
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    lock.lock();
    mean_job_s_ = 0.8 * mean_job_s_ + 0.2 * s;
    Client& done = clients_[key];
    --done.running;
    if (done.running == 0 && done.queued.empty()) clients_.erase(key);
    --pending_;
    if (!priority) {
      --running_normal_;
      cv_.notify_all();  // a slot for another client's job (or, stopping, the last one is done)
    }
    if (deliver) {  // the answer goes out only now that the client's slot is free
      lock.unlock();
      try {
        deliver();
      } catch (...) {
      }
      deliver = nullptr;
      lock.lock();
    }
  }
}

int HeavyPool::retry_after_seconds() const {
  std::lock_guard<std::mutex> lock(mu_);
  const double workers = std::max<double>(1.0, static_cast<double>(workers_));
  const double wait = std::ceil(static_cast<double>(pending_ + 1) * mean_job_s_ / workers);
  return static_cast<int>(std::clamp(wait, 1.0, 60.0));
}

size_t HeavyPool::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_;
}

size_t HeavyPool::pending(const std::string& client) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clients_.find(client);
  return it == clients_.end() ? 0 : it->second.queued.size() + it->second.running;
}

void HeavyPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace reclaim::http
