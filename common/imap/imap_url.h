// IMAP URLs (RFC 5092) as CATENATE (RFC 4469) uses them: the
// server-relative form that names one message of the account, or a part
// of it:
//
//   /INBOX;UIDVALIDITY=385759045/;UID=20/;SECTION=1.2/;PARTIAL=0.1024
//
// Absolute URLs ("imap://user@host/...") and URLAUTH are not accepted: the
// server cannot tell whether a host name is itself, and a client appending
// to its own account has no need for either.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/imap/fetch_args.h"
#include "common/status.h"

namespace mailvault::imap {

struct ImapMessageUrl {
  // Percent-decoded; RFC 5092 mailbox names are UTF-8, so decode with
  // MailboxNameFromWire(mailbox, MailboxNameEncoding::kUtf8).
  std::string mailbox;
  std::optional<uint32_t> uidvalidity;
  uint32_t uid = 0;
  std::optional<FetchSection> section;  // the whole message when absent
  std::optional<FetchPartial> partial;  // ;PARTIAL=offset[.length]; length 0: to the end
};

// The error says what is wrong, for the text of NO [BADURL url].
Result<ImapMessageUrl> ParseImapMessageUrl(std::string_view url);

}  // namespace mailvault::imap
