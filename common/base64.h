// Base64 (RFC 4648, standard alphabet, padded): IMAP AUTHENTICATE and the
// vault commands, etcd's JSON, the admin socket's move chunks, key files.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace mailvault {

// Strict decoding: only the standard alphabet, '=' only as final padding,
// unused trailing bits zero. Padding may be omitted (some clients do).
Result<std::string> DecodeBase64(std::string_view text);

std::string EncodeBase64(std::string_view bytes);

}  // namespace mailvault
