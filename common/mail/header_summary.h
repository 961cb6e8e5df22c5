// The summary record's fields, read from a message's header section. Used
// where a plaintext message is sealed (LMTP delivery, IMAP APPEND of a
// plaintext message, the CLI's import). Values are kept as written, RFC 2047
// encoded words included: the customer's side decodes them for display.
#pragma once

#include <string_view>

#include "common/crypto/message_summary.h"

namespace mailvault {

MessageSummary SummarizeMessage(std::string_view message);

}  // namespace mailvault
