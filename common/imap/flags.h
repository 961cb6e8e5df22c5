// Message flags as clients send them in STORE, APPEND and SEARCH KEYWORD.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

// Keywords longer than this are refused (Dovecot and Cyrus use similar
// caps); they end up in every FETCH FLAGS and PERMANENTFLAGS response.
inline constexpr size_t kMaxKeywordLength = 250;

// A flag that a client may set: \Answered \Flagged \Deleted \Seen \Draft
// (returned in that canonical case, whatever case was sent) or a keyword
// (ATOM-CHARs only, returned as sent). Refuses \Recent (only the server
// sets it) and unknown system flags.
Result<std::string> ParseSettableFlag(const ImapToken& token, std::string_view command);

// A flag-keyword (SEARCH KEYWORD/UNKEYWORD): an atom, not a system flag.
Result<std::string> ParseKeyword(const ImapToken& token, std::string_view command);

// "(" [flag *(SP flag)] ")", duplicates (compared case-insensitively)
// removed, order kept.
Result<std::vector<std::string>> ParseFlagList(const ImapToken& list, std::string_view command);

// Appends `flag` unless already present (case-insensitive).
void AddFlagOnce(std::vector<std::string>& flags, std::string flag);

}  // namespace mailvault::imap
