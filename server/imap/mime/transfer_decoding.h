// Content-Transfer-Encoding removal (RFC 2045 6) and charset conversion.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mailvault::imap::mime {

enum class TransferEncoding {
  kIdentity,  // absent, 7bit, 8bit, binary
  kBase64,
  kQuotedPrintable,
  kUnknown,  // x-uuencode and anything else: BINARY answers NO [UNKNOWN-CTE]
};

TransferEncoding ClassifyTransferEncoding(const std::optional<std::string>& token);

// Lenient, as mail readers are: bytes outside the alphabet are skipped
// (Dovecot instead fails such a BINARY fetch with [PARSE]; a best effort is
// more useful to a client than no content at all).
std::string DecodeBase64(std::string_view encoded);

// RFC 2045 6.7: soft line breaks ("=" CRLF or "=" LF) removed, =XX
// decoded, blanks a transport added before a line end dropped; an "=" not
// followed by two hex digits is kept as it is (rule 1's advice).
std::string DecodeQuotedPrintable(std::string_view encoded);

// Decodes by `encoding`; nullopt for kUnknown.
std::optional<std::string> DecodeTransferEncoding(TransferEncoding encoding,
                                                  std::string_view encoded);

// `bytes` in `charset` (a MIME charset name; empty when none was given) as
// UTF-8. Unknown charsets and undecodable bytes fall back to GMime's best
// guess, so the result is always valid UTF-8.
std::string ToUtf8(std::string_view bytes, std::string_view charset);

}  // namespace mailvault::imap::mime
