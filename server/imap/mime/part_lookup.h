// Resolving an IMAP part number ("2.1.3") to a MIME part.
#pragma once

#include <cstdint>
#include <span>

#include "server/imap/mime/mime_part.h"

namespace mailvault::imap::mime {

// Dovecot's rules (imap-msgpart.c), which are RFC 9051 6.4.5's plus some
// leniency clients have come to rely on:
// - in a multipart, n is its n-th body part;
// - a non-multipart part has only part 1, which is the part itself (so
//   "1" of a single-part message is its body, and "2.1.1" is "2.1" when
//   2.1 is not a multipart);
// - after a message/rfc822 part, further numbers address the
//   encapsulated message.
// nullptr when there is no such part. `path` must not be empty.
const MimePart* FindPart(const MimePart& root, std::span<const uint32_t> path);

}  // namespace mailvault::imap::mime
