// Counts open connections per peer address, so one address cannot take every
// slot. A Slot releases its count when the connection ends.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace mailvault {

class ConnectionLimiter {
 public:
  explicit ConnectionLimiter(uint32_t max_per_address) : max_(max_per_address) {}

  class Slot {
   public:
    Slot(ConnectionLimiter* owner, std::string address)
        : owner_(owner), address_(std::move(address)) {}
    ~Slot() {
      std::lock_guard lock(owner_->mutex_);
      if (--owner_->open_[address_] == 0) owner_->open_.erase(address_);
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    ConnectionLimiter* owner_;
    std::string address_;
  };

  // nullptr when the address already has its maximum.
  std::unique_ptr<Slot> TryAcquire(const std::string& address) {
    std::lock_guard lock(mutex_);
    uint32_t& open = open_[address];
    if (open >= max_) {
      if (open == 0) open_.erase(address);
      return nullptr;
    }
    ++open;
    return std::make_unique<Slot>(this, address);
  }

 private:
  const uint32_t max_;
  std::mutex mutex_;
  std::map<std::string, uint32_t> open_;
};

}  // namespace mailvault
