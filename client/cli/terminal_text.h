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
// characters from a sender's headers shown as '?', never sent to the terminal.
std::string Printable(std::string_view text, size_t width);

}  // namespace mailvault::client
