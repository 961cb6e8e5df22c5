// BODYSTRUCTURE and BODY (RFC 9051 7.5.2) of a parsed MIME tree.
#pragma once

#include <string>
#include <string_view>

#include "common/imap/response_writer.h"
#include "server/imap/mime/mime_part.h"

namespace mailvault::imap::mime {

// Appends the parenthesised structure of `part` (whose offsets point into
// `message`). With `extensible`, the extension data of BODYSTRUCTURE (md5,
// disposition, language, location; parameters for multiparts).
void AppendBodyStructure(std::string& out, const MimePart& part, std::string_view message,
                         Charset charset, bool extensible);

}  // namespace mailvault::imap::mime
