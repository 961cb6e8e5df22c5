// Text the CLI prints in its tables: dates in UTC, and header values made
// safe for a terminal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mailvault::client {

// strftime of a unix time in UTC, e.g. "%Y-%m-%d %H:%M".
std::string UtcTime(int64_t unix_seconds, const char* format);

// At most `width` characters (UTF-8 is never cut in half), with control
// characters from a sender's headers (as EscapeForTerminal escapes) and bytes
// that are not UTF-8 shown as '?', never sent to the terminal.
std::string Printable(std::string_view text, size_t width);

// Text from the vault (mailbox names, error texts, log fields) for a
// terminal, whole and unambiguous enough to report: C0 and C1 control
// characters and DEL become \xNN (ESC is "\x1b"), bytes that are not UTF-8
// become \xNN too, and the Unicode controls that reorder or hide text (bidi
// overrides and isolates, line and paragraph separators) become \u{NNNN}.
// Printable UTF-8, including '\\', is left as it is.
std::string EscapeForTerminal(std::string_view text);

}  // namespace mailvault::client
