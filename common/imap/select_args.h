// SELECT and EXAMINE arguments (RFC 9051 6.3.2, RFC 4466 select-params,
// RFC 7162 CONDSTORE and QRESYNC parameters).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/imap/sequence_set.h"
#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

// (QRESYNC (uidvalidity modseq [known-uids [seq-match-data]])): what the
// client last saw of the mailbox (RFC 7162 3.2.5). seq-match-data is
// accepted and not used: the vault's answer does not need it.
struct QresyncParams {
  uint32_t uidvalidity = 0;
  uint64_t modseq = 0;
  std::optional<SequenceSet> known_uids;
};

struct SelectArgs {
  std::string mailbox;     // wire form
  bool condstore = false;  // (CONDSTORE): enables CONDSTORE for the session
  std::optional<QresyncParams> qresync;
};

// SELECT mailbox [(select-param ...)].
Result<SelectArgs> ParseSelectArgs(const ImapCommand& command);

}  // namespace mailvault::imap
