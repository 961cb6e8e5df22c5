// Keeps one vault connection in IDLE on INBOX, with NOTIFY for the whole
// account, and tells the bridge's sessions when the vault reports a change
// (a delivery, an expunge, a flag change from another device, in INBOX or
// another mailbox; a mailbox created, deleted or renamed), so their IDLE
// and their own NOTIFY learn of it too.
#pragma once

#include <atomic>
#include <thread>

#include "client/device/device.h"
#include "client/protocol/response_parser.h"
#include "server/imap/mailbox_events.h"

namespace mailvault::client {

class InboxWatcher {
 public:
  InboxWatcher(const Device& device, imap::MailboxEvents& events)
      : device_(device), events_(events) {}
  ~InboxWatcher() { Stop(); }

  void Start();
  void Stop();

 private:
  void Run();
  // One connection's life: returns on an error or when stopping.
  Status WatchOnce();
  // What the vault sent, as the bridge's events.
  void Forward(const std::vector<Response>& updates);
  static imap::AccountEvent MailboxListEvent(const std::vector<imap::ImapToken>& data);

  const Device& device_;
  imap::MailboxEvents& events_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace mailvault::client
