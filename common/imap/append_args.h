// APPEND arguments (RFC 9051 6.3.12; several messages as in MULTIAPPEND,
// RFC 3502; literal8 message data with BINARY, RFC 3516).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/imap/imap_date.h"
#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

struct AppendMessage {
  std::vector<std::string> flags;  // canonical, no duplicates
  std::optional<ImapDateTime> internal_date;
  std::string data;     // the message, moved out of the command
  bool binary = false;  // sent as literal8 (~{n}): may contain NUL
};

struct AppendArgs {
  std::string mailbox;                  // wire form: pass to MailboxNameFromWire
  std::vector<AppendMessage> messages;  // at least one
};

// APPEND mailbox 1*([SP flag-list] [SP date-time] SP literal). Takes the
// command by value so that the message bytes (up to the literal limit) are
// moved, not copied. A NUL byte in a plain literal is refused (RFC 9051
// literal data is CHAR8, without NUL); binary content needs literal8.
Result<AppendArgs> ParseAppendArgs(ImapCommand command);

}  // namespace mailvault::imap
