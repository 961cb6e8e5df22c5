// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF. IMAP4rev2 strings and mailbox names must be valid UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mailvault::imap {

// Decodes the code point at text[pos] and advances pos; false (pos
// unchanged) for an invalid or truncated sequence.
bool DecodeUtf8CodePoint(std::string_view text, size_t& pos, char32_t& code_point);

bool IsValidUtf8(std::string_view text);

// `code_point` must be a Unicode scalar value.
void AppendUtf8(std::string& out, char32_t code_point);

}  // namespace mailvault::imap
