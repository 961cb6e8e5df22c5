// STORE and UID STORE arguments (RFC 9051 6.4.6, RFC 7162 UNCHANGEDSINCE).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/imap/sequence_set.h"
#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

enum class StoreMode {
  kReplace,  // FLAGS
  kAdd,      // +FLAGS
  kRemove,   // -FLAGS
};

struct StoreArgs {
  SequenceSet set;
  std::optional<uint64_t> unchanged_since;
  StoreMode mode = StoreMode::kReplace;
  bool silent = false;  // .SILENT: no untagged FETCH for this client
  // Canonical system flags and keywords, no duplicates; may be empty
  // ("FLAGS ()" clears all flags).
  std::vector<std::string> flags;
};

// STORE set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] (flag-list | flag *(SP flag))
Result<StoreArgs> ParseStoreArgs(const ImapCommand& command);

}  // namespace mailvault::imap
