// Counts logged-in sessions per account, so that one account (or a client
// stuck in a reconnect loop) cannot take every session slot. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace mailvault::imap {

class AccountSessions {
 public:
  explicit AccountSessions(uint32_t max_per_account) : max_(max_per_account) {}

  // Released when destroyed.
  class Slot {
   public:
    Slot(AccountSessions* owner, std::string account)
        : owner_(owner), account_(std::move(account)) {}
    ~Slot() {
      std::lock_guard lock(owner_->mutex_);
      if (--owner_->open_[account_] == 0) owner_->open_.erase(account_);
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    AccountSessions* owner_;
    std::string account_;
  };

  // nullptr when the account has its maximum already.
  std::unique_ptr<Slot> TryAcquire(const std::string& account) {
    std::lock_guard lock(mutex_);
    uint32_t& open = open_[account];
    if (open >= max_) {
      if (open == 0) open_.erase(account);
      return nullptr;
    }
    ++open;
    return std::make_unique<Slot>(this, account);
  }

 private:
  const uint32_t max_;
  std::mutex mutex_;
  std::map<std::string, uint32_t> open_;
};

}  // namespace mailvault::imap
