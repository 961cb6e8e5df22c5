// Slows down password and key guessing: every failed login counts against
// the account named and the address it came from, and the next attempt on
// either waits longer (doubling, capped), across connections. A success
// clears the account's count. Thread-safe; old entries are forgotten.
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace mailvault::imap {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LoginThrottle(std::chrono::milliseconds base_delay) : base_(base_delay) {}

  // How long to wait before answering a failed login (the failure is
  // counted).
  std::chrono::milliseconds Fail(const std::string& account, const std::string& address) {
    std::lock_guard lock(mutex_);
    Forget();
    Entry& by_account = failures_[AccountKey(account)];
    Entry& by_address = failures_["p:" + address];
    const uint32_t failures = std::max(++by_account.count, ++by_address.count);
    by_account.last = by_address.last = Clock::now();
    return base_ * (1 << std::min<uint32_t>(failures - 1, kMaxDoublings));
  }

  void Succeed(const std::string& account) {
    std::lock_guard lock(mutex_);
    failures_.erase(AccountKey(account));
  }

 private:
  static constexpr uint32_t kMaxDoublings = 4;  // 1.5 s .. 24 s
  static constexpr auto kMemory = std::chrono::minutes(15);

  struct Entry {
    uint32_t count = 0;
    Clock::time_point last;
  };

  // Addresses are compared without case, as the vault compares accounts.
  static std::string AccountKey(std::string account) {
    for (char& c : account) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "a:" + account;
  }

  void Forget() {
    const auto cutoff = Clock::now() - kMemory;
    for (auto it = failures_.begin(); it != failures_.end();) {
      it = it->second.last < cutoff && it->second.count > 0 ? failures_.erase(it) : std::next(it);
    }
  }

  const std::chrono::milliseconds base_;
  std::mutex mutex_;
  std::map<std::string, Entry> failures_;
};

}  // namespace mailvault::imap
