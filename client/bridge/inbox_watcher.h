// Keeps one vault connection in IDLE on INBOX and tells the bridge's
// sessions when the vault reports a change there (a delivery, an expunge or
// a flag change from another device), so their IDLE wakes too.
#pragma once

#include <atomic>
#include <thread>

#include "client/device/device.h"
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

  const Device& device_;
  imap::MailboxEvents& events_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace mailvault::client
