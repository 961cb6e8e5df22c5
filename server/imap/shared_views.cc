#include "server/imap/shared_views.h"

#include <algorithm>

namespace mailvault::imap {
namespace {

// Past this many changes since the shared base, a fresh snapshot is cheaper
// to hold (and to look things up in) than the differences.
size_t MaxDifferences(size_t base_size) { return std::max<size_t>(1000, base_size / 8); }

}  // namespace

Result<std::unique_ptr<SelectedMailbox>> SharedViews::Open(MailBackend& backend,
                                                           const std::string& mailbox,
                                                           bool read_only) {
  const std::string key = backend.account() + '\0' + mailbox;
  std::shared_ptr<const MailboxSnapshot> base;
  {
    std::lock_guard lock(mutex_);
    auto it = bases_.find(key);
    if (it != bases_.end()) {
      base = it->second.lock();
      if (!base) bases_.erase(it);
    }
  }
  if (base) {
    MV_ASSIGN_OR_RETURN(MailboxChanges changes,
                        backend.ChangesSince(mailbox, base->info.highest_modseq));
    // The same mailbox (UIDVALIDITY), with the changes told rather than the
    // whole of it, and not too many of them: the base serves.
    if (!changes.snapshot && changes.info.uidvalidity == base->info.uidvalidity &&
        changes.changed.size() + changes.expunged.size() <= MaxDifferences(base->messages.size())) {
      return std::make_unique<SelectedMailbox>(read_only, std::move(base), std::move(changes));
    }
  }
  MV_ASSIGN_OR_RETURN(MailboxSnapshot snapshot, backend.Snapshot(mailbox));
  auto fresh = std::make_shared<const MailboxSnapshot>(std::move(snapshot));
  {
    std::lock_guard lock(mutex_);
    bases_[key] = fresh;
  }
  MailboxChanges none;
  none.info = fresh->info;
  return std::make_unique<SelectedMailbox>(read_only, std::move(fresh), std::move(none));
}

}  // namespace mailvault::imap
