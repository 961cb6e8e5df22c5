// Which mod-sequence a SEARCH with the MODSEQ criterion reports: kept apart
// from the session so that the RFCs' rules can be checked as a table.
#pragma once

#include <cstdint>
#include <vector>

#include "common/imap/search_args.h"

namespace mailvault::imap {

// The MODSEQ of a non-empty SEARCH or ESEARCH result, given the modseqs of
// the found messages in result order (ascending sequence number) and the
// RETURN options (all unset for a plain SEARCH). RFC 7162 3.1.6: the highest
// mod-sequence of all messages being returned. RFC 4731 3.2 (RFC 7162
// 3.1.10): MIN and/or MAX without ALL or COUNT return only those one or two
// messages, so the highest of theirs. `found` must not be empty.
uint64_t SearchResultModseq(const std::vector<uint64_t>& found, const SearchReturnOptions& returns);

}  // namespace mailvault::imap
