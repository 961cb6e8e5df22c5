// LIST (RFC 9051 6.3.9 with LIST-EXTENDED RFC 5258, SPECIAL-USE RFC 6154,
// LIST-STATUS RFC 5819) and the IMAP4rev1 LSUB.
#pragma once

#include <string>
#include <vector>

#include "common/imap/status_args.h"
#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

struct ListSelection {
  bool subscribed = false;
  bool remote = false;
  bool recursive_match = false;
  bool special_use = false;
};

struct ListReturn {
  bool subscribed = false;
  bool children = false;
  bool special_use = false;
  bool status = false;
  std::vector<StatusItem> status_items;  // when status
};

struct ListArgs {
  // Selection options, several patterns or RETURN were used: the reply
  // follows RFC 5258 (e.g. CHILDINFO with RECURSIVEMATCH).
  bool extended = false;
  ListSelection selection;
  std::string reference;              // wire form, may be empty
  std::vector<std::string> patterns;  // wire form with '%' and '*'; may be ""
  ListReturn returns;
};

// LIST [(selection)] reference (pattern | (pattern...)) [RETURN (options)]
Result<ListArgs> ParseListArgs(const ImapCommand& command);

// LSUB reference pattern: reference and one pattern, selection.subscribed.
Result<ListArgs> ParseLsubArgs(const ImapCommand& command);

}  // namespace mailvault::imap
