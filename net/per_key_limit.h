// At most N at a time per key: connections per peer address, sessions per
// account. A Slot gives its place back when destroyed. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace mailvault {

class PerKeyLimit {
 public:
  explicit PerKeyLimit(uint32_t max_per_key) : max_(max_per_key) {}

  class Slot {
   public:
    Slot(PerKeyLimit* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
    ~Slot() {
      std::lock_guard lock(owner_->mutex_);
      --owner_->total_;
      if (--owner_->open_[key_] == 0) owner_->open_.erase(key_);
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    PerKeyLimit* owner_;
    std::string key_;
  };

  // nullptr when the key has its maximum already.
  std::unique_ptr<Slot> TryAcquire(const std::string& key) {
    std::lock_guard lock(mutex_);
    uint32_t& open = open_[key];
    if (open >= max_) {
      if (open == 0) open_.erase(key);
      return nullptr;
    }
    ++open;
    ++total_;
    return std::make_unique<Slot>(this, key);
  }

  // Slots held now, over all keys (for metrics).
  uint64_t total() const {
    std::lock_guard lock(mutex_);
    return total_;
  }

 private:
  const uint32_t max_;
  mutable std::mutex mutex_;
  std::map<std::string, uint32_t> open_;
  uint64_t total_ = 0;
};

}  // namespace mailvault
