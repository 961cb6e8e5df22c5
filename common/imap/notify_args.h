// NOTIFY arguments (RFC 5465 section 8): NOTIFY NONE, or NOTIFY SET
// [STATUS] and event groups, each a mailbox filter and the events wanted
// for it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

// The events this server reports; a bit each.
enum NotifyEvent : uint32_t {
  kMessageNew = 1,
  kMessageExpunge = 2,
  kFlagChange = 4,
  kMailboxName = 8,
  kSubscriptionChange = 16,
};
// "MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange",
// as NO [BADEVENT (...)] lists them.
const char* SupportedNotifyEvents();

enum class NotifyFilter {
  kSelected,
  kSelectedDelayed,
  kInboxes,
  kPersonal,
  kSubscribed,
  kSubtree,    // `mailboxes` and everything below them
  kMailboxes,  // exactly `mailboxes`
};

struct NotifyGroup {
  NotifyFilter filter = NotifyFilter::kPersonal;
  std::vector<std::string> mailboxes;  // kSubtree, kMailboxes: as sent (astrings)
  uint32_t events = 0;                 // NotifyEvent bits; 0 is NONE
  // MessageNew's fetch attributes (a list token), for the selected
  // mailbox only: a FETCH of them follows each EXISTS.
  std::optional<ImapToken> fetch_attributes;

  bool is_selected() const {
    return filter == NotifyFilter::kSelected || filter == NotifyFilter::kSelectedDelayed;
  }
};

struct NotifyArgs {
  bool none = false;    // NOTIFY NONE
  bool status = false;  // SET STATUS: a STATUS of each watched mailbox now
  std::vector<NotifyGroup> groups;
  // Events named that this server does not report (AnnotationChange, the
  // metadata events, unknown names): the command gets NO [BADEVENT].
  std::vector<std::string> unsupported;
};

// Grammar errors, and the RFC's rules on combining events (MessageNew and
// MessageExpunge together; FlagChange only with both; one SELECTED or
// SELECTED-DELAYED; fetch attributes only for it), are BAD messages.
Result<NotifyArgs> ParseNotifyArgs(const ImapCommand& command);

}  // namespace mailvault::imap
