// LIST patterns (RFC 9051 6.3.9): '*' matches any run of characters, '%'
// any run without the hierarchy delimiter. INBOX matches in any case.
#pragma once

#include <string>
#include <string_view>

namespace mailvault::imap {

// The canonical pattern for a reference and a mailbox pattern.
std::string JoinReference(std::string_view reference, std::string_view pattern);

bool MatchesPattern(std::string_view name, std::string_view pattern);

}  // namespace mailvault::imap
