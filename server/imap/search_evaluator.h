// Evaluates a SEARCH key tree against one message (RFC 9051 6.4.4).
#pragma once

#include <cstdint>

#include "common/imap/search_args.h"
#include "server/imap/mail_backend.h"

namespace mailvault::imap {

class MessageStructure;

struct SearchContext {
  uint32_t seq = 0;
  uint32_t message_count = 0;  // resolves '*' in sequence sets
  uint32_t max_uid = 0;        // resolves '*' in uid sets
  const MessageMeta* meta = nullptr;
  // The parsed message, for content keys and SENT*; nullptr when the
  // back-end cannot search content (the caller refuses such searches).
  const MessageStructure* content = nullptr;
  const std::vector<uint32_t>* saved_uids = nullptr;  // "$" (RFC 5182)
  bool recent = false;  // \Recent to this session (RECENT, NEW, OLD)
};

bool Matches(const SearchKey& key, const SearchContext& context);

}  // namespace mailvault::imap
