#include "http/response_cache.hpp"

namespace reclaim::http {

size_t CachedResponse::cost() const noexcept {
  size_t n = sizeof(CachedResponse) + 128 + content_type.size() + etag.size();
  if (body) n += body->size();
  for (const auto& [k, v] : headers) n += k.size() + v.size() + 64;
  return n;
}

ResponseCache::ResponseCache(size_t max_bytes, std::chrono::milliseconds poll)
    : max_bytes_(max_bytes), shard_budget_(max_bytes / kShards), poll_(poll) {}

ResponseCache::Shard& ResponseCache::shard(const std::string& key) noexcept {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

void ResponseCache::erase(Shard& s, decltype(Shard::lru)::iterator it) {
  s.bytes -= it->first.size() + it->second->cost();
  s.index.erase(std::string_view(it->first));
  s.lru.erase(it);
}

std::shared_ptr<const CachedResponse> ResponseCache::get(const std::string& key) {
  if (max_bytes_ == 0) return nullptr;
  const uint64_t now = epoch();
  Shard& s = shard(key);
  std::lock_guard lock(s.mu);
  auto it = s.index.find(std::string_view(key));
  if (it == s.index.end()) return nullptr;
  if (it->second->second->epoch != now) {
    erase(s, it->second);
    return nullptr;
  }
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  return it->second->second;
}

void ResponseCache::put(const std::string& key, std::shared_ptr<const CachedResponse> value) {
  if (max_bytes_ == 0 || !value || value->epoch != epoch()) return;
  const size_t cost = key.size() + value->cost();
  if (cost > shard_budget_) return;
  Shard& s = shard(key);
  std::lock_guard lock(s.mu);
  if (auto it = s.index.find(std::string_view(key)); it != s.index.end()) erase(s, it->second);
  s.lru.emplace_front(key, std::move(value));
  s.index.emplace(std::string_view(s.lru.front().first), s.lru.begin());
  s.bytes += cost;
  while (s.bytes > shard_budget_ && !s.lru.empty()) erase(s, std::prev(s.lru.end()));
}

bool ResponseCache::begin_fill(const std::string& key) {
  std::lock_guard lock(fill_mu_);
  return filling_.insert(key).second;
}

void ResponseCache::end_fill(const std::string& key) {
  {
    std::lock_guard lock(fill_mu_);
    filling_.erase(key);
  }
  fill_cv_.notify_all();
}

void ResponseCache::wait_fill(const std::string& key, std::chrono::milliseconds limit) {
  std::unique_lock lock(fill_mu_);
  fill_cv_.wait_for(lock, limit, [&] { return filling_.count(key) == 0; });
}

size_t ResponseCache::bytes() const {
  size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.bytes;
  }
  return n;
}

size_t ResponseCache::entries() const {
  size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.lru.size();
  }
  return n;
}

}  // namespace reclaim::http
