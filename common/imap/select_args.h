// SELECT and EXAMINE arguments (RFC 9051 6.3.2, RFC 4466 select-params,
// RFC 7162 CONDSTORE parameter).
#pragma once

#include <string>

#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

struct SelectArgs {
  std::string mailbox;     // wire form
  bool condstore = false;  // (CONDSTORE): enables CONDSTORE for the session
};

// SELECT mailbox [(select-param ...)]. QRESYNC is refused: not supported.
Result<SelectArgs> ParseSelectArgs(const ImapCommand& command);

}  // namespace mailvault::imap
