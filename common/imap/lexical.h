// Lexical rules that the server's command tokenizer and the client's
// response parser share, so that both sides read IMAP the same way.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/imap/token.h"

namespace mailvault::imap {

// "'x'" for a printable byte, "byte 0xNN" otherwise: for error messages.
std::string ByteName(unsigned char c);
// At most `max` bytes of client text for quoting in an error message, which
// becomes the text of a response line: bytes outside printable ASCII
// (CR, LF and NUL above all, which would end the line or let a client
// inject a response of its own) are written as \xNN, and "..." marks a cut.
std::string ErrorExcerpt(std::string_view text, size_t max = 40);

// ASCII case-insensitive equality (IMAP keywords, atoms).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Index of the ']' closing the '[' at `open`, or npos when there is none on
// this line piece (then '[' is an ordinary atom character, as in an unquoted
// mailbox name like "[Gmail"). Quoted strings inside are skipped.
size_t FindSectionEnd(std::string_view text, size_t open);

// Sets an atom's kind from its text: kNil for NIL in any case, kNumber (and
// `number`) for digits only that fit in 64 bits, kAtom otherwise.
void ClassifyAtom(ImapToken& token);

}  // namespace mailvault::imap
