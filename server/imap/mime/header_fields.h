// The fields of a header section, located in the original bytes. Nothing is
// copied or normalised here: HEADER.FIELDS answers are cut from these ranges.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailvault::imap::mime {

struct HeaderField {
  // The name before the colon, trailing blanks dropped ("Subject :" is
  // obsolete syntax but still seen). For a line without a colon, the whole
  // line (such a line matches no HEADER.FIELDS name).
  std::string_view name;
  // The field as transmitted: first line, continuation lines, and the line
  // end of the last line (absent when the data ends without one).
  std::string_view raw;
  // After the colon up to, not including, the last line end; folding kept.
  std::string_view value;
  bool has_colon = true;
};

// Splits `header` (a header section, optionally ending with its blank line)
// into fields. Lines after a blank line are not looked at.
std::vector<HeaderField> SplitHeaderFields(std::string_view header);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// The first field called `name` (case-insensitive), if any.
const HeaderField* FindField(const std::vector<HeaderField>& fields, std::string_view name);

// RFC 5322 unfolding: CR and LF removed (a line break not followed by a blank
// becomes a space so words do not run together), leading and trailing blanks
// trimmed. NUL becomes U+FFFD, which IMAP strings cannot carry.
std::string UnfoldValue(std::string_view value);

// The line end a header section uses ("\n" when its first line ends in a
// bare LF, else "\r\n"); synthesised lines follow it.
std::string_view HeaderLineEnd(std::string_view header);

}  // namespace mailvault::imap::mime
