#pragma once
// A bounded in-memory cache of GET responses that are expensive to build (vector tiles, OGC
// item pages, JSON API record lists), shared by every server thread.
//
// Key: the visibility class of the caller (all records? personal fields? signed in?), the
// host used for links and the raw request target (path and query, byte for byte) — callers of
// different classes never share an entry. Responses carrying personal data are never cached
// (the router decides; they are also access-logged on every read).
//
// Invalidation: every entry carries the epoch it was built in; bump() (a write through this
// process, or a change of the database's data generation noticed by a worker) starts a new
// epoch and older entries are never served again (they are dropped when met or by the LRU).
// Workers poll the data generation (storage::Store::generation) at most every `poll`, so a
// commit made by another process shows up within that bound (default 0: before every cacheable
// request, so the next answer after a commit elsewhere reflects it).
//
// LRU with a byte budget, split over shards (a mutex each): hits on different shards never
// wait for each other, and a hit holds its shard's lock only to splice the LRU list.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace reclaim::http {

struct CachedResponse {
  std::shared_ptr<const std::string> body;
  std::string content_type;
  std::string etag;  ///< quoted
  std::vector<std::pair<std::string, std::string>> headers;  ///< ETag included
  uint64_t epoch = 0;
  size_t cost() const noexcept;
};

class ResponseCache {
 public:
  /// `max_bytes` = 0 disables the cache (get() misses, put() ignores).
  explicit ResponseCache(size_t max_bytes,
                         std::chrono::milliseconds poll = std::chrono::milliseconds(0));

  bool enabled() const noexcept { return max_bytes_ > 0; }
  std::chrono::milliseconds poll_interval() const noexcept { return poll_; }
  uint64_t epoch() const noexcept { return epoch_.load(std::memory_order_acquire); }
  /// Starts a new epoch: every entry built before is stale.
  void bump() noexcept { epoch_.fetch_add(1, std::memory_order_acq_rel); }

  /// The entry for `key` built in the current epoch, or null.
  std::shared_ptr<const CachedResponse> get(const std::string& key);
  /// Stores an entry (ignored when its epoch is no longer current or it exceeds a shard).
  void put(const std::string& key, std::shared_ptr<const CachedResponse> value);

  /// Single flight for misses: true when the caller is to build `key` (then end_fill(key));
  /// false when another thread is building it: wait_fill(key) and get() again.
  bool begin_fill(const std::string& key);
  void end_fill(const std::string& key);
  /// Waits until no thread builds `key` (at most `limit`).
  void wait_fill(const std::string& key, std::chrono::milliseconds limit);

  size_t bytes() const;
  size_t entries() const;

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable std::mutex mu;
    std::list<std::pair<std::string, std::shared_ptr<const CachedResponse>>> lru;  // front: newest
    std::unordered_map<std::string_view, decltype(lru)::iterator> index;  // views into lru keys
    size_t bytes = 0;
  };
  Shard& shard(const std::string& key) noexcept;
  static void erase(Shard& s, decltype(Shard::lru)::iterator it);

  size_t max_bytes_;
  size_t shard_budget_;
  std::chrono::milliseconds poll_;
  std::atomic<uint64_t> epoch_{1};
  Shard shards_[kShards];
  std::mutex fill_mu_;
  std::condition_variable fill_cv_;
  std::unordered_set<std::string> filling_;  // guarded by fill_mu_
};

}  // namespace reclaim::http
