// What the fuzz target checks for one input, as a function so that the
// corpus replay test (built with any compiler) checks exactly the same.
#pragma once

#include <string>
#include <string_view>

namespace mailvault::imap::testing {

// Runs `input` through the receiver whole, byte by byte and in pseudo-random
// splits (which must all give the same events, argument-parser results
// included), and through the standalone parsers with their round-trip
// properties. Returns "" or a description of the first violated property.
std::string CheckImapInput(std::string_view input);

}  // namespace mailvault::imap::testing
