#include "server/imap/mail_backend.h"

#include <algorithm>

namespace mailvault::imap {

Result<MailboxStatus> MailBackend::StatusOf(const std::string& mailbox, bool with_size) {
  MV_ASSIGN_OR_RETURN(MailboxSnapshot snapshot, Snapshot(mailbox));
  MailboxStatus status;
  status.info = std::move(snapshot.info);
  status.messages = static_cast<uint32_t>(snapshot.messages.size());
  uint64_t size = 0;
  for (const MessageMeta& m : snapshot.messages) {
    const auto has = [&](std::string_view flag) {
      return std::find(m.flags.begin(), m.flags.end(), flag) != m.flags.end();
    };
    status.unseen += !has("\\Seen");
    status.deleted += has("\\Deleted");
    size += m.size;
  }
  if (with_size) status.size = size;
  return status;
}

}  // namespace mailvault::imap
