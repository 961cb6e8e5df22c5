// In-process change notification: a delivery, an APPEND or a flag change in
// one session wakes every other session that has the mailbox selected (NOOP
// and IDLE then report EXISTS, EXPUNGE and FETCH). Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace mailvault::imap {

class MailboxEvents {
 public:
  using Callback = std::function<void()>;

  // Unsubscribes when destroyed; a callback never runs after that.
  class Subscription {
   public:
    Subscription(MailboxEvents* hub, std::string key, uint64_t id)
        : hub_(hub), key_(std::move(key)), id_(id) {}
    ~Subscription() { hub_->Unsubscribe(key_, id_); }
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

   private:
    MailboxEvents* hub_;
    std::string key_;
    uint64_t id_;
  };

  // `callback` runs on the notifier's thread with the hub locked: it must
  // only post work elsewhere.
  std::unique_ptr<Subscription> Subscribe(std::string_view account, std::string_view mailbox,
                                          Callback callback) {
    std::lock_guard lock(mutex_);
    const uint64_t id = next_id_++;
    std::string key = Key(account, mailbox);
    subscribers_[key].emplace(id, std::move(callback));
    return std::make_unique<Subscription>(this, std::move(key), id);
  }

  void Notify(std::string_view account, std::string_view mailbox) {
    std::lock_guard lock(mutex_);
    auto it = subscribers_.find(Key(account, mailbox));
    if (it == subscribers_.end()) return;
    for (auto& [id, callback] : it->second) callback();
  }

 private:
  static std::string Key(std::string_view account, std::string_view mailbox) {
    std::string key(account);
    key.push_back('\0');
    key.append(mailbox);
    return key;
  }

  void Unsubscribe(const std::string& key, uint64_t id) {
    std::lock_guard lock(mutex_);
    auto it = subscribers_.find(key);
    if (it == subscribers_.end()) return;
    it->second.erase(id);
    if (it->second.empty()) subscribers_.erase(it);
  }

  std::mutex mutex_;
  uint64_t next_id_ = 1;
  std::map<std::string, std::map<uint64_t, Callback>> subscribers_;
};

}  // namespace mailvault::imap
