// Base64 (RFC 4648, standard alphabet) for AUTHENTICATE exchanges.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace mailvault::imap {

// Strict decoding: only the standard alphabet, '=' only as final padding,
// unused trailing bits zero. Padding may be omitted (some clients do).
Result<std::string> DecodeSaslBase64(std::string_view text);

std::string EncodeSaslBase64(std::string_view bytes);

}  // namespace mailvault::imap
