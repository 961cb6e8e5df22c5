// A bounded in-memory map from account id to account number.
//
// Every call resolves the account id first; the number never changes once
// assigned, so a cached number can never be stale. The home region is
// deliberately not cached: it is re-read under the account's lock on every
// write (a point get in a small, block-cached family), which keeps region
// pinning exact across SetHomeRegion without any invalidation protocol.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mailvault {

class AccountNumberCache {
 public:
  // A shard may hold millions of accounts; past this many entries the cache
  // starts over rather than growing without bound.
  static constexpr size_t kMaxEntries = 1 << 18;

  std::optional<uint64_t> Find(std::string_view account_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = numbers_.find(std::string(account_id));
    if (it == numbers_.end()) return std::nullopt;
    return it->second;
  }

  void Erase(std::string_view account_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    numbers_.erase(std::string(account_id));
  }

  void Insert(std::string_view account_id, uint64_t number) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (numbers_.size() >= kMaxEntries) numbers_.clear();
    numbers_.emplace(std::string(account_id), number);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, uint64_t> numbers_;
};

}  // namespace mailvault
