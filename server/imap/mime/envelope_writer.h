// ENVELOPE (RFC 9051 7.5.2) of a header section.
#pragma once

#include <string>
#include <string_view>

#include "common/imap/response_writer.h"

namespace mailvault::imap::mime {

// Appends "(date subject from sender reply-to to cc bcc in-reply-to
// message-id)". The first of each field counts; values are unfolded and
// otherwise as written; Sender and Reply-To default to From.
void AppendEnvelope(std::string& out, std::string_view header, Charset charset);

}  // namespace mailvault::imap::mime
