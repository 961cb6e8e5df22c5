#include "server/imap/login_throttle.h"

#include <algorithm>
#include <cctype>

namespace mailvault::imap {
namespace {

// Addresses are compared without case, as the vault compares accounts.
std::string AccountKey(std::string account) {
  for (char& c : account) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "a:" + account;
}

std::string AddressKey(const std::string& address) { return "p:" + address; }

}  // namespace

LoginThrottle::LoginThrottle(std::chrono::milliseconds base_delay)
    : LoginThrottle([&] {
        Options options;
        options.base_delay = base_delay;
        return options;
      }()) {}

LoginThrottle::LoginThrottle(Options options) : options_(std::move(options)) {}

std::chrono::milliseconds LoginThrottle::DelayAfter(uint32_t failures) const {
  if (failures == 0) return std::chrono::milliseconds(0);
  return options_.base_delay * (1u << std::min(failures - 1, options_.max_doublings));
}

std::chrono::milliseconds LoginThrottle::max_delay() const {
  return DelayAfter(options_.max_doublings + 1);
}

size_t LoginThrottle::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

LoginThrottle::Admission LoginThrottle::Admit(const std::string& account,
                                              const std::string& address) {
  std::lock_guard lock(mutex_);
  const Clock::time_point now = options_.now();
  Forget(now);
  Entry* keys[2] = {nullptr, nullptr};
  if (auto it = entries_.find(AccountKey(account)); it != entries_.end()) keys[0] = &it->second;
  if (auto it = entries_.find(AddressKey(address)); it != entries_.end()) keys[1] = &it->second;
  Clock::time_point start = now;
  for (Entry* entry : keys) {
    if (entry != nullptr) start = std::max(start, entry->next_turn);
  }
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(start - now);
  if (wait > max_delay()) return Admission{false, std::chrono::milliseconds(0)};
  // The next attempt on either key comes one delay after this one.
  for (Entry* entry : keys) {
    if (entry != nullptr) entry->next_turn = start + DelayAfter(entry->failures);
  }
  return Admission{true, wait};
}

void LoginThrottle::Fail(const std::string& account, const std::string& address) {
  std::lock_guard lock(mutex_);
  const Clock::time_point now = options_.now();
  for (const std::string& key : {AccountKey(account), AddressKey(address)}) {
    Touch(key, now);
    Entry& entry = entries_[key];
    if (entry.failures < UINT32_MAX) ++entry.failures;
    entry.last_failure = now;
    entry.next_turn = std::max(entry.next_turn, now + DelayAfter(entry.failures));
  }
  Forget(now);
}

void LoginThrottle::Succeed(const std::string& account) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(AccountKey(account));
  if (it == entries_.end()) return;
  order_.erase(it->second.in_order);
  entries_.erase(it);
}

void LoginThrottle::Touch(const std::string& key, Clock::time_point now) {
  auto [it, added] = entries_.try_emplace(key);
  if (!added) order_.erase(it->second.in_order);
  it->second.in_order = order_.insert(order_.end(), key);
  it->second.last_failure = now;
}

void LoginThrottle::Forget(Clock::time_point now) {
  // order_ is sorted by last failure: the forgettable ones are at its front.
  while (!order_.empty()) {
    auto it = entries_.find(order_.front());
    const bool expired = it->second.last_failure + options_.memory < now;
    if (!expired && entries_.size() <= options_.max_entries) break;
    entries_.erase(it);
    order_.pop_front();
  }
}

}  // namespace mailvault::imap
