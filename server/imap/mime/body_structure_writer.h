// BODYSTRUCTURE and BODY (RFC 9051 7.5.2) of a parsed MIME tree.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/imap/response_writer.h"
#include "server/imap/mime/mime_part.h"

namespace mailvault::imap::mime {

// The most address entries all the envelopes of one BODYSTRUCTURE's
// message/rfc822 parts list together (envelope_writer.h); past it, their
// address lists are NIL. A digest of 100 messages with 30 addresses each
// (From counted three times for Sender and Reply-To) stays well inside.
inline constexpr size_t kMaxBodyStructureAddresses = 10000;

// Appends the parenthesised structure of `part` (whose offsets point into
// `message`). With `extensible`, the extension data of BODYSTRUCTURE (md5,
// disposition, language, location; parameters for multiparts).
void AppendBodyStructure(std::string& out, const MimePart& part, std::string_view message,
                         Charset charset, bool extensible);

}  // namespace mailvault::imap::mime
