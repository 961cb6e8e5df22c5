// ENVELOPE (RFC 9051 7.5.2) of a header section.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/imap/response_writer.h"

namespace mailvault::imap::mime {

// Appends "(date subject from sender reply-to to cc bcc in-reply-to
// message-id)". The first of each field counts; values are unfolded and
// otherwise as written; Sender and Reply-To default to From. Each address
// list has at most kMaxEnvelopeAddresses entries (address_list.h).
void AppendEnvelope(std::string& out, std::string_view header, Charset charset);

// The same, listing at most `addresses_left` entries in all its lists
// (copies of From included), and taking what it lists off it: the
// envelopes of a BODYSTRUCTURE's message/rfc822 parts share one budget, or
// a digest of thousands of small messages, each with a From of the most
// four-byte addresses a list takes, would answer hundreds of MiB.
void AppendEnvelope(std::string& out, std::string_view header, Charset charset,
                    size_t& addresses_left);

}  // namespace mailvault::imap::mime
