// What SORT and THREAD (RFC 5256, RFC 5957) compare of one message, read
// once from its metadata and, where the back-end can see content, its
// headers. Strings are kept as collation keys (i;unicode-casemap), so the
// sorting and threading code compares bytes and never sees MIME.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/imap/mail_backend.h"

namespace mailvault::imap {

class MessageStructure;

struct MessageSummary {
  uint32_t seq = 0;
  uint32_t uid = 0;
  uint64_t modseq = 0;
  int64_t arrival = 0;  // INTERNALDATE, unix seconds
  uint64_t size = 0;    // RFC822.SIZE
  // Below: only with content (SummarizeContent); empty strings otherwise.
  int64_t sent_date = 0;  // Date: in UTC; INTERNALDATE when missing or unreadable (2.2)
  std::string subject;    // base subject (RFC 5256 2.1), collation key
  bool reply_or_forward = false;
  std::string from, to, cc;              // addr-mailbox of the first address, collation key
  std::string display_from, display_to;  // RFC 5957 display name or addr-spec, collation key
  std::string message_id;                // "<id@host>", empty when none is valid
  std::vector<std::string> references;   // References:, else the first of In-Reply-To:
};

MessageSummary SummarizeMeta(uint32_t seq, const MessageMeta& meta);
// Fills the header-derived fields of `summary` from the parsed message.
void SummarizeContent(const MessageStructure& message, MessageSummary& summary);

// The valid message ids (msg-id of RFC 5322: "<" id-left "@" id-right ">")
// in a Message-ID, References or In-Reply-To value, in order, brackets
// kept; comments, phrases and malformed ids are skipped (RFC 5256 section 3
// ignores what is not a valid Message ID).
std::vector<std::string> ParseMessageIds(std::string_view value);

}  // namespace mailvault::imap
