// SORT and UID SORT arguments (RFC 5256 section 3, RFC 5957 DISPLAYFROM and
// DISPLAYTO, RFC 5267 ESORT's RETURN): sort criteria, a charset, and the
// search program SEARCH parses.
#pragma once

#include <vector>

#include "common/imap/search_args.h"
#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

enum class SortKey {
  kArrival,  // INTERNALDATE
  kCc,       // addr-mailbox of the first Cc address
  kDate,     // the Date: header (INTERNALDATE when it has none)
  kFrom,
  kSize,     // RFC822.SIZE
  kSubject,  // the base subject (RFC 5256 2.1)
  kTo,
  kDisplayFrom,  // display name of the first From address, else its addr-spec
  kDisplayTo,
};

struct SortCriterion {
  SortKey key = SortKey::kArrival;
  bool reverse = false;  // REVERSE applies to the one key after it

  bool operator==(const SortCriterion&) const = default;
};

// True for the keys that need the message's headers: on the vault, where
// content is sealed, only ARRIVAL and SIZE can be sorted by.
bool NeedsContent(SortKey key);
// The key's name as the client writes it, for messages ("SUBJECT").
std::string_view SortKeyName(SortKey key);

struct SortArgs {
  std::vector<SortCriterion> criteria;  // never empty
  // Charset (mandatory in SORT, upper-cased), RETURN options (ESORT: then
  // `esearch` is set) and the search keys.
  SearchArgs search;
};

Result<SortArgs> ParseSortArgs(const ImapCommand& command);

}  // namespace mailvault::imap
