// APPEND arguments (RFC 9051 6.3.12; several messages as in MULTIAPPEND,
// RFC 3502; literal8 message data with BINARY, RFC 3516; a message joined
// from TEXT and URL parts with CATENATE, RFC 4469).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/imap/imap_date.h"
#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

// One part of a CATENATE list: bytes as sent, or an IMAP URL naming a
// message or a part of one that the server already holds.
struct CatenatePart {
  enum class Kind { kText, kUrl };
  Kind kind = Kind::kText;
  std::string text;     // kText: the bytes, moved out of the command; kUrl: the URL as sent
  bool binary = false;  // kText sent as literal8 (~{n})
};

struct AppendMessage {
  std::vector<std::string> flags;  // canonical, no duplicates
  std::optional<ImapDateTime> internal_date;
  std::string data;     // the message, moved out of the command
  bool binary = false;  // sent as literal8 (~{n}): may contain NUL
  // CATENATE: the parts to join (at least one); `data` is empty until the
  // session has joined them.
  std::vector<CatenatePart> catenate;
  bool catenated() const { return !catenate.empty(); }
};

struct AppendArgs {
  std::string mailbox;                  // wire form: pass to MailboxNameFromWire
  std::vector<AppendMessage> messages;  // at least one
};

// APPEND mailbox 1*([SP flag-list] [SP date-time] SP append-data), where
// append-data is a literal or CATENATE (cat-part *(SP cat-part)) and a
// cat-part is TEXT literal or URL astring. Takes the command by value so
// that the message bytes (up to the literal limit) are moved, not copied.
// A NUL byte in a plain literal is refused (RFC 9051 literal data is CHAR8,
// without NUL); binary content needs literal8. Refused, it wipes the bytes
// it took, and what it leaves of the command either way.
Result<AppendArgs> ParseAppendArgs(ImapCommand command);

// Wipes the messages' bytes (plaintext) and empties them.
void WipeMessages(std::vector<AppendMessage>& messages);

}  // namespace mailvault::imap
