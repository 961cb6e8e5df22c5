// The i;unicode-casemap collation (RFC 5051), which SORT and THREAD compare
// strings with (RFC 5256 requires I18NLEVEL=1 collation). SEARCH matches
// substrings with FoldCase (message_structure.h); both are GLib's Unicode
// tables, so a subject that SEARCH finds regardless of case also sorts
// regardless of case.
#pragma once

#include <string>
#include <string_view>

namespace mailvault::imap {

// The collation key: every character mapped to its titlecase (simple
// mapping), then the whole string fully decomposed (NFKD), then what the
// decomposition yielded titlecased again (a ligature decomposes into
// lowercase letters). Two strings are
// equal under the collation when their keys are equal, and order as their
// keys' bytes do (UTF-8 byte order is code point order, which is what
// RFC 5051 asks for). Invalid UTF-8 is made valid first (U+FFFD).
std::string UnicodeCasemapKey(std::string_view text);

}  // namespace mailvault::imap
