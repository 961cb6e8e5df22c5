// In-process change notification: a delivery, an APPEND or a flag change in
// one session wakes every other session that has the mailbox selected (NOOP
// and IDLE then report EXISTS, EXPUNGE and FETCH), and tells the sessions
// that asked for the whole account (NOTIFY, RFC 5465) of that and of
// mailboxes created, deleted, renamed and (un)subscribed. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace mailvault::imap {

// What happened in an account, for the sessions that follow all of it.
struct AccountEvent {
  enum class Kind { kMessages, kCreated, kDeleted, kRenamed, kSubscribed, kUnsubscribed };
  Kind kind = Kind::kMessages;
  std::string mailbox;   // the mailbox (kRenamed: its new name)
  std::string old_name;  // kRenamed only
};

class MailboxEvents {
 public:
  using Callback = std::function<void()>;
  using AccountCallback = std::function<void(const AccountEvent&)>;

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

  // Every event of `account`; the key that unsubscribes is the account's
  // with no mailbox (no mailbox name is empty).
  std::unique_ptr<Subscription> SubscribeAccount(std::string_view account,
                                                 AccountCallback callback) {
    std::lock_guard lock(mutex_);
    const uint64_t id = next_id_++;
    std::string key = Key(account, "");
    account_subscribers_[key].emplace(id, std::move(callback));
    return std::make_unique<Subscription>(this, std::move(key), id);
  }

  // Messages of `mailbox` arrived, changed or went.
  void Notify(std::string_view account, std::string_view mailbox) {
    std::lock_guard lock(mutex_);
    if (auto it = subscribers_.find(Key(account, mailbox)); it != subscribers_.end()) {
      for (auto& [id, callback] : it->second) callback();
    }
    CallAccount(account, AccountEvent{AccountEvent::Kind::kMessages, std::string(mailbox), {}});
  }

  // A mailbox was created, deleted or renamed, or its subscription changed.
  void NotifyAccount(std::string_view account, const AccountEvent& event) {
    std::lock_guard lock(mutex_);
    CallAccount(account, event);
  }

 private:
  static std::string Key(std::string_view account, std::string_view mailbox) {
    std::string key(account);
    key.push_back('\0');
    key.append(mailbox);
    return key;
  }

  void CallAccount(std::string_view account, const AccountEvent& event) {
    auto it = account_subscribers_.find(Key(account, ""));
    if (it == account_subscribers_.end()) return;
    for (auto& [id, callback] : it->second) callback(event);
  }

  template <typename Map>
  static void Erase(Map& map, const std::string& key, uint64_t id) {
    auto it = map.find(key);
    if (it == map.end()) return;
    it->second.erase(id);
    if (it->second.empty()) map.erase(it);
  }

  void Unsubscribe(const std::string& key, uint64_t id) {
    std::lock_guard lock(mutex_);
    Erase(subscribers_, key, id);
    Erase(account_subscribers_, key, id);  // ids are unique across both
  }

  std::mutex mutex_;
  uint64_t next_id_ = 1;
  std::map<std::string, std::map<uint64_t, Callback>> subscribers_;
  std::map<std::string, std::map<uint64_t, AccountCallback>> account_subscribers_;
};

}  // namespace mailvault::imap
