// RFC 3501 section 5.1.3 "modified UTF-7": how IMAP4rev1 clients spell
// non-ASCII mailbox names ("Entw&APw-rfe" is "Entwürfe").
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace mailvault::imap {

// Decodes to UTF-8. Strict, so that every name has exactly one spelling and
// two wire forms can never name one mailbox: refuses bytes outside printable
// ASCII, unterminated shifts ("&AOQ"), characters outside the modified
// base64 alphabet, incomplete or non-zero padding bits, unpaired UTF-16
// surrogates, printable ASCII that was encoded although it represents
// itself, and two adjacent shifts that should have been one.
Result<std::string> DecodeModifiedUtf7(std::string_view text);

// Encodes UTF-8 (refused if invalid) canonically.
Result<std::string> EncodeModifiedUtf7(std::string_view utf8);

}  // namespace mailvault::imap
