// The base snapshots that sessions selecting the same mailbox share
// (selected_mailbox.h). A SELECT takes the newest base of the mailbox that
// some session still holds and the changes since it (O(changes)); only
// when there is none, or it is too far behind, does it read the mailbox
// whole, and that snapshot becomes the newest base. A base lives as long as
// a session uses it: nothing is kept for mailboxes nobody has selected.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "server/imap/mail_backend.h"
#include "server/imap/selected_mailbox.h"

namespace mailvault::imap {

class SharedViews {
 public:
  // A view of `mailbox` for a new session. Runs on the storage pool.
  Result<std::unique_ptr<SelectedMailbox>> Open(MailBackend& backend, const std::string& mailbox,
                                                bool read_only);

 private:
  std::mutex mutex_;
  // account + '\0' + mailbox -> its newest base
  std::map<std::string, std::weak_ptr<const MailboxSnapshot>> bases_;
};

}  // namespace mailvault::imap
